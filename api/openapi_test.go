package api_test

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
)

func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/openapi.json", "", "")
	if r.Code != 200 {
		t.Fatalf("%d", r.Code)
	}
	doc, err := openapi3.NewLoader().LoadFromData(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI 3: %v", err)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			echoPath := regexp.MustCompile(`\{(\w+)\}`).ReplaceAllString(path, ":$1")
			documented = append(documented, method+" "+echoPath)
		}
	}
	slices.Sort(documented)
	served := e.srv.Registered()
	// The web UI's routes serve files, not API: the document leaves them out.
	served = slices.DeleteFunc(served, func(s string) bool { return slices.Contains(api.UIRoutes(), s) })
	for _, s := range served {
		if !slices.Contains(documented, s) {
			t.Errorf("served but not documented: %s", s)
		}
	}
	for _, d := range documented {
		if !slices.Contains(served, d) {
			t.Errorf("documented but not served: %s", d)
		}
	}
	// Spot-check that types reach the document.
	var raw map[string]any
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		t.Fatal(err)
	}
	ticket := doc.Components.Schemas["Ticket"]
	if ticket == nil || ticket.Value.Properties["status"] == nil || len(ticket.Value.Properties["status"].Value.Enum) != len(triage.Statuses()) {
		t.Errorf("Ticket schema lacks the status enum")
	}
	if upd := doc.Components.Schemas["TicketUpdate"]; upd == nil || !upd.Value.Properties["assignee_id"].Value.Nullable {
		t.Errorf("TicketUpdate.assignee_id should be nullable")
	}
}
