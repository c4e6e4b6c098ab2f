package email_test

import (
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// TestPortalMails: the help centre's mails go out by the same job as
// replies: a form's confirmation (no ticket yet), a sign-in link and the
// form's acknowledgement, which is sent even while auto-replies to mail
// are off.
func TestPortalMails(t *testing.T) {
	e := newEnv(t, opts{dovecot: true, start: true})
	e.dove.AddUser("wu@example.cn", "pw")
	expires := time.Now().Add(time.Hour)
	if err := e.app.Store.Update(e.ctx, func(tx triage.Tx) error {
		return e.mail.ConfirmRequest(e.ctx, tx, "Wu@Example.cn", "吴先生", "发票开错了", "http://triage.test/help/new/confirm?token=abc", expires)
	}); err != nil {
		t.Fatal(err)
	}
	tk, err := e.app.Desk.CreateTicket(e.ctx, triage.NewTicket{Title: "发票开错了", Body: "抬头写错了", Channel: triage.ChannelWeb,
		Requester: triage.Requester{Name: "吴先生", Email: "wu@example.cn"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.app.Store.Update(e.ctx, func(tx triage.Tx) error {
		if err := e.mail.AcknowledgeForm(e.ctx, tx, tk); err != nil {
			return err
		}
		return e.mail.SignInLink(e.ctx, tx, tk, "http://triage.test/help/my/signin?token=xyz", expires)
	}); err != nil {
		t.Fatal(err)
	}
	e.dove.WaitRelayed(3, 30*time.Second)
	time.Sleep(500 * time.Millisecond)
	got := map[string]string{}
	for _, m := range inbox(t, e.dove, "wu@example.cn", "pw") {
		got[m.Subject] = m.Text + "\n" + m.HTML
	}
	for subject, want := range map[string]string{
		"请确认您的问题：发票开错了":                                      `<a href="http://triage.test/help/new/confirm?token=abc"`,
		"[#" + triage.TicketRef(tk.ID) + "] 我们已收到您的来信：发票开错了": "工单号为 [#" + triage.TicketRef(tk.ID) + "]",
		"[#" + triage.TicketRef(tk.ID) + "] 登录「我的工单」的链接":     "http://triage.test/help/my/signin?token=xyz",
	} {
		if !strings.Contains(got[subject], want) {
			t.Errorf("mail %q: %q, want %q in it (mails: %v)", subject, got[subject], want, keys(got))
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
