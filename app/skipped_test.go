package app_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// TestStoredBrokenRuleAndModelAreSkipped stores, bypassing the API's
// checks as a hand edit or an older version could, a rule whose regex does
// not compile and an active category model that does not load. The service
// starts, creates tickets with the good rule still applied, lists both in
// GET /v1/skipped, and deletes the rule through the API.
func TestStoredBrokenRuleAndModelAreSkipped(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			cfg := st.config(t)
			r := start(t, cfg)
			ctx := context.Background()
			now := time.Now().UTC()
			bad := &triage.Rule{ID: triage.NewID(), Name: "broken", Enabled: true, Regex: "(", SetCategory: "退款", Mode: triage.RuleOverride, CreatedAt: now, UpdatedAt: now, Version: 1}
			good := &triage.Rule{ID: triage.NewID(), Name: "good", Position: 1, Enabled: true, Any: []string{"发票"}, AddTags: []string{"invoice"}, Mode: triage.RuleOverride, CreatedAt: now, UpdatedAt: now, Version: 1}
			model := &triage.Model{ID: triage.NewID(), Kind: triage.ModelCategory, Version: "garbage", Active: true, Blob: []byte("not a model"), CreatedAt: now}
			err := r.Store.Update(ctx, func(tx triage.Tx) error {
				for _, rule := range []*triage.Rule{bad, good} {
					if err := tx.CreateRule(ctx, rule); err != nil {
						return err
					}
				}
				return tx.SaveModel(ctx, model)
			})
			if err != nil {
				t.Fatal(err)
			}
			r.caughtUp()
			r.stop()

			r = start(t, cfg)
			w := r.call("POST", "/v1/tickets", `{"title":"发票开错了","body":"发票抬头写错了，请重开。","requester":{"name":"陈女士"}}`)
			var tk triage.Ticket
			if err := json.Unmarshal(w.Body.Bytes(), &tk); w.Code != 201 || err != nil {
				t.Fatalf("create a ticket beside a broken rule: %d %s", w.Code, w.Body)
			}
			if !slices.Contains(tk.Tags, "invoice") {
				t.Errorf("the good rule did not apply beside the broken one: tags %q", tk.Tags)
			}
			w = r.call("GET", "/v1/skipped", "")
			var skipped struct{ Items []triage.Skipped }
			if err := json.Unmarshal(w.Body.Bytes(), &skipped); w.Code != 200 || err != nil {
				t.Fatalf("GET /v1/skipped: %d %s", w.Code, w.Body)
			}
			var got []string
			for _, s := range skipped.Items {
				got = append(got, string(s.Kind)+" "+s.ID)
			}
			for _, want := range []string{"rule " + bad.ID, "model " + model.ID} {
				if !slices.Contains(got, want) {
					t.Errorf("GET /v1/skipped lists %q, want %s among them", got, want)
				}
			}
			if m := r.call("GET", "/metrics", "").Body.String(); !strings.Contains(m, `triage_derived_skipped_total{kind="rule"} 1`) || !strings.Contains(m, `triage_derived_skipped_total{kind="model"} 1`) {
				t.Errorf("/metrics does not count the skipped rule and model")
			}
			if w := r.call("GET", "/v1/rules/"+bad.ID, ""); w.Code != 200 {
				t.Errorf("GET the broken rule: %d %s", w.Code, w.Body)
			}
			if w := r.call("DELETE", "/v1/rules/"+bad.ID, "", `If-Match: "1"`); w.Code != 204 {
				t.Errorf("DELETE the broken rule: %d %s", w.Code, w.Body)
			}
			r.caughtUp()
			if w := r.call("GET", "/v1/skipped", ""); strings.Contains(w.Body.String(), bad.ID) {
				t.Errorf("the deleted rule is still listed as skipped: %s", w.Body)
			}
		})
	}
}

// TestWrongDimensionVectorIsSkipped stores a vector of the current model
// with one dimension too many, as a misconfigured remote model could
// return: the follower skips it and goes on, and a restart, which loads
// every stored vector, is ready and reports it.
func TestWrongDimensionVectorIsSkipped(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			cfg := st.config(t)
			r := start(t, cfg)
			ctx := context.Background()
			emb := r.Embedding.Current()
			owner := triage.NewID()
			doc := triage.DocArticle + ":" + owner + ":0"
			vec := &triage.Vector{DocID: doc, Kind: triage.DocArticle, OwnerID: owner, Model: emb.Model(), Vec: make([]float32, emb.Dim()+1), UpdatedAt: time.Now().UTC()}
			vec.Vec[0] = 1
			if err := r.Store.Update(ctx, func(tx triage.Tx) error {
				return tx.PutVectors(ctx, triage.DocArticle, owner, []*triage.Vector{vec})
			}); err != nil {
				t.Fatal(err)
			}
			r.caughtUp()
			r.stop()

			r = start(t, cfg)
			if w := r.call("GET", "/v1/skipped", ""); !strings.Contains(w.Body.String(), `"kind":"vector_index","id":"`+doc+`"`) {
				t.Errorf("GET /v1/skipped does not list %s: %s", doc, w.Body)
			}
			if w := r.call("GET", "/v1/search?mode=hybrid&q=%E9%80%80%E6%AC%BE", ""); w.Code != 200 {
				t.Errorf("hybrid search beside a bad vector: %d %s", w.Code, w.Body)
			}
		})
	}
}
