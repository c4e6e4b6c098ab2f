package sla

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/triagehq/triage"
)

func surveyURL(t *testing.T, s *sim) string {
	t.Helper()
	reqs := s.events(triage.EventCSATRequested)
	if len(reqs) == 0 {
		t.Fatal("no survey was requested")
	}
	var r triage.SurveyRequest
	if err := json.Unmarshal(reqs[len(reqs)-1].args, &r); err != nil {
		t.Fatal(err)
	}
	return r.URL
}

func tokenOf(url string) string { return url[strings.LastIndex(url, "/")+1:] }

func TestSurveyLifecycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0))
		tk := s.ticket(triage.NewTicket{Title: "退款到账了吗", Category: "支付与退款"})
		if n := len(s.events(triage.EventCSATRequested)); n != 0 {
			t.Fatalf("a survey before the ticket was solved")
		}
		if _, err := s.svc.IssueSurvey(s.ctx, tk.ID, nil); !triage.IsCode(err, triage.ECONFLICT) {
			t.Fatalf("issuing for an open ticket: %v", err)
		}
		s.update(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
		url := surveyURL(t, s)
		token := tokenOf(url)
		if !strings.HasPrefix(url, "https://help.example.com/v1/csat/csat_") || len(token) != len(SurveyTokenPrefix)+52 {
			t.Fatalf("link %q", url)
		}
		sv, err := s.db.Survey(s.ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sv.TokenHash, token) || sv.TokenHash != hashSurveyToken(token) {
			t.Fatalf("the token is not stored hashed")
		}
		v, err := s.svc.PublicSurvey(s.ctx, token)
		if err != nil || v.Status != SurveyOpen || v.TicketTitle != "退款到账了吗" {
			t.Fatalf("view: %+v, %v", v, err)
		}
		for _, bad := range []triage.SurveyAnswer{{Rating: 0}, {Rating: 6}, {Rating: 3, Comment: strings.Repeat("好", MaxSurveyComment+1)}} {
			if _, err := s.svc.AnswerSurvey(s.ctx, token, bad); !triage.IsCode(err, triage.EINVALID) {
				t.Fatalf("answer %+v: %v", bad, err)
			}
		}
		v, err = s.svc.AnswerSurvey(s.ctx, token, triage.SurveyAnswer{Rating: 5, Comment: " 很快就解决了 "})
		if err != nil || v.Status != SurveyAnswered || v.Rating != 5 || v.Comment != "很快就解决了" {
			t.Fatalf("answer: %+v, %v", v, err)
		}
		// A double click replays; another answer is refused.
		if _, err := s.svc.AnswerSurvey(s.ctx, token, triage.SurveyAnswer{Rating: 5, Comment: "很快就解决了"}); err != nil {
			t.Fatalf("the same answer again: %v", err)
		}
		if _, err := s.svc.AnswerSurvey(s.ctx, token, triage.SurveyAnswer{Rating: 1}); !triage.IsCode(err, triage.ECONFLICT) {
			t.Fatalf("a second answer: %v", err)
		}
		got := s.events(triage.EventCSATReceived)
		if len(got) != 1 {
			t.Fatalf("%d csat.received events, want 1", len(got))
		}
		var rec triage.SurveyReceived
		_ = json.Unmarshal(got[0].args, &rec)
		if rec.TicketID != tk.ID || rec.Rating != 5 || rec.Category != "支付与退款" {
			t.Fatalf("event: %+v", rec)
		}
		// Reopened and solved again: still one survey, answered once.
		s.comment(tk.ID, triage.NewComment{Body: "又出问题了", FromRequester: true})
		s.update(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
		if n := len(s.events(triage.EventCSATRequested)); n != 1 {
			t.Fatalf("%d survey requests for one ticket", n)
		}
		if _, err := s.svc.IssueSurvey(s.ctx, tk.ID, nil); !triage.IsCode(err, triage.ECONFLICT) {
			t.Fatalf("re-issuing an answered survey: %v", err)
		}
	})
}

func TestSurveyExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0))
		tk := s.ticket(triage.NewTicket{Title: "物流", Requester: triage.Requester{Email: "wang@example.com"}})
		s.update(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
		token := tokenOf(surveyURL(t, s))
		solved := s.now()
		s.sleepUntil(solved.Add(SurveyTTL - time.Microsecond))
		if v, err := s.svc.PublicSurvey(s.ctx, token); err != nil || v.Status != SurveyOpen {
			t.Fatalf("a microsecond before 28 days: %+v, %v", v, err)
		}
		s.sleepUntil(solved.Add(SurveyTTL))
		if v, err := s.svc.PublicSurvey(s.ctx, token); err != nil || v.Status != SurveyExpired {
			t.Fatalf("after 28 days: %+v, %v", v, err)
		}
		_, err := s.svc.AnswerSurvey(s.ctx, token, triage.SurveyAnswer{Rating: 4})
		if !triage.IsCode(err, triage.ECONFLICT) || !strings.Contains(triage.ErrorMessage(err), "expired") {
			t.Fatalf("answering an expired survey: %v", err)
		}
		// An agent can have a fresh link mailed, which replaces the old
		// one; the answer holds no link, the mail's event does.
		sent, err := s.svc.IssueSurvey(s.ctx, tk.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(sent); strings.Contains(string(b), SurveyTokenPrefix) || sent.Status != SurveyOpen {
			t.Fatalf("the answer to a new link shows %s", b)
		}
		if n := len(s.events(triage.EventCSATRequested)); n != 2 {
			t.Fatalf("%d survey mails requested, want the solve's and the new link's", n)
		}
		fresh := tokenOf(surveyURL(t, s))
		if _, err := s.svc.PublicSurvey(s.ctx, token); !triage.IsCode(err, triage.ENOTFOUND) {
			t.Fatalf("the replaced link still works: %v", err)
		}
		if _, err := s.svc.AnswerSurvey(s.ctx, fresh, triage.SurveyAnswer{Rating: 4}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSurveyUnknownTokens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0))
		good, _ := newSurveyToken()
		for _, tok := range []string{"", "csat_", "trg_abc", good, good[:len(good)-1], strings.ToUpper(good), good + "a", "csat_" + strings.Repeat("1", 52), "../../etc/passwd"} {
			if _, err := s.svc.PublicSurvey(s.ctx, tok); !triage.IsCode(err, triage.ENOTFOUND) {
				t.Errorf("view %q: %v", tok, err)
			}
			if _, err := s.svc.AnswerSurvey(s.ctx, tok, triage.SurveyAnswer{Rating: 3}); !triage.IsCode(err, triage.ENOTFOUND) {
				t.Errorf("answer %q: %v", tok, err)
			}
		}
	})
}

func TestSurveyTokens(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok, hash := newSurveyToken()
		if seen[tok] || !wellFormed(tok) || hash != hashSurveyToken(tok) {
			t.Fatalf("token %q", tok)
		}
		seen[tok] = true
	}
}

// TestSurveyLinkGoesOnlyToTheRequester: a link made by hand is mailed
// (an EventCSATRequested, the solve's path), never returned, and written
// to the history with its reason; when it cannot be mailed (no address,
// no mailer) or the requester is on the staff, nothing changes and the
// previous link keeps working.
func TestSurveyLinkGoesOnlyToTheRequester(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0))
		solved := func(req triage.Requester) *triage.Ticket {
			tk := s.ticket(triage.NewTicket{Title: "退款", Requester: req})
			s.update(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
			return tk
		}
		mails := func() int { return len(s.events(triage.EventCSATRequested)) }

		tk := solved(triage.Requester{Name: "王先生", Email: "wang@example.com"})
		first := tokenOf(surveyURL(t, s))
		if _, err := s.svc.IssueSurvey(s.ctx, tk.ID, nil); err != nil {
			t.Fatal(err)
		}
		hist, err := s.db.History(s.ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		h := hist[len(hist)-1]
		if h.Field != "csat_link" || h.Old != SurveyOpen || h.New != "issued" || len(h.Why) != 1 ||
			h.Why[0].Code != triage.ReasonCSATLinkReissued || h.Why[0].Args["to"] != "wang@example.com" {
			t.Fatalf("history of the new link: %+v", h)
		}
		if _, err := s.svc.PublicSurvey(s.ctx, first); !triage.IsCode(err, triage.ENOTFOUND) {
			t.Fatalf("the replaced link still works: %v", err)
		}

		for _, c := range []struct {
			name   string
			req    triage.Requester
			mailer SurveyMailer
			field  string
		}{
			{"no address", triage.Requester{Name: "电话客户"}, fakeMailer{}, "requester.email"},
			{"no mailer", triage.Requester{Email: "li@example.com"}, nil, ""},
		} {
			func() {
				tk := solved(c.req)
				before := mails()
				s.svc.Mailer = c.mailer
				defer func() { s.svc.Mailer = fakeMailer{} }()
				_, err := s.svc.IssueSurvey(s.ctx, tk.ID, nil)
				var te *triage.Error
				if !errors.As(err, &te) || te.Code != triage.ECONFLICT || te.Field != c.field {
					t.Fatalf("%s: a link that cannot be mailed: %v", c.name, err)
				}
				if mails() != before {
					t.Fatalf("%s: a refused link was sent anyway", c.name)
				}
				hist, _ := s.db.History(s.ctx, tk.ID)
				if slices.ContainsFunc(hist, func(h *triage.HistoryEntry) bool { return h.Field == "csat_link" }) {
					t.Fatalf("%s: a refused link is in the history", c.name)
				}
			}()
		}

		// A requester on the staff (the assignee's own address) gets no
		// survey on solving, and none by hand.
		ag, err := s.desk.CreateAgent(s.ctx, triage.NewAgent{Name: "李娜", Email: "lina@example.com"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		before := mails()
		own := s.ticket(triage.NewTicket{Title: "测试工单", Requester: triage.Requester{Email: "LiNa@example.com"}, AssigneeID: ag.ID})
		s.update(own.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
		if mails() != before {
			t.Fatal("solving a ticket the assignee requested sent them a survey")
		}
		_, err = s.svc.IssueSurvey(s.ctx, own.ID, nil)
		if te := (*triage.Error)(nil); !errors.As(err, &te) || te.Code != triage.ECONFLICT || te.Field != "requester.email" {
			t.Fatalf("a link for a requester on the staff: %v", err)
		}
	})
}
