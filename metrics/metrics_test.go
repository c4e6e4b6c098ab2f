package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(w.Body)
	return string(b)
}

func TestScrape(t *testing.T) {
	m := metrics.New("v1.2.3", metrics.Sources{
		Jobs: func(context.Context) ([]metrics.JobCount, error) {
			return []metrics.JobCount{{Kind: "webhook.deliver", State: "retryable", Jobs: 2, Failures: 5}, {Kind: "ticket.created", State: "available", Jobs: 7}}, nil
		},
		IndexLag: func(context.Context) (int64, error) { return 3, nil },
		Models:   func() map[string]string { return map[string]string{"category": "2026-11-22.1", "priority": ""} },
		Tickets: func(context.Context) (int, map[triage.Status]int, error) {
			return 150, map[triage.Status]int{triage.StatusNew: 4, triage.StatusOpen: 9}, nil
		},
	})
	m.ObserveRequest("GET", "/v1/tickets/:id", 200, 12*time.Millisecond)
	m.ObserveRequest("GET", "/v1/tickets/:id", 404, time.Millisecond)
	m.ObserveDelivery("ticket.created", "succeeded", 80*time.Millisecond)
	out := scrape(t, m)
	for _, want := range []string{
		`triage_build_info{version="v1.2.3"} 1`,
		`triage_http_request_duration_seconds_count{code="200",method="GET",route="/v1/tickets/:id"} 1`,
		`triage_http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/tickets/:id",le="0.005"} 1`,
		`triage_webhook_delivery_duration_seconds_count{event="ticket.created",outcome="succeeded"} 1`,
		`triage_jobs{kind="webhook.deliver",state="retryable"} 2`,
		`triage_job_failures{kind="webhook.deliver",state="retryable"} 5`,
		`triage_jobs{kind="ticket.created",state="available"} 7`,
		`triage_index_lag 3`,
		`triage_model_info{kind="category",version="2026-11-22.1"} 1`,
		`triage_tickets_created_total 150`,
		`triage_tickets_active{status="open"} 9`,
		`triage_tickets_active{status="pending"} 0`,
		`go_goroutines`, `process_cpu_seconds_total`,
	} {
		if !strings.Contains(out, want+"\n") && !strings.Contains(out, want+" ") {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if strings.Contains(out, `kind="priority"`) {
		t.Error("a kind with no model has a version series")
	}
}

// TestFailingSourceKeepsTheRest: one source failing (the store busy) must
// not cost the scrape its other figures.
func TestFailingSourceKeepsTheRest(t *testing.T) {
	m := metrics.New("dev", metrics.Sources{
		IndexLag: func(context.Context) (int64, error) { return 0, errors.New("store unavailable") },
		Tickets:  func(context.Context) (int, map[triage.Status]int, error) { return 1, nil, nil },
	})
	out := scrape(t, m)
	if !strings.Contains(out, "triage_tickets_created_total 1") || strings.Contains(out, "triage_index_lag ") {
		t.Errorf("scrape:\n%s", out)
	}
}

// TestRegistriesAreSeparate: two services in one process (tests do this)
// each have their own figures.
func TestRegistriesAreSeparate(t *testing.T) {
	a, b := metrics.New("a", metrics.Sources{}), metrics.New("b", metrics.Sources{})
	a.ObserveRequest("GET", "/healthz", 200, time.Millisecond)
	if strings.Contains(scrape(t, b), `route="/healthz"`) {
		t.Error("a request on one registry shows on another")
	}
}
