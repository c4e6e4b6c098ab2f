package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/notify"
)

// withOps rebuilds the env's server with ops wired as cmd wires them: a
// metrics handler, a scrape token and a request observer.
func withOps(e *env) *observed {
	e.t.Helper()
	o := &observed{}
	e.rebuild(func(c *api.Config) {
		c.Ops.Metrics = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "triage_up 1\n") })
		c.Ops.MetricsToken = "scrape-secret-0123456789"
		c.Ops.ObserveRequest = o.observe
	})
	return o
}

type observed struct {
	mu     sync.Mutex
	routes []string
}

func (o *observed) observe(method, route string, status int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.routes = append(o.routes, method+" "+route+" "+http.StatusText(status))
}

// wantError checks a 4xx with its code and field.
func wantError(t *testing.T, r resp, status int, field string) {
	t.Helper()
	if r.Code != status {
		t.Fatalf("got %d, want %d: %s", r.Code, status, r.Body)
	}
	if field != "" {
		if got := r.errorBody(t).Field; got != field {
			t.Fatalf("error names field %q, want %q: %s", got, field, r.Body)
		}
	}
}

func TestWebhookRoutes(t *testing.T) {
	e := newEnv(t)
	const hook = `{"url":"https://93.184.216.34/hook","events":["ticket.solved","sla.breached"],"description":"客服系统"}`
	var w triage.Webhook
	r := e.do("POST", "/v1/webhooks", triage.RoleAdmin, hook)
	if r.Code != 201 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	r.json(t, &w)
	if !strings.HasPrefix(w.Secret, "whsec_") || w.SecretHint == "" || !w.Active {
		t.Fatalf("created webhook: %s", r.Body)
	}
	if got := e.do("GET", "/v1/webhooks/"+w.ID, triage.RoleAdmin, ""); got.Code != 200 || bytes.Contains(got.Body, []byte(w.Secret)) || bytes.Contains(got.Body, []byte(`"secret"`)) {
		t.Fatalf("GET shows the secret or fails: %d %s", got.Code, got.Body)
	}
	var list api.List[triage.Webhook]
	e.do("GET", "/v1/webhooks", triage.RoleAdmin, "").json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Secret != "" {
		t.Fatalf("list: %+v", list)
	}

	var d triage.Delivery
	r = e.do("POST", "/v1/webhooks/"+w.ID+"/test", triage.RoleAdmin, "")
	if r.Code != 202 || r.Header.Get("Location") == "" {
		t.Fatalf("test delivery: %d %s", r.Code, r.Body)
	}
	r.json(t, &d)
	if d.Event != triage.HookPing || d.Status != triage.DeliveryPending {
		t.Fatalf("test delivery: %+v", d)
	}
	if !e.queuedKind(notify.JobDeliver) {
		t.Fatal("the test delivery queued no job")
	}
	var log api.List[triage.Delivery]
	e.do("GET", "/v1/webhooks/"+w.ID+"/deliveries?status=pending&limit=10", triage.RoleAdmin, "").json(t, &log)
	if len(log.Items) != 1 || log.Items[0].ID != d.ID {
		t.Fatalf("delivery log: %+v", log)
	}
	var one triage.Delivery
	e.do("GET", "/v1/webhooks/"+w.ID+"/deliveries/"+d.ID, triage.RoleAdmin, "").json(t, &one)
	if !bytes.Contains(one.Payload, []byte(`"event":"ping"`)) {
		t.Fatalf("delivery payload: %s", one.Payload)
	}
	if r := e.do("POST", "/v1/webhooks/"+w.ID+"/deliveries/"+d.ID+"/redeliver", triage.RoleAdmin, ""); r.Code != 202 {
		t.Fatalf("redeliver: %d %s", r.Code, r.Body)
	}

	var rotated triage.Webhook
	r = e.do("PATCH", "/v1/webhooks/"+w.ID, triage.RoleAdmin, `{"rotate_secret":true,"events":["ticket.created"]}`, `If-Match: "1"`)
	r.json(t, &rotated)
	if r.Code != 200 || rotated.Secret == "" || rotated.Secret == w.Secret || r.Header.Get("ETag") != `"2"` {
		t.Fatalf("rotate: %d %s", r.Code, r.Body)
	}

	bad := []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		field                    string
	}{
		{"loopback url", "POST", "/v1/webhooks", `{"url":"http://127.0.0.1:9000/x","events":["ticket.created"]}`, nil, 400, "url"},
		{"metadata url", "POST", "/v1/webhooks", `{"url":"http://169.254.169.254/latest","events":["ticket.created"]}`, nil, 400, "url"},
		{"not a url", "POST", "/v1/webhooks", `{"url":"ftp://example.com/x","events":["ticket.created"]}`, nil, 400, "url"},
		{"unknown event", "POST", "/v1/webhooks", `{"url":"https://93.184.216.34/x","events":["ticket.exploded"]}`, nil, 400, "events"},
		{"no events", "POST", "/v1/webhooks", `{"url":"https://93.184.216.34/x","events":[]}`, nil, 400, "events"},
		{"short secret", "POST", "/v1/webhooks", `{"url":"https://93.184.216.34/x","events":["ticket.created"],"secret":"abc"}`, nil, 400, "secret"},
		{"unknown field", "POST", "/v1/webhooks", `{"url":"https://93.184.216.34/x","events":["ticket.created"],"evnts":[]}`, nil, 400, "evnts"},
		{"patch without If-Match", "PATCH", "/v1/webhooks/" + w.ID, `{"active":false}`, nil, 428, ""},
		{"stale If-Match", "PATCH", "/v1/webhooks/" + w.ID, `{"active":false}`, []string{`If-Match: "1"`}, 412, ""},
		{"patch to private url", "PATCH", "/v1/webhooks/" + w.ID, `{"url":"http://10.0.0.5/x"}`, []string{"If-Match: *"}, 400, "url"},
		{"bad status filter", "GET", "/v1/webhooks/" + w.ID + "/deliveries?status=lost", "", nil, 400, "status"},
		{"bad limit", "GET", "/v1/webhooks/" + w.ID + "/deliveries?limit=0", "", nil, 400, "limit"},
		{"unknown query", "GET", "/v1/webhooks/" + w.ID + "/deliveries?state=failed", "", nil, 400, "state"},
		{"unknown webhook", "GET", "/v1/webhooks/nope", "", nil, 404, ""},
		{"delivery of another webhook", "GET", "/v1/webhooks/nope/deliveries/" + d.ID, "", nil, 404, ""},
		{"test of unknown webhook", "POST", "/v1/webhooks/nope/test", "", nil, 404, ""},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.do(c.method, c.path, triage.RoleAdmin, c.body, c.headers...), c.status, c.field)
		})
	}
	if r := e.do("DELETE", "/v1/webhooks/"+w.ID, triage.RoleAdmin, "", "If-Match: *"); r.Code != 204 {
		t.Fatalf("delete: %d %s", r.Code, r.Body)
	}
	wantError(t, e.do("GET", "/v1/webhooks/"+w.ID+"/deliveries", triage.RoleAdmin, ""), 404, "")
}

