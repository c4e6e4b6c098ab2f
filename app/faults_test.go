package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
)

// Faults an outside endpoint can have, as the fake below plays them.
const (
	faultNone      = "none"
	faultHang      = "hang"       // holds the request until released
	faultThrottled = "429"        // 429 with Retry-After: 30
	faultServer    = "500"        // 500 every time
	faultGarbage   = "garbage"    // 200 with a body that is not JSON
	faultDimension = "wrong-dim"  // vectors of the wrong length
	faultClose     = "close-conn" // closes the connection without answering
)

var allFaults = []string{faultHang, faultThrottled, faultServer, faultGarbage, faultDimension, faultClose}

// faultyOpenAI is an OpenAI-compatible endpoint (embeddings and chat) that
// fails in one way; it counts the requests it holds, so a test can make a
// write while one is held.
type faultyOpenAI struct {
	fault    string
	dim      int
	release  chan struct{}
	once     sync.Once
	inflight atomic.Int64
	calls    atomic.Int64
}

func newFaultyOpenAI(t testing.TB, fault string) (*faultyOpenAI, string) {
	f := &faultyOpenAI{fault: fault, dim: 8, release: make(chan struct{})}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	// Cleanups run last-registered first: the held requests are released
	// before the server, and whatever was waiting on them, is closed.
	t.Cleanup(f.unblock)
	return f, srv.URL + "/v1"
}

func (f *faultyOpenAI) unblock() { f.once.Do(func() { close(f.release) }) }

func (f *faultyOpenAI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	f.inflight.Add(1)
	defer f.inflight.Add(-1)
	body, _ := io.ReadAll(r.Body)
	switch f.fault {
	case faultHang:
		select {
		case <-f.release:
		case <-r.Context().Done():
		}
		return
	case faultThrottled:
		w.Header().Set("Retry-After", "30")
		http.Error(w, `{"error":{"message":"rate limited","type":"rate_limit"}}`, http.StatusTooManyRequests)
		return
	case faultServer:
		http.Error(w, `{"error":{"message":"boom","type":"server_error"}}`, http.StatusInternalServerError)
		return
	case faultGarbage:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `<html>not json{{{`)
		return
	case faultClose:
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
			}
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if strings.HasSuffix(r.URL.Path, "/chat/completions") {
		json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "model": "fake-chat",
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": "您好，退款已原路退回[1]，请留意银行卡的到账通知。如有疑问请随时联系我们。"}}}})
		return
	}
	var req struct {
		Input []string `json:"input"`
	}
	json.Unmarshal(body, &req)
	dim := f.dim
	if f.fault == faultDimension {
		dim = 3
	}
	data := make([]map[string]any, len(req.Input))
	for i, s := range req.Input {
		v := make([]float32, dim)
		for j, r := range s {
			v[(j+int(r))%dim]++
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": v}
	}
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": "fake-embed"})
}

// faultApp is an app whose embeddings (and, with chat, drafts) come from
// the fake endpoint, with a short search budget, and a client of its API.
type faultApp struct {
	*app.App
	t testing.TB
}

const testBudget = 200 * time.Millisecond

func openFaultApp(t testing.TB, base string, chat bool) *faultApp {
	t.Helper()
	cfg := app.Config{Threshold: 0.35, Segmenter: sharedSegmenter(t), MemIndex: true,
		EmbedBaseURL: base, EmbedModel: "fake-embed", EmbedDim: 8, EmbedBudget: testBudget}
	if chat {
		cfg.LLMBaseURL, cfg.LLMModel = base, "fake-chat"
	}
	m := open(t, cfg)
	if _, err := m.Desk.Bootstrap(context.Background(), testAdmin); err != nil {
		t.Fatal(err)
	}
	if err := m.StartIndex(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	// Drafting has its own budget (20 s by default); the test's is short.
	m.Suggest.Writer.Timeout = testBudget
	return &faultApp{App: m, t: t}
}

type reply struct {
	code int
	body []byte
	took time.Duration
}

func (f *faultApp) call(method, path, body string) reply {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+testAdmin)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if method == "PATCH" {
		r.Header.Set("If-Match", "*")
	}
	w := httptest.NewRecorder()
	start := time.Now()
	f.Server.Handler().ServeHTTP(w, r)
	return reply{w.Code, w.Body.Bytes(), time.Since(start)}
}

