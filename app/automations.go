package app

import (
	"context"
	"time"

	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/automate"
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
// and the built-in closing of solved tickets (--close-solved-after).
func (a *App) automationsConfig() api.Automations {
	after, enabled := a.closeSolved, true
	if after == "off" || after == "0" {
		after, enabled = "off", false
	}
	return api.Automations{Service: a.Automations, Builtin: []automate.BuiltinRule{{ID: "close_solved", Name: "已解决 → 已关闭（工作时间）",
		Setting: "--close-solved-after", After: after, Enabled: enabled}}}
}
