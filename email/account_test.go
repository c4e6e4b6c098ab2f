package email_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/account"
	"github.com/triagehq/triage/mail"
)

var linkRE = regexp.MustCompile(`https://help\.example\.cn/app/password\?for=(invite|reset)#([A-Za-z0-9_-]{43})`)

// TestAccountMail: with outbound mail configured, an invitation and a
// "forgot password" are mailed through the job queue and Dovecot's
// submission service, and the admin is not handed the link; the mailed
// link sets the password; an address without an account gets no mail.
func TestAccountMail(t *testing.T) {
	e := newEnv(t, opts{dovecot: true, start: true})
	acc := e.app.Accounts
	inv, err := acc.Invite(e.ctx, &triage.Principal{Name: "管理员"}, triage.Invite{Email: "wuqiang@aurora.example", Name: "吴强", Role: triage.RoleAgent}, "https://help.example.cn")
	if err != nil {
		t.Fatal(err)
	}
	if !inv.Link.Mailed || inv.Link.URL != "" {
		t.Fatalf("invited with SMTP: %+v; want it mailed and no link for the admin", inv.Link)
	}
	env := e.dove.WaitRelayed(1, 30*time.Second)[0]
	if !slices.Contains(env.To, "wuqiang@aurora.example") {
		t.Fatalf("the invitation went to %v", env.To)
	}
	m, err := mail.NewParser(mail.Limits{}).Parse(env.Data)
	if err != nil {
		t.Fatal(err)
	}
	got := linkRE.FindStringSubmatch(m.FullText)
	if got == nil || got[1] != "invite" || !strings.Contains(m.FullText, "吴强") || !strings.Contains(m.FullText, "管理员 邀请您") {
		t.Fatalf("the invitation mail (%q):\n%s", m.Subject, m.FullText)
	}
	if _, err := acc.SetPasswordWithLink(e.ctx, triage.LinkPassword{Token: got[2], Password: "吴强收到邮件后设的密码"}); err != nil {
		t.Fatalf("the mailed link: %v", err)
	}

	// Forgot password needs the public address: a Host header must not
	// choose where a reset link points.
	if _, err := acc.Forgot(e.ctx, "wuqiang@aurora.example"); !triage.IsCode(err, triage.EUNAVAILABLE) {
		t.Fatalf("forgot without a public address: %v", err)
	}
	acc.BaseURL = "https://help.example.cn"
	// An account single sign-on made gets no password by mail.
	sso, err := acc.SignInSSO(e.ctx, account.SSOIdentity{Issuer: "https://sso.example.cn", Subject: "u-1", Email: "sso@aurora.example", Name: "单点", Role: triage.RoleViewer}, account.Client{})
	if err != nil || sso.Session == nil {
		t.Fatalf("SSO account: %v", err)
	}
	for _, addr := range []string{"nobody@aurora.example", "sso@aurora.example", "WuQiang@aurora.example"} {
		if mailed, err := acc.Forgot(e.ctx, addr); err != nil || !mailed {
			t.Fatalf("forgot %s: %v %v", addr, mailed, err)
		}
	}
	e.dove.WaitRelayed(2, 30*time.Second)
	time.Sleep(500 * time.Millisecond) // a mail to nobody would have come by now
	if all := e.dove.Relayed(); len(all) != 2 || !slices.Contains(all[1].To, "wuqiang@aurora.example") {
		t.Fatalf("relayed %d mails (%v); want one reset, to the password account's address only", len(all), all)
	}
	m, err = mail.NewParser(mail.Limits{}).Parse(e.dove.Relayed()[1].Data)
	if err != nil {
		t.Fatal(err)
	}
	if got := linkRE.FindStringSubmatch(m.FullText); got == nil || got[1] != "reset" || !strings.Contains(m.Subject, "重置密码") {
		t.Fatalf("the reset mail (%q):\n%s", m.Subject, m.FullText)
	}
}
