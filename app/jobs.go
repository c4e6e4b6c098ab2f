package app

import (
	"slices"

	"github.com/triagehq/triage"
)

// registerJobs gives the queue a handler for every job kind the services
// do and for every event kind of the catalogue. The services declare both
// themselves (Jobs, Subscriptions); a new service that does jobs or
// follows events is added to the two lists below, and nothing else here
// changes. Each handler re-reads the state it acts on: a job may run long
// after it was queued.
func (a *App) registerJobs() error {
	jobs := slices.Concat(a.Retrainer.Jobs(), a.SLA.Jobs(), a.Webhooks.Jobs(), a.Desk.Jobs(), a.Mail.Jobs(),
		a.Automations.Jobs())
	jobs = append(jobs, a.WeChat.Jobs()...)
	if a.Help != nil {
		jobs = append(jobs, a.Help.Jobs()...)
	}
	subs := slices.Concat(a.Retrainer.Subscriptions(), a.Indexer.Subscriptions(), a.SLA.Subscriptions(), a.Webhooks.Subscriptions(), a.Dups.Subscriptions(),
		a.Mail.Subscriptions(), a.Automations.Subscriptions(),
		a.Notifier.Subscriptions(),
		a.WeChat.Subscriptions())
	events, err := triage.EventJobs(subs)
	if err != nil {
		return err
	}
	for _, j := range slices.Concat(jobs, events) {
		if slices.Contains(a.registered, j.Kind) {
			return triage.Errorf(triage.ECONFLICT, "two handlers of %s jobs", j.Kind)
		}
		a.registered = append(a.registered, j.Kind)
		a.Jobs.Handle(j.Kind, j.Handler)
	}
	a.subscriptions = subs
	return nil
}

// Registered lists the job kinds the queue has a handler for.
func (a *App) Registered() []string { return slices.Clone(a.registered) }

// Followers counts the subscribers of each event kind.
func (a *App) Followers() map[string]int {
	out := map[string]int{}
	for _, s := range a.subscriptions {
		out[s.Kind]++
	}
	return out
}
