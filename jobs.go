package triage

import (
	"context"
	"encoding/json"
	"fmt"
)

// Background jobs. A job kind is declared beside the handler that does it,
// with its argument type, as a JobKind[Args] constant; the service that
// handles it lists it in its Jobs(), and the application layer registers
// every service's jobs with the queue. Events (events.go) travel as jobs
// too, one per event, fanned out to their subscribers.

// JobHandler does one job. Returning an error retries the job with
// backoff; an EINVALID error cancels it, since retrying bad arguments
// cannot help.
type JobHandler func(ctx context.Context, args json.RawMessage) error

// Queue takes jobs outside a store transaction: work that follows no
// write, such as a training run an admin asked for or a job that schedules
// its own next run. Work that follows a write is enqueued in the write's
// transaction (Tx.Enqueue) instead.
type Queue interface {
	Insert(ctx context.Context, j Job) error
}

// JobKind names a kind of background job whose arguments are an A.
type JobKind[A any] string

func (k JobKind[A]) String() string { return string(k) }

// Job returns a job of kind k with arguments a; the caller may set its
// RunAt and UniqueKey.
func (k JobKind[A]) Job(a A) (Job, error) { return newJob(string(k), a) }

// Handle makes the handler of k's jobs from a typed one: arguments that do
// not decode cancel the job.
func (k JobKind[A]) Handle(h func(ctx context.Context, a A) error) JobSpec {
	return JobSpec{Kind: string(k), Handler: func(ctx context.Context, raw json.RawMessage) error {
		a, err := decode[A](string(k), raw)
		if err != nil {
			return err
		}
		return h(ctx, a)
	}}
}

// JobSpec is a job kind and its handler, as a service declares the jobs it
// does.
type JobSpec struct {
	Kind    string
	Handler JobHandler
}

// NoArgs are the arguments of a job that needs none.
type NoArgs struct{}

func newJob(kind string, v any) (Job, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Job{}, fmt.Errorf("the arguments of a %s job: %w", kind, err)
	}
	return Job{Kind: kind, Args: b}, nil
}

// decode reads a job's arguments. Missing arguments are the zero value;
// arguments that are not JSON of the kind's type are EINVALID.
func decode[A any](kind string, raw json.RawMessage) (A, error) {
	var a A
	if len(raw) == 0 {
		return a, nil
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, Invalid("args", "the arguments of a %s job do not decode: %v", kind, err)
	}
	return a, nil
}
