package main

import (
	"context"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/triagehq/triage/totp"
)

// TestUIAccounts drives the sign-in screens of issue 18 in a browser and
// checks each effect through the API.
func TestUIAccounts(t *testing.T) {
	// No outbound mail: the admin is handed the invitation link, and
	// "forgot password" says to ask an admin.
	u := startUIWith(t, "--smtp-url", "")
	t.Run("invite, set a password, two-step verification, admin screen", func(t *testing.T) { u.accountsFlow(t) })
	t.Run("forgot password without mail", func(t *testing.T) { u.forgotFlow(t) })
}

type apiAccount struct {
	AgentID           string     `json:"agent_id"`
	Role              string     `json:"role"`
	Email             string     `json:"email"`
	PasswordSetAt     *time.Time `json:"password_set_at"`
	DisabledAt        *time.Time `json:"disabled_at"`
	TOTP              bool       `json:"totp"`
	RecoveryCodesLeft int        `json:"recovery_codes_left"`
	Version           int        `json:"version"`
}

// until polls check (through the API) for up to ten seconds.
func until(t *testing.T, what string, check func() bool) {
	t.Helper()
	for range 100 {
		if check() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("through the API: %s did not happen", what)
}

func (u *ui) account(t *testing.T, agentID string) apiAccount {
	t.Helper()
	var a apiAccount
	if err := u.api("GET", "/v1/agents/"+agentID+"/account", &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func (u *ui) liveSessions(t *testing.T, agentID string) int {
	t.Helper()
	var s struct{ Items []struct{ ID string } }
	if err := u.api("GET", "/v1/auth/sessions?agent="+agentID, &s); err != nil {
		t.Fatal(err)
	}
	return len(s.Items)
}

// shot saves a screenshot of the page when TRIAGE_UI_SHOTS names a
// directory, for a person to look at.
func (u *ui) shot(t *testing.T, ctx context.Context, name string) {
	if dir := os.Getenv("TRIAGE_UI_SHOTS"); dir != "" {
		u.screenshot(t, ctx, dir, name+".png")
	}
}

// modalOK and modalClose press a dialog's buttons.
var (
	modalOK    = chromedp.Click(chromedp.CSS(`dialog .modal-actions button[type=submit]`))
	modalClose = chromedp.Click(chromedp.CSS(`dialog .modal-actions button[value=cancel]`))
)

func (u *ui) accountsFlow(t *testing.T) {
	const email, name, password = "zhaolei@aurora.example", "赵磊", "极光-赵磊-设置的密码"
	var teams struct{ Items []struct{ ID, Name string } }
	if err := u.api("GET", "/v1/teams", &teams); err != nil || len(teams.Items) == 0 {
		t.Fatalf("the demo's teams: %v %+v", err, teams)
	}
	team := teams.Items[0]

	admin := u.tab(t, 1366, 768)
	u.signIn(t, admin)
	step(t, admin, "open the accounts screen",
		chromedp.Navigate(u.url+"/app/admin/accounts"),
		chromedp.WaitVisible(chromedp.ID("accounts-table")),
		chromedp.WaitVisible(chromedp.ID("require-totp")))
	step(t, admin, "invite a person",
		chromedp.Click(chromedp.ID("invite")),
		chromedp.WaitVisible(chromedp.ID("inv-email")),
		chromedp.SendKeys(chromedp.ID("inv-email"), email),
		chromedp.SendKeys(chromedp.ID("inv-name"), name),
		chromedp.SetValue(chromedp.ID("inv-role"), "agent"),
		chromedp.SetValue(chromedp.ID("inv-team"), team.ID),
		modalOK,
		chromedp.WaitVisible(chromedp.ID("invite-link")))
	link := jsEval[string](t, admin, `document.getElementById('invite-link').value`)
	if !strings.Contains(link, "/app/password?for=invite#") {
		t.Fatalf("the invitation link shown to the admin: %q", link)
	}
	step(t, admin, "close the link", modalClose, chromedp.WaitNotPresent(chromedp.CSS(`dialog`)))
	var list struct{ Items []apiAccount }
	if err := u.api("GET", "/v1/accounts", &list); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(list.Items, func(a apiAccount) bool { return a.Email == email })
	if i < 0 || list.Items[i].Role != "agent" || list.Items[i].PasswordSetAt != nil {
		t.Fatalf("the invited account through the API: %+v", list.Items)
	}
	agentID := list.Items[i].AgentID
	var tm struct{ Members []string }
	if err := u.api("GET", "/v1/teams/"+team.ID, &tm); err != nil || !slices.Contains(tm.Members, agentID) {
		t.Errorf("team %s members %v (%v), want the invited agent", team.Name, tm.Members, err)
	}

	// The person opens the link on a phone and sets a password.
	phone := u.tab(t, 390, 844)
	step(t, phone, "open the link",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.ID("new-password")))
	u.shot(t, phone, "set-password-phone")
	if who := text(t, phone, "#setpw-who"); !strings.Contains(who, name) || !strings.Contains(who, email) {
		t.Errorf("the password page says %q, want the name and address", who)
	}
	step(t, phone, "two different passwords",
		chromedp.SendKeys(chromedp.ID("new-password"), password),
		chromedp.SendKeys(chromedp.ID("new-password2"), password+"x"),
		chromedp.Click(chromedp.ID("set-password")),
		chromedp.WaitVisible(chromedp.CSS(`#setpw-form-error:not(:empty)`)))
	jsEval[bool](t, phone, `(document.getElementById('new-password2').value = '', true)`)
	step(t, phone, "set the password",
		chromedp.SendKeys(chromedp.ID("new-password2"), password),
		chromedp.Click(chromedp.ID("set-password")),
		chromedp.WaitVisible(chromedp.ID("setpw-done")))
	if a := u.account(t, agentID); a.PasswordSetAt == nil {
		t.Fatalf("after the page: %+v, want a password set", a)
	}
	step(t, phone, "sign in with it",
		chromedp.Click(chromedp.ID("go-signin")),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.CSS(`.topbar`)))
	if n := u.liveSessions(t, agentID); n != 1 {
		t.Errorf("sessions after signing in: %d", n)
	}
	// The link is spent.
	again := u.tab(t, 1366, 768)
	step(t, again, "the link again",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.ID("setpw-error")))
	if msg := text(t, again, "#setpw-error"); !strings.Contains(msg, "已经使用过") {
		t.Errorf("the used link says %q", msg)
	}
	u.errors() // the refused link's 401

	// Two-step verification, enrolled from "my sign-in".
	ctx := u.tab(t, 1366, 768)
	step(t, ctx, "my sign-in",
		chromedp.Navigate(u.url+"/app/security"),
		chromedp.WaitVisible(chromedp.ID("totp-enrol")),
		chromedp.Click(chromedp.ID("totp-enrol")),
		chromedp.WaitVisible(chromedp.ID("totp-secret")),
		chromedp.WaitVisible(chromedp.ID("totp-qr")))
	u.shot(t, ctx, "totp-enrol")
	secret := text(t, ctx, "#totp-secret")
	code, err := totp.Code(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "confirm with a first code",
		chromedp.SendKeys(chromedp.ID("totp-confirm-code"), code),
		chromedp.Click(chromedp.ID("totp-confirm")),
		chromedp.WaitVisible(chromedp.ID("recovery-codes")))
	if n := jsEval[int](t, ctx, `document.querySelectorAll('#recovery-codes li').length`); n != 10 {
		t.Errorf("%d recovery codes shown", n)
	}
	if a := u.account(t, agentID); !a.TOTP || a.RecoveryCodesLeft != 10 {
		t.Fatalf("after enrolling: %+v", a)
	}
	codes := jsEval[[]string](t, ctx, `Array.from(document.querySelectorAll('#recovery-codes li'), li => li.textContent)`)
	signInAgain := func(what string) {
		t.Helper()
		step(t, ctx, what,
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.ID("login")),
			chromedp.WaitVisible(chromedp.ID("totp-code")))
	}
	step(t, ctx, "sign out",
		chromedp.Click(chromedp.ID("recovery-done")),
		chromedp.WaitVisible(chromedp.ID("totp-status")),
		chromedp.Click(chromedp.ID("signout")))
	signInAgain("sign in again: the password step")
	if n := u.liveSessions(t, agentID); n != 0 {
		t.Errorf("the password alone opened a session (%d live)", n)
	}
	u.shot(t, ctx, "second-factor")
	step(t, ctx, "a wrong code",
		chromedp.SendKeys(chromedp.ID("totp-code"), "000000"),
		chromedp.Click(chromedp.ID("totp-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#totp-error:not(:empty)`)))
	if msg := text(t, ctx, "#totp-error"); msg != "验证码不正确或已过期。" {
		t.Errorf("a wrong code says %q", msg)
	}
	u.errors()
	step(t, ctx, "cancel", chromedp.Click(chromedp.ID("totp-cancel")))
	signInAgain("sign in once more")
	step(t, ctx, "a recovery code",
		chromedp.Click(chromedp.ID("use-recovery")),
		chromedp.WaitVisible(chromedp.ID("recovery-code")),
		chromedp.SendKeys(chromedp.ID("recovery-code"), codes[0]),
		chromedp.Click(chromedp.ID("totp-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.topbar`)))
	if a := u.account(t, agentID); a.RecoveryCodesLeft != 9 || u.liveSessions(t, agentID) != 1 {
		t.Errorf("after a recovery code: %d codes left, %d sessions; want 9 and 1", a.RecoveryCodesLeft, u.liveSessions(t, agentID))
	}

	// My sign-in: change the password, turn 2FA off, and on again.
	const newPassword = "赵磊换过的新密码-2027"
	step(t, ctx, "change the password",
		chromedp.Navigate(u.url+"/app/security"),
		chromedp.WaitVisible(chromedp.ID("pw-current")),
		chromedp.SendKeys(chromedp.ID("pw-current"), password),
		chromedp.SendKeys(chromedp.ID("pw-new"), newPassword),
		chromedp.Click(chromedp.ID("pw-change")))
	until(t, "the new password", func() bool {
		var r struct {
			SecondFactor string `json:"second_factor"`
		}
		return u.send("POST", "/v1/auth/login", map[string]string{"email": email, "password": newPassword}, &r) == nil && r.SecondFactor == "totp"
	})
	off, _ := totp.Code(secret, time.Now().Add(30*time.Second))
	step(t, ctx, "turn 2FA off",
		chromedp.SendKeys(chromedp.ID("totp-disable-code"), off),
		chromedp.Click(chromedp.ID("totp-disable")),
		chromedp.WaitVisible(chromedp.ID("totp-enrol")))
	if a := u.account(t, agentID); a.TOTP {
		t.Fatalf("after turning it off: %+v", a)
	}
	step(t, ctx, "enrol again",
		chromedp.Click(chromedp.ID("totp-enrol")),
		chromedp.WaitVisible(chromedp.ID("totp-secret")))
	secret = text(t, ctx, "#totp-secret")
	code, _ = totp.Code(secret, time.Now())
	step(t, ctx, "confirm again",
		chromedp.SendKeys(chromedp.ID("totp-confirm-code"), code),
		chromedp.Click(chromedp.ID("totp-confirm")),
		chromedp.WaitVisible(chromedp.ID("recovery-codes")),
		chromedp.Click(chromedp.ID("recovery-done")),
		chromedp.WaitVisible(chromedp.ID("totp-disable")))
	if a := u.account(t, agentID); !a.TOTP {
		t.Fatalf("after enrolling again: %+v", a)
	}

	// The admin screen: reset 2FA, end a session, deactivate, reactivate,
	// a reset link, require 2FA.
	row := func(sel string) chromedp.CSS {
		return chromedp.CSS(`#accounts-table tr[data-agent="` + agentID + `"] ` + sel)
	}
	step(t, admin, "reload",
		chromedp.Reload(),
		chromedp.WaitVisible(row(".acc-reset-totp")),
		chromedp.Click(row(".acc-reset-totp")),
		modalOK)
	until(t, "2FA reset", func() bool { return !u.account(t, agentID).TOTP })
	step(t, admin, "sessions",
		chromedp.WaitVisible(row(".acc-sessions")),
		chromedp.Click(row(".acc-sessions")),
		chromedp.WaitVisible(chromedp.CSS(`#sessions-dialog .session-revoke`)),
		chromedp.Click(chromedp.CSS(`#sessions-dialog .session-revoke`)),
		chromedp.WaitVisible(chromedp.CSS(`#sessions-dialog .badge`)))
	until(t, "session revoked", func() bool { return u.liveSessions(t, agentID) == 0 })
	step(t, admin, "close", modalClose, chromedp.WaitNotPresent(chromedp.CSS(`dialog`)))
	step(t, admin, "deactivate",
		chromedp.Click(row(".acc-deactivate")),
		modalOK,
		chromedp.WaitVisible(row(".acc-reactivate")))
	if a := u.account(t, agentID); a.DisabledAt == nil {
		t.Fatalf("after deactivating: %+v", a)
	}
	step(t, admin, "reactivate",
		chromedp.Click(row(".acc-reactivate")),
		modalOK,
		chromedp.WaitVisible(row(".acc-deactivate")))
	if a := u.account(t, agentID); a.DisabledAt != nil {
		t.Fatalf("after reactivating: %+v", a)
	}
	step(t, admin, "a reset link",
		chromedp.Click(row(".acc-reset-link")),
		chromedp.WaitVisible(chromedp.ID("invite-link")))
	reset := jsEval[string](t, admin, `document.getElementById('invite-link').value`)
	step(t, admin, "close the link", modalClose, chromedp.WaitNotPresent(chromedp.CSS(`dialog`)))
	ru, err := url.Parse(reset)
	if err != nil || ru.Query().Get("for") != "reset" {
		t.Fatalf("reset link %q", reset)
	}
	var view struct{ Purpose, Email string }
	if err := u.send("POST", "/v1/auth/link", map[string]string{"token": ru.Fragment}, &view); err != nil || view.Purpose != "reset" || view.Email != email {
		t.Errorf("the reset link through the API: %+v %v", view, err)
	}
	step(t, admin, "require 2FA", chromedp.Click(chromedp.ID("require-totp")))
	settings := func() bool {
		var s struct {
			RequireTOTP bool `json:"require_totp"`
		}
		if err := u.api("GET", "/v1/auth/settings", &s); err != nil {
			t.Fatal(err)
		}
		return s.RequireTOTP
	}
	until(t, "2FA required", settings)
	step(t, admin, "no longer require it",
		chromedp.WaitEnabled(chromedp.ID("require-totp")),
		chromedp.Click(chromedp.ID("require-totp")))
	until(t, "2FA no longer required", func() bool { return !settings() })
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the pages reported errors:\n%s", strings.Join(errs, "\n"))
	}

	// The person ends their own session under my sign-in.
	step(t, ctx, "sign in without 2FA now",
		chromedp.Navigate(u.url+"/app/inbox"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), newPassword),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.CSS(`.topbar`)),
		chromedp.Click(chromedp.ID("who")),
		chromedp.WaitVisible(chromedp.CSS(`#my-sessions .session-revoke`)))
	if n := u.liveSessions(t, agentID); n != 1 {
		t.Errorf("sessions: %d", n)
	}
	step(t, ctx, "end my session",
		chromedp.Click(chromedp.CSS(`#my-sessions .session-revoke`)),
		modalOK,
		chromedp.WaitVisible(chromedp.ID("email")))
	if n := u.liveSessions(t, agentID); n != 0 {
		t.Errorf("after ending my session: %d live", n)
	}
	u.errors() // the ended session's 401s
}

// forgotFlow: the sign-in page's "forgot password" form, on a server
// without outbound mail, says to ask an admin.
func (u *ui) forgotFlow(t *testing.T) {
	ctx := u.tab(t, 390, 844)
	step(t, ctx, "forgot password",
		chromedp.Navigate(u.url+"/"),
		chromedp.WaitVisible(chromedp.ID("forgot-toggle")),
		chromedp.Click(chromedp.ID("forgot-toggle")),
		chromedp.WaitVisible(chromedp.ID("forgot-email")),
		chromedp.SendKeys(chromedp.ID("forgot-email"), "admin@triage.example"),
		chromedp.Click(chromedp.ID("forgot-send")),
		chromedp.WaitVisible(chromedp.CSS(`#forgot-result:not(:empty)`)))
	if msg := text(t, ctx, "#forgot-result"); !strings.Contains(msg, "未配置发信") {
		t.Errorf("forgot password says %q", msg)
	}
	var m struct {
		ResetByMail bool `json:"reset_by_mail"`
	}
	if err := u.api("GET", "/v1/auth/methods", &m); err != nil || m.ResetByMail {
		t.Errorf("methods: %+v %v", m, err)
	}
	if present := jsEval[bool](t, ctx, `!!document.getElementById('sso-login')`); present {
		t.Error("a single sign-on button without single sign-on")
	}
}
