package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/postgres/pgtest"
)

// TestAlertMetrics scrapes /metrics on both stores while the things an
// operator alerts on happen, and checks each figure moves: jobs queued
// and not worked raise the queue depth and, as they wait, the age of the
// oldest; a failing webhook receiver raises the outbound error count and a
// healthy one only the call count; a solved ticket not yet indexed shows
// as index lag and as a document without a vector, until the indexer
// catches up.
func TestAlertMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the job queue; skipped with -short")
	}
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			cfg := app.Config{Threshold: 0.35, VectorWeight: 1, Segmenter: sharedSegmenter(t), MemIndex: true, WebhookAllow: []string{"127.0.0.1"}}
			if store == "postgres" {
				cfg.DB = pgtest.NewDatabase(t)
			}
			testAlertMetrics(t, cfg)
		})
	}
}

func testAlertMetrics(t *testing.T, cfg app.Config) {
	ctx := context.Background()
	var status atomic.Int64
	status.Store(http.StatusInternalServerError)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(int(status.Load())) }))
	t.Cleanup(rcv.Close)
	m := open(t, cfg)
	if _, err := m.Desk.Bootstrap(ctx, testAdmin); err != nil {
		t.Fatal(err)
	}
	if err := m.StartIndex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	f := &faultApp{App: m, t: t}
	scrape := func() string {
		t.Helper()
		r := f.call("GET", "/metrics", "")
		if r.code != http.StatusOK {
			t.Fatalf("/metrics: %d %s", r.code, r.body)
		}
		return string(r.body)
	}
	value := func(text, series string) float64 {
		t.Helper()
		v := metricValue(text, series)
		if v < 0 {
			t.Fatalf("/metrics has no %s:\n%s", series, grepLines(text, "triage_"))
		}
		return v
	}
	const (
		depth    = `triage_job_queue_depth{kind="ticket.created"}`
		oldest   = `triage_job_oldest_age_seconds{kind="ticket.created"}`
		calls    = `triage_outbound_requests_total{kind="webhook"}`
		failures = `triage_outbound_errors_total{kind="webhook"}`
		missing  = `triage_index_vector_missing{kind="ticket"}`
		lag      = `triage_index_lag`
	)

	before := scrape()
	if metricValue(before, depth) != -1 || value(before, calls) != 0 || value(before, failures) != 0 {
		t.Fatalf("a new service has waiting jobs or outbound calls:\n%s", grepLines(before, "triage_"))
	}
	if r := f.call("POST", "/v1/webhooks", `{"url":"`+rcv.URL+`/hook","events":["ticket.created"]}`); r.code != 201 {
		t.Fatalf("webhook: %d %s", r.code, r.body)
	}
	tk := f.createTicket("发票抬头写错了", "需要重开发票")
	f.within(5*time.Second, "POST", "/v1/tickets/"+tk.ID+"/comments", `{"body":"已为您重开发票。","public":true}`)
	if r := f.call("PATCH", "/v1/tickets/"+tk.ID, `{"status":"solved"}`); r.code != 200 {
		t.Fatalf("solve: %d %s", r.code, r.body)
	}
	queued := scrape()
	if value(queued, depth) != 1 || value(queued, lag) < 1 || value(queued, missing) != 1 {
		t.Fatalf("after a ticket, with no worker and no indexer:\n%s", grepLines(queued, "triage_"))
	}
	time.Sleep(1100 * time.Millisecond)
	if aged := value(scrape(), oldest); aged < 1 {
		t.Fatalf("the oldest waiting job is %.2f s old after more than a second", aged)
	}

	if _, err := m.Indexer.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Embedding.EmbedMissing(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if caught := scrape(); value(caught, lag) != 0 || value(caught, missing) != 0 {
		t.Fatalf("after the indexer caught up:\n%s", grepLines(caught, "triage_"))
	}

	startJobs(t, m)
	opsEventually(t, 20*time.Second, "a failed webhook call counted", func() bool {
		s := scrape()
		return value(s, failures) >= 1 && value(s, calls) >= value(s, failures) && metricValue(s, depth) == -1
	})
	// A retry of the failed delivery may be under way: count successes
	// (calls less failures) rather than expect the failures to stand still.
	status.Store(http.StatusOK)
	s := scrape()
	succeeded := value(s, calls) - value(s, failures)
	f.createTicket("发票还没收到", "请问电子发票什么时候发")
	opsEventually(t, 20*time.Second, "a successful webhook call counted", func() bool {
		s := scrape()
		return value(s, calls)-value(s, failures) >= succeeded+1
	})
}

// TestReadmeMetricsExist: every metric the README's "Running in
// production" section names is in /metrics of a service that has made a
// backup and has a job waiting, so an alert written from the README
// matches a real series.
func TestReadmeMetricsExist(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Running in production\n")
	if !ok {
		t.Fatal(`README.md has no "## Running in production" section`)
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	names := map[string]bool{}
	for _, n := range regexp.MustCompile("`(triage_[a-z_]+)").FindAllStringSubmatch(section, -1) {
		names[n[1]] = true
	}
	if len(names) < 8 {
		t.Fatalf("the section names %d metrics: %v", len(names), names)
	}
	ctx := context.Background()
	m := open(t, app.Config{Segmenter: sharedSegmenter(t), MemIndex: true, BackupDir: t.TempDir(), BackupEvery: time.Hour})
	if _, err := m.Desk.Bootstrap(ctx, testAdmin); err != nil {
		t.Fatal(err)
	}
	if err := m.Backups.Once(ctx); err != nil {
		t.Fatal(err)
	}
	f := &faultApp{App: m, t: t}
	f.createTicket("发票抬头写错了", "需要重开发票") // a job waits: no worker runs
	r := f.call("GET", "/metrics", "")
	if r.code != http.StatusOK {
		t.Fatalf("/metrics: %d", r.code)
	}
	for name := range names {
		if !strings.Contains(string(r.body), "\n# TYPE "+name+" ") {
			t.Errorf("README names %s, which /metrics does not have", name)
		}
	}
	t.Logf("%d metric names of the README found in /metrics", len(names))
}
