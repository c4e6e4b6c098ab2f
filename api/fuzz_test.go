package api_test

import (
	"encoding/json"
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
