// Package mailtest runs real mail servers for tests: Dovecot from Debian's
// packages (dovecot-imapd, dovecot-submissiond) in a temporary directory,
// on free ports of 127.0.0.1, as an unprivileged user, with a self-signed
// certificate made by the test. Nothing of the system's configuration is
// read or changed, and the system's own Dovecot and Postfix services, if
// the package install started them, are not used.
//
// IMAP is Dovecot's (STARTTLS on one port, implicit TLS on another).
// SMTP is Dovecot's submission service (STARTTLS and implicit TLS, AUTH
// against the same users); it relays every accepted message to a small
// SMTP sink in the test process, which records the envelope and hands
// mail for local users to dovecot-lda, Dovecot's delivery agent. So a
// message sent over SMTP arrives in the recipient's IMAP mailbox the way
// an MTA would put it there. The sink refuses recipients whose address
// starts with "reject" (550 5.1.1) or "defer" (451 4.3.0), so tests see
// the server's answers.
//
// Without the binaries the tests skip loudly; TRIAGE_MAIL_REQUIRED=1 (set
// by .ci/run) turns the skip into a failure.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Binaries the harness runs, as Debian installs them.
const (
	dovecotBin = "/usr/sbin/dovecot"
	ldaBin     = "/usr/lib/dovecot/dovecot-lda"
	doveadmBin = "/usr/bin/doveadm"
)

// Packages lists the Debian packages the harness needs, for the skip
// message and .ci/run.
const Packages = "dovecot-imapd dovecot-submissiond"

// Envelope is one message the submission service relayed.
type Envelope struct {
	From string
	To   []string
	Data []byte
}

// Server is a running Dovecot with IMAP and submission.
type Server struct {
	Dir  string // the temporary directory holding config, mail and logs
	Host string // 127.0.0.1

	IMAPPort        int // IMAP, STARTTLS available
	IMAPSPort       int // IMAP over implicit TLS
	SubmissionPort  int // SMTP submission, STARTTLS available
	SubmissionsPort int // SMTP submission over implicit TLS

	// CertPEM is the server's self-signed certificate; RootCAs trusts it.
	CertPEM []byte
	RootCAs *x509.CertPool

	t       testing.TB
	conf    string
	cred    *syscall.Credential // nil when the test is not root
	uid     int
	gid     int
	master  *exec.Cmd
	exited  <-chan error // closed when the master process has exited
	sink    *smtp.Server
	mu      sync.Mutex
	users   map[string]string
	relayed []Envelope
	relayC  chan struct{}
}

// Available reports whether the Dovecot binaries are installed, and what
// is missing when they are not.
func Available() (bool, string) {
	var missing []string
	for _, b := range []string{dovecotBin, ldaBin, "/usr/lib/dovecot/imap", "/usr/lib/dovecot/submission", doveadmBin} {
		if _, err := os.Stat(b); err != nil {
			missing = append(missing, b)
		}
	}
	if len(missing) > 0 {
		return false, strings.Join(missing, ", ")
	}
	return true, ""
}

// Start starts Dovecot for the test and stops it when the test ends. It
// skips the test when Dovecot is not installed, or fails it when
// TRIAGE_MAIL_REQUIRED=1.
func Start(t testing.TB) *Server {
	t.Helper()
	if ok, missing := Available(); !ok {
		msg := fmt.Sprintf("MAIL SERVER TESTS SKIPPED: %s missing (apt-get install %s)", missing, Packages)
		if os.Getenv("TRIAGE_MAIL_REQUIRED") == "1" {
			t.Fatal(msg + "; TRIAGE_MAIL_REQUIRED=1 makes this a failure")
		}
		t.Skip(msg)
	}
	var lastErr error
	for range 3 { // a free port can be taken between our probe and Dovecot's bind
		s, err := start(t)
		if err == nil {
			return s
		}
		lastErr = err
	}
	t.Fatalf("mailtest: cannot start Dovecot: %v", lastErr)
	return nil
}

