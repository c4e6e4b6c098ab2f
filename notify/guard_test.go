package notify

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

func TestInternal(t *testing.T) {
	cases := []struct {
		ip       string
		internal bool
	}{
		{"127.0.0.1", true}, {"127.255.0.9", true}, {"::1", true},
		{"10.1.2.3", true}, {"172.16.0.1", true}, {"172.31.255.255", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"169.254.0.1", true}, {"fe80::1", true}, {"fe80::1%eth0", true},
		{"fc00::1", true}, {"fd00:ec2::254", true}, // AWS metadata over IPv6
		{"100.64.0.1", true}, {"100.100.100.200", true}, // Alibaba Cloud metadata sits in CGNAT space
		{"0.0.0.0", true}, {"0.1.2.3", true}, {"::", true}, {"255.255.255.255", true}, {"224.0.0.1", true}, {"ff02::1", true},
		{"198.18.0.1", true}, {"192.0.0.8", true},
		{"::ffff:127.0.0.1", true}, {"::ffff:10.0.0.1", true}, // IPv4-mapped
		{"64:ff9b::a9fe:a9fe", true}, // NAT64 of 169.254.169.254
		{"2002:7f00:1::", true},      // 6to4 of 127.0.0.1
		{"8.8.8.8", false}, {"1.1.1.1", false}, {"172.32.0.1", false}, {"100.128.0.1", false}, {"203.0.113.7", false},
		{"2606:4700:4700::1111", false}, {"64:ff9b::808:808", false}, {"::ffff:8.8.8.8", false},
	}
	for _, c := range cases {
		t.Run(c.ip, func(t *testing.T) {
			if got := Internal(netip.MustParseAddr(c.ip)); got != c.internal {
				t.Errorf("Internal(%s) = %v, want %v", c.ip, got, c.internal)
			}
		})
	}
}

// fakeResolver answers from a map and fails for any other name.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	addrs, ok := f[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

func TestCheckURL(t *testing.T) {
	dns := fakeResolver{
		"hooks.example.com":   {"93.184.216.34"},
		"rebind.example.com":  {"93.184.216.34", "10.0.0.7"},
		"metadata.example.cn": {"169.254.169.254"},
		"corp.example.com":    {"10.20.0.5"},
	}
	cases := []struct {
		name, url string
		allow     []string
		ok        bool
		msg       string
	}{
		{"public https", "https://hooks.example.com/triage", nil, true, ""},
		{"public address", "http://203.0.113.9:8080/in", nil, true, ""},
		{"unresolvable name is checked at delivery", "https://not-yet.example.org/x", nil, true, ""},
		{"loopback address", "http://127.0.0.1:9000/hook", nil, false, "127.0.0.1"},
		{"loopback allowed", "http://127.0.0.1:9000/hook", []string{"127.0.0.0/8"}, true, ""},
		{"localhost", "http://localhost/hook", nil, false, "this machine"},
		{"localhost allowed by name", "http://localhost/hook", []string{"localhost"}, true, ""},
		{"IPv6 loopback", "http://[::1]/", nil, false, "::1"},
		{"metadata", "http://169.254.169.254/latest/meta-data/", nil, false, "169.254.169.254"},
		{"metadata by name", "http://metadata.google.internal/", nil, false, "metadata"},
		{"name resolving to metadata", "https://metadata.example.cn/", nil, false, "169.254.169.254"},
		{"one of several addresses private", "https://rebind.example.com/", nil, false, "10.0.0.7"},
		{"private name allowed by prefix", "https://corp.example.com/", []string{"10.20.0.0/16"}, true, ""},
		{"private", "http://192.168.0.10/", nil, false, "192.168.0.10"},
		{"CGNAT", "http://100.64.1.1/", nil, false, "100.64.1.1"},
		{"unspecified", "http://0.0.0.0:8080/", nil, false, "0.0.0.0"},
		{"mapped loopback", "http://[::ffff:127.0.0.1]/", nil, false, "127.0.0.1"},
		{"IPv4-compatible loopback", "http://[::127.0.0.1]/", nil, false, "::127.0.0.1"},
		{"IPv4-compatible private", "http://[::10.0.0.1]:8080/", nil, false, "::10.0.0.1"},
		{"IPv4-translated loopback", "http://[::ffff:0:127.0.0.1]/", nil, false, "::ffff:0:127.0.0.1"},
		{"IPv4-compatible public", "http://[::203.0.113.9]/", nil, false, "::203.0.113.9"},
		{"decimal address", "http://2130706433/", nil, false, "non-standard"},
		{"short address", "http://127.1/", nil, false, "non-standard"},
		{"hex address", "http://0x7f.0x0.0x0.0x1/", nil, false, "non-standard"},
		{"ftp", "ftp://hooks.example.com/", nil, false, "https://"},
		{"no scheme", "hooks.example.com/x", nil, false, "https://"},
		{"credentials", "https://user:pw@hooks.example.com/", nil, false, "credentials"},
		{"fragment", "https://hooks.example.com/#x", nil, false, "fragment"},
		{"empty", "  ", nil, false, "required"},
		{"too long", "https://hooks.example.com/" + strings.Repeat("a", MaxURLLength), nil, false, "longer"},
		{"bad port", "https://hooks.example.com:99999/", nil, false, "port"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := NewGuard(c.allow)
			if err != nil {
				t.Fatal(err)
			}
			g.Resolver = dns
			_, err = g.CheckURL(t.Context(), c.url)
			switch {
			case c.ok && err != nil:
				t.Fatalf("refused: %v", err)
			case !c.ok && err == nil:
				t.Fatalf("accepted")
			case !c.ok:
				var te *triage.Error
				if !errors.As(err, &te) || te.Code != triage.EINVALID || te.Field != "url" || !strings.Contains(te.Message, c.msg) {
					t.Fatalf("error %v, want an invalid url mentioning %q", err, c.msg)
				}
				// An address is named once; a name is named with the
				// address it resolves to.
				if _, err := netip.ParseAddr(c.msg); err == nil && strings.Count(te.Message, c.msg) != 1 {
					t.Errorf("%q does not name %s exactly once", te.Message, c.msg)
				}
			}
		})
	}
}

