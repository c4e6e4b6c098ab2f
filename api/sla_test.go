package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/report"
	"github.com/triagehq/triage/sla"
)

func TestSLAPolicyAPI(t *testing.T) {
	e := newEnv(t)
	var list struct{ Items []triage.SLAPolicy }
	e.do("GET", "/v1/sla/policies", triage.RoleViewer, "").json(t, &list)
	if len(list.Items) != 4 {
		t.Fatalf("seeded policies: %d", len(list.Items))
	}
	bad := []struct{ body, field string }{
		{`{"name":"x","priority":"P9","first_response":"1h"}`, "priority"},
		{`{"name":"x","priority":"P1","first_response":"一小时"}`, "first_response"},
		{`{"name":"x","priority":"P1","resolution":"1h","escalations":[{"on":"breach","action":"explode"}]}`, "escalations[0].action"},
		{`{"name":"x","priority":"P1","first_response":"1h","warn_percent":"high"}`, "warn_percent"},
		{`{"name":"x","priority":"P1","first_response":"1h","team_id":"nope"}`, "team_id"},
		{`{"name":"x","priority":"P1","first_response":"1h","speed":"fast"}`, "speed"},
	}
	for _, b := range bad {
		t.Run(b.field, func(t *testing.T) {
			r := e.do("POST", "/v1/sla/policies", triage.RoleAdmin, b.body)
			if r.Code != 400 || r.errorBody(t).Field != b.field {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
		})
	}
	r := e.do("POST", "/v1/sla/policies", triage.RoleAdmin, `{"name":"VIP","priority":"P2","tag":"VIP","first_response":"90m","escalations":[{"on":"breach","action":"assign_lead"}]}`)
	if r.Code != 201 || r.Header.Get("ETag") != `"1"` || !strings.HasPrefix(r.Header.Get("Location"), "/v1/sla/policies/") {
		t.Fatalf("create: %d %v %s", r.Code, r.Header, r.Body)
	}
	var p triage.SLAPolicy
	r.json(t, &p)
	if p.FirstResponse != "1h30m" || p.Tag != "vip" || p.WarnPercent != 80 {
		t.Fatalf("normalised: %+v", p)
	}
	// Business days: "3d" is three working days of the calendar.
	r = e.do("POST", "/v1/sla/policies", triage.RoleAdmin, `{"name":"三天解决","priority":"P4","tag":"slow","first_response":"1d","resolution":"3d"}`)
	var days triage.SLAPolicy
	if r.Code == 201 {
		r.json(t, &days)
	}
	if days.Resolution != "3d" || days.FirstResponse != "1d" {
		t.Fatalf("a policy in days: %d %s", r.Code, r.Body)
	}
	if r := e.do("POST", "/v1/sla/policies", triage.RoleAdmin, `{"name":"x","priority":"P4","resolution":"1.5d"}`); r.Code != 400 || r.errorBody(t).Field != "resolution" || !strings.Contains(r.errorBody(t).Message, "3d (business days)") {
		t.Fatalf("half a day: %d %s", r.Code, r.Body)
	}
	if r := e.do("POST", "/v1/sla/policies", triage.RoleAdmin, `{"name":"again","priority":"P2","tag":"vip","first_response":"1h"}`); r.Code != 409 {
		t.Fatalf("same scope: %d %s", r.Code, r.Body)
	}
	path := "/v1/sla/policies/" + p.ID
	if r := e.do("PATCH", path, triage.RoleAdmin, `{"resolution":"8h"}`); r.Code != 428 {
		t.Fatalf("without If-Match: %d", r.Code)
	}
	if r := e.do("PATCH", path, triage.RoleAdmin, `{"resolution":"8h"}`, ifMatch(9)); r.Code != 412 {
		t.Fatalf("stale If-Match: %d", r.Code)
	}
	r = e.do("PATCH", path, triage.RoleAdmin, `{"resolution":"8h","tag":"Gold"}`, ifMatch(1))
	if r.Code != 200 || r.Header.Get("ETag") != `"2"` {
		t.Fatalf("update: %d %s", r.Code, r.Body)
	}
	r.json(t, &p)
	if p.Resolution != "8h" || p.Tag != "gold" {
		t.Fatalf("updated: %+v", p)
	}
	if r := e.do("PATCH", path, triage.RoleAdmin, `{"priority":null}`, ifMatch(2)); r.Code != 400 {
		t.Fatalf("null priority: %d %s", r.Code, r.Body)
	}
	if r := e.do("DELETE", path, triage.RoleAdmin, "", ifMatch(2)); r.Code != 204 {
		t.Fatalf("delete: %d %s", r.Code, r.Body)
	}
	if r := e.do("GET", path, triage.RoleViewer, ""); r.Code != 404 {
		t.Fatalf("deleted: %d", r.Code)
	}
	if r := e.do("GET", "/v1/sla/policies?sort=name", triage.RoleViewer, ""); r.Code != 400 {
		t.Fatalf("unknown parameter: %d", r.Code)
	}
}

func TestCalendarAPI(t *testing.T) {
	e := newEnv(t)
	var list struct{ Items []triage.Calendar }
	e.do("GET", "/v1/calendars", triage.RoleAgent, "").json(t, &list)
	if len(list.Items) != 1 || !list.Items[0].Default || list.Items[0].TimeZone != "Asia/Shanghai" {
		t.Fatalf("seeded: %+v", list.Items)
	}
	china := list.Items[0]
	calc := func(q string) (int, sla.BusinessTime, []byte) {
		r := e.do("GET", "/v1/calendars/"+china.ID+"/business-time?"+q, triage.RoleViewer, "")
		var bt sla.BusinessTime
		if r.Code == 200 {
			r.json(t, &bt)
		}
		return r.Code, bt, r.Body
	}
	code, bt, body := calc("from=2026-09-30T17:00:00%2B08:00&add=29h")
	if code != 200 || !strings.Contains(string(body), `"due":"2026-10-12T02:00:00Z"`) || !strings.Contains(string(body), `"from":"2026-09-30T09:00:00Z"`) {
		t.Fatalf("calculator: %d %s", code, body)
	}
	// A day of business time is a working day of the calendar: 1d from
	// 17:00 on the eve of 国庆 is due at 17:00 on the first working day
	// after the holiday week, Thursday 8 October (09:00 UTC).
	code, bt, body = calc("from=2026-09-30T17:00:00%2B08:00&add=1d")
	if code != 200 || bt.Add != "1d" || !strings.Contains(string(body), `"due":"2026-10-08T09:00:00Z"`) {
		t.Fatalf("calculator in days: %d %s", code, body)
	}
	for _, q := range []string{"from=yesterday&add=1h", "from=2026-09-30T17:00:00Z", "from=2026-09-30T17:00:00Z&add=1h&to=2026-10-01T00:00:00Z", "from=2026-09-30T17:00:00Z&add=1h&x=1"} {
		if code, _, body := calc(q); code != 400 {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
	// Add a company day off to the default calendar.
	days := append(china.Holidays, triage.CalendarDay{Date: "2026-12-31", Name: "公司年会"})
	body2 := `{"holidays":` + mustJSON(t, days) + `}`
	r := e.do("PATCH", "/v1/calendars/"+china.ID, triage.RoleAdmin, body2, ifMatch(china.Version))
	if r.Code != 200 {
		t.Fatalf("edit holidays: %d %s", r.Code, r.Body)
	}
	if r := e.do("PATCH", "/v1/calendars/"+china.ID, triage.RoleAdmin, `{"hours":[{"days":["mon"],"start":"18:00","end":"09:00"}]}`, "If-Match: *"); r.Code != 400 || r.errorBody(t).Field != "hours[0].end" {
		t.Fatalf("bad hours: %d %s", r.Code, r.Body)
	}
	if r := e.do("DELETE", "/v1/calendars/"+china.ID, triage.RoleAdmin, "", "If-Match: *"); r.Code != 409 {
		t.Fatalf("deleting the default: %d %s", r.Code, r.Body)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTicketSLAAPI(t *testing.T) {
	e := newEnv(t)
	tk := e.ticket(`{"title":"退款","body":"还没到账","priority":"P1"}`)
	var v sla.TicketView
	r := e.do("GET", "/v1/tickets/"+tk.ID+"/sla", triage.RoleViewer, "")
	if r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	r.json(t, &v)
	if v.PolicyName != "P1 紧急" || len(v.Targets) != 2 || v.Events == nil {
		t.Fatalf("clocks: %s", r.Body)
	}
	if r := e.do("GET", "/v1/tickets/nope/sla", triage.RoleViewer, ""); r.Code != 404 {
		t.Fatalf("unknown ticket: %d", r.Code)
	}
	if r := e.do("GET", "/v1/reports/sla?from=2026-01-01&to=2026-02-01", triage.RoleViewer, ""); r.Code != 200 {
		t.Fatalf("report: %d %s", r.Code, r.Body)
	}
	if r := e.do("GET", "/v1/reports/sla?from=2026-02-01&to=2026-01-01", triage.RoleViewer, ""); r.Code != 400 {
		t.Fatalf("reversed window: %d %s", r.Code, r.Body)
	}
}

func TestSurveyAPI(t *testing.T) {
	e := newEnv(t)
	tk := e.ticket("")
	if r := e.do("POST", "/v1/tickets/"+tk.ID+"/csat", triage.RoleAgent, ""); r.Code != 409 {
		t.Fatalf("survey of an open ticket: %d %s", r.Code, r.Body)
	}
	if r := e.do("PATCH", "/v1/tickets/"+tk.ID, triage.RoleAgent, `{"status":"solved"}`, "If-Match: *"); r.Code != 200 {
		t.Fatalf("solve: %d %s", r.Code, r.Body)
	}
	e.app.SLA.Mailer = mailsEveryone{}
	if r := e.do("POST", "/v1/tickets/"+tk.ID+"/csat", triage.RoleAgent, ""); r.Code != http.StatusAccepted || strings.Contains(string(r.Body), "csat_") {
		t.Fatalf("a new link: %d %s", r.Code, r.Body)
	}
	url := e.mailedSurvey(tk.ID)
	if !strings.HasPrefix(url, "http://triage.test/v1/csat/csat_") {
		t.Fatalf("link: %s", url)
	}
	link := struct{ Token string }{url[strings.LastIndexByte(url, '/')+1:]}
	public := "/v1/csat/" + link.Token
	r := e.do("GET", public, "", "")
	var view sla.SurveyView
	r.json(t, &view)
	if r.Code != 200 || view.Status != "open" || view.TicketTitle != tk.Title || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("public view: %d %s", r.Code, r.Body)
	}
	if strings.Contains(string(r.Body), tk.ID) {
		t.Fatalf("the public view shows the ticket id: %s", r.Body)
	}
	for _, c := range []struct {
		body  string
		code  int
		field string
	}{
		{`{"rating":0}`, 400, "rating"},
		{`{"rating":"five"}`, 400, "rating"},
		{`{"rating":4,"name":"x"}`, 400, "name"},
		{``, 400, "body"},
	} {
		r := e.do("POST", public, "", c.body)
		if r.Code != c.code || r.errorBody(t).Field != c.field {
			t.Fatalf("%s: %d %s", c.body, r.Code, r.Body)
		}
	}
	if r := e.do("POST", public, "", `{"rating":4,"comment":"还不错"}`); r.Code != 200 {
		t.Fatalf("answer: %d %s", r.Code, r.Body)
	}
	if r := e.do("POST", public, "", `{"rating":1}`); r.Code != 409 || !strings.Contains(r.errorBody(t).Message, "already answered") {
		t.Fatalf("second answer: %d %s", r.Code, r.Body)
	}
	// The near miss changes the last character to one it is not.
	last := "q"
	if strings.HasSuffix(link.Token, last) {
		last = "r"
	}
	for _, tok := range []string{"csat_nope", link.Token[:len(link.Token)-1] + last} {
		if r := e.do("GET", "/v1/csat/"+tok, "", ""); r.Code != 404 {
			t.Fatalf("unknown token %s: %d", tok, r.Code)
		}
	}
	var st sla.SurveyStatus
	e.do("GET", "/v1/tickets/"+tk.ID+"/csat", triage.RoleViewer, "").json(t, &st)
	if st.Status != "answered" || st.Rating != 4 {
		t.Fatalf("staff view: %+v", st)
	}
	var rep report.CSATReport
	r = e.do("GET", "/v1/reports/csat", triage.RoleViewer, "")
	r.json(t, &rep)
	if r.Code != http.StatusOK || rep.Overall.Responses != 1 || rep.Overall.Average == nil || *rep.Overall.Average != 4 || rep.Total.Responses != 1 {
		t.Fatalf("report: %d %s", r.Code, r.Body)
	}
	// A report of its kind: grouped, filtered, as CSV.
	r = e.do("GET", "/v1/reports/csat?group=agent&format=csv", triage.RoleViewer, "")
	if r.Code != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(r.Body), "key,label,sent,responses") {
		t.Fatalf("CSV report: %d %s", r.Code, r.Body)
	}
	if r := e.do("GET", "/v1/reports/csat?group=channel", triage.RoleViewer, ""); r.Code != 400 || r.errorBody(t).Field != "group" {
		t.Fatalf("a group surveys do not have: %d %s", r.Code, r.Body)
	}
	if r := e.do("POST", "/v1/tickets/"+tk.ID+"/csat", triage.RoleAgent, ""); r.Code != 409 {
		t.Fatalf("a new link after the answer: %d %s", r.Code, r.Body)
	}
}

// TestSLARoutesWithoutSLA: a server built without the SLA service answers
// every SLA route with 503 in the error shape, public ones included. (The
// SLA and satisfaction reports are the reports service's.)
func TestSLARoutesWithoutSLA(t *testing.T) {
	e := newEnv(t)
	e.rebuild(func(c *api.Config) { c.SLA = nil })
	for _, tc := range []struct {
		method, path string
		role         triage.Role
		body         string
	}{
		{"GET", "/v1/sla/policies", triage.RoleAdmin, ""},
		{"PATCH", "/v1/sla/policies/p1", triage.RoleAdmin, `{"first_response":"2h"}`},
		{"DELETE", "/v1/calendars/c1", triage.RoleAdmin, ""},
		{"POST", "/v1/csat/tok", "", `{"rating":5}`},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := e.do(tc.method, tc.path, tc.role, tc.body, "If-Match: *")
			if r.Code != 503 {
				t.Fatalf("%d: %s", r.Code, r.Body)
			}
			if b := r.errorBody(t); b.Code != triage.EUNAVAILABLE {
				t.Fatalf("code %s", b.Code)
			}
		})
	}
}

// mailsEveryone stands for the e-mail channel with outbound mail: it
// reaches every requester. The env's jobs do not run, so nothing is sent;
// the link waits in the queued csat.requested event (mailedSurvey).
type mailsEveryone struct{}

func (mailsEveryone) CanMailSurvey(*triage.Ticket) error { return nil }

// mailedSurvey returns the link of the latest survey mail queued for a
// ticket, as the e-mail channel would read it: the only place a link is.
func (e *env) mailedSurvey(ticketID string) string {
	e.t.Helper()
	url := ""
	for _, j := range e.queued() {
		if j.Kind != triage.EventCSATRequested.String() {
			continue
		}
		r, err := triage.EventCSATRequested.Decode(j.Args)
		if err != nil {
			e.t.Fatal(err)
		}
		if r.TicketID == ticketID {
			url = r.URL
		}
	}
	if url == "" {
		e.t.Fatalf("no survey mail queued for ticket %s", ticketID)
	}
	return url
}
