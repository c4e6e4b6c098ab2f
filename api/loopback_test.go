package api_test

import (
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

// TestWebhookLoopbackFormsRefused: every way of writing this machine's
// (or the private network's) address is refused at registration with a
// 400 naming url, and nothing is stored: IPv4-compatible, mapped and
// translated IPv6, the short, decimal, octal and hexadecimal IPv4 forms
// that resolvers and some HTTP clients still read, full-width digits that
// IDNA maps to ASCII, a trailing dot, and the names of this machine.
func TestWebhookLoopbackFormsRefused(t *testing.T) {
	e := newEnv(t)
	for _, u := range []string{
		"http://[::127.0.0.1]/",
		"http://[::127.0.0.1]:8080/hook",
		"http://[::ffff:127.0.0.1]/",
		"http://[0:0:0:0:0:ffff:7f00:1]/",
		"http://[::ffff:7f00:1]/",
		"http://[::ffff:0:7f00:1]/",
		"http://[::1]/",
		"http://[0::1]/",
		"http://[::]/",
		"http://[fe80::1%25eth0]/",
		"http://[64:ff9b::7f00:1]/",
		"http://[2002:7f00:1::]/",
		"http://0x7f.1/",
		"http://0x7f000001/",
		"http://0x7F.0.0.1/",
		"http://0177.0.0.1/",
		"http://017700000001/",
		"http://2130706433/",
		"http://127.1/",
		"http://127.0.1/",
		"http://0/",
		"http://127.0.0.1./",
		"http://１２７.０.０.１/",
		"http://127。0。0。1/",
		"http://localhost/",
		"http://LOCALHOST./",
		"http://foo.localhost/",
		"http://169.254.169.254/latest/meta-data/",
		"http://100.100.100.200/",
		"http://10.0.0.1/",
	} {
		t.Run(u, func(t *testing.T) {
			r := e.do("POST", "/v1/webhooks", triage.RoleAdmin, `{"url":"`+u+`","events":["ticket.created"]}`)
			if r.Code != 400 {
				t.Fatalf("%s registered: %d %s", u, r.Code, r.Body)
			}
			if d := r.errorBody(t); d.Field != "url" {
				t.Errorf("%s: field %q, message %q", u, d.Field, d.Message)
			}
		})
	}
	var list struct{ Items []struct{ URL string } }
	e.do("GET", "/v1/webhooks", triage.RoleAdmin, "").json(t, &list)
	for _, h := range list.Items {
		if !strings.HasPrefix(h.URL, "https://") {
			t.Errorf("stored: %s", h.URL)
		}
	}
}
