package mail_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage/mail"
	"github.com/triagehq/triage/mail/mailtest"
)

func reply(to string) *mail.Outgoing {
	return &mail.Outgoing{
		From:       mail.Address{Name: "客服中心", Email: "support@example.com"},
		To:         []mail.Address{{Name: "王喆", Email: to}},
		Subject:    "回复：扫地机器人一直没有发货",
		TicketRef:  "T4K2",
		Text:       "王先生您好：\n\n您的订单已发货，快递单号 SF1234567890。\n\n客服中心",
		InReplyTo:  "tencent_99AA88BB77CC66DD@qq.com",
		References: []string{"tencent_3F2A1B4C5D6E7F8091A2B3C4@qq.com", "tencent_99AA88BB77CC66DD@qq.com"},
		Attachments: []mail.Attachment{
			{Filename: "发货单（2026年12月）.pdf", ContentType: "application/pdf", Content: bytes.Repeat([]byte("%PDF 发货单 "), 5000)},
		},
	}
}

func sender(t *testing.T, s *mailtest.Server, port int, mode mail.TLSMode, user, pass string) *mail.Sender {
	t.Helper()
	snd, err := mail.NewSender(mail.SMTPConfig{Host: s.Host, Port: port, TLS: mode, Username: user, Password: pass,
		TLSConfig: s.TLSConfig(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return snd
}

// TestSMTPSendArrives sends a Chinese reply with an attachment through
// Dovecot's submission service, over STARTTLS and over implicit TLS, with
// AUTH, and reads what arrived in the customer's mailbox.
func TestSMTPSendArrives(t *testing.T) {
	s := mailtest.Start(t)
	s.AddUser("support@example.com", "客服密码-1")
	s.AddUser("wangzhe@example.com", "pw")
	ctx := context.Background()
	p := mail.NewParser(mail.Limits{})
	for i, c := range []struct {
		name string
		port int
		mode mail.TLSMode
	}{
		{"starttls", s.SubmissionPort, mail.TLSStartTLS},
		{"implicit tls", s.SubmissionsPort, mail.TLSImplicit},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := reply("wangzhe@example.com")
			id, err := sender(t, s, c.port, c.mode, "support@example.com", "客服密码-1").Send(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			env := s.WaitRelayed(i+1, 15*time.Second)[i]
			if env.From != "support@example.com" || strings.Join(env.To, ",") != "wangzhe@example.com" {
				t.Errorf("envelope %s -> %v", env.From, env.To)
			}
			m, err := p.Parse(env.Data)
			if err != nil {
				t.Fatal(err)
			}
			if m.MessageID != id || m.Subject != "[#T4K2] 回复：扫地机器人一直没有发货" || m.TicketRef != "T4K2" {
				t.Errorf("arrived as %q %q", m.MessageID, m.Subject)
			}
			if strings.Join(m.InReplyTo, " ") != o.InReplyTo || strings.Join(m.References, " ") != strings.Join(o.References, " ") {
				t.Errorf("threading lost: In-Reply-To %v, References %v", m.InReplyTo, m.References)
			}
			if m.Text != strings.TrimSpace(o.Text) {
				t.Errorf("text %q", m.Text)
			}
			if len(m.Attachments) != 1 || m.Attachments[0].Filename != "发货单（2026年12月）.pdf" ||
				!bytes.Equal(m.Attachments[0].Content, o.Attachments[0].Content) {
				t.Errorf("attachment did not arrive intact: %+v", m.Attachments)
			}
		})
	}
}

// TestSMTPFailures checks that each failure comes back with its kind,
// whether a retry can help, and the server's answer.
func TestSMTPFailures(t *testing.T) {
	s := mailtest.Start(t)
	s.AddUser("support@example.com", "right")
	ctx := context.Background()
	closed := freePort(t)
	cases := []struct {
		name      string
		snd       *mail.Sender
		to        string
		kind      mail.ErrorKind
		temporary bool
		code      int
		status    string
	}{
		{"recipient refused", sender(t, s, s.SubmissionPort, mail.TLSStartTLS, "support@example.com", "right"), "reject-me@example.com", mail.KindRejected, false, 550, "5.1.1"},
		{"recipient deferred", sender(t, s, s.SubmissionPort, mail.TLSStartTLS, "support@example.com", "right"), "defer-me@example.com", mail.KindDeferred, true, 451, "4.3.0"},
		{"nothing listening", sender(t, s, closed, mail.TLSStartTLS, "support@example.com", "right"), "a@example.com", mail.KindUnreachable, true, 0, ""},
		{"TLS spoken to a STARTTLS port", sender(t, s, s.SubmissionPort, mail.TLSImplicit, "support@example.com", "right"), "a@example.com", mail.KindTLS, false, 0, ""},
	}
	untrusted, err := mail.NewSender(mail.SMTPConfig{Host: s.Host, Port: s.SubmissionsPort, TLS: mail.TLSImplicit,
		Username: "support@example.com", Password: "right", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, struct {
		name      string
		snd       *mail.Sender
		to        string
		kind      mail.ErrorKind
		temporary bool
		code      int
		status    string
	}{"self-signed certificate not trusted", untrusted, "a@example.com", mail.KindTLS, false, 0, ""})
	// Last: Dovecot slows later logins from an address that failed.
	cases = append(cases, struct {
		name      string
		snd       *mail.Sender
		to        string
		kind      mail.ErrorKind
		temporary bool
		code      int
		status    string
	}{"wrong password", sender(t, s, s.SubmissionPort, mail.TLSStartTLS, "support@example.com", "wrong"), "a@example.com", mail.KindAuth, false, 535, ""})
	if err := sender(t, s, s.SubmissionPort, mail.TLSStartTLS, "support@example.com", "right").Check(ctx); err != nil {
		t.Errorf("Check with good settings: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.snd.Send(ctx, reply(c.to))
			var e *mail.Error
			if !asMailError(err, &e) {
				t.Fatalf("err = %v (%T), want *mail.Error", err, err)
			}
			if e.Kind != c.kind || e.Temporary != c.temporary || e.Code != c.code || c.status != "" && e.Status != c.status {
				t.Errorf("got kind %q temporary %v code %d status %q (%v); want %q %v %d %q",
					e.Kind, e.Temporary, e.Code, e.Status, err, c.kind, c.temporary, c.code, c.status)
			}
			if c.code != 0 && !strings.HasPrefix(e.Reply, itoa(c.code)) {
				t.Errorf("Reply %q does not carry the server's answer", e.Reply)
			}
			if e.Kind.Text() == "" {
				t.Error("no Chinese text for the kind")
			}
		})
	}
	if err := sender(t, s, s.SubmissionPort, mail.TLSStartTLS, "support@example.com", "wrong").Check(ctx); mail.ErrorKindOf(err) != mail.KindAuth {
		t.Errorf("Check with a wrong password: %v", err)
	}
}
