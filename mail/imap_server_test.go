package mail_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/client"

	"github.com/triagehq/triage/mail"
	"github.com/triagehq/triage/mail/mailtest"
)

const (
	user = "support@example.com"
	pass = "imap-密码"
)

func corpus(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func imapConfig(s *mailtest.Server) mail.IMAPConfig {
	return mail.IMAPConfig{Host: s.Host, Port: s.IMAPSPort, TLS: mail.TLSImplicit, Username: user, Password: pass,
		TLSConfig: s.TLSConfig(), Timeout: 10 * time.Second}
}

func fetcher(t testing.TB, cfg mail.IMAPConfig) *mail.Fetcher {
	t.Helper()
	f, err := mail.NewFetcher(cfg, mail.NewParser(mail.Limits{}))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// recorder is a DeliverFunc that keeps what it got, like a store would.
type recorder struct {
	mu    sync.Mutex
	msgs  []*mail.Message
	pos   []mail.Position
	fail  func(n int) error
	event chan struct{}
}

func newRecorder() *recorder { return &recorder{event: make(chan struct{}, 100)} }

func (r *recorder) deliver(_ context.Context, m *mail.Message, pos mail.Position) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(len(r.msgs)); err != nil {
			return err
		}
	}
	r.msgs = append(r.msgs, m)
	r.pos = append(r.pos, pos)
	r.event <- struct{}{}
	return nil
}

func (r *recorder) subjects() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.msgs {
		out = append(out, m.Subject)
	}
	return out
}

