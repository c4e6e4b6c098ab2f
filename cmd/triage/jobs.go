package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/desk"
)

// registerJobs connects job kinds to the code that does them. Each handler
// re-reads the state it acts on: a job may run long after it was queued.
func (m *Main) registerJobs() {
	m.Jobs.Handle(desk.EventClosed, func(ctx context.Context, _ json.RawMessage) error {
		// Many tickets close in a burst; one retraining a minute later
		// covers them all (the unique key keeps just one waiting).
		for _, kind := range []string{triage.ModelCategory, triage.ModelPriority} {
			args, _ := json.Marshal(retrainArgs{Kind: kind})
			if err := m.Jobs.Insert(ctx, triage.Job{Kind: api.JobRetrain, Args: args, UniqueKey: "retrain:" + kind, RunAt: time.Now().Add(time.Minute)}); err != nil {
				return err
			}
		}
		return nil
	})
	for _, kind := range []string{desk.EventCreated, desk.EventUpdated, desk.EventSolved, desk.EventReopened} {
		m.Jobs.Handle(kind, func(context.Context, json.RawMessage) error { return nil })
	}
	m.Jobs.Handle(api.JobRetrain, m.retrain)
}

type retrainArgs struct {
	Kind  string `json:"kind"`
	Force bool   `json:"force"`
}

// retrain trains a new model when enough tickets closed since the active
// one (or when an admin asked), saves it, and switches triage to it. The
// old model serves until the new one is saved.
func (m *Main) retrain(ctx context.Context, raw json.RawMessage) error {
	var a retrainArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return triage.Invalid("args", "retrain arguments: %v", err)
	}
	if !a.Force {
		due, err := m.Trainer.Due(ctx, a.Kind)
		if err != nil || !due {
			return err
		}
	}
	rec, _, err := m.Trainer.Train(ctx, a.Kind, nil, nil, nil)
	if triage.IsCode(err, triage.ECONFLICT) {
		m.Log.Info("not retraining", "kind", a.Kind, "why", triage.ErrorMessage(err))
		return nil // too few labels: not a failure to retry
	} else if err != nil {
		return err
	}
	m.Log.Info("model retrained", "kind", a.Kind, "version", rec.Version, "examples", rec.Info.Examples)
	return m.Triager.UseModel(rec)
}
