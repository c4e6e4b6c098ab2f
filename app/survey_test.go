package app_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/mail"
	"github.com/triagehq/triage/mail/mailtest"
)

var surveyLinkRE = regexp.MustCompile(`/app/survey/(csat_[a-z2-7]{52})`)

// surveyLinks reads the survey links out of the mails the sink took for
// to, oldest first.
func surveyLinks(t *testing.T, sink *mailtest.Sink, to string) []string {
	t.Helper()
	var out []string
	for _, m := range sink.Messages() {
		if len(m.To) != 1 || !strings.EqualFold(m.To[0], to) {
			continue
		}
		msg, err := mail.NewParser(mail.Limits{}).Parse(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		if sm := surveyLinkRE.FindStringSubmatch(msg.FullText); sm != nil {
			out = append(out, sm[1])
		}
	}
	return out
}

// TestSurveyLinkIsMailedNeverShown, on both stores, with outbound mail to
// an SMTP sink and the job queue running: solving mails the survey; a new
// link asked for by staff is mailed to the requester the same way (202,
// an answer without any link), the previous link stops working, the new
// one takes the customer's rating, and the ticket's history says who had
// a link sent, and where. Before, the new link was in the API's answer
// (and the staff UI's dialog), for staff to hold.
func TestSurveyLinkIsMailedNeverShown(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			sink := mailtest.StartSink(t)
			cfg := st.config(t)
			cfg.SMTPURL, cfg.MailFrom = sink.URL(), "极光商城客服 <support@aurora.example>"
			cfg.Addr = "127.0.0.1:8080"
			r := start(t, cfg)
			const customer = "wangzhe@example.com"
			w := r.call("POST", "/v1/tickets", `{"title":"退款一周了还没到账","body":"退款申请已通过","requester":{"name":"王先生","email":"`+customer+`"}}`)
			if w.Code != http.StatusCreated {
				t.Fatalf("create: %d %s", w.Code, w.Body)
			}
			var tk triage.Ticket
			json.Unmarshal(w.Body.Bytes(), &tk)
			if w := r.call("PATCH", "/v1/tickets/"+tk.ID, `{"status":"solved"}`, "If-Match: *"); w.Code != http.StatusOK {
				t.Fatalf("solve: %d %s", w.Code, w.Body)
			}
			waitUntil(t, "the survey mail of the solve", func() bool { return len(surveyLinks(t, sink, customer)) == 1 })
			first := surveyLinks(t, sink, customer)[0]

			w = r.call("POST", "/v1/tickets/"+tk.ID+"/csat", "")
			if w.Code != http.StatusAccepted || strings.Contains(w.Body.String(), "csat_") || strings.Contains(w.Body.String(), "/app/survey/") {
				t.Fatalf("a new link: %d %s, want 202 without the link", w.Code, w.Body)
			}
			waitUntil(t, "the mail of the new link", func() bool { return len(surveyLinks(t, sink, customer)) == 2 })
			second := surveyLinks(t, sink, customer)[1]
			if second == first {
				t.Fatal("the new mail carries the old link")
			}
			if w := r.call("GET", "/v1/csat/"+first, "", "Authorization: "); w.Code != http.StatusNotFound {
				t.Errorf("the replaced link: %d %s", w.Code, w.Body)
			}
			var sv struct {
				Status string
				Mail   *triage.MailMessage
			}
			waitUntil(t, "the survey's mail state to say sent", func() bool {
				json.Unmarshal(r.call("GET", "/v1/tickets/"+tk.ID+"/csat", "").Body.Bytes(), &sv)
				return sv.Mail != nil && sv.Mail.Status == triage.MailSent
			})
			var hist struct{ Items []triage.HistoryEntry }
			json.Unmarshal(r.call("GET", "/v1/tickets/"+tk.ID+"/history", "").Body.Bytes(), &hist)
			var audit []triage.HistoryEntry
			for _, h := range hist.Items {
				if h.Field == "csat_link" {
					audit = append(audit, h)
				}
			}
			if len(audit) != 1 || audit[0].Old != "open" || audit[0].New != "issued" || !strings.HasPrefix(audit[0].Actor, "token:") ||
				len(audit[0].Why) != 1 || audit[0].Why[0].Code != triage.ReasonCSATLinkReissued || audit[0].Why[0].Args["to"] != customer {
				t.Errorf("the history of the new link: %+v", audit)
			}
			// The staff token cannot rate; the customer, with the mailed
			// link, can.
			if w := r.call("POST", "/v1/csat/"+second, `{"rating":5}`); w.Code != http.StatusForbidden {
				t.Errorf("staff rated: %d %s", w.Code, w.Body)
			}
			if w := r.call("POST", "/v1/csat/"+second, `{"rating":5,"comment":"处理很快"}`, "Authorization: "); w.Code != http.StatusOK {
				t.Errorf("the customer's rating: %d %s", w.Code, w.Body)
			}
		})
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