func start(t testing.TB) (*Server, error) {
	s := &Server{t: t, Host: "127.0.0.1", users: map[string]string{}, relayC: make(chan struct{}, 1000)}
	s.uid, s.gid = os.Getuid(), os.Getgid()
	if os.Geteuid() == 0 {
		// Dovecot run by root would want its system users and root-owned
		// directories; run it as an ordinary user instead.
		u, err := unprivilegedUser()
		if err != nil {
			return nil, err
		}
		s.uid, s.gid = u[0], u[1]
		s.cred = &syscall.Credential{Uid: uint32(s.uid), Gid: uint32(s.gid)}
	}
	dir, err := os.MkdirTemp("", "triage-mailtest-")
	if err != nil {
		return nil, err
	}
	s.Dir = dir
	ok := false
	defer func() {
		if !ok {
			s.stop()
		}
	}()
	for _, d := range []string{"run", "state", "mail", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	if err := s.writeCert(); err != nil {
		return nil, err
	}
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	s.IMAPPort, s.IMAPSPort, s.SubmissionPort, s.SubmissionsPort = ports[0], ports[1], ports[2], ports[3]
	if err := s.startSink(ports[4]); err != nil {
		return nil, err
	}
	s.conf = filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(s.conf, []byte(s.config(ports[4])), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "passwd"), nil, 0o644); err != nil {
		return nil, err
	}
	if err := s.chown(); err != nil {
		return nil, err
	}
	s.master = s.command(dovecotBin, "-F", "-c", s.conf)
	logf, err := os.Create(filepath.Join(dir, "log", "master.out"))
	if err != nil {
		return nil, err
	}
	s.master.Stdout, s.master.Stderr = logf, logf
	if err := s.master.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	logf.Close()
	exited := make(chan error, 1)
	master := s.master
	go func() { exited <- master.Wait(); close(exited) }()
	s.exited = exited
	deadline := time.Now().Add(15 * time.Second)
	for _, port := range ports[:4] {
		for {
			c, err := net.DialTimeout("tcp", net.JoinHostPort(s.Host, strconv.Itoa(port)), time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case err := <-exited:
				return nil, fmt.Errorf("dovecot exited (%v): %s", err, s.Logs())
			default:
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("dovecot did not listen on %d: %s", port, s.Logs())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	ok = true
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dovecot log (%s):\n%s", s.Dir, s.Logs())
		}
		s.stop()
	})
	return s, nil
}

// unprivilegedUser returns the uid and gid of Debian's dovecot user, or of
// nobody.
func unprivilegedUser() ([2]int, error) {
	for _, name := range []string{"dovecot", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if uid > 0 {
			return [2]int{uid, gid}, nil
		}
	}
	return [2]int{}, errors.New("no unprivileged user (dovecot or nobody) to run Dovecot as")
}

func (s *Server) config(relayPort int) string {
	d := s.Dir
	return fmt.Sprintf(`# Written by mailtest; nothing here comes from /etc/dovecot.
protocols = imap submission
listen = %[2]s
base_dir = %[1]s/run
state_dir = %[1]s/state
instance_name = triage-mailtest-%[3]d
log_path = %[1]s/log/dovecot.log
info_log_path = %[1]s/log/dovecot.log
default_internal_user = %[4]s
default_internal_group = %[5]s
default_login_user = %[4]s
first_valid_uid = 1
first_valid_gid = 1
ssl = yes
ssl_cert = <%[1]s/cert.pem
ssl_key = <%[1]s/key.pem
auth_mechanisms = plain login
disable_plaintext_auth = no
# Tests try wrong passwords on purpose. (Dovecot's anvil still delays
# later logins from the same address: tests put those cases last.)
auth_failure_delay = 0
mail_location = maildir:%[1]s/mail/%%u
hostname = localhost
postmaster_address = postmaster@localhost
protocol imap {
  mail_max_userip_connections = 100
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%%u %[1]s/passwd
}
service imap-login {
  chroot =
  inet_listener imap {
    port = %[6]d
  }
  inet_listener imaps {
    port = %[7]d
    ssl = yes
  }
}
service submission-login {
  chroot =
  inet_listener submission {
    port = %[8]d
  }
  inet_listener submissions {
    port = %[9]d
    ssl = yes
  }
}
service anvil {
  chroot =
}
submission_relay_host = %[2]s
submission_relay_port = %[10]d
submission_relay_trusted = yes
submission_max_mail_size = 50M
`, d, s.Host, os.Getpid(), userName(s.uid), groupName(s.gid),
		s.IMAPPort, s.IMAPSPort, s.SubmissionPort, s.SubmissionsPort, relayPort)
}