// seen returns the UIDs of folder with and without \Seen, read with a
// plain go-imap client.
func seen(t *testing.T, s *mailtest.Server, folder string) (seenUIDs, unseen []uint32) {
	t.Helper()
	c, err := client.DialTLS(fmt.Sprintf("%s:%d", s.Host, s.IMAPSPort), s.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Logout()
	if err := c.Login(user, pass); err != nil {
		t.Fatal(err)
	}
	mb, err := c.Select(folder, true)
	if err != nil {
		t.Fatal(err)
	}
	if mb.Messages == 0 {
		return nil, nil
	}
	set := new(imap.SeqSet)
	set.AddRange(1, mb.Messages)
	ch := make(chan *imap.Message, 10)
	done := make(chan error, 1)
	go func() { done <- c.Fetch(set, []imap.FetchItem{imap.FetchUid, imap.FetchFlags}, ch) }()
	for m := range ch {
		if slices.Contains(m.Flags, imap.SeenFlag) {
			seenUIDs = append(seenUIDs, m.Uid)
		} else {
			unseen = append(unseen, m.Uid)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return seenUIDs, unseen
}

// unsee clears \Seen on every mail of folder, as a crash between the
// commit and the flag would leave them.
func unsee(t *testing.T, s *mailtest.Server, folder string) {
	t.Helper()
	s.Doveadm("flags", "remove", "-u", user, `\Seen`, "mailbox", folder, "all")
}

// TestIMAPFetchCommitThenFlag reads mail in UID order, flags each only
// after its delivery returned, keeps what failed for the next run, and
// finishes the flags a crash left undone.
func TestIMAPFetchCommitThenFlag(t *testing.T) {
	s := mailtest.Start(t)
	s.AddUser(user, pass)
	for _, name := range []string{"qq-gbk-new.eml", "gmail-reply.eml", "attachments-chinese-names.eml"} {
		s.Deliver(user, "", corpus(t, name))
	}
	ctx := context.Background()
	f := fetcher(t, imapConfig(s))

	// The second delivery fails, as a store that is down would.
	r := newRecorder()
	r.fail = func(n int) error {
		if n == 1 {
			return errors.New("store unavailable")
		}
		return nil
	}
	pos, err := f.Once(ctx, mail.Position{}, r.deliver)
	if err == nil || !strings.Contains(err.Error(), "store unavailable") {
		t.Fatalf("Once = %v, want the delivery error", err)
	}
	if pos.UIDValidity == 0 || pos.UID != 1 || len(r.msgs) != 1 {
		t.Fatalf("after a failed delivery: pos %+v, %d delivered", pos, len(r.msgs))
	}
	if seenUIDs, unseen := seen(t, s, "INBOX"); !slices.Equal(seenUIDs, []uint32{1}) || !slices.Equal(unseen, []uint32{2, 3}) {
		t.Fatalf("flags after a failed delivery: seen %v, unseen %v", seenUIDs, unseen)
	}

	// The store is back: the same run picks up where it stopped.
	r.fail = nil
	pos, err = f.Once(ctx, pos, r.deliver)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"扫地机器人一直没有发货", "Re: [#T5R2] 路由器连不上网", "报销发票和订单明细"}
	if got := r.subjects(); !slices.Equal(got, want) {
		t.Fatalf("delivered %q, want %q", got, want)
	}
	for i, p := range r.pos {
		if p.UID != uint32(i+1) || p.UIDValidity != pos.UIDValidity {
			t.Errorf("delivery %d came with position %+v", i, p)
		}
	}
	if m := r.msgs[2]; len(m.Attachments) != 4 || m.Attachments[0].Filename != "发票（2026年12月）.pdf" || len(m.Raw) != m.Size {
		t.Errorf("the attachment mail arrived as %d attachments", len(m.Attachments))
	}
	if _, unseen := seen(t, s, "INBOX"); len(unseen) != 0 {
		t.Fatalf("unseen after import: %v", unseen)
	}

	// A crash after the commits but before the flags: the next run
	// delivers nothing again and sets the flags.
	unsee(t, s, "INBOX")
	n := len(r.msgs)
	if pos, err = f.Once(ctx, pos, r.deliver); err != nil {
		t.Fatal(err)
	}
	if len(r.msgs) != n {
		t.Errorf("mail committed before the crash was delivered again: %q", r.subjects()[n:])
	}
	if _, unseen := seen(t, s, "INBOX"); len(unseen) != 0 {
		t.Errorf("flags a crash left undone were not finished: unseen %v", unseen)
	}

	// A first run never imports what a person has already read.
	s.Deliver(user, "", corpus(t, "big5-taiwan.eml"))
	fresh := newRecorder()
	if _, err := f.Once(ctx, mail.Position{}, fresh.deliver); err != nil {
		t.Fatal(err)
	}
	if got := fresh.subjects(); !slices.Equal(got, []string{"詢問退貨流程"}) {
		t.Errorf("a first run delivered %q, want only the unseen mail", got)
	}
	_ = pos
}

// TestIMAPIdleWakes checks that Run, idling, delivers a mail within
// moments of its arrival, with a poll interval far too long to be the
// cause; and that polling works where IDLE is not used.
func TestIMAPIdleWakes(t *testing.T) {
	s := mailtest.Start(t)
	s.AddUser(user, pass)
	for _, c := range []struct {
		name string
		edit func(*mail.IMAPConfig)
	}{
		{"idle", func(c *mail.IMAPConfig) { c.PollInterval = time.Hour }},
		{"polling", func(c *mail.IMAPConfig) { c.NoIdle, c.PollInterval = true, 300*time.Millisecond }},
		{"idle over starttls", func(c *mail.IMAPConfig) { c.Port, c.TLS, c.PollInterval = s.IMAPPort, mail.TLSStartTLS, time.Hour }},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := imapConfig(s)
			c.edit(&cfg)
			var errs []error
			var mu sync.Mutex
			cfg.OnError = func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }
			f := fetcher(t, cfg)
			// Start after what is already there.
			pos, err := f.Once(context.Background(), mail.Position{}, func(context.Context, *mail.Message, mail.Position) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			r := newRecorder()
			done := make(chan error, 1)
			go func() { done <- f.Run(ctx, pos, r.deliver) }()
			time.Sleep(500 * time.Millisecond) // let it reach IDLE
			start := time.Now()
			s.Deliver(user, "", corpus(t, "qq-reply-quoted.eml"))
			select {
			case <-r.event:
			case <-time.After(15 * time.Second):
				t.Fatalf("no delivery 15 s after the mail arrived (errors: %v)", errs)
			}
			t.Logf("%s: delivered %v after arrival", c.name, time.Since(start).Round(time.Millisecond))
			if got := r.subjects(); len(got) != 1 || got[0] != "回复：[#T4K2] 扫地机器人一直没有发货" {
				t.Errorf("delivered %q", got)
			}
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("Run returned %v after cancel", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return after cancel")
			}
			mu.Lock()
			defer mu.Unlock()
			if len(errs) > 0 {
				t.Errorf("Run reported errors: %v", errs)
			}
		})
	}
}

// TestIMAPUIDValidityChange rebuilds the folder: the old UIDs mean
// nothing, and what is in the new folder and not yet seen is imported.
func TestIMAPUIDValidityChange(t *testing.T) {
	s := mailtest.Start(t)
	s.AddUser(user, pass)
	s.CreateMailbox(user, "Support")
	for _, name := range []string{"qq-gbk-new.eml", "big5-taiwan.eml"} {
		s.Deliver(user, "Support", corpus(t, name))
	}
	cfg := imapConfig(s)
	cfg.Folder = "Support"
	f := fetcher(t, cfg)
	ctx := context.Background()
	r := newRecorder()
	pos, err := f.Once(ctx, mail.Position{}, r.deliver)
	if err != nil || pos.UID != 2 {
		t.Fatalf("first import: %+v %v", pos, err)
	}
	s.RecreateMailbox(user, "Support")
	s.Deliver(user, "Support", corpus(t, "gb2312-really-gbk.eml"))
	next, err := f.Once(ctx, pos, r.deliver)
	if err != nil {
		t.Fatal(err)
	}
	if next.UIDValidity == pos.UIDValidity || next.UID != 1 {
		t.Errorf("after the rebuild: position %+v (before %+v)", next, pos)
	}
	if got := r.subjects(); len(got) != 3 || got[2] != "镕金保温杯杯盖漏水" {
		t.Errorf("delivered %q", got)
	}
}

