package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/otel"
	"github.com/triagehq/triage/postgres/pgtest"
)

// The personal data and ticket text the tracing test puts in tickets, a
// search and a comment: none of it may appear in any span.
var tracePII = []string{
	"陈秀英", "13912345678", "chen.xiuying@example.com", "110101199003074518", "6222021234567890123",
	"北京市朝阳区建国路88号", "2026111512345678", "wang.lei@example.org", "13700001111",
}

const (
	traceTitle  = "陈秀英的退款一周了还没到账"
	traceBody   = "我叫陈秀英，手机13912345678，邮箱chen.xiuying@example.com，身份证110101199003074518，银行卡6222021234567890123，住北京市朝阳区建国路88号。订单号2026111512345678的退款申请已通过，钱还没到银行卡。"
	traceAnswer = "陈秀英您好，订单2026111512345678的退款已原路退回，请查收。"
	traceTitle2 = "退款还没有到账怎么办"
	traceBody2  = "王磊，wang.lei@example.org，电话13700001111：退款申请已通过，钱还没到银行卡，订单2026111512345678。"
)

// TestTracing drives the real application with an in-memory exporter on
// both stores: a webhook, tickets full of personal data (created, answered,
// solved), a search whose query holds a phone number, suggestions drafted
// by a (fake) LLM over (fake) remote embeddings, and the webhook delivered
// through the job queue. It checks (a) the spans: each request named by
// its route template, triage and the store transaction children of the
// request, triage's steps children of triage, lexical and vector searches
// and the chat call under the suggestions request, and the webhook call
// in a job whose trace links back, job by job, to the request that created
// the ticket; and (b) that no span's name, attribute, event, link or
// status holds any of the personal data or ticket text, nor a URL.
func TestTracing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the job queue; skipped with -short")
	}
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			cfg := app.Config{}
			if store == "postgres" {
				cfg.DB = pgtest.NewDatabase(t)
			}
			testTracing(t, cfg)
		})
	}
}

