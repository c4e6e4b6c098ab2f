package main

import (
	"context"
	"slices"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/desk"
)

// registerJobs connects every job kind and every event kind to the code
// that does it: each service declares its jobs and the events it follows,
// and every event kind of the catalogue gets a handler, followed or not,
// so none is cancelled as unknown. Each handler re-reads the state it acts
// on: a job may run long after it was queued.
func (m *Main) registerJobs() error {
	retrain := &classify.Retrainer{Trainer: m.Trainer, Triager: m.Triager, Queue: m.Jobs, Log: m.Log,
		TrainEmbedder: func(ctx context.Context) error { return m.trainEmbedder(ctx, nil) }}
	dups := &desk.Duplicates{Store: m.Store, Words: m.Segmenter.Words, Window: m.Config.DuplicateWindow}
	events, err := triage.EventJobs(slices.Concat(retrain.Subscriptions(), m.Indexer.Subscriptions(), m.SLA.Subscriptions(),
		m.ops.webhooks.Subscriptions(), dups.Subscriptions()))
	if err != nil {
		return err
	}
	for _, j := range slices.Concat(retrain.Jobs(), m.SLA.Jobs(), m.ops.webhooks.Jobs(), events) {
		m.Jobs.Handle(j.Kind, j.Handler)
	}
	return nil
}