func TestNewGuardRejectsBadEntries(t *testing.T) {
	for _, entry := range []string{"10.0.0.0/33", "not a host!", "1.2.3.4/x"} {
		if _, err := NewGuard([]string{entry}); !triage.IsCode(err, triage.EINVALID) {
			t.Errorf("%q: err = %v, want invalid", entry, err)
		}
	}
}

// TestClientChecksWhatItDials shows the dial-time check: a name that
// passed (or skipped) the subscription check but resolves to loopback is
// refused when the connection is made, and an allowed prefix lets it
// through.
func TestClientChecksWhatItDials(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, c := range []struct {
		name, url string
		allow     []string
		refused   bool
	}{
		{"address refused", srv.URL, nil, true},
		{"name resolving to loopback refused", "http://localhost" + port, nil, true},
		{"allowed prefix", srv.URL, []string{"127.0.0.0/8"}, false},
		{"allowed name", "http://localhost" + port, []string{"localhost", "::1"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, _ := NewGuard(c.allow)
			before := hits
			resp, err := g.Client(2 * time.Second).Get(c.url)
			if err == nil {
				resp.Body.Close()
			}
			if c.refused {
				if forbidden(err) == nil {
					t.Fatalf("err = %v, want a refusal", err)
				}
				if hits != before {
					t.Fatalf("the server was reached")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestClientDoesNotFollowRedirects: a receiver answering with a redirect
// to an internal address (here another loopback server, allowed by the
// test's configuration, standing in for a metadata service) does not get
// the request forwarded.
func TestClientDoesNotFollowRedirects(t *testing.T) {
	reached := false
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }))
	defer inner.Close()
	outer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL+"/latest/meta-data/", http.StatusTemporaryRedirect)
	}))
	defer outer.Close()
	g, _ := NewGuard([]string{"127.0.0.1"})
	resp, err := g.Client(2*time.Second).Post(outer.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || reached {
		t.Fatalf("status %d, redirect followed: %v", resp.StatusCode, reached)
	}
}
