package app_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
)

// POST /v1/imports: the Zendesk sample imports once, a second post finds
// every ticket already there, training is queued, and bad input is a 400
// naming its field.
func TestImportAPI(t *testing.T) {
	data, err := os.ReadFile("../importer/testdata/zendesk_incremental.json")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(api.ImportRequest{Format: "zendesk", Data: string(data)})
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			r := start(t, st.config(t))
			post := func() api.ImportResult {
				w := r.call("POST", "/v1/imports", string(body))
				if w.Code != 200 {
					t.Fatalf("POST /v1/imports: %d %s", w.Code, w.Body)
				}
				var res api.ImportResult
				if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
					t.Fatal(err)
				}
				return res
			}
			first := post()
			s := first.Summary
			if s.Imported != 6 || s.Already != 0 || len(s.Skipped) != 1 || s.Skipped[0].Line != 116 || s.Skipped[0].Reason.Code != triage.ImportDeleted {
				t.Fatalf("first import: %+v", s)
			}
			if strings.Join(first.Queued, ",") != "retrain.category,retrain.priority,retrain.embedder" {
				t.Errorf("queued %v", first.Queued)
			}
			if again := post(); again.Summary.Imported != 0 || again.Summary.Already != 6 || len(again.Queued) != 0 {
				t.Fatalf("second import: %+v", again)
			}
			w := r.call("GET", "/v1/tickets?limit=50", "")
			var page struct {
				Items []triage.Ticket `json:"items"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || len(page.Items) != 6 {
				t.Fatalf("tickets after two imports: %d (%v) %s", len(page.Items), err, w.Body)
			}
			for _, c := range []struct{ body, field string }{
				{`{"format":"zendesk"}`, "data"},
				{`{"format":"xml","data":"x"}`, "format"},
				{`{"format":"csv","data":"a,b\n1,2\n"}`, "columns"},
				{`{"format":"zendesk","data":"{}","start_at":-1}`, "start_at"},
			} {
				w := r.call("POST", "/v1/imports", c.body)
				if w.Code != 400 || !strings.Contains(w.Body.String(), c.field) {
					t.Errorf("%s: %d %s; want 400 naming %s", c.body, w.Code, w.Body, c.field)
				}
			}
		})
	}
}
