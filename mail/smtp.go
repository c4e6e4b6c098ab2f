package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/triagehq/triage"
)

// TLSMode is how a connection is encrypted.
type TLSMode string

// The TLS modes.
const (
	// TLSStartTLS connects in plain text and upgrades with STARTTLS, which
	// must succeed (SMTP port 587, IMAP port 143).
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte (SMTP 465, IMAP 993).
	TLSImplicit TLSMode = "tls"
	// TLSNone sends everything in clear text, for a relay on the same
	// host only.
	TLSNone TLSMode = "none"
)

// SMTPConfig is where and how to send mail.
type SMTPConfig struct {
	Host     string
	Port     int
	TLS      TLSMode
	Username string
	Password string
	// TLSConfig, when set, replaces the default (system roots, ServerName
	// = Host); tests use it to trust their own certificate.
	TLSConfig *tls.Config
	// Timeout bounds connecting and each command (default 30 s).
	Timeout time.Duration
	// HELO is the name we give in EHLO (default: the machine's name).
	HELO string
}

// ParseSMTPURL reads smtp://user:pass@host:587 (STARTTLS, required) or
// smtps://user:pass@host:465 (implicit TLS). The user name may hold an
// unescaped @. smtp://host:25?tls=none sends in clear text, for a relay
// on the same machine.
func ParseSMTPURL(s string) (SMTPConfig, error) {
	// Passwords and 授权码 are pasted as they are, with characters a URL
	// must escape: take the user information up to the last @ by hand.
	s = strings.TrimSpace(s)
	var user, pass string
	hasUser := false
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		if i := strings.LastIndexByte(rest, '@'); i >= 0 {
			info := rest[:i]
			user, pass, _ = strings.Cut(info, ":")
			user, pass, hasUser = unescapeLoose(user), unescapeLoose(pass), true
			s = scheme + "://" + rest[i+1:]
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return SMTPConfig{}, triage.Invalid("smtp_url", "smtp_url must look like smtp://user:password@host:587 or smtps://user:password@host:465")
	}
	c := SMTPConfig{Host: u.Hostname()}
	switch strings.ToLower(u.Scheme) {
	case "smtp", "submission":
		c.TLS, c.Port = TLSStartTLS, 587
	case "smtps":
		c.TLS, c.Port = TLSImplicit, 465
	default:
		return SMTPConfig{}, triage.Invalid("smtp_url", "smtp_url scheme %q is not smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, triage.Invalid("smtp_url", "smtp_url port %q is not a port", p)
		}
		c.Port = n
	}
	switch mode := strings.ToLower(u.Query().Get("tls")); mode {
	case "":
	case "none":
		if c.TLS == TLSImplicit {
			return SMTPConfig{}, triage.Invalid("smtp_url", "smtps:// always uses TLS; tls=none only goes with smtp://")
		}
		c.TLS = TLSNone
	case "starttls", "tls":
		c.TLS = TLSMode(mode)
	default:
		return SMTPConfig{}, triage.Invalid("smtp_url", "smtp_url tls=%q is not starttls, tls or none", mode)
	}
	if hasUser {
		c.Username, c.Password = user, pass
	}
	return c, nil
}

// unescapeLoose percent-decodes s when it is validly escaped, and keeps
// it as typed otherwise.
func unescapeLoose(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// Sender sends mail over SMTP. It holds no connection: each Send dials,
// so a Sender is safe for concurrent use.
type Sender struct {
	cfg SMTPConfig
}

// NewSender returns a sender for cfg.
func NewSender(cfg SMTPConfig) (*Sender, error) {
	if cfg.Host == "" {
		return nil, triage.Invalid("smtp_url", "the SMTP host is empty")
	}
	if cfg.Port == 0 {
		cfg.Port = 587
		if cfg.TLS == TLSImplicit {
			cfg.Port = 465
		}
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Sender{cfg: cfg}, nil
}

func (s *Sender) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout)}
	tc := s.cfg.TLSConfig
	if tc == nil {
		tc = &tls.Config{MinVersion: tls.VersionTLS12}
	} else {
		tc = tc.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = s.cfg.Host
	}
	opts = append(opts, gomail.WithTLSConfig(tc))
	switch s.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	if s.cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.cfg.HELO))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// Send composes o and hands it to the server. It returns the Message-ID
