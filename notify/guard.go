package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/triagehq/triage"
)

// Guard keeps deliveries away from the service's own network: loopback,
// private, link-local, carrier-grade NAT and cloud metadata addresses are
// refused unless the configuration allows them. It checks a URL when a
// subscription is saved and, because DNS can change between then and a
// delivery (or be made to answer differently on purpose), every address
// the delivery's connection dials.
type Guard struct {
	nets  []netip.Prefix
	hosts []string
	// Resolver looks names up when a subscription is checked; nil is
	// net.DefaultResolver.
	Resolver interface {
		LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	}
}

// NewGuard returns a guard that allows the given exceptions: CIDR
// prefixes (10.1.0.0/16), single addresses (127.0.0.1) or host names
// (hooks.corp.example). Allowing a name trusts whatever its DNS answers;
// prefer addresses.
func NewGuard(allow []string) (*Guard, error) {
	g := &Guard{}
	for _, a := range allow {
		a = strings.TrimSpace(a)
		switch {
		case a == "":
		case strings.Contains(a, "/"):
			p, err := netip.ParsePrefix(a)
			if err != nil {
				return nil, triage.Invalid("webhook-allow", "webhook allow-list entry %q is not a CIDR prefix: %v", a, err)
			}
			g.nets = append(g.nets, p.Masked())
		default:
			if ip, err := netip.ParseAddr(a); err == nil {
				g.nets = append(g.nets, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
			} else if validHost(a) {
				g.hosts = append(g.hosts, strings.ToLower(strings.TrimSuffix(a, ".")))
			} else {
				return nil, triage.Invalid("webhook-allow", "webhook allow-list entry %q is not an address, a CIDR prefix or a host name", a)
			}
		}
	}
	return g, nil
}

// special are ranges that are not the public internet and are not caught
// by netip's predicates: "this network", carrier-grade NAT (where some
// clouds keep their metadata service, e.g. 100.100.100.200), IETF
// protocol assignments, benchmarking, reserved and broadcast, and IPv6
// discard, deprecated site-local, the deprecated IPv4-compatible form
// (::127.0.0.1, which some stacks still route to the IPv4 address inside)
// and SIIT's IPv4-translated form (::ffff:0:127.0.0.1). No public host
// is reached through either.
func special() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),
		netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("192.0.0.0/24"),
		netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("240.0.0.0/4"),
		netip.MustParsePrefix("100::/64"),
		netip.MustParsePrefix("fec0::/10"),
		netip.MustParsePrefix("::/96"),
		netip.MustParsePrefix("::ffff:0:0:0/96"),
	}
}

