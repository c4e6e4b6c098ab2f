package classify

import (
	"context"
	"log/slog"
	"time"

	"github.com/triagehq/triage"
)

// JobRetrain trains a model from the store: after tickets closed, or when
// an admin asked (POST /v1/models/train).
const JobRetrain triage.JobKind[RetrainArgs] = "retrain"

// RetrainArgs are the arguments of a JobRetrain job.
type RetrainArgs struct {
	// Kind is the model to train: category, priority or embedder.
	Kind string `json:"kind"`
	// Force trains even when too few tickets closed since the active
	// model; an admin's request forces.
	Force bool `json:"force"`
}

// RetrainDelay is how long after a ticket closes the retraining runs: many
// tickets close in a burst, and one run a minute later covers them all.
const RetrainDelay = time.Minute

// RetrainJob is the job that trains a model of kind at at (zero: now).
// Its unique key keeps one run of a kind waiting at a time.
func RetrainJob(kind string, force bool, at time.Time) (triage.Job, error) {
	j, err := JobRetrain.Job(RetrainArgs{Kind: kind, Force: force})
	j.UniqueKey, j.RunAt = "retrain:"+kind, at
	return j, err
}

// Retrainer keeps triage's models current: when enough tickets have
// closed since the active model was trained (Trainer.MinNew), it trains a
// new one, saves it and switches triage to it. The old model serves until
// the new one is saved.
type Retrainer struct {
	Trainer *Trainer
	Triager *Triager
	// Queue takes the retraining runs that closed tickets schedule.
	Queue triage.Queue
	// TrainEmbedder retrains the local embedder, for a run of kind
	// embedder; nil has nothing to train.
	TrainEmbedder func(ctx context.Context) error
	Log           *slog.Logger
	Now           func() time.Time
}

func (r *Retrainer) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Retrainer) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.Default()
}

// Jobs are the jobs the retrainer does.
func (r *Retrainer) Jobs() []triage.JobSpec { return []triage.JobSpec{JobRetrain.Handle(r.Retrain)} }

// Subscriptions: a closed ticket is a new label, so every close schedules
// a run of each model RetrainDelay later; the run decides whether enough
// closed to retrain.
func (r *Retrainer) Subscriptions() []triage.Subscription {
	return []triage.Subscription{triage.EventTicketClosed.On(func(ctx context.Context, _ triage.Event[triage.TicketEvent]) error {
		for _, kind := range []string{triage.ModelCategory, triage.ModelPriority} {
			j, err := RetrainJob(kind, false, r.now().Add(RetrainDelay))
			if err != nil {
				return err
			}
			if err := r.Queue.Insert(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})}
}

// Retrain is the JobRetrain handler: it trains when the run is forced or
// enough tickets closed since the active model, and too few labels is not
// a failure to retry.
func (r *Retrainer) Retrain(ctx context.Context, a RetrainArgs) error {
	if a.Kind == triage.ModelEmbedder {
		if r.TrainEmbedder == nil {
			return nil
		}
		return r.TrainEmbedder(ctx)
	}
	if !a.Force {
		due, err := r.Trainer.Due(ctx, a.Kind)
		if err != nil || !due {
			return err
		}
	}
	rec, _, err := r.Trainer.Train(ctx, a.Kind, nil, nil, nil)
	if triage.IsCode(err, triage.ECONFLICT) {
		r.log().Info("not retraining", "kind", a.Kind, "why", triage.ErrorMessage(err))
		return nil
	} else if err != nil {
		return err
	}
	r.log().Info("model retrained", "kind", a.Kind, "version", rec.Version, "examples", rec.Info.Examples)
	return r.Triager.UseModel(rec)
}

// Follow makes triage use a model that became active elsewhere (another
// replica, the command line, an admin's activation), unless it already
// serves it.
func (tr *Triager) Follow(m *triage.Model) error {
	if m.Kind != triage.ModelCategory && m.Kind != triage.ModelPriority {
		return nil
	}
	if c, p := tr.ModelVersions(); c == m.Version || p == m.Version {
		return nil
	}
	return tr.UseModel(m)
}