// TestIMAPMoveAfterImport moves imported mail to a Chinese-named folder.
func TestIMAPMoveAfterImport(t *testing.T) {
	s := mailtest.Start(t)
	s.AddUser(user, pass)
	s.CreateMailbox(user, "已处理")
	for _, name := range []string{"foxmail-reply.eml", "outlook-html-only.eml"} {
		s.Deliver(user, "", corpus(t, name))
	}
	cfg := imapConfig(s)
	cfg.After, cfg.MoveTo = mail.MoveTo, "已处理"
	r := newRecorder()
	if _, err := fetcher(t, cfg).Once(context.Background(), mail.Position{}, r.deliver); err != nil {
		t.Fatal(err)
	}
	if len(r.msgs) != 2 {
		t.Fatalf("delivered %q", r.subjects())
	}
	inbox, inboxUnseen := seen(t, s, "INBOX")
	moved, movedUnseen := seen(t, s, "已处理")
	if len(inbox)+len(inboxUnseen) != 0 || len(moved)+len(movedUnseen) != 2 {
		t.Errorf("INBOX holds %d, 已处理 holds %d; want 0 and 2", len(inbox)+len(inboxUnseen), len(moved)+len(movedUnseen))
	}
}

// TestIMAPOversized delivers a mail over the size limit with its header
// only.
func TestIMAPOversized(t *testing.T) {
	s := mailtest.Start(t)
	s.AddUser(user, pass)
	s.Deliver(user, "", corpus(t, "attachments-chinese-names.eml"))
	cfg := imapConfig(s)
	cfg.MaxMessageBytes = 1000
	r := newRecorder()
	if _, err := fetcher(t, cfg).Once(context.Background(), mail.Position{}, r.deliver); err != nil {
		t.Fatal(err)
	}
	if len(r.msgs) != 1 {
		t.Fatalf("delivered %d", len(r.msgs))
	}
	m := r.msgs[0]
	if m.Subject != "报销发票和订单明细" || !m.Truncated || len(m.Attachments) != 0 || len(m.Problems) == 0 {
		t.Errorf("oversized mail: subject %q truncated %v attachments %d problems %v", m.Subject, m.Truncated, len(m.Attachments), m.Problems)
	}
}

// TestCheckIMAP is the "test" button: each failure has the kind an admin
// can act on.
func TestCheckIMAP(t *testing.T) {
	s := mailtest.Start(t)
	s.AddUser(user, pass)
	s.CreateMailbox(user, "工单")
	ok := imapConfig(s)
	ctx := context.Background()
	cases := []struct {
		name string
		edit func(*mail.IMAPConfig)
		kind mail.ErrorKind
	}{
		{"good", func(*mail.IMAPConfig) {}, ""},
		{"good with STARTTLS and a Chinese folder", func(c *mail.IMAPConfig) { c.Port, c.TLS, c.Folder = s.IMAPPort, mail.TLSStartTLS, "工单" }, ""},
		{"missing folder", func(c *mail.IMAPConfig) { c.Folder = "不存在" }, mail.KindFolder},
		{"missing move folder", func(c *mail.IMAPConfig) { c.After, c.MoveTo = mail.MoveTo, "Archive" }, mail.KindFolder},
		{"nothing listening", func(c *mail.IMAPConfig) { c.Port = freePort(t) }, mail.KindUnreachable},
		{"TLS to the plain port", func(c *mail.IMAPConfig) { c.Port = s.IMAPPort }, mail.KindTLS},
		{"certificate not trusted", func(c *mail.IMAPConfig) { c.TLSConfig = nil }, mail.KindTLS},
		{"no host", func(c *mail.IMAPConfig) { c.Host = "" }, mail.KindConfig},
		// Last: Dovecot slows later logins from an address that failed.
		{"wrong password", func(c *mail.IMAPConfig) { c.Password = "wrong" }, mail.KindAuth},
		{"unknown user", func(c *mail.IMAPConfig) { c.Username = "nobody@example.com" }, mail.KindAuth},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := ok
			c.edit(&cfg)
			err := mail.CheckIMAP(ctx, cfg)
			if mail.ErrorKindOf(err) != c.kind || (c.kind == "") != (err == nil) {
				t.Errorf("CheckIMAP = %v (kind %q), want kind %q", err, mail.ErrorKindOf(err), c.kind)
			}
		})
	}
}