func TestReportRoutes(t *testing.T) {
	e := newEnv(t)
	tk := e.ticket("")
	e.ticket(`{"title":"发票开错了","body":"抬头写错了需要重开"}`)
	if r := e.do("POST", "/v1/tickets/"+tk.ID+"/comments", triage.RoleAgent, `{"body":"您好，已处理","public":true}`); r.Code != 201 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	var vol struct {
		Report string `json:"report"`
		Group  string `json:"group"`
		Rows   []struct {
			Key     string `json:"key"`
			Created int    `json:"created"`
		} `json:"rows"`
		Total struct {
			Created int `json:"created"`
		} `json:"total"`
	}
	r := e.do("GET", "/v1/reports/volume?group=day", triage.RoleViewer, "")
	r.json(t, &vol)
	if r.Code != 200 || vol.Report != "volume" || vol.Group != "day" || vol.Total.Created != 2 || len(vol.Rows) < 30 {
		t.Fatalf("volume by day: %d %s", r.Code, r.Body)
	}
	for _, path := range []string{"/v1/reports/first-response?group=agent", "/v1/reports/resolution?group=team", "/v1/reports/backlog?group=category",
		"/v1/reports/accuracy?group=agent", "/v1/reports/acceptance?group=day", "/v1/reports/summary", "/v1/reports/volume?category=%E6%94%AF%E4%BB%98%E4%B8%8E%E9%80%80%E6%AC%BE"} {
		t.Run(path, func(t *testing.T) {
			if r := e.do("GET", path, triage.RoleViewer, ""); r.Code != 200 {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
		})
	}
	var sum struct {
		Volume struct {
			Created int `json:"created"`
		} `json:"volume"`
		FirstResponse struct {
			Tickets int `json:"tickets"`
		} `json:"first_response"`
	}
	e.do("GET", "/v1/reports/summary", triage.RoleViewer, "").json(t, &sum)
	if sum.Volume.Created != 2 || sum.FirstResponse.Tickets != 1 {
		t.Fatalf("summary: %+v", sum)
	}

	for name, req := range map[string][]string{"format": {"/v1/reports/volume?format=csv"}, "accept": {"/v1/reports/volume", "Accept: text/csv"}} {
		t.Run("csv by "+name, func(t *testing.T) {
			r := e.do("GET", req[0], triage.RoleViewer, "", req[1:]...)
			if r.Code != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(r.Header.Get("Content-Disposition"), "volume.csv") {
				t.Fatalf("%d %v", r.Code, r.Header)
			}
			if !bytes.HasPrefix(r.Body, []byte("\ufeffkey,label,")) || !bytes.Contains(r.Body, []byte("全部")) {
				t.Fatalf("csv:\n%s", r.Body)
			}
		})
	}
	if r := e.do("GET", "/v1/reports/summary?format=csv", triage.RoleViewer, ""); r.Code != 200 || !bytes.Contains(r.Body, []byte("volume.created,2")) {
		t.Fatalf("summary csv: %d\n%s", r.Code, r.Body)
	}

	bad := []struct{ name, path, field string }{
		{"unknown group", "/v1/reports/volume?group=week", "group"},
		{"from after to", "/v1/reports/volume?from=2026-02-01&to=2026-01-01", "from"},
		{"over a year", "/v1/reports/resolution?from=2024-01-01&to=2026-01-01", "from"},
		{"bad date", "/v1/reports/backlog?to=yesterday", "to"},
		{"bad format", "/v1/reports/volume?format=xlsx", "format"},
		{"unknown query", "/v1/reports/volume?grop=day", "grop"},
		{"summary takes no group", "/v1/reports/summary?group=day", "group"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) { wantError(t, e.do("GET", c.path, triage.RoleViewer, ""), 400, c.field) })
	}
}

