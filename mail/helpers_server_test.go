package mail_test

import (
	"errors"
	"net"
	"strconv"
	"testing"

	"github.com/triagehq/triage/mail"
)

func asMailError(err error, target **mail.Error) bool { return errors.As(err, target) }

func itoa(n int) string { return strconv.Itoa(n) }

// freePort returns a port on which nothing listens.
func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}
