package api_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// FuzzCreateTicket throws arbitrary bodies at POST /v1/tickets. Whatever
// comes in, the answer is a 201 whose ticket can be read back exactly, or a
// 4xx in the error shape naming what is wrong; never a 5xx, never a panic.
func FuzzCreateTicket(f *testing.F) {
	seeds := []string{
		`{"title":"退款还没到账","body":"订单 2026111512345678 的退款三天没到","requester":{"name":"王先生","phone":"+86 138-0013-8000","tier":"VIP"},"channel":"wechat","tags":["退款"],"fields":{"order":"2026111512345678"}}`,
		`{"title":"ｆｕｌｌ　ｗｉｄｔｈ　１２３","body":"臺灣的颱風"}`,
		`{"title":"a","priority":"P1","category":"支付与退款"}`,
		`{"title":"","body":""}`,
		`{"title":null}`,
		`{"title":"a","tags":null,"fields":null}`,
		`{"title":"a","requester":null}`,
		`{"title":"\u0000\ud800"}`,
		`{"title":"a","fields":{"":"x"}}`,
		`{"title":"a","tags":["` + string(make([]byte, 10)) + `"]}`,
		`{"title":1e400}`,
		`{"title":"a","assignee_id":"x"}`,
		`[]`, `""`, `null`, `{`, `{"title":"a"}}`, "\xff\xfe",
		// The decoder's strictness: keys twice or in two cases, NUL.
		`{"title":"a","title":"b"}`, `{"title":"a","Title":"b"}`, `{"TITLE":"a"}`,
		`{"title":"a","requester":{"name":"x","NAME":"y"}}`, `{"title":"a","fields":{"k":"1","k":"2"}}`,
		`{"title":"a\u0000"}`, `{"title":"a","tags":["\u0000"]}`, `{"title":"a","\u0000":1}`,
		`{"title":"a","fields":{"k":` + strings.Repeat(`[`, 100) + strings.Repeat(`]`, 100) + `}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	shared := newEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		e := *shared
		e.t = t
		r := e.do("POST", "/v1/tickets", triage.RoleAgent, string(body))
		switch {
		case r.Code == 201:
			if k := ambiguousKey(body); k != "" {
				t.Fatalf("accepted a body with the key %q twice or in two cases", k)
			}
			if bytes.Contains(body, []byte(`\u0000`)) && !bytes.Contains(body, []byte(`\\u0000`)) {
				t.Fatalf("accepted a body with a NUL character")
			}
			var created triage.Ticket
			r.json(t, &created)
			got := e.getTicket(created.ID)
			a, _ := json.Marshal(created)
			b, _ := json.Marshal(got)
			if string(a) != string(b) {
				t.Fatalf("read back differs:\n%s\n%s", a, b)
			}
			if !utf8.ValidString(got.Title) || !utf8.ValidString(got.Body) {
				t.Fatal("stored invalid UTF-8")
			}
		case r.Code >= 400 && r.Code < 500:
			r.errorBody(t)
		default:
			t.Fatalf("status %d: %s", r.Code, r.Body)
		}
	})
}

// ambiguousKey returns a key that one object of body holds twice, or in
// two spellings that differ only in case, or "" when there is none or
// body is not JSON: what decode must refuse.
func ambiguousKey(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	type obj struct {
		seen  map[string]bool
		inObj bool
		key   bool // the next token is a key
	}
	var stack []*obj
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		top := (*obj)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.inObj && top.key {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].inObj {
					stack[len(stack)-1].key = true
				}
				continue
			}
			k := strings.ToLower(tok.(string))
			if top.seen[k] {
				return tok.(string)
			}
			top.seen[k] = true
			top.key = false
			continue
		}
		switch d, _ := tok.(json.Delim); d {
		case '{':
			stack = append(stack, &obj{seen: map[string]bool{}, inObj: true, key: true})
		case '[':
			stack = append(stack, &obj{})
		case ']':
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].inObj {
				stack[len(stack)-1].key = true
			}
		default:
			if top != nil && top.inObj {
				top.key = true
			}
		}
	}
}