func TestMergeAndLinksRoutes(t *testing.T) {
	e := newEnv(t)
	a, b := e.ticket(""), e.ticket(`{"title":"退款还没到","body":"退款申请好几天了"}`)
	e.do("POST", "/v1/tickets/"+a.ID+"/comments", triage.RoleAgent, `{"body":"正在核查","public":true}`)
	bad := []struct {
		name, body string
		headers    []string
		status     int
		field      string
	}{
		{"no If-Match", `{"into":"` + b.ID + `"}`, nil, 428, ""},
		{"no into", `{}`, []string{"If-Match: *"}, 400, "into"},
		{"into itself", `{"into":"` + a.ID + `"}`, []string{"If-Match: *"}, 400, "into"},
		{"into nothing", `{"into":"nope"}`, []string{"If-Match: *"}, 400, "into"},
		{"bad into_version", `{"into":"` + b.ID + `","into_version":-1}`, []string{"If-Match: *"}, 400, "into_version"},
		{"stale survivor", `{"into":"` + b.ID + `","into_version":99}`, []string{"If-Match: *"}, 412, ""},
		{"stale merged", `{"into":"` + b.ID + `"}`, []string{`If-Match: "99"`}, 412, ""},
		{"wrong type", `{"into":7}`, []string{"If-Match: *"}, 400, "into"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.do("POST", "/v1/tickets/"+a.ID+"/merge", triage.RoleAgent, c.body, c.headers...), c.status, c.field)
		})
	}
	var res triage.MergeResult
	r := e.do("POST", "/v1/tickets/"+a.ID+"/merge", triage.RoleAgent, `{"into":"`+b.ID+`","note":"同一笔退款"}`, `If-Match: "`+itoa(a.Version+1)+`"`)
	r.json(t, &res)
	if r.Code != 200 || res.Merged.Status != triage.StatusClosed || res.Merged.MergedInto != b.ID || res.Moved != 1 {
		t.Fatalf("merge: %d %s", r.Code, r.Body)
	}
	var links api.List[triage.LinkView]
	e.do("GET", "/v1/tickets/"+b.ID+"/links", triage.RoleViewer, "").json(t, &links)
	if len(links.Items) != 1 || links.Items[0].Relation != triage.RelMergedFrom || links.Items[0].TicketID != a.ID {
		t.Fatalf("links: %+v", links)
	}
	wantError(t, e.do("GET", "/v1/tickets/nope/links", triage.RoleViewer, ""), 404, "")
	wantError(t, e.do("GET", "/v1/tickets/"+b.ID+"/links?all=1", triage.RoleViewer, ""), 400, "all")
}

func TestMetricsRoute(t *testing.T) {
	e := newEnv(t)
	obs := withOps(e)
	for _, c := range []struct {
		name   string
		header string
		status int
	}{
		{"no token", "", 401},
		{"viewer", "Bearer " + e.tokens[triage.RoleViewer], 403},
		{"wrong secret", "Bearer trg_wrongwrongwrongwrongwrong", 401},
		{"scrape token", "Bearer scrape-secret-0123456789", 200},
		{"admin", "Bearer " + e.tokens[triage.RoleAdmin], 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			var h []string
			if c.header != "" {
				h = []string{"Authorization: " + c.header}
			}
			r := e.do("GET", "/metrics", "", "", h...)
			if r.Code != c.status || c.status == 200 && string(r.Body) != "triage_up 1\n" {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
		})
	}
	tk := e.ticket("")
	e.do("GET", "/v1/tickets/"+tk.ID, triage.RoleViewer, "")
	e.do("GET", "/no/such/path/"+tk.ID, triage.RoleViewer, "")
	obs.mu.Lock()
	defer obs.mu.Unlock()
	got := strings.Join(obs.routes, "\n")
	for _, want := range []string{"GET /v1/tickets/:id OK", "POST /v1/tickets Created", "GET /metrics Unauthorized", "GET unmatched Not Found"} {
		if !strings.Contains(got, want) {
			t.Errorf("observed no %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, tk.ID) {
		t.Errorf("a raw URL reached the metrics:\n%s", got)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