// within runs a call and fails the test when it has not answered by
// limit: the bound is generous (a fault-free call takes milliseconds);
// what it catches is a call that waits on the endpoint's 30 s timeouts
// and retries.
func (f *faultApp) within(limit time.Duration, method, path, body string) reply {
	f.t.Helper()
	done := make(chan reply, 1)
	go func() { done <- f.call(method, path, body) }()
	select {
	case r := <-done:
		return r
	case <-time.After(limit):
		f.t.Fatalf("%s %s has not answered after %s", method, path, limit)
	}
	return reply{}
}

func (f *faultApp) createTicket(title, body string) triage.Ticket {
	f.t.Helper()
	r := f.within(5*time.Second, "POST", "/v1/tickets", `{"title":"`+title+`","body":"`+body+`","requester":{"name":"陈女士","email":"chen@example.com"}}`)
	if r.code != http.StatusCreated {
		f.t.Fatalf("create ticket: %d %s", r.code, r.body)
	}
	var tk triage.Ticket
	if err := json.Unmarshal(r.body, &tk); err != nil {
		f.t.Fatal(err)
	}
	return tk
}

// TestCreateTicketWhileTheEmbedderFails: whatever the embeddings endpoint
// does (hang, 429 with Retry-After: 30, 500, garbage, vectors of the wrong
// length, a closed connection), a ticket is created and triaged with 201
// at once, without a single request to the endpoint, and can be read
// back. Before, triage embedded the new ticket's
// text inside its creating transaction, so a hanging or throttled
// endpoint held the request (and the store) for its timeouts and retries.
func TestCreateTicketWhileTheEmbedderFails(t *testing.T) {
	for _, fault := range allFaults {
		t.Run(fault, func(t *testing.T) {
			f, base := newFaultyOpenAI(t, fault)
			m := openFaultApp(t, base, false)
			before := f.calls.Load()
			tk := m.createTicket("退款一周了还没到账", "退款申请已通过，钱还没到银行卡。")
			if n := f.calls.Load() - before; n != 0 {
				t.Fatalf("creating a ticket sent %d requests to the embeddings endpoint", n)
			}
			if tk.Triage == nil {
				t.Fatal("the ticket was created without its triage record")
			}
			if r := m.call("GET", "/v1/tickets/"+tk.ID, ""); r.code != http.StatusOK {
				t.Fatalf("the created ticket reads back %d %s", r.code, r.body)
			}
		})
	}
}

// TestWritesDoNotWaitOnAHeldEmbedding: while the embeddings endpoint holds
// the background embedding of a solved ticket, new tickets, comments and
// updates of other tickets go through: the embedding holds no
// transaction while it waits.
func TestWritesDoNotWaitOnAHeldEmbedding(t *testing.T) {
	f, base := newFaultyOpenAI(t, faultHang)
	m := openFaultApp(t, base, false)
	solved := m.createTicket("发票抬头开错了", "请帮我重开发票，抬头写错了。")
	other := m.createTicket("快递三天没更新", "物流信息一直不动。")
	if r := m.within(5*time.Second, "PATCH", "/v1/tickets/"+solved.ID, `{"status":"solved"}`); r.code != http.StatusOK {
		t.Fatalf("solve: %d %s", r.code, r.body)
	}
	embedded := make(chan error, 1)
	go func() { embedded <- m.Indexer.Embed(context.Background(), triage.DocTicket, solved.ID) }()
	deadline := time.Now().Add(5 * time.Second)
	for f.inflight.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the embedding never reached the endpoint")
		}
		time.Sleep(5 * time.Millisecond)
	}
	m.createTicket("登录验证码收不到", "手机收不到验证码。")
	if r := m.within(5*time.Second, "POST", "/v1/tickets/"+other.ID+"/comments", `{"body":"我们正在查询物流。","public":true}`); r.code != http.StatusCreated {
		t.Fatalf("comment: %d %s", r.code, r.body)
	}
	if r := m.within(5*time.Second, "PATCH", "/v1/tickets/"+other.ID, `{"priority":"P1"}`); r.code != http.StatusOK {
		t.Fatalf("update: %d %s", r.code, r.body)
	}
	if f.inflight.Load() == 0 {
		t.Fatal("the endpoint let go of the embedding before the writes were done: the test proves nothing")
	}
	select {
	case err := <-embedded:
		t.Fatalf("the embedding ended while the endpoint held it: %v", err)
	default:
	}
	f.unblock()
	if err := <-embedded; err == nil {
		t.Fatal("an embedding the endpoint never answered succeeded")
	}
}

