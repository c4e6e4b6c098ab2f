package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/client"

	"github.com/triagehq/triage"
)

// AfterImport is what happens on the server to a mail once its ticket or
// comment is committed.
type AfterImport string

// The actions after import.
const (
	MarkSeen AfterImport = "seen" // set \Seen and leave it in the folder
	MoveTo   AfterImport = "move" // move it to IMAPConfig.MoveTo
)

// IMAPConfig is one mailbox to read.
type IMAPConfig struct {
	Host string
	Port int // default 993 for TLSImplicit, 143 for TLSStartTLS
	// TLS is TLSImplicit (default) or TLSStartTLS; IMAP without TLS is
	// not offered, since it would send the password in clear text.
	TLS      TLSMode
	Username string
	Password string
	Folder   string // default INBOX; may be Chinese (modified UTF-7 is handled)
	After    AfterImport
	MoveTo   string // the folder for After == MoveTo, for example 已处理
	// TLSConfig, when set, replaces the default (system roots, ServerName
	// = Host).
	TLSConfig *tls.Config
	// Timeout bounds connecting and each command (default 60 s).
	Timeout time.Duration
	// PollInterval is how often a server without IDLE is asked for new
	// mail (default 60 s); IdleRefresh is how often IDLE is restarted so
	// that neither side drops a quiet connection (default 9 min).
	PollInterval time.Duration
	IdleRefresh  time.Duration
	// NoIdle polls even when the server offers IDLE, for servers whose
	// IDLE never wakes.
	NoIdle bool
	// MaxMessageBytes: larger mails are delivered with their header only
	// and Truncated set (default 50 MiB).
	MaxMessageBytes uint32
	// BatchBytes bounds the mail held in memory by one FETCH (default
	// 8 MiB; a single larger mail is fetched alone).
	BatchBytes uint32
	// Logger gets connection events and retried errors (default: none).
	Logger *slog.Logger
	// OnError, when set, hears every error Run retries, for a mailbox's
	// "last error" in the admin UI.
	OnError func(error)
}

