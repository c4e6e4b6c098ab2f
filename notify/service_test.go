package notify_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/notify"
	"github.com/triagehq/triage/sqlite"
)

// harness is a notify.Service on a real store whose jobs are collected,
// so a test runs them when it wants, as the job queue would.
type harness struct {
	t     *testing.T
	store *sqlite.DB
	svc   *notify.Service
	mu    sync.Mutex
	jobs  []triage.Job
}

func newHarness(t *testing.T, allow ...string) *harness {
	t.Helper()
	h := &harness{t: t}
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "n.db"), sqlite.Options{
		Enqueue: func(_ context.Context, _ *sql.Tx, j triage.Job) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.jobs = append(h.jobs, j)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	g, err := notify.NewGuard(allow)
	if err != nil {
		t.Fatal(err)
	}
	h.store = store
	h.svc = &notify.Service{Store: store, Guard: g, Timeout: 2 * time.Second, MaxAttempts: 3, UserAgent: "triage-test"}
	return h
}

// take returns and forgets the queued jobs of a kind.
func (h *harness) take(kind fmt.Stringer) []triage.Job {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out, rest []triage.Job
	for _, j := range h.jobs {
		if j.Kind == kind.String() {
			out = append(out, j)
		} else {
			rest = append(rest, j)
		}
	}
	h.jobs = rest
	return out
}

// run does a job with the handler the service declares for its kind.
func (h *harness) run(ctx context.Context, j triage.Job) error {
	for _, spec := range h.svc.Jobs() {
		if spec.Kind == j.Kind {
			return spec.Handler(ctx, j.Args)
		}
	}
	return fmt.Errorf("the service declares no handler of %s jobs", j.Kind)
}

