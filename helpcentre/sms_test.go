package helpcentre_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/helpcentre"
	"github.com/triagehq/triage/notify"
	"github.com/triagehq/triage/postgres"
	"github.com/triagehq/triage/postgres/pgtest"
	"github.com/triagehq/triage/sqlite"
)

// queued collects the jobs a store enqueues.
type queued struct {
	mu   sync.Mutex
	jobs []triage.Job
}

func (q *queued) add(j triage.Job) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, j)
}

// take returns the jobs of kind queued so far and forgets them.
func (q *queued) take(kind string) []triage.Job {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out, rest []triage.Job
	for _, j := range q.jobs {
		if j.Kind == kind {
			out = append(out, j)
		} else {
			rest = append(rest, j)
		}
	}
	q.jobs = rest
	return out
}

// storesQueued is stores with the enqueued jobs kept.
func storesQueued(t *testing.T, run func(t *testing.T, store triage.Store, q *queued)) {
	t.Run("sqlite", func(t *testing.T) {
		q := &queued{}
		s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"), sqlite.Options{
			Enqueue: func(_ context.Context, _ *sql.Tx, j triage.Job) error { q.add(j); return nil }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		run(t, s, q)
	})
	t.Run("postgres", func(t *testing.T) {
		q := &queued{}
		s, err := postgres.Open(t.Context(), pgtest.NewDatabase(t), postgres.Options{
			Enqueue: func(_ context.Context, _ pgx.Tx, j triage.Job) error { q.add(j); return nil }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		run(t, s, q)
	})
}

// smsGateway is the company's SMS webhook: outside triage, so a server
// of its own that checks every post's signature.
type smsGateway struct {
	*httptest.Server
	mu   sync.Mutex
	got  []helpcentre.SMSPayload
	raw  []string
	errs []string
}

const smsSecret = "sms-webhook-secret-0123456789"

func newGateway(t *testing.T) *smsGateway {
	g := &smsGateway{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		defer g.mu.Unlock()
		if err := notify.Verify(smsSecret, r.Header.Get(notify.HeaderTimestamp), r.Header.Get(notify.HeaderSignature), b, time.Now(), time.Hour*24*365*10); err != nil {
			g.errs = append(g.errs, err.Error())
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p helpcentre.SMSPayload
		if err := json.Unmarshal(b, &p); err != nil {
			g.errs = append(g.errs, err.Error())
		}
		g.got, g.raw = append(g.got, p), append(g.raw, string(b))
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *smsGateway) last(t *testing.T) (helpcentre.SMSPayload, string) {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.errs) > 0 || len(g.got) == 0 {
		t.Fatalf("the gateway got %d posts, errors %v", len(g.got), g.errs)
	}
	return g.got[len(g.got)-1], g.raw[len(g.raw)-1]
}

// TestSMSSignIn: a requester signs in to "my tickets" by a code the
// company's SMS webhook delivers, on both stores.
func TestSMSSignIn(t *testing.T) {
	storesQueued(t, func(t *testing.T, store triage.Store, q *queued) {
		p := newPortal(t, store, nil)
		ctx := t.Context()
		gw := newGateway(t)

		// The settings: a bad URL or a short secret names its field; the
		// secret is never shown again.
		for _, c := range []struct {
			u     triage.HelpSettingsUpdate
			field string
		}{
			{triage.HelpSettingsUpdate{SMSWebhookURL: triage.Some("ftp://sms.example.com"), SMSSecret: triage.Some(smsSecret)}, "sms_webhook_url"},
			{triage.HelpSettingsUpdate{SMSWebhookURL: triage.Some(gw.URL), SMSSecret: triage.Some("short")}, "sms_secret"},
		} {
			_, err := p.svc.PutSettings(ctx, c.u)
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != c.field {
				t.Errorf("%+v: %v, want invalid %s", c.u, err, c.field)
			}
		}
		if r := p.get(t, "/help/my"); strings.Contains(r.body, `id="send-code"`) {
			t.Error("the sign-in page offers SMS codes before a gateway is set")
		}
		st, err := p.svc.PutSettings(ctx, triage.HelpSettingsUpdate{SMSWebhookURL: triage.Some(gw.URL), SMSSecret: triage.Some(smsSecret)})
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(st); strings.Contains(string(b), smsSecret) || !strings.Contains(string(b), `"sms_secret_hint"`) {
			t.Errorf("the settings show the secret: %s", b)
		}

		mine, err := p.desk.CreateTicket(ctx, triage.NewTicket{Title: "手机下单的退款", Body: "退款没到", Channel: triage.ChannelWeb,
			Requester: triage.Requester{Phone: "13800138000"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := p.desk.CreateTicket(ctx, triage.NewTicket{Title: "别人的工单 SECRET-OTHER", Body: "别人的问题", Channel: triage.ChannelWeb,
			Requester: triage.Requester{Phone: "13900139000", Email: "other@example.com"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r := p.get(t, "/help/my"); !strings.Contains(r.body, `id="send-code"`) {
			t.Fatalf("the sign-in page offers no SMS code:\n%s", r.body)
		}

		// A code for a number with tickets, none for one without; the
		// same page either way.
		var pages []string
		for _, phone := range []string{"+86 138-0013-8000", "13700137000"} {
			r := p.post(t, "/help/my/code", url.Values{"phone": {phone}})
			if r.code != http.StatusOK || !strings.Contains(r.body, `id="code-form"`) {
				t.Fatalf("code for %s: %d\n%s", phone, r.code, r.body)
			}
			pages = append(pages, strings.ReplaceAll(strings.ReplaceAll(r.body, "13800138000", "N"), "13700137000", "N"))
		}
		if pages[0] != pages[1] {
			t.Error("the page after asking a code differs between a number with tickets and one without")
		}
		jobs := q.take(helpcentre.JobSMS.String())
		if len(jobs) != 1 {
			t.Fatalf("SMS jobs queued: %d, want 1 (the number with a ticket)", len(jobs))
		}
		if r := p.post(t, "/help/my/code", url.Values{"phone": {"12"}}); r.code != http.StatusBadRequest {
			t.Errorf("a malformed number: %d, want 400", r.code)
		}
		// The job posts to the gateway, signed, the number unmasked in
		// "to" and nowhere else.
		if err := p.svc.Jobs()[0].Handler(ctx, jobs[0].Args); err != nil {
			t.Fatal(err)
		}
		sms, raw := gw.last(t)
		if sms.To != "13800138000" || len(sms.Code) != 6 || !strings.Contains(sms.Text, sms.Code) || strings.Count(raw, "13800138000") != 1 {
			t.Fatalf("the gateway got %s", raw)
		}

		try := func(code string) resp {
			return p.post(t, "/help/my/code/signin", url.Values{"phone": {"13800138000"}, "code": {code}})
		}
		wrong := strconv.Itoa((mustAtoi(t, sms.Code) + 1) % 1_000_000)
		for len(wrong) < 6 {
			wrong = "0" + wrong
		}
		if r := try(wrong); r.code != http.StatusUnauthorized {
			t.Errorf("a wrong code: %d, want 401", r.code)
		}
		r := try(sms.Code)
		if r.code != http.StatusSeeOther {
			t.Fatalf("the right code: %d\n%s", r.code, r.body)
		}
		cookie := strings.Split(r.h.Get("Set-Cookie"), ";")[0]
		if r := try(sms.Code); r.code != http.StatusUnauthorized {
			t.Errorf("the code used again: %d, want 401", r.code)
		}

		t.Run("sees only tickets with the same phone", func(t *testing.T) {
			r := p.get(t, "/help/my", "Cookie", cookie)
			if r.code != 200 || !strings.Contains(r.body, mine.ID) || strings.Contains(r.body, theirs.ID) || strings.Contains(r.body, "SECRET-OTHER") {
				t.Fatalf("my tickets by phone: %d\n%s", r.code, r.body)
			}
			if r := p.get(t, "/help/my/tickets/"+mine.ID, "Cookie", cookie); r.code != 200 {
				t.Errorf("own ticket: %d", r.code)
			}
			for _, id := range []string{theirs.ID, "tkt_guessed"} {
				if r := p.get(t, "/help/my/tickets/"+id, "Cookie", cookie); r.code != http.StatusNotFound || strings.Contains(r.body, "SECRET-OTHER") {
					t.Errorf("ticket %s: %d, want 404", id, r.code)
				}
			}
		})
		t.Run("guessing codes is stopped", func(t *testing.T) {
			// Two tries are left of the phone's five an hour; then 429,
			// even with the right code.
			got := []int{try("000000").code, try("111111").code, try("222222").code}
			if got[0] != 401 || got[1] != 401 || got[2] != http.StatusTooManyRequests {
				t.Errorf("tries: %v, want 401 401 429", got)
			}
			// Per address too: other numbers, one try each.
			codes := map[int]int{}
			for i := 0; i < 25; i++ {
				r := p.post(t, "/help/my/code/signin", url.Values{"phone": {"1360000" + strconv.Itoa(1000+i)}, "code": {"123456"}})
				codes[r.code]++
				if r.code == http.StatusTooManyRequests && r.h.Get("Retry-After") == "" {
					t.Error("429 without Retry-After")
				}
			}
			if codes[http.StatusTooManyRequests] == 0 {
				t.Errorf("25 tries from one address: %v, want 429s", codes)
			}
		})
		t.Run("a code expires", func(t *testing.T) {
			if _, err := p.desk.CreateTicket(ctx, triage.NewTicket{Title: "另一个号码", Body: "问题", Channel: triage.ChannelWeb,
				Requester: triage.Requester{Phone: "13500135000"}}, nil); err != nil {
				t.Fatal(err)
			}
			if err := p.svc.SendSignInCode(ctx, "13500135000"); err != nil {
				t.Fatal(err)
			}
			jobs := q.take(helpcentre.JobSMS.String())
			if len(jobs) != 1 {
				t.Fatalf("jobs: %d", len(jobs))
			}
			var a helpcentre.SMSArgs
			_ = json.Unmarshal(jobs[0].Args, &a)
			p.now = p.now.Add(helpcentre.CodeTTL + time.Second)
			if _, _, err := p.svc.SignInByCode(ctx, "13500135000", a.Code); triage.ErrorCode(err) != triage.EUNAUTHORIZED {
				t.Errorf("an expired code: %v, want unauthorized", err)
			}
			// A job that runs after its code expired sends nothing.
			before := len(gw.got)
			if err := p.svc.Jobs()[0].Handler(ctx, jobs[0].Args); err != nil || len(gw.got) != before {
				t.Errorf("an expired code's job: %v, %d posts", err, len(gw.got)-before)
			}
		})
	})
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
