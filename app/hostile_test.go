package app_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// hostile are values an admin or editor could type or script: separators
// the segmenter cuts at, markup, SQL, paths, templates, invisible and
// bidirectional characters, regexes that do not compile or backtrack,
// time zones and clocks that do not exist, a byte that is not UTF-8, and
// strings far longer than any field wants. (NUL and duplicate JSON keys
// are the request decoder's business, tested with it.)
func hostile() []string {
	return []string{
		"x;y", "", " ", "\t\n", "退款。到账", "!!!", "%", "%00", "%2F", "a/b", "../../etc/passwd", "?x#y",
		"<script>alert(1)</script>", "'; DROP TABLE tickets;--", `"\`, "{{.}}", "${jndi:ldap://x}",
		"\u202e\u2066abc", "\ufeff\u200b", "🔥🔥", "\U0010ffff", "\xff\xfe",
		"(", "(a+)+$", "[[:alpha:]", `\`, "(?i)(?P<x>", "a{100000}",
		"Mars/Olympus", "Local", "25:99", "24:00", "9999-99-99", "-1h", "0s", "1000000h",
		strings.Repeat("长", 5000), strings.Repeat("a", 70000),
	}
}

// resource is one admin- or editor-writable resource: its list path, the
// bodies that create it from a hostile value h, and a body that corrects
// a stored one.
type resource struct {
	path  string
	make  []func(h string) any
	fix   string
	idKey string
	// archive, when set, is the PATCH that retires a value that has no
	// DELETE (an article keeps its versions).
	archive string
}

func resources() []resource {
	hours := []map[string]any{{"days": []string{"mon", "tue"}, "start": "09:00", "end": "18:00"}}
	return []resource{
		{path: "/v1/dictionary", idKey: "word", make: []func(string) any{
			func(h string) any { return map[string]any{"words": []any{map[string]any{"word": h}}} },
			func(h string) any {
				return map[string]any{"words": []any{map[string]any{"word": "星河手环", "tag": h}}}
			},
		}},
		{path: "/v1/rules", fix: `{"name":"fixed","regex":"退款"}`, make: []func(string) any{
			func(h string) any { return map[string]any{"name": h, "any": []string{h}} },
			func(h string) any { return map[string]any{"name": "regex", "regex": h} },
			func(h string) any {
				return map[string]any{"name": "effects", "any": []string{"退款"}, "none": []string{h}, "set_category": h, "add_tags": []string{h}, "tiers": []string{h}, "mode": h}
			},
		}},
		{path: "/v1/calendars", fix: `{"name":"fixed","time_zone":"Asia/Shanghai"}`, make: []func(string) any{
			func(h string) any { return map[string]any{"name": h, "time_zone": h, "hours": hours} },
			func(h string) any {
				return map[string]any{"name": "hours", "time_zone": "Asia/Shanghai", "hours": []map[string]any{{"days": []string{h}, "start": h, "end": "18:00"}}}
			},
			func(h string) any {
				return map[string]any{"name": "days", "time_zone": "Asia/Shanghai", "hours": hours, "holidays": []map[string]any{{"date": h, "name": h}}, "workdays": []map[string]any{{"date": "2026-02-14", "name": h}}, "note": h}
			},
		}},
		{path: "/v1/sla/policies", fix: `{"name":"fixed","first_response":"4h"}`, make: []func(string) any{
			func(h string) any {
				return map[string]any{"name": h, "priority": "P2", "category": h, "tag": h, "first_response": "4h", "resolution": "2d"}
			},
			func(h string) any {
				return map[string]any{"name": "times", "priority": h, "first_response": h, "next_response": h, "resolution": h, "calendar_id": h, "team_id": h}
			},
			func(h string) any {
				return map[string]any{"name": "escalate", "priority": "P1", "first_response": "1h", "escalations": []map[string]any{{"at_percent": 50, "notify": h, "reassign_team_id": h}}}
			},
		}},
		{path: "/v1/webhooks", fix: `{"description":"fixed"}`, make: []func(string) any{
			func(h string) any {
				return map[string]any{"url": "http://127.0.0.1:9/" + url.PathEscape(h), "events": []string{"ticket.created"}, "description": h}
			},
			func(h string) any { return map[string]any{"url": h, "events": []string{h}, "secret": h} },
		}},
		{path: "/v1/articles", fix: `{"title":"已修正的文章标题"}`, archive: `{"status":"archived"}`, make: []func(string) any{
			func(h string) any {
				return map[string]any{"title": h, "body": h + "\n\n# " + h + "\n\n```\n" + h + "\n```\n[x](" + h + ")", "category": h, "tags": []string{h}}
			},
			func(h string) any {
				return map[string]any{"title": "退款多久到账 " + h, "body": "退款一般三到五个工作日到账。" + h, "category": "退款"}
			},
		}},
		{path: "/v1/agents", fix: `{"name":"fixed"}`, make: []func(string) any{
			func(h string) any { return map[string]any{"name": h, "email": h, "skills": []string{h}} },
			func(h string) any { return map[string]any{"name": "agent " + h, "skills": []string{h, h}} },
		}},
		{path: "/v1/teams", fix: `{"name":"fixed"}`, make: []func(string) any{
			func(h string) any {
				return map[string]any{"name": h, "categories": []string{h}, "members": []string{h}, "lead_id": h}
			},
			func(h string) any { return map[string]any{"name": "team " + h, "categories": []string{h, "退款"}} },
		}},
	}
}

// listCount is how many items GET path lists, following its pages.
func listCount(t *testing.T, r *running, path string) int {
	t.Helper()
	n, cursor := 0, ""
	for {
		p := path
		if cursor != "" {
			p += "?cursor=" + url.QueryEscape(cursor)
		}
		w := r.call("GET", p, "")
		if w.Code != 200 {
			t.Fatalf("GET %s: %d %s", p, w.Code, w.Body)
		}
		var out struct {
			Items      []json.RawMessage
			NextCursor string `json:"next_cursor"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		n += len(out.Items)
		if out.NextCursor == "" {
			return n
		}
		cursor = out.NextCursor
	}
}

