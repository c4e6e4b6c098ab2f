package oidc

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/triagehq/triage"
)

// claimValues returns the values of the claim at path in claims: a
// top-level name first (names such as "https://example.cn/roles" contain
// dots), else a dotted path through nested objects. A string is one
// value, a list of strings (or numbers) is several; anything else none.
func claimValues(claims map[string]any, path string) []string {
	if path == "" {
		return nil
	}
	v, ok := claims[path]
	if !ok {
		var cur any = claims
		for _, part := range strings.Split(path, ".") {
			m, isMap := cur.(map[string]any)
			if !isMap {
				return nil
			}
			if cur, ok = m[part]; !ok {
				return nil
			}
		}
		v = cur
	}
	var out []string
	add := func(x any) {
		switch x := x.(type) {
		case string:
			if x != "" {
				out = append(out, x)
			}
		case json.Number:
			out = append(out, x.String())
		case float64:
			out = append(out, fmt.Sprint(x))
		}
	}
	if list, ok := v.([]any); ok {
		for _, x := range list {
			add(x)
		}
	} else {
		add(v)
	}
	return out
}

// mapRole returns the role values map to: the most powerful mapped role,
// else the default; "" when neither.
func (c *Config) mapRole(values []string) triage.Role {
	best := -1
	roles := triage.Roles() // most powerful first
	for _, v := range values {
		var r triage.Role
		if len(c.RoleMap) > 0 {
			r = c.RoleMap[v]
		} else {
			r = triage.Role(v)
		}
		if i := slices.Index(roles, r); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best >= 0 {
		return roles[best]
	}
	return c.DefaultRole
}

// mapTeam returns the team of the first value that maps.
func (c *Config) mapTeam(values []string) string {
	for _, v := range values {
		if len(c.TeamMap) == 0 {
			return v
		}
		if t, ok := c.TeamMap[v]; ok && t != "" {
			return t
		}
	}
	return ""
}

// displayName picks a name from the standard claims: name, else family and
// given name (written together for Chinese names, 张伟, and given first
// with a space otherwise), else preferred_username, else the e-mail's
// local part.
func displayName(claims map[string]any, email string) string {
	str := func(k string) string { s, _ := claims[k].(string); return strings.TrimSpace(s) }
	if n := str("name"); n != "" {
		return n
	}
	given, family := str("given_name"), str("family_name")
	if given != "" || family != "" {
		if hasHan(given + family) {
			return family + given
		}
		return strings.TrimSpace(given + " " + family)
	}
	if n := str("preferred_username"); n != "" {
		return n
	}
	local, _, _ := strings.Cut(email, "@")
	return local
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