func (h *harness) hook(url string, events ...string) *triage.Webhook {
	h.t.Helper()
	w, err := h.svc.Create(h.t.Context(), triage.NewWebhook{URL: url, Events: events}, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return w
}

func (h *harness) ticket(id string) *triage.Ticket {
	h.t.Helper()
	now := time.Now()
	t := &triage.Ticket{ID: id, Title: "退款一周了还没到账", Body: "订单号2026111512345678", Status: triage.StatusNew, Priority: triage.P2,
		Channel: triage.ChannelWechat, Requester: triage.Requester{Name: "陈女士", Phone: "13800138000"}, CreatedAt: now, UpdatedAt: now}
	if err := h.store.Update(h.t.Context(), func(tx triage.Tx) error { return tx.CreateTicket(h.t.Context(), t) }); err != nil {
		h.t.Fatal(err)
	}
	return t
}

func (h *harness) delivery(id string) *triage.Delivery {
	h.t.Helper()
	d, err := h.store.Delivery(h.t.Context(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

func deliveryID(t *testing.T, j triage.Job) string {
	t.Helper()
	var a notify.DeliverArgs
	if err := json.Unmarshal(j.Args, &a); err != nil {
		t.Fatal(err)
	}
	return a.DeliveryID
}

// receiver records what it is sent and answers with the next status.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []*http.Request
	bodies   [][]byte
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, _ := io.ReadAll(req.Body)
	r.got, r.bodies = append(r.got, req), append(r.bodies, b)
	status := http.StatusNoContent
	if len(r.statuses) > 0 {
		status, r.statuses = r.statuses[0], r.statuses[1:]
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte("收到"))
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func TestCreateValidates(t *testing.T) {
	h := newHarness(t)
	no := false
	cases := []struct {
		name  string
		in    triage.NewWebhook
		field string
	}{
		{"no url", triage.NewWebhook{Events: []string{triage.HookTicketCreated}}, "url"},
		{"loopback", triage.NewWebhook{URL: "http://127.0.0.1:8080/x", Events: []string{triage.HookTicketCreated}}, "url"},
		{"no events", triage.NewWebhook{URL: "https://203.0.113.5/x"}, "events"},
		{"unknown event", triage.NewWebhook{URL: "https://203.0.113.5/x", Events: []string{"ticket.deleted"}}, "events"},
		{"short secret", triage.NewWebhook{URL: "https://203.0.113.5/x", Events: []string{triage.HookTicketSolved}, Secret: "short"}, "secret"},
		{"long description", triage.NewWebhook{URL: "https://203.0.113.5/x", Events: []string{triage.HookTicketSolved}, Description: strings.Repeat("长", 501)}, "description"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := h.svc.Create(t.Context(), c.in, nil)
			var te *triage.Error
			if !errors.As(err, &te) || te.Code != triage.EINVALID || te.Field != c.field {
				t.Fatalf("err = %v, want invalid %s", err, c.field)
			}
		})
	}
	w, err := h.svc.Create(t.Context(), triage.NewWebhook{URL: "https://203.0.113.5/x", Events: []string{triage.HookTicketSolved, triage.HookTicketSolved, triage.HookSLABreached}, Active: &no}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(w.Secret, "whsec_") || len(w.Secret) < 40 || w.Active || len(w.Events) != 2 {
		t.Fatalf("created %+v", w)
	}
	got, _ := h.svc.Webhook(t.Context(), w.ID)
	b, _ := json.Marshal(got)
	if strings.Contains(string(b), w.Secret) || strings.Contains(string(b), `"secret":`) {
		t.Fatalf("a read shows the secret: %s", b)
	}
	if got.SecretHint == "" || !strings.HasPrefix(w.Secret, strings.TrimSuffix(got.SecretHint, "…")) {
		t.Errorf("hint %q does not start the secret", got.SecretHint)
	}
}

// TestDeliverySignedAndLogged follows a ticket event from fan-out to the
// receiver: one delivery per subscribed webhook, a body that verifies
// with the secret, and a log of the attempt.
func TestDeliverySignedAndLogged(t *testing.T) {
	h := newHarness(t, "127.0.0.0/8")
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	w := h.hook(srv.URL+"/triage", triage.HookTicketCreated, triage.HookTicketSolved)
	h.hook(srv.URL+"/other", triage.HookArticlePublished) // not subscribed to tickets
	tk := h.ticket("t-1")
	key := triage.EventKey("ticket.created", []byte(`{"ticket_id":"t-1"}`))
	data := notify.TicketData{Change: "ticket.created", Actor: "agent:a1"}
	for range 2 { // a re-run fan-out adds nothing
		if err := h.svc.TicketEvent(t.Context(), key, triage.HookTicketCreated, tk.ID, data, tk.CreatedAt); err != nil {
			t.Fatal(err)
		}
	}
	jobs := h.take(notify.JobDeliver)
	if len(jobs) != 1 {
		t.Fatalf("%d delivery jobs, want 1", len(jobs))
	}
	id := deliveryID(t, jobs[0])
	if err := h.run(t.Context(), jobs[0]); err != nil {
		t.Fatal(err)
	}
	if rcv.count() != 1 {
		t.Fatalf("receiver got %d requests", rcv.count())
	}
	req, body := rcv.got[0], rcv.bodies[0]
	if err := notify.Verify(w.Secret, req.Header.Get(notify.HeaderTimestamp), req.Header.Get(notify.HeaderSignature), body, time.Now(), notify.DefaultTolerance); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if req.Header.Get(notify.HeaderEvent) != "ticket.created" || req.Header.Get(notify.HeaderDelivery) != id || req.Header.Get("User-Agent") != "triage-test" {
		t.Errorf("headers %v", req.Header)
	}
	var p struct {
		ID, Event string
		Data      notify.TicketData
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.ID != key || p.Event != "ticket.created" || p.Data.Ticket.Title != "退款一周了还没到账" || p.Data.Actor != "agent:a1" || p.Data.Fields == nil {
		t.Errorf("payload %s", body)
	}
	d := h.delivery(id)
	if d.Status != triage.DeliverySucceeded || d.Attempts != 1 || d.ResponseStatus != 204 || d.CompletedAt == nil || len(d.Log) != 1 || d.Log[0].DurationMS <= 0 {
		t.Errorf("delivery %+v", d)
	}
	// The job running again (a crash after recording) sends nothing more.
	if err := h.run(t.Context(), jobs[0]); err != nil || rcv.count() != 1 {
		t.Errorf("second run: %v, %d requests", err, rcv.count())
	}
}

// TestRetriesUntilAttemptsRunOut: failures return an error so the queue
// retries; the last attempt marks the delivery failed and stops.
func TestRetries(t *testing.T) {
	cases := []struct {
		name     string
		statuses []int
		runs     int
		status   string
		attempts int
	}{
		{"recovers", []int{500, 503, 200}, 3, triage.DeliverySucceeded, 3},
		{"gives up", []int{500, 500, 500, 500}, 3, triage.DeliveryFailed, 3},
		{"gone stops at once", []int{410}, 1, triage.DeliveryFailed, 1},
		{"redirect is a failure", []int{302, 200}, 2, triage.DeliverySucceeded, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, "127.0.0.1")
			rcv := &receiver{statuses: c.statuses}
			srv := httptest.NewServer(rcv)
			defer srv.Close()
			w := h.hook(srv.URL, triage.HookTicketCreated)
			d, err := h.svc.Ping(t.Context(), w.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			job := h.take(notify.JobDeliver)[0]
			for i := range c.runs {
				err := h.run(t.Context(), job)
				last := i == c.runs-1
				if !last && err == nil {
					t.Fatalf("attempt %d: no error, so the queue would not retry", i+1)
				}
				if last && err != nil {
					t.Fatalf("last attempt: %v", err)
				}
				if got := h.delivery(d.ID); !last && got.Status != triage.DeliveryRetrying {
					t.Fatalf("after attempt %d: %s", i+1, got.Status)
				}
			}
			got := h.delivery(d.ID)
			if got.Status != c.status || got.Attempts != c.attempts || len(got.Log) != c.attempts || rcv.count() != c.attempts {
				t.Fatalf("delivery %s after %d attempts (log %d, receiver %d), want %s after %d", got.Status, got.Attempts, len(got.Log), rcv.count(), c.status, c.attempts)
			}
			if c.status == triage.DeliveryFailed && (got.LastError == "" || got.Log[0].Response != "收到") {
				t.Errorf("failed delivery without its error or response: %+v", got)
			}
		})
	}
}

// TestDeliveryRefusedAtDialTime: a webhook saved while an address was
// allowed (or whose name now resolves inside) is refused when it is
// delivered, without reaching the server and without retrying.
func TestDeliveryRefusedAtDialTime(t *testing.T) {
	h := newHarness(t, "127.0.0.1")
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	w := h.hook(srv.URL, triage.HookTicketCreated)
	d, err := h.svc.Ping(t.Context(), w.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	strict, _ := notify.NewGuard(nil)
	h.svc.Guard = strict
	if err := h.run(t.Context(), h.take(notify.JobDeliver)[0]); err != nil {
		t.Fatalf("a refused delivery asked for a retry: %v", err)
	}
	got := h.delivery(d.ID)
	if got.Status != triage.DeliveryFailed || !strings.Contains(got.LastError, "refused") || rcv.count() != 0 {
		t.Fatalf("delivery %+v, receiver %d", got, rcv.count())
	}
}

func TestDisabledAndDeletedWebhooks(t *testing.T) {
	h := newHarness(t, "127.0.0.1")
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	w := h.hook(srv.URL, triage.HookSLABreached)
	tk := h.ticket("t-1")
	args := json.RawMessage(`{"ticket_id":"t-1","policy":"P1 四小时","target":"resolution"}`)
	if err := h.svc.OtherEvent(t.Context(), triage.EventKey("sla.breached", args), triage.HookSLABreached, args); err != nil {
		t.Fatal(err)
	}
	job := h.take(notify.JobDeliver)[0]
	var p struct{ Data map[string]any }
	_ = json.Unmarshal(h.delivery(deliveryID(t, job)).Payload, &p)
	if p.Data["policy"] != "P1 四小时" || p.Data["ticket"].(map[string]any)["id"] != tk.ID {
		t.Errorf("sla payload data %v", p.Data)
	}
	off := false
	if _, err := h.svc.Update(t.Context(), w.ID, 0, triage.WebhookUpdate{Active: triage.Opt[bool]{Set: true, V: off}}); err != nil {
		t.Fatal(err)
	}
	if err := h.run(t.Context(), job); err != nil {
		t.Fatal(err)
	}
	if got := h.delivery(deliveryID(t, job)); got.Status != triage.DeliveryFailed || !strings.Contains(got.LastError, "disabled") || rcv.count() != 0 {
		t.Fatalf("delivery to a disabled webhook: %+v", got)
	}
	// A disabled webhook gets no new deliveries.
	if err := h.svc.OtherEvent(t.Context(), "other-key", triage.HookSLABreached, args); err != nil || len(h.take(notify.JobDeliver)) != 0 {
		t.Fatalf("fan-out to a disabled webhook: %v", err)
	}
	// A ping still goes; then the webhook is deleted and its queued
	// delivery is dropped.
	if _, err := h.svc.Ping(t.Context(), w.ID, nil); err != nil {
		t.Fatal(err)
	}
	ping := h.take(notify.JobDeliver)[0]
	if err := h.svc.Delete(t.Context(), w.ID, 0); err != nil {
		t.Fatal(err)
	}
	if err := h.run(t.Context(), ping); err != nil || rcv.count() != 0 {
		t.Fatalf("delivery of a deleted webhook: %v, %d requests", err, rcv.count())
	}
	if err := h.run(t.Context(), triage.Job{Kind: notify.JobDeliver.String(), Args: json.RawMessage(`{}`)}); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("bad arguments: %v, want invalid (cancels the job)", err)
	}
}

func TestArticlePublished(t *testing.T) {
	h := newHarness(t)
	h.hook("https://203.0.113.5/kb", triage.HookArticlePublished)
	ctx := t.Context()
	now := time.Now()
	a := &triage.Article{ID: "art-1", Title: "退款多久到账", Body: "1-3 个工作日", Status: triage.ArticleDraft, CreatedAt: now, UpdatedAt: now}
	statuses := []triage.ArticleStatus{triage.ArticleDraft, triage.ArticleInReview, triage.ArticlePublished, triage.ArticlePublished, triage.ArticleDraft, triage.ArticlePublished}
	err := h.store.Update(ctx, func(tx triage.Tx) error {
		if err := tx.CreateArticle(ctx, a); err != nil {
			return err
		}
		for i, st := range statuses {
			v := &triage.ArticleVersion{ArticleID: a.ID, Version: i + 1, Title: a.Title, Body: a.Body, Status: st, Actor: "agent:e1", CreatedAt: now}
			if err := tx.AddArticleVersion(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var published []int
	for v := 1; v <= len(statuses); v++ {
		if err := h.svc.ArticleSaved(ctx, triage.EventKey("article.changed", []byte{byte(v)}), triage.HookArticlePublished, a.ID, v); err != nil {
			t.Fatal(err)
		}
		if len(h.take(notify.JobDeliver)) == 1 {
			published = append(published, v)
		}
	}
	if len(published) != 2 || published[0] != 3 || published[1] != 6 {
		t.Fatalf("article.published for versions %v, want [3 6]: a publish, not an edit of a published article", published)
	}
	if err := h.svc.ArticleSaved(ctx, "k", triage.HookArticlePublished, "nope", 1); err != nil {
		t.Errorf("unknown article: %v", err)
	}
}

func TestRedeliverAndPrune(t *testing.T) {
	h := newHarness(t, "127.0.0.1")
	rcv := &receiver{statuses: []int{500}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	h.svc.MaxAttempts = 1
	w := h.hook(srv.URL, triage.HookTicketCreated)
	d, _ := h.svc.Ping(t.Context(), w.ID, nil)
	_ = h.run(t.Context(), h.take(notify.JobDeliver)[0])
	again, err := h.svc.Redeliver(t.Context(), w.ID, d.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.run(t.Context(), h.take(notify.JobDeliver)[0]); err != nil {
		t.Fatal(err)
	}
	if got := h.delivery(again.ID); got.Status != triage.DeliverySucceeded || string(got.Payload) != string(h.delivery(d.ID).Payload) {
		t.Fatalf("redelivery %+v", got)
	}
	if _, err := h.svc.Redeliver(t.Context(), "other", d.ID, nil); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("redeliver through another webhook: %v", err)
	}
	list, _, err := h.svc.Deliveries(t.Context(), triage.DeliveryFilter{WebhookID: w.ID})
	if err != nil || len(list) != 2 || list[0].ID != again.ID {
		t.Fatalf("deliveries %v %v", list, err)
	}
	if _, _, err := h.svc.Deliveries(t.Context(), triage.DeliveryFilter{WebhookID: w.ID, Status: "lost"}); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("bad status filter: %v", err)
	}
	h.svc.Now = func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }
	n, err := h.svc.Prune(t.Context())
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v", n, err)
	}
}

// TestSubscriptionsFollowTheCatalogue sends one event of every kind
// through the service's subscriptions: each kind the catalogue delivers
// arrives as its webhook event, with the change named for the ticket
// kinds that share ticket.updated, and a kind kept from webhooks makes no
// delivery.
func TestSubscriptionsFollowTheCatalogue(t *testing.T) {
	h := newHarness(t, "127.0.0.1")
	h.hook("https://93.184.216.34/hook", triage.HookEvents()...)
	tk := h.ticket("t-1")
	ctx := t.Context()
	a := h.publishedArticle()
	subs := map[string]triage.Subscription{}
	for _, s := range h.svc.Subscriptions() {
		subs[s.Kind] = s
	}
	payloads := map[string]any{
		"ticket":  triage.TicketEvent{TicketID: tk.ID, Actor: "agent:a1", At: time.Now()},
		"article": triage.ArticleEvent{ArticleID: a.ID, Version: a.Version},
		"other":   map[string]string{"ticket_id": tk.ID},
	}
	for _, e := range triage.Events() {
		t.Run(e.Kind, func(t *testing.T) {
			sub, ok := subs[e.Kind]
			if ok != (e.Hook != "") {
				t.Fatalf("subscribed %v, but the catalogue delivers it as %q", ok, e.Hook)
			}
			if !ok {
				return
			}
			var p any = payloads["other"]
			switch e.Payload.(type) {
			case triage.TicketEvent:
				p = payloads["ticket"]
			case triage.ArticleEvent:
				p = payloads["article"]
			}
			raw, _ := json.Marshal(p)
			if err := sub.Handle(ctx, triage.EventKey(e.Kind, raw), raw); err != nil {
				t.Fatal(err)
			}
			jobs := h.take(notify.JobDeliver)
			if len(jobs) != 1 {
				t.Fatalf("%d deliveries, want 1", len(jobs))
			}
			d := h.delivery(deliveryID(t, jobs[0]))
			var body struct {
				Event string
				Data  struct{ Change string }
			}
			_ = json.Unmarshal(d.Payload, &body)
			if d.Event != e.Hook || body.Event != e.Hook {
				t.Errorf("delivered as %s (body %s), want %s", d.Event, body.Event, e.Hook)
			}
			if _, isTicket := e.Payload.(triage.TicketEvent); isTicket && body.Data.Change != e.Kind {
				t.Errorf("data.change %q, want %q", body.Data.Change, e.Kind)
			}
		})
	}
}

// publishedArticle stores a published article as the KB does: the
// article and its version.
func (h *harness) publishedArticle() *triage.Article {
	h.t.Helper()
	ctx, now := h.t.Context(), time.Now()
	art := &triage.Article{ID: "a-1", Title: "退款多久到账", Body: "一般 1–3 个工作日。", Status: triage.ArticlePublished, CreatedAt: now, UpdatedAt: now, PublishedAt: &now}
	err := h.store.Update(ctx, func(tx triage.Tx) error {
		if err := tx.CreateArticle(ctx, art); err != nil {
			return err
		}
		return tx.AddArticleVersion(ctx, &triage.ArticleVersion{ArticleID: art.ID, Version: art.Version, Title: art.Title, Body: art.Body, Status: art.Status, CreatedAt: now})
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return art
}