// Internal reports whether ip is not a public unicast address: the
// addresses a webhook must not reach unless allowed.
func Internal(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	if !ip.IsValid() || ip.IsUnspecified() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsMulticast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range special() {
		if p.Contains(ip) {
			return true
		}
	}
	// Addresses that carry an IPv4 address inside them reach it: NAT64
	// (64:ff9b::/96) and 6to4 (2002::/16).
	if ip.Is6() {
		b := ip.As16()
		switch {
		case netip.MustParsePrefix("64:ff9b::/96").Contains(ip), netip.MustParsePrefix("64:ff9b:1::/48").Contains(ip):
			return Internal(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case netip.MustParsePrefix("2002::/16").Contains(ip):
			return Internal(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	return false
}

// allowedIP reports whether a delivery may connect to ip.
func (g *Guard) allowedIP(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	if !Internal(ip) {
		return true
	}
	for _, p := range g.nets {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (g *Guard) allowedHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range g.hosts {
		if h == host {
			return true
		}
	}
	return false
}

// ForbiddenError is a destination the guard refused.
type ForbiddenError struct {
	Host string
	IP   netip.Addr
}

func (e *ForbiddenError) Error() string {
	switch {
	case e.IP.IsValid() && e.literal():
		// An address written as such is named once.
		return fmt.Sprintf("%s is a loopback, private, link-local or metadata address; allow it in --webhook-allow to deliver there", e.Host)
	case e.IP.IsValid():
		return fmt.Sprintf("%s resolves to %s, a loopback, private, link-local or metadata address; allow it in --webhook-allow to deliver there", e.Host, e.IP)
	}
	return fmt.Sprintf("%s names this machine or a metadata service; allow it in --webhook-allow to deliver there", e.Host)
}

// literal reports whether Host is the address itself (with a port, for a
// dial), not a name that resolved to it.
func (e *ForbiddenError) literal() bool {
	if a, err := netip.ParseAddr(e.Host); err == nil {
		return a.Unmap() == e.IP
	}
	if ap, err := netip.ParseAddrPort(e.Host); err == nil {
		return ap.Addr().Unmap() == e.IP
	}
	return false
}

// MaxURLLength bounds a webhook URL.
const MaxURLLength = 2048

// CheckURL validates a subscription's URL: http or https, a host, no
// credentials, and no internal destination, whether written as an
// address or as a name that resolves to one. A name that does not
// resolve now is accepted: the delivery checks again when it dials.
func (g *Guard) CheckURL(ctx context.Context, raw string) (string, error) {
	bad := func(format string, args ...any) (string, error) { return "", triage.Invalid("url", format, args...) }
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return bad("url is required")
	}
	if len(raw) > MaxURLLength {
		return bad("url is longer than %d bytes", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("url is not a URL: %v", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("url must start with https:// (or http://)")
	case u.Host == "" || u.Hostname() == "":
		return bad("url has no host")
	case u.User != nil:
		return bad("url must not hold credentials; the receiver checks the signature instead")
	case u.Fragment != "":
		return bad("url must not have a #fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := netip.ParseAddrPort("0.0.0.0:" + p); err != nil || n.Port() == 0 {
			return bad("url's port %q is not a port number", p)
		}
	}
	host := u.Hostname()
	if err := g.checkHost(ctx, host); err != nil {
		return bad("url: %v", err)
	}
	return u.String(), nil
}

func (g *Guard) checkHost(ctx context.Context, host string) error {
	if g.allowedHost(host) {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if !g.allowedIP(ip) {
			return &ForbiddenError{Host: host, IP: ip.Unmap()}
		}
		return nil
	}
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	switch {
	case !validHost(name):
		return fmt.Errorf("%q is not a host name", host)
	case numeric(name):
		// 2130706433, 0x7f.1, 127.1: forms some resolvers read as an
		// address.
		return fmt.Errorf("%q looks like an IP address in a non-standard form; write it as a dotted quad", host)
	case name == "localhost" || strings.HasSuffix(name, ".localhost") || name == "metadata.google.internal" || name == "metadata":
		return &ForbiddenError{Host: host}
	}
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", name)
	if err != nil {
		return nil
	}
	for _, ip := range addrs {
		if !g.allowedIP(ip) {
			return &ForbiddenError{Host: host, IP: ip.Unmap()}
		}
	}
	return nil
}

// validHost reports whether s is a syntactically valid DNS name.
func validHost(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// numeric reports whether every label of a name is a number (decimal,
// octal or 0x hex), which inet_aton would read as an address.
func numeric(name string) bool {
	for _, label := range strings.Split(name, ".") {
		digits, hex := label, false
		if len(label) > 2 && (label[:2] == "0x" || label[:2] == "0X") {
			digits, hex = label[2:], true
		}
		if digits == "" {
			return false
		}
		for _, c := range digits {
			isHex := c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
			if !(c >= '0' && c <= '9' || hex && isHex) {
				return false
			}
		}
	}
	return true
}

// Client returns an HTTP client for deliveries. Its dialer checks every
// address it connects to (after DNS, so a name cannot be re-pointed at an
// internal address after the subscription was checked); it uses no
// proxy, which would hide the real destination from that check; and it
// does not follow redirects, so a receiver cannot bounce a delivery to a
// place the guard would refuse.
func (g *Guard) Client(timeout time.Duration) *http.Client {
	checked := &net.Dialer{Timeout: timeout, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("dialing %s: %w", address, err)
		}
		if !g.allowedIP(ap.Addr()) {
			return &ForbiddenError{Host: address, IP: ap.Addr().Unmap()}
		}
		return nil
	}}
	plain := &net.Dialer{Timeout: timeout}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, _, err := net.SplitHostPort(addr); err == nil && g.allowedHost(host) {
				return plain.DialContext(ctx, network, addr)
			}
			return checked.DialContext(ctx, network, addr)
		},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// forbidden returns the guard's refusal inside err, if that is what err is.
func forbidden(err error) *ForbiddenError {
	var fe *ForbiddenError
	if errors.As(err, &fe) {
		return fe
	}
	return nil
}
