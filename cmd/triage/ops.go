package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/metrics"
	"github.com/triagehq/triage/notify"
	"github.com/triagehq/triage/report"
	"github.com/triagehq/triage/river"
	"github.com/triagehq/triage/sla"
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
	m.ops.webhooks = &notify.Service{Store: m.Store, Guard: guard, UserAgent: "triage/" + version, Log: m.Log, Observe: m.ops.metrics.ObserveDelivery}
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

	hooks := m.ops.webhooks
	m.Jobs.Handle(notify.JobDeliver, hooks.Deliver)
	m.Jobs.Handle(notify.JobPrune, func(ctx context.Context, _ json.RawMessage) error {
		if _, err := hooks.Prune(ctx); err != nil {
			return err
		}
		return m.Jobs.Insert(ctx, pruneJob(time.Now().Add(24*time.Hour)))
	})
	// One prune waits at any time (the unique key); this starts the chain
	// on a new store and is a no-op after.
	if err := m.Jobs.Insert(ctx, pruneJob(time.Now().Add(time.Hour))); err != nil {
		return err
	}
	// Every event reaches webhooks as a durable job per delivery; the
	// event key is the event job's own arguments, so a retried fan-out
	// adds only what is missing.
	for _, kind := range []string{desk.EventCreated, desk.EventUpdated, desk.EventSolved, desk.EventClosed, desk.EventReopened} {
		m.subscribe(kind, func(ctx context.Context, raw json.RawMessage) error {
			var e desk.Event
			if err := json.Unmarshal(raw, &e); err != nil {
				return triage.Invalid("args", "ticket event: %v", err)
			}
			return hooks.TicketEvent(ctx, notify.EventKey(kind, raw), e.TicketID, notify.TicketData{Change: kind, Fields: e.Fields, Actor: e.Actor}, e.At)
		})
	}
	m.subscribe(kb.EventArticleChanged, func(ctx context.Context, raw json.RawMessage) error {
		var e kb.ArticleEvent
		if err := json.Unmarshal(raw, &e); err != nil {
			return triage.Invalid("args", "article event: %v", err)
		}
		return hooks.ArticleSaved(ctx, notify.EventKey(kb.EventArticleChanged, raw), e.ArticleID, e.Version)
	})
	// sla.warning and sla.breached carry the team lead to notify, so an
	// escalation's "notify the lead" reaches whatever the webhook feeds.
	for _, kind := range []string{sla.EventWarning, sla.EventBreached, sla.EventCSATReceived} {
		m.subscribe(kind, func(ctx context.Context, raw json.RawMessage) error {
			return hooks.OtherEvent(ctx, notify.EventKey(kind, raw), kind, raw)
		})
	}

	dups := &desk.Duplicates{Store: m.Store, Words: m.Segmenter.Words, Window: m.Config.DuplicateWindow}
	m.subscribe(desk.EventCreated, func(ctx context.Context, raw json.RawMessage) error {
		var e desk.Event
		if err := json.Unmarshal(raw, &e); err != nil {
			return triage.Invalid("args", "ticket event: %v", err)
		}
		_, err := dups.Check(ctx, e.TicketID)
		return err
	})
	return nil
}

func pruneJob(at time.Time) triage.Job {
	return triage.Job{Kind: notify.JobPrune, UniqueKey: notify.JobPrune, RunAt: at}
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
