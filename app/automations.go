package app

import (
	"context"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/automate"
	"github.com/triagehq/triage/sla"
)

// openAutomations builds the automation engine over the desk's write
// paths, the SLA calendar, the mail channel and the webhooks, and starts
// the time rules' sweep a minute after the start, off its path.
func (a *App) openAutomations(ctx context.Context) error {
	a.Automations = &automate.Service{Store: a.Store, Desk: a.Desk, Normalize: a.Segmenter.Normalize, Calendar: a.SLA,
		Mailer: a.Mail, Hooks: a.Webhooks, Queue: a.Jobs, Log: a.Log}
	return a.Automations.ScheduleSweep(ctx, time.Now().Add(time.Minute))
}

// automationsConfig is what the API serves of automations: the engine
// and the workflow settings (the built-in closing of solved tickets, the
// review of knowledge-base changes).
func (a *App) automationsConfig() api.Automations {
	return api.Automations{Service: a.Automations, Settings: a.Settings}
}

// openSettings keeps the workflow settings, whose defaults until an admin
// saves them are serve's --kb-review and --close-solved-after. A change
// queues the close sweep, which schedules the closing of the tickets
// solved before under the new time.
func (a *App) openSettings() {
	a.Settings = &sla.Settings{Store: a.Store,
		Defaults: triage.WorkflowSettings{KBReview: !a.Config.KBReviewOff, CloseSolvedAfter: a.closeSolved},
		Changed: func(ctx context.Context, _ triage.WorkflowSettings) error {
			return a.SLA.ScheduleCloseSweep(ctx, time.Now())
		}}
}