func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return strconv.Itoa(uid)
}

func groupName(gid int) string {
	if g, err := user.LookupGroupId(strconv.Itoa(gid)); err == nil {
		return g.Name
	}
	return strconv.Itoa(gid)
}

// writeCert makes a self-signed certificate for localhost and 127.0.0.1.
func (s *Server) writeCert() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"triage mailtest"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	s.CertPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	s.RootCAs = x509.NewCertPool()
	s.RootCAs.AppendCertsFromPEM(s.CertPEM)
	if err := os.WriteFile(filepath.Join(s.Dir, "cert.pem"), s.CertPEM, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(s.Dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
}

// TLSConfig trusts the server's certificate, as a client that was given
// it would.
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.RootCAs, ServerName: "localhost", MinVersion: tls.VersionTLS12}
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// chown gives the directory to the user Dovecot runs as.
func (s *Server) chown() error {
	if s.cred == nil {
		return nil
	}
	return filepath.Walk(s.Dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, s.uid, s.gid)
	})
}

// command runs a Dovecot binary as the unprivileged user, in its own
// process group so that stop reaches every child.
func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = s.Dir
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + s.Dir}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: s.cred}
	return cmd
}

// AddUser creates a mail user with a password. Dovecot re-reads its
// passwd-file when it changes, so users can be added while it runs.
func (s *Server) AddUser(email, password string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[strings.ToLower(email)] = password
	var b strings.Builder
	for u, p := range s.users {
		home := filepath.Join(s.Dir, "mail", u)
		fmt.Fprintf(&b, "%s:{PLAIN}%s:%d:%d::%s\n", u, p, s.uid, s.gid, home)
	}
	path := filepath.Join(s.Dir, "passwd")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		s.t.Fatal(err)
	}
	if s.cred != nil {
		if err := os.Chown(tmp, s.uid, s.gid); err != nil {
			s.t.Fatal(err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		s.t.Fatal(err)
	}
	// Dovecot notices a changed passwd-file by its mtime, in whole seconds.
	future := time.Now().Add(time.Duration(len(s.users)) * time.Second)
	_ = os.Chtimes(path, future, future)
}

// Deliver puts a raw message into a user's mailbox (INBOX when mailbox is
// "") with dovecot-lda, as an MTA would.
func (s *Server) Deliver(user, mailbox string, raw []byte) {
	s.t.Helper()
	if err := s.deliver(user, mailbox, "sender@example.net", raw); err != nil {
		s.t.Fatal(err)
	}
}

func (s *Server) deliver(user, mailbox, from string, raw []byte) error {
	args := []string{"-c", s.conf, "-d", user, "-f", from}
	if mailbox != "" {
		args = append(args, "-m", mailbox)
	}
	cmd := s.command(ldaBin, args...)
	cmd.Stdin = bytes.NewReader(raw)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("dovecot-lda -d %s: %v: %s\n%s", user, err, out, s.Logs())
	}
	return nil
}

// DeliverMany writes raw messages straight into a user's INBOX maildir
// (new/), as a local delivery agent does, without starting a process per
// message: for filling a mailbox with thousands of mails quickly. Dovecot
// assigns their UIDs, in name order, when it next looks.
func (s *Server) DeliverMany(user string, raws [][]byte) {
	s.t.Helper()
	dir := filepath.Join(s.Dir, "mail", strings.ToLower(user))
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			s.t.Fatal(err)
		}
	}
	stamp := time.Now().UnixNano()
	for i, raw := range raws {
		name := fmt.Sprintf("%d.M%06dP%d.mailtest", stamp/1e9, i, os.Getpid())
		tmp := filepath.Join(dir, "tmp", name)
		if err := os.WriteFile(tmp, raw, 0o600); err != nil {
			s.t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "new", name)); err != nil {
			s.t.Fatal(err)
		}
	}
	if err := s.chown(); err != nil {
		s.t.Fatal(err)
	}
}