func testTracing(t *testing.T, cfg app.Config) {
	ctx := context.Background()
	exp := tracetest.NewInMemoryExporter()
	tr := otel.New(exp)
	t.Cleanup(func() { tr.Shutdown(context.Background()) })

	var mu sync.Mutex
	var delivered []string
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		delivered = append(delivered, string(b))
		mu.Unlock()
	}))
	t.Cleanup(rcv.Close)
	_, base := newFaultyOpenAI(t, faultNone)

	cfg.Tracing = tr
	cfg.Threshold, cfg.VectorWeight, cfg.Segmenter, cfg.MemIndex = 0.35, 1, sharedSegmenter(t), true
	cfg.EmbedBaseURL, cfg.EmbedModel, cfg.EmbedDim = base, "fake-embed", 8
	cfg.LLMBaseURL, cfg.LLMModel = base, "fake-chat"
	cfg.WebhookAllow = []string{"127.0.0.1"}
	m := open(t, cfg)
	if _, err := m.Desk.Bootstrap(ctx, testAdmin); err != nil {
		t.Fatal(err)
	}
	if err := m.StartIndex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	startJobs(t, m)
	f := &faultApp{App: m, t: t}
	check := func(r reply, want int, what string) reply {
		t.Helper()
		if r.code != want {
			t.Fatalf("%s: %d %s", what, r.code, r.body)
		}
		return r
	}

	check(f.call("POST", "/v1/webhooks", `{"url":"`+rcv.URL+`/hook?token=abc","events":["ticket.created"]}`), 201, "webhook")
	body := func(title, text, email, phone string) string {
		return fmt.Sprintf(`{"title":%q,"body":%q,"requester":{"name":"陈秀英","email":%q,"phone":%q}}`, title, text, email, phone)
	}
	var first, second triage.Ticket
	json.Unmarshal(check(f.call("POST", "/v1/tickets", body(traceTitle, traceBody, "chen.xiuying@example.com", "13912345678")), 201, "create").body, &first)
	check(f.call("POST", "/v1/tickets/"+first.ID+"/comments", `{"body":"`+traceAnswer+`","public":true}`), 201, "answer")
	check(f.call("PATCH", "/v1/tickets/"+first.ID, `{"status":"solved"}`), 200, "solve")
	if err := m.Embedding.EmbedMissing(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Indexer.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(check(f.call("POST", "/v1/tickets", body(traceTitle2, traceBody2, "wang.lei@example.org", "13700001111")), 201, "create").body, &second)
	check(f.call("GET", "/v1/search?q="+url.QueryEscape("退款 13912345678 陈秀英")+"&kind=ticket&mode=hybrid", ""), 200, "search")
	sg := check(f.call("GET", "/v1/tickets/"+second.ID+"/suggestions", ""), 200, "suggestions")
	if !strings.Contains(string(sg.body), first.ID) {
		t.Fatalf("the suggestions should find the solved ticket: %s", sg.body)
	}
	opsEventually(t, 30*time.Second, "two ticket.created deliveries", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(delivered) >= 2
	})

	var spans tracetest.SpanStubs
	// A span is exported when it ends, after its children: wait for the
	// deliveries and for every parent and linked span to have ended.
	opsEventually(t, 20*time.Second, "the webhook deliveries' spans, with their parents", func() bool {
		spans = exp.GetSpans()
		ended := map[trace.SpanID]bool{}
		for _, s := range spans {
			ended[s.SpanContext.SpanID()] = true
		}
		for _, s := range spans {
			if s.Parent.IsValid() && !s.Parent.IsRemote() && !ended[s.Parent.SpanID()] {
				return false
			}
			for _, l := range s.Links {
				if !ended[l.SpanContext.SpanID()] {
					return false
				}
			}
		}
		return len(find(spans, "outbound webhook")) >= 2
	})
	byID := map[trace.SpanID]tracetest.SpanStub{}
	for _, s := range spans {
		byID[s.SpanContext.SpanID()] = s
	}
	parent := func(s tracetest.SpanStub) (tracetest.SpanStub, bool) {
		p, ok := byID[s.Parent.SpanID()]
		return p, ok && s.Parent.IsValid()
	}
	root := func(s tracetest.SpanStub) tracetest.SpanStub {
		for {
			p, ok := parent(s)
			if !ok {
				return s
			}
			s = p
		}
	}
	names := map[string]int{}
	for _, s := range spans {
		names[s.Name]++
	}
	t.Logf("%d spans: %v", len(spans), names)

	// (a) The spans and their links.
	create := find(spans, "POST /v1/tickets")
	if len(create) != 2 {
		t.Fatalf("%d spans named POST /v1/tickets, want 2", len(create))
	}
	childOf := func(name string, of tracetest.SpanStub) []tracetest.SpanStub {
		var out []tracetest.SpanStub
		for _, s := range find(spans, name) {
			if p, ok := parent(s); ok && p.SpanContext.SpanID() == of.SpanContext.SpanID() {
				out = append(out, s)
			}
		}
		return out
	}
	for _, c := range create {
		triaged := childOf(string(triage.SpanTriage), c)
		if len(triaged) != 1 {
			t.Fatalf("POST /v1/tickets has %d triage children, want 1", len(triaged))
		}
		for _, step := range []triage.SpanName{triage.SpanTriagePrepare, triage.SpanTriageClassify, triage.SpanTriageRoute} {
			if len(childOf(string(step), triaged[0])) != 1 {
				t.Errorf("triage has no %s child", step)
			}
		}
		if len(childOf(string(triage.SpanStoreTx), c)) == 0 {
			t.Error("POST /v1/tickets has no store.tx child")
		}
		if attr(c, "http.route") != "/v1/tickets" || attr(c, "http.response.status_code") != "201" {
			t.Errorf("the create span's attributes: %v", c.Attributes)
		}
	}
	classified := find(spans, string(triage.SpanTriageClassify))[0]
	if attr(classified, string(triage.AttrTriagePriority)) == "" || attr(classified, string(triage.AttrConfidence)) == "" {
		t.Errorf("triage.classify lacks the priority or the confidence: %v", classified.Attributes)
	}
	for _, route := range []string{"GET /v1/search", "GET /v1/tickets/:id/suggestions"} {
		req := find(spans, route)
		if len(req) != 1 {
			t.Fatalf("%d spans named %s, want 1", len(req), route)
		}
		in := map[string]bool{}
		for _, s := range spans {
			if s.SpanContext.TraceID() == req[0].SpanContext.TraceID() {
				in[s.Name] = true
			}
		}
		want := []string{string(triage.SpanSearchLexical), string(triage.SpanSearchVector), "outbound embeddings"}
		if strings.Contains(route, "suggestions") {
			want = append(want, "outbound chat")
		}
		for _, w := range want {
			if !in[w] {
				t.Errorf("the trace of %s has no %s span (it has %v)", route, w, in)
			}
		}
	}
	// The webhook call runs in a job whose trace leads back, link by
	// link (event job → delivery job), to a request that created a ticket.
	creators := map[trace.TraceID]bool{}
	for _, c := range create {
		creators[c.SpanContext.TraceID()] = true
	}
	for _, call := range find(spans, "outbound webhook") {
		job := root(call)
		if !strings.HasPrefix(job.Name, "job.") || attr(call, string(triage.AttrOutboundKind)) != string(triage.OutboundWebhook) {
			t.Fatalf("the webhook call's root is %q, want a job; attributes %v", job.Name, call.Attributes)
		}
		hops := []string{job.Name}
		for range 5 {
			if len(job.Links) != 1 {
				t.Fatalf("job span %s has %d links, want 1 to what queued it (path %v)", job.Name, len(job.Links), hops)
			}
			link := job.Links[0].SpanContext
			if creators[link.TraceID()] {
				break
			}
			queuer, ok := byID[link.SpanID()]
			if !ok {
				t.Fatalf("job %s links to a span that was not recorded (path %v)", job.Name, hops)
			}
			job = root(queuer)
			hops = append(hops, job.Name)
		}
		if !creators[job.Links[0].SpanContext.TraceID()] {
			t.Errorf("the webhook delivery does not lead back to a POST /v1/tickets (path %v)", hops)
		}
	}

	// (b) Nothing personal, no ticket text and no URL in any span.
	forbidden := append([]string{traceTitle, traceTitle2, traceAnswer, traceBody, traceBody2, "退款", "到账", "?", "token=abc", "127.0.0.1", rcv.URL}, tracePII...)
	forbidden = append(forbidden, first.ID, second.ID)
	for _, s := range spans {
		var texts []string
		texts = append(texts, s.Name, s.Status.Description)
		for _, a := range s.Attributes {
			texts = append(texts, string(a.Key)+"="+a.Value.String())
		}
		for _, e := range s.Events {
			texts = append(texts, e.Name)
			for _, a := range e.Attributes {
				texts = append(texts, string(a.Key)+"="+a.Value.String())
			}
		}
		for _, l := range s.Links {
			for _, a := range l.Attributes {
				texts = append(texts, string(a.Key)+"="+a.Value.String())
			}
		}
		for _, text := range texts {
			for _, bad := range forbidden {
				if strings.Contains(text, bad) {
					t.Errorf("span %q carries %q in %q", s.Name, bad, text)
				}
			}
		}
		for _, a := range s.Attributes {
			if !otel.Allowed(string(a.Key)) {
				t.Errorf("span %q carries attribute %s, which is not allowed out", s.Name, a.Key)
			}
		}
	}
}

// find returns the spans named name.
func find(spans tracetest.SpanStubs, name string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// attr is the value of a span's attribute, "" when it has none.
func attr(s tracetest.SpanStub, key string) string {
	for _, a := range s.Attributes {
		if string(a.Key) == key {
			return a.Value.String()
		}
	}
	return ""
}