// searchAnswer is what GET /v1/search answers, as far as this test reads
// it.
type searchAnswer struct {
	Items    []triage.Source `json:"items"`
	Degraded bool            `json:"degraded"`
	Reason   *triage.Reason  `json:"reason"`
}

// TestSearchDegradesToWords: with the embeddings endpoint failing in any
// way, GET /v1/search answers 200 within a second from the words alone,
// with "degraded": true and a reason whose code says whether the endpoint
// was late or failed; with a healthy endpoint the answer is not degraded.
// Before, a hanging endpoint held hybrid search for minutes and then
// answered 503, and vectors of the wrong length answered 400.
func TestSearchDegradesToWords(t *testing.T) {
	want := map[string]triage.ReasonCode{
		faultHang: triage.ReasonSearchVectorTimeout, faultThrottled: triage.ReasonSearchVectorTimeout,
		faultServer: triage.ReasonSearchVectorTimeout, faultClose: triage.ReasonSearchVectorTimeout,
		faultGarbage: triage.ReasonSearchVectorFailed, faultDimension: triage.ReasonSearchVectorFailed,
		faultNone: "",
	}
	for _, fault := range append([]string{faultNone}, allFaults...) {
		t.Run(fault, func(t *testing.T) {
			_, base := newFaultyOpenAI(t, fault)
			m := openFaultApp(t, base, false)
			tk := m.createTicket("退款一周了还没到账", "退款申请已通过，钱还没到银行卡。")
			m.within(5*time.Second, "POST", "/v1/tickets/"+tk.ID+"/comments", `{"body":"退款已原路退回，请查收。","public":true}`)
			m.within(5*time.Second, "PATCH", "/v1/tickets/"+tk.ID, `{"status":"solved"}`)
			if _, err := m.Indexer.CatchUp(context.Background()); err != nil {
				t.Fatal(err)
			}
			for _, mode := range []string{"hybrid", "vector"} {
				r := m.within(time.Second, "GET", "/v1/search?kind=ticket&mode="+mode+"&q=退款", "")
				if r.code != http.StatusOK {
					t.Fatalf("%s search: %d %s", mode, r.code, r.body)
				}
				var got searchAnswer
				if err := json.Unmarshal(r.body, &got); err != nil {
					t.Fatal(err)
				}
				code := triage.ReasonCode("")
				if got.Reason != nil {
					code = got.Reason.Code
				}
				if got.Degraded != (want[fault] != "") || code != want[fault] {
					t.Fatalf("%s search: degraded %v, reason %+v; want reason %q", mode, got.Degraded, got.Reason, want[fault])
				}
				if code == triage.ReasonSearchVectorTimeout && got.Reason.Args["seconds"] != testBudget.Seconds() {
					t.Fatalf("%s search: the reason should give the budget, %s: %+v", mode, testBudget, got.Reason)
				}
				if fault != faultNone && (len(got.Items) != 1 || got.Items[0].ID != tk.ID || got.Items[0].LexicalRank != 1) {
					t.Fatalf("%s search: the words should still find the solved ticket: %s", mode, r.body)
				}
			}
		})
	}
}