// TestHostileInputThenRestart writes every hostile value into every admin-
// and editor-writable resource through the API: no answer is a 5xx, and a
// 4xx leaves nothing behind. The service then restarts on the same store,
// is ready within the start budget, serves tickets and search, and every
// stored value can be read, corrected and deleted through the API.
func TestHostileInputThenRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service twice per store; skipped with -short")
	}
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			cfg := st.config(t)
			r := start(t, cfg)
			type stored struct{ path, id string }
			var kept []stored
			for _, res := range resources() {
				for i, mk := range res.make {
					for _, h := range hostile() {
						body, err := json.Marshal(mk(h))
						if err != nil {
							t.Fatal(err)
						}
						// json.Marshal turns a byte that is not UTF-8 into
						// U+FFFD; the raw byte goes on the wire instead.
						raw := strings.ReplaceAll(string(body), `\ufffd\ufffd`, "\xff\xfe")
						before := listCount(t, r, res.path)
						w := r.call("POST", res.path, raw)
						after := listCount(t, r, res.path)
						switch {
						case w.Code >= 500:
							t.Errorf("POST %s #%d %.40q: %d %s", res.path, i, h, w.Code, w.Body)
						case w.Code >= 400 && after != before:
							t.Errorf("POST %s #%d %.40q answered %d but the list went from %d to %d", res.path, i, h, w.Code, before, after)
						case w.Code < 300 && res.idKey == "":
							var v struct{ ID string }
							if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || v.ID == "" {
								t.Fatalf("POST %s: %d %s: no id", res.path, w.Code, w.Body)
							}
							kept = append(kept, stored{res.path, v.ID})
						}
					}
				}
			}
			if len(kept) == 0 {
				t.Fatal("no hostile value was stored: the restart tests nothing")
			}
			r.caughtUp()
			r.stop()

			r = start(t, cfg)
			r.caughtUp()
			t.Logf("%d hostile values stored; the restart was ready in %v", len(kept), r.took)
			if w := r.call("POST", "/v1/tickets", `{"title":"退款一周了还没到账","body":"退款申请已通过，钱还没到银行卡。","requester":{"name":"陈女士"}}`); w.Code != 201 {
				t.Errorf("create a ticket after the restart: %d %s", w.Code, w.Body)
			}
			for _, mode := range []string{"lexical", "hybrid"} {
				if w := r.call("GET", "/v1/search?mode="+mode+"&q="+url.QueryEscape("退款到账"), ""); w.Code != 200 {
					t.Errorf("search %s after the restart: %d %s", mode, w.Code, w.Body)
				}
			}
			fixes, archives := map[string]string{}, map[string]string{}
			for _, res := range resources() {
				fixes[res.path], archives[res.path] = res.fix, res.archive
			}
			for _, s := range kept {
				item := s.path + "/" + s.id
				if w := r.call("GET", item, ""); w.Code != 200 {
					t.Errorf("GET %s: %d %s", item, w.Code, w.Body)
				}
				if w := r.call("PATCH", item, fixes[s.path], `If-Match: *`); w.Code != 200 {
					t.Errorf("PATCH %s %s: %d %s", item, fixes[s.path], w.Code, w.Body)
				}
				if a := archives[s.path]; a != "" {
					if w := r.call("PATCH", item, a, `If-Match: *`); w.Code != 200 {
						t.Errorf("PATCH %s %s: %d %s", item, a, w.Code, w.Body)
					}
				} else if w := r.call("DELETE", item, "", `If-Match: *`); w.Code != 204 {
					t.Errorf("DELETE %s: %d %s", item, w.Code, w.Body)
				}
			}
			if w := r.call("GET", "/v1/skipped", ""); w.Code != 200 || strings.Contains(w.Body.String(), `"kind"`) {
				t.Errorf("after hostile input through the API, GET /v1/skipped: %d %s", w.Code, w.Body)
			}
		})
	}
}
