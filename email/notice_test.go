package email_test

import (
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// TestAutomationNotice: a trigger's "e-mail a person" action, through the
// real application: a mail arrives and makes a ticket, the trigger runs
// in the event's job and queues a notice, and the sending job delivers it
// to the person over SMTP, marked automatic, with the ticket's values
// filled in; the notice hangs on the ticket as sent.
func TestAutomationNotice(t *testing.T) {
	e := newEnv(t, opts{dovecot: true, start: true})
	e.dove.AddUser("lead@example.cn", "pw")
	admin := triage.NewContextWithPrincipal(e.ctx, &triage.Principal{TokenID: "t", Role: triage.RoleAdmin})
	if _, err := e.app.Automations.Create(admin, triage.NewAutomation{Name: "发票提醒组长", Events: []triage.TriggerEvent{triage.OnTicketCreated},
		Conditions: []triage.Condition{{Field: "text", Op: triage.OpContains, Value: "发票"}},
		Actions: []triage.Action{{Type: triage.ActEmail, To: "lead@example.cn", Subject: "新的发票工单 {{ticket.ref}}",
			Body: "{{requester.name}}：{{ticket.title}}"}}}, nil); err != nil {
		t.Fatal(err)
	}
	res := e.inbound(mailText("陈女士 <chen@example.cn>", supportAddr, "发票抬头开错了", "n-1@example.cn", "请重开电子发票"))
	waitFor(t, "the notice to be sent", 30*time.Second, func() bool {
		ms, err := e.app.Store.TicketMail(e.ctx, res.TicketID)
		if err != nil {
			return false
		}
		for _, m := range ms {
			if m.Purpose == triage.MailNotice && m.Status == triage.MailSent {
				return true
			}
		}
		return false
	})
	got := inbox(t, e.dove, "lead@example.cn", "pw")
	if len(got) != 1 {
		t.Fatalf("%d mails to the lead", len(got))
	}
	m := got[0]
	if !strings.HasSuffix(m.Subject, "新的发票工单 "+triage.TicketRef(res.TicketID)) || !strings.Contains(m.Text, "陈女士：发票抬头开错了") || m.Auto == "" {
		t.Fatalf("notice: subject %q auto %q text %q", m.Subject, m.Auto, m.Text)
	}
}
