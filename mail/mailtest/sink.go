package mailtest

import (
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Sink is a bare SMTP server in the test process, without Dovecot: it
// takes every message in clear text on 127.0.0.1 (the service reaches it
// with smtp://127.0.0.1:port?tls=none, as it would a relay on the same
// machine) and records it. Tests that only need to see what the service
// mailed use it; tests of real delivery use Start.
type Sink struct {
	Port int

	t    testing.TB
	srv  *smtp.Server
	mu   sync.Mutex
	got  []Envelope
	wake chan struct{}
}

// StartSink starts a sink for the test and stops it when the test ends.
func StartSink(t testing.TB) *Sink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Sink{Port: l.Addr().(*net.TCPAddr).Port, t: t, wake: make(chan struct{}, 1)}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkOnly{s: s}, nil }))
	s.srv.Domain = "sink.localhost"
	s.srv.MaxMessageBytes = 64 << 20
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// URL is the --smtp-url that sends through the sink.
func (s *Sink) URL() string { return "smtp://127.0.0.1:" + strconv.Itoa(s.Port) + "?tls=none" }

// Messages returns what the sink has taken so far.
func (s *Sink) Messages() []Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Envelope(nil), s.got...)
}

// Wait waits until the sink has taken at least n messages.
func (s *Sink) Wait(n int, timeout time.Duration) []Envelope {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		select {
		case <-s.wake:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			s.t.Fatalf("the sink took %d messages in %s, want %d", len(s.Messages()), timeout, n)
			return nil
		}
	}
}

type sinkOnly struct {
	s    *Sink
	from string
	to   []string
}

func (x *sinkOnly) Reset()        { x.from, x.to = "", nil }
func (x *sinkOnly) Logout() error { return nil }
func (x *sinkOnly) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *sinkOnly) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}
func (x *sinkOnly) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	x.s.got = append(x.s.got, Envelope{From: x.from, To: append([]string(nil), x.to...), Data: data})
	x.s.mu.Unlock()
	select {
	case x.s.wake <- struct{}{}:
	default:
	}
	return nil
}
