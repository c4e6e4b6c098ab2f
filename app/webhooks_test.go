package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/notify"
)

// TestWebhookThroughTheQueue subscribes an httptest receiver (allowed by
// --webhook-allow), solves a ticket, and receives ticket.solved through
// the real job queue with a signature that verifies. A second ticket
// from the same requester is linked as a probable duplicate by the
// ticket.created subscriber, and /metrics reports the traffic.
func TestWebhookThroughTheQueue(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the job queue; skipped with -short")
	}
	type received struct {
		header http.Header
		body   []byte
	}
	var mu sync.Mutex
	var got []received
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.Header.Clone(), b})
		mu.Unlock()
	}))
	t.Cleanup(rcv.Close)

	ctx := context.Background()
	m := open(t, app.Config{Threshold: 0.35, VectorWeight: 1, WebhookAllow: []string{"127.0.0.1"}, MetricsToken: "scrape-token-for-the-test", Segmenter: sharedSegmenter(t)})
	if _, err := m.Desk.Bootstrap(ctx, testAdmin); err != nil {
		t.Fatal(err)
	}
	startJobs(t, m)
	call := func(method, path, body string, headers ...string) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+testAdmin)
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ": ")
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		m.Server.Handler().ServeHTTP(w, r)
		return w
	}

	// The guard refuses loopback unless allowed: 10.x is still refused.
	if w := call("POST", "/v1/webhooks", `{"url":"http://10.1.2.3/x","events":["ticket.solved"]}`); w.Code != 400 {
		t.Fatalf("a private destination outside --webhook-allow: %d %s", w.Code, w.Body)
	}
	w := call("POST", "/v1/webhooks", `{"url":"`+rcv.URL+`/hook","events":["ticket.solved","ticket.created","article.published"]}`)
	if w.Code != 201 {
		t.Fatalf("create webhook: %d %s", w.Code, w.Body)
	}
	var hook triage.Webhook
	json.Unmarshal(w.Body.Bytes(), &hook)

	requester := `"requester":{"name":"陈女士","phone":"13800138000"}`
	w = call("POST", "/v1/tickets", `{"title":"退款一周了还没到账","body":"订单号2026111512345678，退款申请已通过，钱还没到银行卡。",`+requester+`}`)
	var tk triage.Ticket
	json.Unmarshal(w.Body.Bytes(), &tk)
	if w.Code != 201 {
		t.Fatalf("create ticket: %d %s", w.Code, w.Body)
	}
	dup := call("POST", "/v1/tickets", `{"title":"退款还没到账","body":"订单号2026111512345678，退款申请已通过，钱还没到银行卡，请尽快处理。",`+requester+`}`)
	var second triage.Ticket
	json.Unmarshal(dup.Body.Bytes(), &second)
	// Another customer's ticket is the one solved, so the first stays
	// open for the duplicate check.
	var other triage.Ticket
	json.Unmarshal(call("POST", "/v1/tickets", `{"title":"发票抬头写错了","body":"需要重开发票","requester":{"name":"王先生","email":"wang@example.com"}}`).Body.Bytes(), &other)
	if w := call("PATCH", "/v1/tickets/"+other.ID, `{"status":"solved"}`, "If-Match: *"); w.Code != 200 {
		t.Fatalf("solve: %d %s", w.Code, w.Body)
	}

	var solved *received
	opsEventually(t, 30*time.Second, "a ticket.solved delivery", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for i := range got {
			if got[i].header.Get(notify.HeaderEvent) == triage.HookTicketSolved {
				solved = &got[i]
			}
		}
		return solved != nil
	})
	h := solved.header
	if err := notify.Verify(hook.Secret, h.Get(notify.HeaderTimestamp), h.Get(notify.HeaderSignature), solved.body, time.Now(), notify.DefaultTolerance); err != nil {
		t.Fatalf("signature: %v (%v)", err, h)
	}
	if notify.Verify("whsec_another", h.Get(notify.HeaderTimestamp), h.Get(notify.HeaderSignature), solved.body, time.Now(), notify.DefaultTolerance) == nil {
		t.Fatal("a wrong secret verifies")
	}
	var p struct {
		Event string            `json:"event"`
		Data  notify.TicketData `json:"data"`
	}
	if err := json.Unmarshal(solved.body, &p); err != nil || p.Event != triage.HookTicketSolved || p.Data.Ticket.ID != other.ID || p.Data.Ticket.Status != triage.StatusSolved {
		t.Fatalf("payload %s: %v", solved.body, err)
	}
	opsEventually(t, 10*time.Second, "the delivery log to record success", func() bool {
		var log struct{ Items []triage.Delivery }
		json.Unmarshal(call("GET", "/v1/webhooks/"+hook.ID+"/deliveries?status=succeeded", "").Body.Bytes(), &log)
		for _, d := range log.Items {
			if d.Event == triage.HookTicketSolved && d.Attempts == 1 && d.ResponseStatus == 200 {
				return true
			}
		}
		return false
	})

	// A draft saved is not news; the save that publishes it is.
	w = call("POST", "/v1/articles", `{"title":"退款多久到账","body":"原路退回，一般三到五个工作日。"}`)
	var art triage.Article
	if err := json.Unmarshal(w.Body.Bytes(), &art); err != nil || w.Code != 201 {
		t.Fatalf("create article: %d %s", w.Code, w.Body)
	}
	if w := call("PATCH", "/v1/articles/"+art.ID, `{"status":"published","override":"测试数据：同一位管理员写并发布"}`, "If-Match: *"); w.Code != 200 {
		t.Fatalf("publish: %d %s", w.Code, w.Body)
	}
	var published []received
	opsEventually(t, 30*time.Second, "an article.published delivery", func() bool {
		mu.Lock()
		defer mu.Unlock()
		published = published[:0]
		for _, r := range got {
			if r.header.Get(notify.HeaderEvent) == triage.HookArticlePublished {
				published = append(published, r)
			}
		}
		return len(published) > 0
	})
	var ap struct {
		Event string             `json:"event"`
		Data  notify.ArticleData `json:"data"`
	}
	if err := json.Unmarshal(published[0].body, &ap); err != nil || ap.Data.Article.ID != art.ID || ap.Data.Article.Title != "退款多久到账" {
		t.Fatalf("article.published payload %s: %v", published[0].body, err)
	}
	if len(published) != 1 {
		t.Fatalf("%d article.published deliveries for one publication", len(published))
	}

	opsEventually(t, 20*time.Second, "the second ticket to be linked as a probable duplicate", func() bool {
		var links struct{ Items []triage.LinkView }
		json.Unmarshal(call("GET", "/v1/tickets/"+second.ID+"/links", "").Body.Bytes(), &links)
		return len(links.Items) == 1 && links.Items[0].Relation == triage.RelDuplicateOf && links.Items[0].TicketID == tk.ID
	})

	r := httptest.NewRequest("GET", "/metrics", nil)
	r.Header.Set("Authorization", "Bearer scrape-token-for-the-test")
	mw := httptest.NewRecorder()
	m.Server.Handler().ServeHTTP(mw, r)
	body := mw.Body.String()
	for _, want := range []string{
		`triage_http_request_duration_seconds_count{code="201",method="POST",route="/v1/tickets"} 3`,
		`triage_webhook_delivery_duration_seconds_count{event="ticket.solved",outcome="succeeded"} 1`,
		`triage_jobs{kind="webhook.deliver",state=`, `triage_jobs{kind="webhook.prune",state="scheduled"} 1`,
		`triage_index_lag `, `triage_tickets_created_total 3`, `triage_model_info{kind="embedder"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics (%d) lacks %s", mw.Code, want)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
}

func opsEventually(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !ok(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, limit)
		}
	}
}
