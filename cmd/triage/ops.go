package main

import (
	"context"
	"flag"
	"os"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/metrics"
	"github.com/triagehq/triage/notify"
	"github.com/triagehq/triage/report"
	"github.com/triagehq/triage/river"
)

// opsConfig is the configuration of webhooks, duplicates and metrics.
type opsConfig struct {
	// WebhookAllow lists the internal destinations webhooks may reach
	// (CIDR prefixes, addresses or host names, comma-separated).
	WebhookAllow string
	// DuplicateWindow is how far back an open ticket of the same
	// requester counts as the original of a new one.
	DuplicateWindow time.Duration
	// MetricsToken comes from TRIAGE_METRICS_TOKEN only: a bearer secret
	// that may read /metrics and nothing else.
	MetricsToken string
}

func (c *Config) opsFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.WebhookAllow, "webhook-allow", "", "internal webhook destinations to allow, comma-separated CIDR prefixes, addresses or host names (e.g. 10.0.0.0/8,127.0.0.1); all others on loopback, private, link-local or metadata addresses are refused")
	fs.DurationVar(&c.DuplicateWindow, "duplicate-window", desk.DefaultDuplicateWindow, "a new ticket is checked against the same requester's open tickets created this long before it")
}

// opsParts are the running parts of the operations area.
type opsParts struct {
	webhooks *notify.Service
	reports  *report.Service
	metrics  *metrics.Metrics
}

// jobStats is a job queue that can count its jobs (both can).
type jobStats interface {
	Stats(ctx context.Context) ([]river.Stat, error)
}

// openOps wires webhooks, reports, metrics and duplicate detection, and
// subscribes them to ticket events.
func (m *Main) openOps(ctx context.Context) error {
	if m.Config.MetricsToken == "" {
		m.Config.MetricsToken = os.Getenv("TRIAGE_METRICS_TOKEN")
	}
	guard, err := notify.NewGuard(strings.Split(m.Config.WebhookAllow, ","))
	if err != nil {
		return err
	}
	m.ops.metrics = metrics.New(version, m.metricSources())
	m.ops.webhooks = &notify.Service{Store: m.Store, Guard: guard, Queue: m.Jobs, UserAgent: "triage/" + version, Log: m.Log, Observe: m.ops.metrics.ObserveDelivery}
	m.ops.reports = &report.Service{Store: m.Store,
		SLA: func(ctx context.Context, from, to time.Time) (any, error) {
			r, err := m.SLA.Report(ctx, from, to)
			if err != nil {
				return nil, err
			}
			return r.Overall, nil
		},
		CSAT: func(ctx context.Context, from, to time.Time) (any, error) {
			r, err := m.SLA.CSATReport(ctx, from, to)
			if err != nil {
				return nil, err
			}
			return r.Overall, nil
		}}

	// One prune waits at any time; this starts the chain on a new store
	// and is a no-op after.
	return m.ops.webhooks.SchedulePrune(ctx, time.Now().Add(time.Hour))
}

// metricSources reads the scraped figures from the store, the queue, the
// indexer and the triager.
func (m *Main) metricSources() metrics.Sources {
	src := metrics.Sources{
		IndexLag: func(ctx context.Context) (int64, error) { return m.Indexer.Lag(ctx) },
		Models: func() map[string]string {
			cat, pri := m.Triager.ModelVersions()
			out := map[string]string{triage.ModelCategory: cat, triage.ModelPriority: pri}
			if m.Embedder != nil {
				out[triage.ModelEmbedder] = m.Embedder.Current().Model()
			}
			return out
		},
		Tickets: func(ctx context.Context) (int, map[triage.Status]int, error) {
			all, err := m.Store.CountTickets(ctx, triage.TicketFilter{})
			if err != nil {
				return 0, nil, err
			}
			active := map[triage.Status]int{}
			for _, st := range triage.Statuses() {
				if !st.Active() {
					continue
				}
				if active[st], err = m.Store.CountTickets(ctx, triage.TicketFilter{Status: []triage.Status{st}}); err != nil {
					return 0, nil, err
				}
			}
			return all, active, nil
		},
	}
	if q, ok := m.Jobs.(jobStats); ok {
		src.Jobs = func(ctx context.Context) ([]metrics.JobCount, error) {
			stats, err := q.Stats(ctx)
			out := make([]metrics.JobCount, len(stats))
			for i, s := range stats {
				out[i] = metrics.JobCount{Kind: s.Kind, State: s.State, Jobs: s.Jobs, Failures: s.Failures}
			}
			return out, err
		}
	}
	return src
}

// apiOps is what the API serves of the operations area.
func (m *Main) apiOps() api.Ops {
	return api.Ops{Webhooks: m.ops.webhooks, Reports: m.ops.reports, Metrics: m.ops.metrics.Handler(),
		MetricsToken: m.Config.MetricsToken, ObserveRequest: m.ops.metrics.ObserveRequest}
}
