package limit

import (
	"errors"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

func TestClientIP(t *testing.T) {
	proxies, err := ParseProxies([]string{"10.0.0.0/8", "192.168.1.1", "2001:db8:ffff::/48", " 127.0.0.1 "})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"direct, no header", "203.0.113.9:51234", nil, "203.0.113.9"},
		{"spoof: untrusted peer's header ignored", "203.0.113.9:51234", []string{"1.2.3.4"}, "203.0.113.9"},
		{"spoof: untrusted peer claims a trusted proxy", "203.0.113.9:51234", []string{"203.0.113.1, 10.0.0.1"}, "203.0.113.9"},
		{"one trusted proxy", "10.0.0.2:443", []string{"198.51.100.7"}, "198.51.100.7"},
		{"spoof: client prepends a fake", "10.0.0.2:443", []string{"1.2.3.4, 198.51.100.7"}, "198.51.100.7"},
		{"spoof: client prepends a trusted-looking fake", "10.0.0.2:443", []string{"10.9.9.9, 198.51.100.7"}, "198.51.100.7"},
		{"two trusted proxies", "10.0.0.2:443", []string{"198.51.100.7, 192.168.1.1"}, "198.51.100.7"},
		{"chain over two headers", "10.0.0.2:443", []string{"6.6.6.6, 198.51.100.7", "10.1.1.1"}, "198.51.100.7"},
		{"all trusted: the leftmost", "10.0.0.2:443", []string{"10.3.3.3, 10.0.0.1"}, "10.3.3.3"},
		{"trusted peer, no header", "127.0.0.1:8080", nil, "127.0.0.1"},
		{"empty header", "10.0.0.2:443", []string{""}, "10.0.0.2"},
		{"garbage left of the client", "10.0.0.2:443", []string{"<script>, 198.51.100.7"}, "198.51.100.7"},
		{"garbage from a trusted hop stops the walk", "10.0.0.2:443", []string{"198.51.100.7, garbage, 10.0.0.5"}, "10.0.0.5"},
		{"hop with a port", "10.0.0.2:443", []string{"198.51.100.7:5555"}, "198.51.100.7"},
		{"IPv6 client", "10.0.0.2:443", []string{"2001:db8:1::5"}, "2001:db8:1::5"},
		{"IPv6 client bracketed with port", "10.0.0.2:443", []string{"[2001:db8:1::5]:443"}, "2001:db8:1::5"},
		{"IPv6 trusted proxy", "[2001:db8:ffff::1]:443", []string{"203.0.113.50"}, "203.0.113.50"},
		{"IPv4-mapped peer is IPv4", "[::ffff:10.0.0.2]:443", []string{"203.0.113.50"}, "203.0.113.50"},
		{"IPv4-mapped client", "10.0.0.2:443", []string{"::ffff:203.0.113.50"}, "203.0.113.50"},
		{"zone dropped", "10.0.0.2:443", []string{"fe80::1%eth0"}, "fe80::1"},
		{"spaces", "10.0.0.2:443", []string{"  198.51.100.7 ,10.0.0.3 "}, "198.51.100.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/help", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := proxies.ClientIP(r); got.String() != tc.want {
				t.Fatalf("ClientIP = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestClientIPNoProxies(t *testing.T) {
	var none Proxies
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:1"
	r.Header.Set("X-Forwarded-For", "8.8.8.8")
	if got := none.ClientIP(r); got.String() != "127.0.0.1" {
		t.Fatalf("with no trusted proxies the header was believed: %s", got)
	}
	r.RemoteAddr = "not an address"
	if got := none.ClientIP(r); got.IsValid() {
		t.Fatalf("ClientIP of an unreadable RemoteAddr = %s", got)
	}
}

func TestClientIPDeepChain(t *testing.T) {
	p, _ := ParseProxies([]string{"10.0.0.0/8"})
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.1:1"
	r.Header.Set("X-Forwarded-For", "198.51.100.7,"+strings.Repeat("10.0.0.9,", 5000)+"10.0.0.8")
	if got := p.ClientIP(r); !p.trusted(got) {
		t.Fatalf("a chain deeper than %d hops reached %s", maxHops, got)
	}
}

func TestParseProxiesRefuses(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "example.com", "", "fe80::1%eth0", "10.0.0.1:80"} {
		_, err := ParseProxies([]string{"127.0.0.1", bad})
		var e *triage.Error
		if !errors.As(err, &e) || e.Field != "trusted_proxies[1]" {
			t.Errorf("ParseProxies(%q) = %v; want an error on trusted_proxies[1]", bad, err)
		}
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.9":             "ip:203.0.113.9",
		"2001:db8:1:2:3:4:5:6":    "ip:2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1234": "ip:2001:db8:1:2::/64",
	} {
		if got := Key(netip.MustParseAddr(in)); got != want {
			t.Errorf("Key(%s) = %s, want %s", in, got, want)
		}
	}
	if Key(netip.Addr{}) != "ip:unknown" {
		t.Error("Key of the zero address")
	}
}

// FuzzClientIP: whatever the header says, the answer is the peer or an
// address the header holds, and never one left of an untrusted hop.
func FuzzClientIP(f *testing.F) {
	p, _ := ParseProxies([]string{"10.0.0.0/8", "2001:db8::/32"})
	f.Add("10.0.0.2:443", "1.2.3.4, 198.51.100.7")
	f.Add("203.0.113.9:1", "10.0.0.1")
	f.Add("[2001:db8::1]:1", "[::1]:80,%,,")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		got := p.ClientIP(r)
		peer, ok := parseHop(remote)
		if !ok {
			if got.IsValid() {
				t.Fatalf("unreadable peer %q gave %s", remote, got)
			}
			return
		}
		if !p.trusted(peer) {
			if got != peer {
				t.Fatalf("untrusted peer %s: header believed, got %s", peer, got)
			}
			return
		}
		if got == peer {
			return
		}
		// got must be in the header, with only trusted hops right of it.
		hops := strings.Split(xff, ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, ok := parseHop(hops[j])
			if !ok {
				t.Fatalf("walked past an unreadable hop to %s", got)
			}
			if a == got {
				return
			}
			if !p.trusted(a) {
				t.Fatalf("got %s left of the untrusted hop %s", got, a)
			}
		}
		t.Fatalf("got %s, which is not in %q", got, xff)
	})
}