// Doveadm runs a doveadm command against this Dovecot and returns its
// output, failing the test when it fails.
func (s *Server) Doveadm(args ...string) string {
	s.t.Helper()
	cmd := s.command(doveadmBin, append([]string{"-c", s.conf}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("doveadm %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// CreateMailbox creates a folder for a user.
func (s *Server) CreateMailbox(user, name string) {
	s.t.Helper()
	s.Doveadm("mailbox", "create", "-u", user, name)
}

// RecreateMailbox deletes a folder with its mail and creates it again, so
// that it gets a new UIDVALIDITY, as when an administrator rebuilds one.
func (s *Server) RecreateMailbox(user, name string) {
	s.t.Helper()
	s.Doveadm("mailbox", "delete", "-u", user, "-s", name)
	s.Doveadm("mailbox", "create", "-u", user, name)
	s.Doveadm("mailbox", "update", "-u", user, "--uid-validity", strconv.FormatInt(time.Now().UnixNano()&0x7fffffff, 10), name)
}

// Relayed returns what the submission service has relayed so far.
func (s *Server) Relayed() []Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Envelope(nil), s.relayed...)
}

// WaitRelayed waits until at least n messages were relayed.
func (s *Server) WaitRelayed(n int, timeout time.Duration) []Envelope {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		if r := s.Relayed(); len(r) >= n {
			return r
		}
		select {
		case <-s.relayC:
		case <-deadline:
			s.t.Fatalf("%d messages relayed after %s, want %d\n%s", len(s.Relayed()), timeout, n, s.Logs())
			return nil
		}
	}
}

// Logs returns Dovecot's log so far.
func (s *Server) Logs() string {
	var b strings.Builder
	for _, f := range []string{"master.out", "dovecot.log"} {
		if data, err := os.ReadFile(filepath.Join(s.Dir, "log", f)); err == nil {
			b.Write(data)
		}
	}
	return b.String()
}

// Stop stops Dovecot and the sink; it is idempotent and also runs when
// the test ends.
func (s *Server) Stop() { s.stop() }

func (s *Server) stop() {
	if s.master != nil && s.master.Process != nil {
		// Dovecot's children are in the master's process group: stop the
		// master, give it time to stop them, then kill what is left.
		pgid := s.master.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
		}
		for i := 0; i < 40 && syscall.Kill(-pgid, 0) == nil; i++ {
			time.Sleep(50 * time.Millisecond)
		}
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		s.master = nil
	}
	if s.sink != nil {
		s.sink.Close()
		s.sink = nil
	}
	if s.Dir != "" && os.Getenv("TRIAGE_MAIL_KEEP") == "" {
		os.RemoveAll(s.Dir)
	}
}

// startSink runs the SMTP server the submission service relays to.
func (s *Server) startSink(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(s.Host, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &sinkSession{s: s}, nil
	}))
	srv.Domain = "sink.localhost"
	srv.MaxMessageBytes = 64 << 20
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	s.sink = srv
	go func() { _ = srv.Serve(l) }()
	return nil
}

type sinkSession struct {
	s    *Server
	from string
	to   []string
}

func (x *sinkSession) Reset()        { x.from, x.to = "", nil }
func (x *sinkSession) Logout() error { return nil }
func (x *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

// Rcpt accepts every recipient except the ones tests use to see a
// refusal: reject…@ gets a permanent 550, defer…@ a temporary 451.
func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch local := strings.ToLower(to); {
	case strings.HasPrefix(local, "reject"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable: " + to}
	case strings.HasPrefix(local, "defer"):
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	x.to = append(x.to, to)
	return nil
}

// Data records the envelope and delivers to the local users among the
// recipients.
func (x *sinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := x.s
	for _, rcpt := range x.to {
		s.mu.Lock()
		_, local := s.users[strings.ToLower(rcpt)]
		s.mu.Unlock()
		if !local {
			continue
		}
		if err := s.deliver(strings.ToLower(rcpt), "", x.from, data); err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: err.Error()}
		}
	}
	s.mu.Lock()
	s.relayed = append(s.relayed, Envelope{From: x.from, To: append([]string(nil), x.to...), Data: data})
	s.mu.Unlock()
	select {
	case s.relayC <- struct{}{}:
	default:
	}
	return nil
}