func (c IMAPConfig) withDefaults() IMAPConfig {
	if c.TLS == "" {
		c.TLS = TLSImplicit
	}
	if c.Port == 0 {
		c.Port = 993
		if c.TLS == TLSStartTLS {
			c.Port = 143
		}
	}
	if c.Folder == "" {
		c.Folder = "INBOX"
	}
	if c.After == "" {
		c.After = MarkSeen
	}
	if c.Timeout <= 0 {
		c.Timeout = time.Minute
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Minute
	}
	if c.IdleRefresh <= 0 {
		c.IdleRefresh = 9 * time.Minute
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = 50 << 20
	}
	if c.BatchBytes == 0 {
		c.BatchBytes = 8 << 20
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate checks the settings before anything is dialled.
func (c IMAPConfig) Validate() error {
	switch {
	case strings.TrimSpace(c.Host) == "":
		return triage.Invalid("host", "the IMAP host is empty")
	case c.Port < 0 || c.Port > 65535:
		return triage.Invalid("port", "port %d is not a port", c.Port)
	case c.TLS != "" && c.TLS != TLSImplicit && c.TLS != TLSStartTLS:
		return triage.Invalid("tls", "tls must be %q or %q", TLSImplicit, TLSStartTLS)
	case c.Username == "":
		return triage.Invalid("username", "the IMAP user name is empty")
	case c.After != "" && c.After != MarkSeen && c.After != MoveTo:
		return triage.Invalid("after", "after must be %q or %q", MarkSeen, MoveTo)
	case c.After == MoveTo && strings.TrimSpace(c.MoveTo) == "":
		return triage.Invalid("move_to", "moving imported mail needs a folder to move it to")
	case c.After == MoveTo && c.MoveTo == c.Folder:
		return triage.Invalid("move_to", "the folder to move to is the folder being read")
	}
	return nil
}

// Position is how far a mailbox has been imported: the folder's
// UIDVALIDITY and the highest UID whose mail is committed. Store it in the
// same transaction as the ticket or comment a mail produced.
type Position struct {
	UIDValidity uint32 `json:"uid_validity"`
	UID         uint32 `json:"uid"`
}

// DeliverFunc takes one mail. It must commit the ticket or comment and pos
// together, then return nil; only then is the mail marked seen or moved.
// An error leaves pos where it was: the same mail comes again later. A
// mail that can never be imported should be recorded and acknowledged
// with nil, or it blocks the mailbox.
type DeliverFunc func(ctx context.Context, m *Message, pos Position) error

// Fetcher reads new mail from one IMAP folder.
type Fetcher struct {
	cfg    IMAPConfig
	parser *Parser
}

// NewFetcher returns a fetcher for cfg that parses with p.
func NewFetcher(cfg IMAPConfig, p *Parser) (*Fetcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if p == nil {
		p = NewParser(Limits{})
	}
	return &Fetcher{cfg: cfg.withDefaults(), parser: p}, nil
}

// Run imports mail until ctx ends: at each connection it finishes the
// flags or moves a crash left undone, imports every mail after pos, then
// waits with IDLE (or polls) and imports what arrives. Connection and
// delivery errors are retried with backoff and reported to OnError; Run
// returns ctx's error when ctx ends.
func (f *Fetcher) Run(ctx context.Context, pos Position, deliver DeliverFunc) error {
	backoff := time.Second
	for {
		start := time.Now()
		err := f.session(ctx, &pos, deliver, true)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			f.cfg.Logger.Warn("mail: imap session ended", "host", f.cfg.Host, "folder", f.cfg.Folder, "err", err)
			if f.cfg.OnError != nil {
				f.cfg.OnError(err)
			}
		}
		if time.Since(start) > 5*time.Minute {
			backoff = time.Second // the session was healthy for a while
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		if backoff *= 2; backoff > 5*time.Minute {
			backoff = 5 * time.Minute
		}
	}
}

// Once connects, imports every mail after pos and disconnects. It returns
// the new position; on error, the position reached so far.
func (f *Fetcher) Once(ctx context.Context, pos Position, deliver DeliverFunc) (Position, error) {
	err := f.session(ctx, &pos, deliver, false)
	return pos, err
}

// session is one connection: settle, import, then (when wait is set)
// wait for more and import it, until an error or ctx ends.
func (f *Fetcher) session(ctx context.Context, pos *Position, deliver DeliverFunc, wait bool) error {
	c, raw, err := f.dial(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = c.Logout(); _ = raw.Close() }()
	// Close the connection when ctx ends, which unblocks any command.
	stop := context.AfterFunc(ctx, func() { _ = raw.Close() })
	defer stop()

	updates := make(chan client.Update, 64)
	wake := make(chan struct{}, 1)
	c.Updates = updates
	go forwardUpdates(c, updates, wake)

	if err := f.login(c); err != nil {
		return err
	}
	status, err := c.Select(f.cfg.Folder, false)
	if err != nil {
		return &Error{Kind: KindFolder, Reply: err.Error(), Err: err}
	}
	if err := f.reconcile(c, pos, status.UidValidity); err != nil {
		return err
	}
	idle, _ := c.Support("IDLE")
	idle = idle && !f.cfg.NoIdle
	for {
		if err := f.importNew(ctx, c, pos, deliver); err != nil {
			return err
		}
		if !wait {
			return nil
		}
		if err := f.waitForMail(ctx, c, raw, wake, idle); err != nil {
			return err
		}
		if mb := c.Mailbox(); mb != nil && mb.UidValidity != pos.UIDValidity {
			return f.reconcile(c, pos, mb.UidValidity)
		}
	}
}

// forwardUpdates drains the client's updates, which must never block, and
// turns news of the mailbox into a wake-up.
func forwardUpdates(c *client.Client, updates <-chan client.Update, wake chan<- struct{}) {
	for {
		select {
		case u := <-updates:
			if _, ok := u.(*client.MailboxUpdate); ok {
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		case <-c.LoggedOut():
			return
		}
	}
}

// dial connects and, for STARTTLS, upgrades. It returns the raw TCP
// connection too, whose deadline bounds commands IDLE leaves unbounded.
func (f *Fetcher) dial(ctx context.Context) (*client.Client, net.Conn, error) {
	addr := net.JoinHostPort(f.cfg.Host, strconv.Itoa(f.cfg.Port))
	d := &net.Dialer{Timeout: f.cfg.Timeout, KeepAlive: 30 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, classifyIMAP(err, KindUnreachable)
	}
	_ = raw.SetDeadline(time.Now().Add(f.cfg.Timeout))
	conn := raw
	tc := f.tlsConfig()
	if f.cfg.TLS == TLSImplicit {
		tlsConn := tls.Client(raw, tc)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, nil, &Error{Kind: KindTLS, Err: err}
		}
		conn = tlsConn
	}
	c, err := client.New(conn)
	if err != nil {
		raw.Close()
		return nil, nil, classifyIMAP(err, KindProtocol)
	}
	c.ErrorLog = discardLogger{}
	c.Timeout = f.cfg.Timeout
	if f.cfg.TLS == TLSStartTLS {
		if ok, _ := c.SupportStartTLS(); !ok {
			raw.Close()
			return nil, nil, &Error{Kind: KindTLS, Err: errors.New("the server does not offer STARTTLS")}
		}
		if err := c.StartTLS(tc); err != nil {
			raw.Close()
			return nil, nil, &Error{Kind: KindTLS, Err: err}
		}
	}
	_ = raw.SetDeadline(time.Time{})
	return c, raw, nil
}

func (f *Fetcher) tlsConfig() *tls.Config {
	tc := f.cfg.TLSConfig
	if tc == nil {
		tc = &tls.Config{MinVersion: tls.VersionTLS12}
	} else {
		tc = tc.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = f.cfg.Host
	}
	return tc
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

// idCommand is RFC 2971 ID. 网易 (163/126/yeah) refuses SELECT with
// "Unsafe Login" from clients that do not identify themselves.
type idCommand struct{}

func (idCommand) Command() *imap.Command {
	return &imap.Command{Name: "ID", Arguments: []any{[]any{"name", "triage", "vendor", "triage", "version", "1"}}}
}

func (f *Fetcher) login(c *client.Client) error {
	if err := c.Login(f.cfg.Username, f.cfg.Password); err != nil {
		return classifyIMAP(err, KindAuth)
	}
	if ok, _ := c.Support("ID"); ok {
		if _, err := c.Execute(idCommand{}, nil); err != nil {
			return classifyIMAP(err, KindProtocol)
		}
	}
	return nil
}

// classifyIMAP makes err an *Error: network and TLS trouble by its type,
// a refusal from the server as kind.
func classifyIMAP(err error, kind ErrorKind) *Error {
	if ne := netError(err); ne != nil {
		return ne
	}
	if errors.Is(err, io.EOF) || strings.Contains(err.Error(), "connection closed") {
		return &Error{Kind: KindUnreachable, Temporary: true, Err: err}
	}
	return &Error{Kind: kind, Temporary: kind == KindProtocol || kind == KindUnreachable, Reply: err.Error(), Err: err}
}

// reconcile checks the folder's UIDVALIDITY against pos. When it changed
// (the folder was rebuilt, or this is the first run) the old UIDs mean
// nothing: pos starts over in the new validity. When it is the same, the
// flags or moves that a crash between commit and flag left undone are
// finished now.
func (f *Fetcher) reconcile(c *client.Client, pos *Position, validity uint32) error {
	if pos.UIDValidity != validity {
		if pos.UIDValidity != 0 {
			f.cfg.Logger.Warn("mail: UIDVALIDITY changed; importing what was not yet imported",
				"folder", f.cfg.Folder, "old", pos.UIDValidity, "new", validity)
		}
		*pos = Position{UIDValidity: validity}
		return nil
	}
	if pos.UID == 0 {
		return nil
	}
	crit := imap.NewSearchCriteria()
	crit.Uid = new(imap.SeqSet)
	crit.Uid.AddRange(1, pos.UID)
	if f.cfg.After == MarkSeen {
		crit.WithoutFlags = []string{imap.SeenFlag}
	}
	uids, err := c.UidSearch(crit)
	if err != nil {
		return classifyIMAP(err, KindProtocol)
	}
	uids = slices.DeleteFunc(uids, func(u uint32) bool { return u > pos.UID })
	return f.afterImport(c, uids)
}

// importNew delivers every mail after pos, in UID order.
func (f *Fetcher) importNew(ctx context.Context, c *client.Client, pos *Position, deliver DeliverFunc) error {
	crit := imap.NewSearchCriteria()
	if pos.UID > 0 {
		crit.Uid = new(imap.SeqSet)
		crit.Uid.AddRange(pos.UID+1, 0) // 0 is "*"
	} else if f.cfg.After == MarkSeen {
		// First run, or a rebuilt folder: what is not seen is not imported.
		crit.WithoutFlags = []string{imap.SeenFlag}
	}
	uids, err := c.UidSearch(crit)
	if err != nil {
		return classifyIMAP(err, KindProtocol)
	}
	// "n:*" always matches the last mail, even when its UID is below n.
	uids = slices.DeleteFunc(uids, func(u uint32) bool { return u <= pos.UID })
	slices.Sort(uids)
	for len(uids) > 0 {
		sizes, err := f.sizes(c, uids[:min(len(uids), 200)])
		if err != nil {
			return err
		}
		batch := f.batch(uids, sizes)
		uids = uids[len(batch):]
		msgs, err := f.fetch(c, batch, sizes)
		if err != nil {
			return err
		}
		var done []uint32
		for _, uid := range batch {
			raw, ok := msgs[uid]
			if !ok {
				continue // expunged meanwhile
			}
			m, err := f.parser.Parse(raw)
			if err != nil {
				m = &Message{Size: len(raw), Raw: raw, Problems: []string{err.Error()}}
			}
			if sizes[uid] > f.cfg.MaxMessageBytes {
				// Only the header is here: what the parser made of the
				// missing body is not the mail's.
				m.Text, m.FullText, m.HTML, m.Attachments = "", "", "", nil
				m.Truncated = true
				m.Problems = append(m.Problems, fmt.Sprintf("the mail is %d bytes, over the %d-byte limit; only its header was fetched", sizes[uid], f.cfg.MaxMessageBytes))
			}
			next := Position{UIDValidity: pos.UIDValidity, UID: uid}
			if err := deliver(ctx, m, next); err != nil {
				_ = f.afterImport(c, done)
				return fmt.Errorf("mail: delivering UID %d: %w", uid, err)
			}
			*pos = next
			done = append(done, uid)
		}
		if err := f.afterImport(c, done); err != nil {
			return err
		}
	}
	return nil
}

// sizes returns the RFC822.SIZE of each UID.
func (f *Fetcher) sizes(c *client.Client, uids []uint32) (map[uint32]uint32, error) {
	set := new(imap.SeqSet)
	set.AddNum(uids...)
	out := map[uint32]uint32{}
	err := f.collect(c, set, []imap.FetchItem{imap.FetchUid, imap.FetchRFC822Size}, func(m *imap.Message) {
		out[m.Uid] = m.Size
	})
	return out, err
}

// batch takes UIDs from the front while their bodies fit in BatchBytes
// (at least one).
func (f *Fetcher) batch(uids []uint32, sizes map[uint32]uint32) []uint32 {
	var total uint64
	n := 0
	for _, u := range uids {
		s, ok := sizes[u]
		if !ok {
			break // beyond the sizes asked for
		}
		if s > f.cfg.MaxMessageBytes {
			s = 64 << 10 // only the header is fetched
		}
		if n > 0 && total+uint64(s) > uint64(f.cfg.BatchBytes) {
			break
		}
		total += uint64(s)
		n++
	}
	return uids[:max(n, 1)]
}

// fetch returns the raw mails of uids; oversized ones with their header
// only.
func (f *Fetcher) fetch(c *client.Client, uids []uint32, sizes map[uint32]uint32) (map[uint32][]byte, error) {
	full, head := new(imap.SeqSet), new(imap.SeqSet)
	for _, u := range uids {
		if sizes[u] > f.cfg.MaxMessageBytes {
			head.AddNum(u)
		} else {
			full.AddNum(u)
		}
	}
	out := map[uint32][]byte{}
	for _, part := range []struct {
		set     *imap.SeqSet
		section *imap.BodySectionName
	}{
		{full, &imap.BodySectionName{Peek: true}},
		{head, &imap.BodySectionName{BodyPartName: imap.BodyPartName{Specifier: imap.HeaderSpecifier}, Peek: true}},
	} {
		if part.set.Empty() {
			continue
		}
		var readErr error
		err := f.collect(c, part.set, []imap.FetchItem{imap.FetchUid, part.section.FetchItem()}, func(m *imap.Message) {
			body := m.GetBody(part.section)
			if body == nil {
				return
			}
			data, err := io.ReadAll(body)
			if err != nil && readErr == nil {
				readErr = err
			}
			out[m.Uid] = data
		})
		if err == nil {
			err = readErr
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// collect runs UID FETCH and hands each message to fn.
func (f *Fetcher) collect(c *client.Client, set *imap.SeqSet, items []imap.FetchItem, fn func(*imap.Message)) error {
	ch := make(chan *imap.Message, 16)
	done := make(chan error, 1)
	go func() { done <- c.UidFetch(set, items, ch) }()
	for m := range ch {
		fn(m)
	}
	if err := <-done; err != nil {
		return classifyIMAP(err, KindProtocol)
	}
	return nil
}

// afterImport marks uids seen or moves them, once their delivery is
// committed. A failure here loses nothing: the next connection's
// reconcile finishes the job.
func (f *Fetcher) afterImport(c *client.Client, uids []uint32) error {
	if len(uids) == 0 {
		return nil
	}
	set := new(imap.SeqSet)
	set.AddNum(uids...)
	var err error
	if f.cfg.After == MoveTo {
		err = c.UidMove(set, f.cfg.MoveTo)
		if err != nil {
			return &Error{Kind: KindFolder, Reply: err.Error(), Err: err}
		}
		return nil
	}
	err = c.UidStore(set, imap.FormatFlagsOp(imap.AddFlags, true), []any{imap.SeenFlag}, nil)
	if err != nil {
		return classifyIMAP(err, KindProtocol)
	}
	return nil
}

// waitForMail returns when the server announces new mail, when it is time
// to poll or to refresh IDLE, or with ctx's error.
func (f *Fetcher) waitForMail(ctx context.Context, c *client.Client, raw net.Conn, wake <-chan struct{}, idle bool) error {
	if !idle {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(f.cfg.PollInterval):
			if err := c.Noop(); err != nil {
				return classifyIMAP(err, KindUnreachable)
			}
			return nil
		case <-wake:
			return nil
		}
	}
	stop := make(chan struct{})
	done := make(chan error, 1)
	c.Timeout = 0 // IDLE waits as long as it likes
	go func() { done <- c.Idle(stop, &client.IdleOptions{LogoutTimeout: -1}) }()
	defer func() { c.Timeout = f.cfg.Timeout }()
	timer := time.NewTimer(f.cfg.IdleRefresh)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			return classifyIMAP(err, KindUnreachable)
		}
		return nil
	case <-ctx.Done():
	case <-wake:
	case <-timer.C:
	}
	close(stop)
	// DONE must be answered in time, or the connection is dead.
	_ = raw.SetDeadline(time.Now().Add(f.cfg.Timeout))
	err := <-done
	_ = raw.SetDeadline(time.Time{})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return classifyIMAP(err, KindUnreachable)
	}
	return nil
}

// CheckIMAP is the mailbox settings' "test" button: it connects, logs in
// and opens the folder (and the folder to move to) read-only. The error,
// when there is one, is an *Error whose Kind says what to fix.
func CheckIMAP(ctx context.Context, cfg IMAPConfig) error {
	f, err := NewFetcher(cfg, nil)
	if err != nil {
		return &Error{Kind: KindConfig, Reply: triage.ErrorMessage(err), Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	c, raw, err := f.dial(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = c.Logout(); _ = raw.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = raw.Close() })
	defer stop()
	if err := f.login(c); err != nil {
		return err
	}
	folders := []string{f.cfg.Folder}
	if f.cfg.After == MoveTo {
		folders = append(folders, f.cfg.MoveTo)
	}
	for _, name := range folders {
		if _, err := c.Select(name, true); err != nil {
			if ne := netError(err); ne != nil {
				return ne
			}
			return &Error{Kind: KindFolder, Reply: name + ": " + err.Error(), Err: err}
		}
	}
	return nil
}
