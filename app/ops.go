package app

import (
	"context"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/metrics"
	"github.com/triagehq/triage/notify"
	"github.com/triagehq/triage/report"
)

// openOps builds webhooks, reports and metrics, and starts the daily
// prune of the webhook delivery log.
func (a *App) openOps(ctx context.Context) error {
	guard, err := notify.NewGuard(a.Config.WebhookAllow)
	if err != nil {
		return err
	}
	a.Metrics = metrics.New(a.Config.Version, a.metricSources())
	a.Webhooks = &notify.Service{Store: a.Store, Guard: guard, Queue: a.Jobs, UserAgent: "triage/" + a.Config.Version, Log: a.Log, Observe: a.Metrics.ObserveDelivery,
		Wrap: a.outbound(triage.OutboundWebhook)}
	a.Reports = &report.Service{Store: a.Store}
	// One prune waits at any time; this starts the chain on a new store
	// and is a no-op after.
	return a.Webhooks.SchedulePrune(ctx, time.Now().Add(time.Hour))
}

// metricSources reads the scraped figures from the store, the queue, the
// indexer and the triager.
func (a *App) metricSources() metrics.Sources {
	var backup func() triage.BackupStatus
	if a.Backups != nil {
		backup = a.Backups.Status
	}
	return metrics.Sources{
		Skipped: a.skipped.Counts,
		Waiting: a.waiting, VectorMissing: a.vectorMissing,
		Backup:   backup,
		IndexLag: func(ctx context.Context) (int64, error) { return a.Indexer.Lag(ctx) },
		Models: func() map[string]string {
			cat, pri := a.Triager.ModelVersions()
			return map[string]string{triage.ModelCategory: cat, triage.ModelPriority: pri, triage.ModelEmbedder: a.Embedding.Model()}
		},
		Tickets: func(ctx context.Context) (int, map[triage.Status]int, error) {
			all, err := a.Store.CountTickets(ctx, triage.TicketFilter{})
			if err != nil {
				return 0, nil, err
			}
			active := map[triage.Status]int{}
			for _, st := range triage.Statuses() {
				if !st.Active() {
					continue
				}
				if active[st], err = a.Store.CountTickets(ctx, triage.TicketFilter{Status: []triage.Status{st}}); err != nil {
					return 0, nil, err
				}
			}
			return all, active, nil
		},
		Jobs: func(ctx context.Context) ([]metrics.JobCount, error) {
			stats, err := a.Jobs.Stats(ctx)
			out := make([]metrics.JobCount, len(stats))
			for i, s := range stats {
				out[i] = metrics.JobCount{Kind: s.Kind, State: s.State, Jobs: s.Jobs, Failures: s.Failures}
			}
			return out, err
		},
	}
}
