package limit

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/triagehq/triage"
)

// Proxies are the reverse proxies (load balancers, nginx, a CDN's egress
// ranges) whose X-Forwarded-For is believed. The zero value trusts none:
// every request's client is the peer that connected.
type Proxies struct {
	nets []netip.Prefix
}

// ParseProxies reads trusted proxies as CIDRs ("10.0.0.0/8",
// "2001:db8::/32") or single addresses ("127.0.0.1"). An entry that is
// neither is an EINVALID error on field "trusted_proxies[i]".
func ParseProxies(cidrs []string) (Proxies, error) {
	var p Proxies
	for i, s := range cidrs {
		s = strings.TrimSpace(s)
		field := fmt.Sprintf("trusted_proxies[%d]", i)
		if pre, err := netip.ParsePrefix(s); err == nil {
			if pre.Addr().Zone() != "" {
				return Proxies{}, triage.Invalid(field, "%s %q must not have a zone", field, s)
			}
			p.nets = append(p.nets, pre.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return Proxies{}, triage.Invalid(field, "%s %q is not an IP address or CIDR range such as 10.0.0.0/8", field, s)
		}
		a = a.Unmap()
		p.nets = append(p.nets, netip.PrefixFrom(a, a.BitLen()))
	}
	return p, nil
}

func (p Proxies) trusted(a netip.Addr) bool {
	for _, n := range p.nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads one address as proxies write them: bare, with a port
// (1.2.3.4:80, [2001:db8::1]:443), in brackets, with a zone (dropped);
// IPv4-mapped IPv6 addresses become IPv4.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return netip.Addr{}, false
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").Unmap(), true
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

// maxHops bounds the walk through X-Forwarded-For.
const maxHops = 32

// ClientIP returns the address of the client that sent r. When the peer
// (r.RemoteAddr) is a trusted proxy, X-Forwarded-For is read from the
// right: each trusted hop is skipped, and the first address that is not a
// trusted proxy is the client. Whatever a client writes into the header
// itself is to the left of that, and never read. If every hop is trusted
// the leftmost is the client; an unreadable hop ends the walk at the last
// readable one. The zero Addr is returned only when RemoteAddr itself is
// unreadable (never with net/http's server).
func (p Proxies) ClientIP(r *http.Request) netip.Addr {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok {
		return netip.Addr{}
	}
	if !p.trusted(peer) {
		return peer
	}
	client, walked := peer, 0
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, ok := parseHop(parts[j])
			// No real chain of trusted proxies is deeper than maxHops.
			if walked++; !ok || walked > maxHops {
				return client
			}
			client = a
			if !p.trusted(a) {
				return a
			}
		}
	}
	return client
}

// Key is the rate-limiting key of a client address: an IPv4 address as
// it is, an IPv6 address by its /64, because one subscriber gets a whole
// /64 and could otherwise use a fresh address for every request.
func Key(a netip.Addr) string {
	if !a.IsValid() {
		return "ip:unknown"
	}
	if a.Is4() {
		return "ip:" + a.String()
	}
	return "ip:" + netip.PrefixFrom(a, 64).Masked().String()
}
