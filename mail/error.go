package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"strings"
)

// ErrorKind says what went wrong talking to a mail server, in terms an
// admin can act on. The UI translates the kind; Text gives the Chinese
// wording for logs and the command line.
type ErrorKind string

// The kinds of mail server failure.
const (
	KindUnreachable ErrorKind = "unreachable"    // no connection: DNS, refused, network
	KindTimeout     ErrorKind = "timeout"        // the server did not answer in time
	KindTLS         ErrorKind = "tls"            // TLS handshake or certificate refused
	KindAuth        ErrorKind = "auth_failed"    // user name or password refused
	KindFolder      ErrorKind = "folder_missing" // the IMAP folder does not exist
	KindRejected    ErrorKind = "rejected"       // SMTP 5xx: the server refused the mail
	KindDeferred    ErrorKind = "deferred"       // SMTP 4xx: the server asks to try later
	KindProtocol    ErrorKind = "protocol"       // any other answer we did not expect
	KindConfig      ErrorKind = "config"         // the settings themselves are wrong
)

// Text is the kind in Chinese, for logs and the command line.
func (k ErrorKind) Text() string {
	switch k {
	case KindUnreachable:
		return "无法连接邮件服务器，请检查主机名、端口和网络"
	case KindTimeout:
		return "邮件服务器响应超时"
	case KindTLS:
		return "TLS 加密连接失败，请检查端口与加密方式（SSL/STARTTLS）或服务器证书"
	case KindAuth:
		return "用户名或密码（授权码）错误"
	case KindFolder:
		return "邮箱文件夹不存在"
	case KindRejected:
		return "邮件服务器拒绝了这封邮件"
	case KindDeferred:
		return "邮件服务器暂时无法接收，稍后会重试"
	case KindConfig:
		return "邮件服务器设置有误"
	}
	return "邮件服务器返回了无法识别的应答"
}

// Error is a failure talking to a mail server: its kind, whether trying
// again later can help, and the server's own answer when it gave one.
type Error struct {
	Kind ErrorKind
	// Temporary is true for network failures, timeouts and 4xx answers:
	// a retry may succeed. Permanent failures (5xx, refused credentials,
	// a missing folder) need a person.
	Temporary bool
	// Code and Status are the SMTP reply code (550) and enhanced status
	// (5.1.1), when the server gave them.
	Code   int
	Status string
	// Reply is the server's answer, as it gave it.
	Reply string
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("mail: ")
	b.WriteString(string(e.Kind))
	if e.Reply != "" {
		b.WriteString(": " + e.Reply)
	} else if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorKindOf returns the kind of err, or "" when err is not an *Error.
func ErrorKindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// IsTemporary reports whether err is worth retrying.
func IsTemporary(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Temporary
	}
	return false
}

// netError classifies an error from dialling or from TLS.
func netError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var (
		certErr  *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
		netErr   net.Error
		dnsErr   *net.DNSError
		opErr    *net.OpError
	)
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &hostErr), errors.As(err, &invalid),
		errors.As(err, &recErr), errors.As(err, &alertErr), strings.Contains(err.Error(), "tls:"):
		return &Error{Kind: KindTLS, Err: err}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return &Error{Kind: KindTimeout, Temporary: true, Err: err}
	case errors.As(err, &dnsErr), errors.As(err, &opErr):
		return &Error{Kind: KindUnreachable, Temporary: true, Err: err}
	}
	return nil
}