// solvedTicket creates a ticket, answers and solves it, and brings the
// text index up to date, so that the words can find it.
func (f *faultApp) solvedTicket(title, body, answer string) triage.Ticket {
	f.t.Helper()
	tk := f.createTicket(title, body)
	if r := f.within(5*time.Second, "POST", "/v1/tickets/"+tk.ID+"/comments", `{"body":"`+answer+`","public":true}`); r.code != http.StatusCreated {
		f.t.Fatalf("answer: %d %s", r.code, r.body)
	}
	if r := f.within(5*time.Second, "PATCH", "/v1/tickets/"+tk.ID, `{"status":"solved"}`); r.code != http.StatusOK {
		f.t.Fatalf("solve: %d %s", r.code, r.body)
	}
	if _, err := f.Indexer.CatchUp(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	return tk
}

// TestSuggestionsDegradeToWords: with the embeddings and the chat endpoint
// failing in any way, GET /v1/tickets/{id}/suggestions answers 200 within
// a second, with the similar ticket found by its words, "degraded": true
// and the reason, and the draft's fallback saying why the LLM was not
// used; a degraded set is not served again as fresh. Before, suggestions
// answered 503 when embeddings returned 500 or garbage, and waited on a
// hanging endpoint.
func TestSuggestionsDegradeToWords(t *testing.T) {
	for _, fault := range allFaults {
		t.Run(fault, func(t *testing.T) {
			f, base := newFaultyOpenAI(t, fault)
			m := openFaultApp(t, base, true)
			solved := m.solvedTicket("退款一周了还没到账", "退款申请已通过，钱还没到银行卡。", "退款已原路退回，请查收。")
			before := f.calls.Load()
			tk := m.createTicket("退款还没到账", "退款什么时候到账？")
			if n := f.calls.Load() - before; n != 0 {
				t.Fatalf("creating a ticket sent %d requests to the endpoint", n)
			}
			var ids []string
			for range 2 {
				r := m.within(time.Second+testBudget, "GET", "/v1/tickets/"+tk.ID+"/suggestions", "")
				if r.code != http.StatusOK {
					t.Fatalf("suggestions: %d %s", r.code, r.body)
				}
				var sg triage.Suggestions
				if err := json.Unmarshal(r.body, &sg); err != nil {
					t.Fatal(err)
				}
				if !sg.Degraded || sg.Reason == nil || (sg.Reason.Code != triage.ReasonSearchVectorTimeout && sg.Reason.Code != triage.ReasonSearchVectorFailed) {
					t.Fatalf("suggestions: degraded %v reason %+v", sg.Degraded, sg.Reason)
				}
				if len(sg.Tickets) != 1 || sg.Tickets[0].ID != solved.ID {
					t.Fatalf("the words should still find the solved ticket: %s", r.body)
				}
				// The fake answers chat well only when its fault is in the
				// vectors' length.
				if llm := fault == faultDimension; (sg.Draft.Mode == triage.DraftLLM) != llm || (sg.Draft.Fallback == nil) != llm {
					t.Fatalf("draft %s, fallback %+v", sg.Draft.Mode, sg.Draft.Fallback)
				}
				ids = append(ids, sg.ID)
			}
			if ids[0] == ids[1] {
				t.Fatal("a degraded set of suggestions was served again instead of being computed anew")
			}
		})
	}
}

// BenchmarkCreateTicketEndpointFaults creates tickets through the API on
// two apps, one with a healthy embeddings endpoint and one whose endpoint
// hangs (holding every request), and reports each one's p99 and their
// ratio, which issue 13 wants within 2. It is a benchmark, not a test:
// timings on a shared machine are figures to read, not to assert.
//
//	go test ./app -run '^$' -bench CreateTicketEndpointFaults -benchtime 200x
func BenchmarkCreateTicketEndpointFaults(b *testing.B) {
	healthyEndpoint, healthyBase := newFaultyOpenAI(b, faultNone)
	hangingEndpoint, hangingBase := newFaultyOpenAI(b, faultHang)
	healthy, hanging := openFaultApp(b, healthyBase, true), openFaultApp(b, hangingBase, true)
	// Something to find: resolved tickets for triage's similar-ticket vote.
	for i := range 20 {
		for _, m := range []*faultApp{healthy, hanging} {
			m.solvedTicket(fmt.Sprintf("退款第%d次还没到账", i), "退款申请已通过，钱还没到银行卡。", "退款已原路退回，请查收。")
		}
	}
	var okTimes, hangTimes []time.Duration
	calls := healthyEndpoint.calls.Load() + hangingEndpoint.calls.Load()
	b.ResetTimer()
	for i := range b.N {
		for _, m := range []*faultApp{healthy, hanging} {
			r := m.call("POST", "/v1/tickets", fmt.Sprintf(`{"title":"退款还没到账 %d","body":"退款申请已通过，钱还没到银行卡。","requester":{"name":"陈女士","email":"chen@example.com"}}`, i))
			if r.code != http.StatusCreated {
				b.Fatalf("create: %d %s", r.code, r.body)
			}
			if m == healthy {
				okTimes = append(okTimes, r.took)
			} else {
				hangTimes = append(hangTimes, r.took)
			}
		}
	}
	b.StopTimer()
	p99 := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[min(len(d)-1, len(d)*99/100)].Microseconds()) / 1000
	}
	ok, hang := p99(okTimes), p99(hangTimes)
	b.ReportMetric(ok, "healthy-p99-ms")
	b.ReportMetric(hang, "hanging-p99-ms")
	b.ReportMetric(hang/ok, "p99-ratio")
	b.ReportMetric(float64(healthyEndpoint.calls.Load()+hangingEndpoint.calls.Load()-calls), "endpoint-calls")
}