// sent (store it with the comment), or an *Error saying whether a retry
// can help.
func (s *Sender) Send(ctx context.Context, o *Outgoing) (string, error) {
	m, err := o.message()
	if err != nil {
		return "", err
	}
	if err := m.EnvelopeFrom(o.From.Email); err != nil {
		return "", triage.Invalid("from", "from %q is not an e-mail address", o.From.Email)
	}
	c, err := s.client()
	if err != nil {
		return "", &Error{Kind: KindConfig, Err: err}
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return "", classifySMTP(err)
	}
	return o.MessageID, nil
}

// Check connects, starts TLS and logs in, then quits: the "test" button
// of the outbound settings.
func (s *Sender) Check(ctx context.Context) error {
	c, err := s.client()
	if err != nil {
		return &Error{Kind: KindConfig, Err: err}
	}
	if err := c.DialWithContext(ctx); err != nil {
		return classifySMTP(err)
	}
	if err := c.Close(); err != nil {
		return classifySMTP(err)
	}
	return nil
}

var smtpCodeRe = regexp.MustCompile(`\b([245])(\d\d)[ -]`)
var enhancedRe = regexp.MustCompile(`\b([245]\.\d{1,3}\.\d{1,3})\b`)

// classifySMTP turns a go-mail error into an *Error: the reply code decides
// temporary (4xx) or permanent (5xx); network trouble is temporary.
func classifySMTP(err error) *Error {
	e := &Error{Err: err}
	var se *gomail.SendError
	if errors.As(err, &se) {
		e.Code, e.Status, e.Temporary = se.ErrorCode(), se.EnhancedStatusCode(), se.IsTemp()
	}
	text := err.Error()
	if e.Code == 0 {
		if sm := smtpCodeRe.FindStringSubmatch(text); sm != nil {
			e.Code, _ = strconv.Atoi(sm[1] + sm[2])
		}
	}
	if e.Status == "" {
		if sm := enhancedRe.FindStringSubmatch(text); sm != nil {
			e.Status = sm[1]
		}
	}
	if e.Code != 0 {
		e.Reply = serverReply(text, e.Code)
	}
	switch {
	case e.Code == 535 || e.Code == 534 || e.Code == 530 && strings.Contains(strings.ToLower(text), "auth") ||
		strings.Contains(text, "authentication failed") || strings.Contains(text, "auth: "):
		e.Kind, e.Temporary = KindAuth, false
	case e.Code >= 500:
		e.Kind, e.Temporary = KindRejected, false
	case e.Code >= 400:
		e.Kind, e.Temporary = KindDeferred, true
	default:
		if ne := netError(err); ne != nil {
			ne.Err = err
			return ne
		}
		var nerr net.Error
		if errors.As(err, &nerr) || strings.Contains(text, "connection reset") || strings.Contains(text, "EOF") ||
			strings.Contains(text, "broken pipe") {
			e.Kind, e.Temporary = KindUnreachable, true
		} else if strings.Contains(text, "STARTTLS") || strings.Contains(text, "TLS") {
			e.Kind = KindTLS
		} else {
			e.Kind, e.Temporary = KindProtocol, true
		}
	}
	return e
}

// serverReply cuts the server's answer (from its reply code on) out of a
// wrapped error text.
func serverReply(text string, code int) string {
	if i := strings.Index(text, strconv.Itoa(code)); i >= 0 {
		return strings.TrimSpace(text[i:])
	}
	return text
}
