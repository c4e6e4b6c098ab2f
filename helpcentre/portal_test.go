package helpcentre_test

import (
	"bytes"
	"context"
	"database/sql"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/helpcentre"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/limit"
	"github.com/triagehq/triage/postgres"
	"github.com/triagehq/triage/postgres/pgtest"
	"github.com/triagehq/triage/sqlite"
)

// close finds every article, each as close in meaning as score says:
// enough to offer the public ones (the help centre must still drop the
// internal and draft ones itself).
type closeSearch struct {
	store triage.Store
	score func(q string, a *triage.Article) float64
}

func (c closeSearch) Search(ctx context.Context, q kb.Query) ([]kb.Hit, error) {
	as, _, err := c.store.Articles(ctx, triage.ArticleFilter{Limit: triage.MaxPageSize})
	if err != nil {
		return nil, err
	}
	var hits []kb.Hit
	for i, a := range as {
		if s := c.score(q.Text, a); s > 0 {
			hits = append(hits, kb.Hit{Kind: triage.DocArticle, OwnerID: a.ID, VectorRank: i + 1, VectorScore: s, Fused: s, LexicalRank: i + 1})
		}
	}
	return hits, nil
}

// refundScore: an article about 退款 is close to a question about it.
func refundScore(q string, a *triage.Article) float64 {
	if strings.Contains(q, "退款") && strings.Contains(a.Title+a.Body, "退款") {
		return 0.8
	}
	return 0.05
}

type mails struct {
	mu       sync.Mutex
	acks     []string // ticket ids
	links    []string // sign-in URLs
	confirms []string // confirmation URLs
}

func (m *mails) ConfirmRequest(_ context.Context, _ triage.Tx, _, _, _, url string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.confirms = append(m.confirms, url)
	return nil
}

func (m *mails) AcknowledgeForm(_ context.Context, _ triage.Tx, t *triage.Ticket) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.acks = append(m.acks, t.ID)
	return nil
}

func (m *mails) SignInLink(_ context.Context, _ triage.Tx, _ *triage.Ticket, url string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.links = append(m.links, url)
	return nil
}

type deskTickets struct{ *desk.Service }

func (d deskTickets) CreateTicketTx(ctx context.Context, tx triage.Tx, in triage.NewTicket, category string) (*triage.Ticket, error) {
	return d.Service.CreateTicketTx(ctx, tx, in, desk.Hints{Category: category})
}

type portal struct {
	*env
	desk  *desk.Service
	mails *mails
	rated map[string]int
	now   time.Time
}

// stores opens each store the tests run on: SQLite always, PostgreSQL
// when TRIAGE_TEST_POSTGRES is set.
func stores(t *testing.T, run func(t *testing.T, open func(t *testing.T) triage.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		run(t, func(t *testing.T) triage.Store {
			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"), sqlite.Options{
				Enqueue: func(context.Context, *sql.Tx, triage.Job) error { return nil }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
	t.Run("postgres", func(t *testing.T) {
		run(t, func(t *testing.T) triage.Store {
			s, err := postgres.Open(t.Context(), pgtest.NewDatabase(t), postgres.Options{
				Enqueue: func(context.Context, pgx.Tx, triage.Job) error { return nil }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
}

func newPortal(t testing.TB, store triage.Store, tweak func(*helpcentre.Service)) *portal {
	t.Helper()
	ctx := context.Background()
	p := &portal{env: &env{store: store, public: "art-public", internal: "art-internal", draft: "art-draft"}, mails: &mails{}, rated: map[string]int{},
		now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	for i, a := range []*triage.Article{
		{ID: p.public, Title: "退款多久到账", Body: "原路退回，一般 1-3 个工作日到账。", Category: "退款", Status: triage.ArticlePublished, Visibility: triage.ArticlePublic},
		{ID: p.internal, Title: "内部：退款审批口令", Body: "SECRET-INTERNAL 退款审批口令是 8848。", Category: "内部流程", Status: triage.ArticlePublished, Visibility: triage.ArticleInternal},
		{ID: p.draft, Title: "草稿：退款新规", Body: "SECRET-DRAFT 尚未发布。", Category: "草稿类", Status: triage.ArticleDraft, Visibility: triage.ArticlePublic},
	} {
		a.CreatedAt, a.UpdatedAt = p.now.Add(time.Duration(i)*time.Minute), p.now.Add(time.Duration(i)*time.Minute)
		if err := store.Update(ctx, func(tx triage.Tx) error { return tx.CreateArticle(ctx, a) }); err != nil {
			t.Fatal(err)
		}
	}
	p.desk = &desk.Service{Store: store, Now: func() time.Time { return p.now }}
	pow, err := limit.NewPoW(limit.PoWConfig{Secret: bytes.Repeat([]byte("k"), 32), Difficulty: 8})
	if err != nil {
		t.Fatal(err)
	}
	kbs := &kb.Service{Store: store}
	cfg := helpcentre.Service{Store: store, Search: closeSearch{store, refundScore}, Render: kbs.Render, BaseURL: "https://help.example.com",
		Tickets: deskTickets{p.desk}, Mailer: p.mails, PoW: pow, Now: func() time.Time { return p.now },
		Rate: func(_ context.Context, id string, rating int, _ string) error { p.rated[id] = rating; return nil }}
	if tweak != nil {
		tweak(&cfg)
	}
	if p.svc, err = helpcentre.New(cfg); err != nil {
		t.Fatal(err)
	}
	h, err := helpcentre.NewHandler(p.svc, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.srv = httptest.NewServer(h)
	t.Cleanup(p.srv.Close)
	return p
}

var (
	sessionRe   = regexp.MustCompile(`name="session" value="([0-9a-f]{24})"`)
	challengeRe = regexp.MustCompile(`name="pow" value="([^"]+)"`)
)

// formFields reads the session and the challenge of a fresh form.
func (p *portal) formFields(t *testing.T) (session, challenge string) {
	t.Helper()
	r := p.get(t, "/help/new")
	if r.code != 200 || !strings.Contains(r.h.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("GET /help/new: %d %s", r.code, r.h.Get("Content-Security-Policy"))
	}
	return sessionRe.FindStringSubmatch(r.body)[1], challengeRe.FindStringSubmatch(r.body)[1]
}

// submit posts the form as multipart with one photo when photo is set.
func (p *portal) submit(t *testing.T, fields url.Values, photo []byte, cookie string) resp {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	if photo != nil {
		fw, _ := w.CreateFormFile("files", "photo.png")
		_, _ = fw.Write(photo)
	}
	w.Close()
	path := "/help/new"
	if fields.Get("reply") != "" {
		path = fields.Get("path")
	}
	req, _ := http.NewRequest("POST", p.srv.URL+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	return do(t, req)
}

func (p *portal) tickets(t *testing.T) []*triage.Ticket {
	t.Helper()
	ts, _, err := p.store.Tickets(t.Context(), triage.TicketFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

var png = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)

func TestRequestForm(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) triage.Store) {
		p := newPortal(t, open(t), nil)
		session, challenge := p.formFields(t)
		q := url.Values{"session": {session}, "pow": {challenge}, "subject": {"退款什么时候到账"}, "body": {"退款申请三天了还没到"},
			"email": {"Wang@Example.com"}}

		t.Run("articles first, without JavaScript", func(t *testing.T) {
			r := p.submit(t, q, png, "")
			if r.code != 200 || !strings.Contains(r.body, "/help/articles/art-public?form="+session) || !strings.Contains(r.body, "请重新选择附件") {
				t.Fatalf("first send: %d, want the public article offered\n%s", r.code, r.body)
			}
			for _, secret := range []string{"SECRET-INTERNAL", "内部：退款审批口令", "草稿：退款新规", p.internal, p.draft} {
				if strings.Contains(r.body, secret) {
					t.Errorf("the form offered %q", secret)
				}
			}
			if n := len(p.tickets(t)); n != 0 {
				t.Errorf("%d tickets after the first send, want 0", n)
			}
		})
		t.Run("second send makes the ticket with its photo and ack", func(t *testing.T) {
			q2 := url.Values{}
			for k, v := range q {
				q2[k] = v
			}
			q2.Set("seen", "1")
			r := p.submit(t, q2, png, "")
			if r.code != http.StatusSeeOther || !strings.HasPrefix(r.h.Get("Location"), "/help/new/done?ref=") {
				t.Fatalf("second send: %d %s\n%s", r.code, r.h.Get("Location"), r.body)
			}
			ts := p.tickets(t)
			if len(ts) != 1 || ts[0].Channel != triage.ChannelWeb || ts[0].Requester.Email != "wang@example.com" {
				t.Fatalf("tickets = %+v", ts)
			}
			atts, err := p.store.Attachments(t.Context(), ts[0].ID)
			if err != nil || len(atts) != 1 || atts[0].ContentType != "image/png" {
				t.Errorf("attachments = %+v, %v", atts, err)
			}
			if len(p.mails.acks) != 1 || p.mails.acks[0] != ts[0].ID {
				t.Errorf("acks = %v", p.mails.acks)
			}
			done := p.get(t, r.h.Get("Location"))
			if !strings.Contains(done.body, triage.TicketRef(ts[0].ID)) {
				t.Errorf("the done page does not show the ticket's number")
			}
		})
		t.Run("proof of work", func(t *testing.T) {
			_, ch := p.formFields(t)
			sol, err := limit.Solve(ch)
			if err != nil {
				t.Fatal(err)
			}
			f := url.Values{"pow": {ch}, "pow_solution": {sol}, "seen": {"1"}, "subject": {"发票怎么开"}, "body": {"需要增值税发票"}, "phone": {"138 0013 8000"}}
			if r := p.submit(t, f, nil, ""); r.code != http.StatusSeeOther {
				t.Fatalf("with work: %d\n%s", r.code, r.body)
			}
			if r := p.submit(t, f, nil, ""); r.code != http.StatusBadRequest || !strings.Contains(r.body, "already used") {
				t.Errorf("the same work again: %d, want 400 already used", r.code)
			}
			f.Set("pow_solution", "12345x")
			if r := p.submit(t, f, nil, ""); r.code != http.StatusBadRequest {
				t.Errorf("a malformed solution: %d, want 400", r.code)
			}
		})
		t.Run("honeypot", func(t *testing.T) {
			before := len(p.tickets(t))
			f := url.Values{"seen": {"1"}, "subject": {"buy now"}, "body": {"cheap"}, "email": {"bot@example.com"}, "website": {"http://spam"}}
			if r := p.submit(t, f, nil, ""); r.code != http.StatusSeeOther {
				t.Errorf("a bot is answered %d, want the same 303 as a person", r.code)
			}
			if len(p.tickets(t)) != before {
				t.Errorf("the honeypot made a ticket")
			}
		})
		t.Run("missing contact names the field", func(t *testing.T) {
			f := url.Values{"seen": {"1"}, "subject": {"你好"}, "body": {"问题"}}
			r := p.submit(t, f, nil, "")
			if r.code != http.StatusBadRequest || !strings.Contains(r.body, `data-field="email"`) || !strings.Contains(r.body, "你好") {
				t.Errorf("no contact: %d, want 400 naming email with the text kept\n%s", r.code, r.body)
			}
		})
	})
}

func TestRequestFormLimits(t *testing.T) {
	p := newPortal(t, openSQLite(t), nil)
	f := url.Values{"seen": {"1"}, "subject": {"问题"}, "body": {"描述"}, "email": {"same@example.com"}}
	codes := []int{}
	for range 4 {
		codes = append(codes, p.submit(t, f, nil, "").code)
	}
	// Without the work, three an hour from one address.
	if codes[0] != 303 || codes[2] != 303 || codes[3] != http.StatusTooManyRequests {
		t.Fatalf("no-work sends: %v, want 303 ×3 then 429", codes)
	}
	// With the work, five an hour per contact.
	codes = codes[:0]
	for range 6 {
		_, ch := p.formFields(t)
		sol, _ := limit.Solve(ch)
		g := url.Values{"seen": {"1"}, "subject": {"问题"}, "body": {"描述"}, "email": {"other@example.com"}, "pow": {ch}, "pow_solution": {sol}}
		r := p.submit(t, g, nil, "")
		codes = append(codes, r.code)
		if r.code == http.StatusTooManyRequests && r.h.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
	}
	if codes[4] != 303 || codes[5] != http.StatusTooManyRequests {
		t.Errorf("sends of one contact: %v, want 303 ×5 then 429", codes)
	}
}

func openSQLite(t testing.TB) triage.Store {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"), sqlite.Options{
		Enqueue: func(context.Context, *sql.Tx, triage.Job) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var linkRe = regexp.MustCompile(`name="token" value="([^"]+)"`)

// signIn follows a mailed link and returns the session cookie.
func (p *portal) signIn(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	page := p.get(t, u.RequestURI())
	m := linkRe.FindStringSubmatch(page.body)
	if page.code != 200 || m == nil {
		t.Fatalf("sign-in page: %d\n%s", page.code, page.body)
	}
	r := p.post(t, "/help/my/signin", url.Values{"token": {m[1]}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("sign in: %d\n%s", r.code, r.body)
	}
	for _, c := range strings.Split(r.h.Get("Set-Cookie"), ";") {
		if strings.HasPrefix(c, helpcentre.RequesterCookie+"=") {
			if !strings.Contains(r.h.Get("Set-Cookie"), "HttpOnly") || !strings.Contains(r.h.Get("Set-Cookie"), "SameSite=Lax") {
				t.Errorf("cookie %q is not HttpOnly and SameSite=Lax", r.h.Get("Set-Cookie"))
			}
			return c
		}
	}
	t.Fatalf("no session cookie: %v", r.h)
	return ""
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func TestMyTickets(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) triage.Store) {
		p := newPortal(t, open(t), nil)
		ctx := t.Context()
		mine, err := p.desk.CreateTicket(ctx, triage.NewTicket{Title: "我的退款", Body: "退款没到", Channel: triage.ChannelWeb,
			Requester: triage.Requester{Email: "me@example.com"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := p.desk.CreateTicket(ctx, triage.NewTicket{Title: "别人的工单 SECRET-OTHER", Body: "别人的问题", Channel: triage.ChannelWeb,
			Requester: triage.Requester{Email: "other@example.com", Phone: "13800138000"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.desk.AddComment(ctx, mine.ID, triage.NewComment{Body: "您好，退款已经原路退回。", Public: true}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := p.desk.AddComment(ctx, mine.ID, triage.NewComment{Body: "SECRET-NOTE 这个客户上次也闹过", Public: false,
			Attachments: []triage.NewAttachment{{Name: "internal.txt", Data: []byte("SECRET-FILE")}}}, nil); err != nil {
			t.Fatal(err)
		}

		if r := p.get(t, "/help/my/tickets/"+mine.ID); r.code != http.StatusUnauthorized {
			t.Errorf("a ticket without signing in: %d, want 401", r.code)
		}
		for _, email := range []string{"me@example.com", "nobody@example.com"} {
			r := p.post(t, "/help/my/link", url.Values{"email": {email}})
			if r.code != http.StatusSeeOther || r.h.Get("Location") != "/help/my?sent=1" {
				t.Errorf("link for %s: %d %s, want the same answer for every address", email, r.code, r.h.Get("Location"))
			}
		}
		if len(p.mails.links) != 1 || !strings.HasPrefix(p.mails.links[0], "https://help.example.com/help/my/signin?token=") {
			t.Fatalf("links mailed = %v, want one, to the address with a ticket", p.mails.links)
		}
		link := p.mails.links[0]
		cookie := p.signIn(t, link)

		t.Run("the link works once", func(t *testing.T) {
			u, _ := url.Parse(link)
			r := p.post(t, "/help/my/signin", url.Values{"token": {u.Query().Get("token")}})
			if r.code != http.StatusUnauthorized {
				t.Errorf("second use: %d, want 401", r.code)
			}
		})
		t.Run("lists only own tickets", func(t *testing.T) {
			r := p.get(t, "/help/my", "Cookie", cookie)
			if r.code != 200 || !strings.Contains(r.body, "我的退款") || strings.Contains(r.body, "SECRET-OTHER") {
				t.Fatalf("my tickets: %d\n%s", r.code, r.body)
			}
		})
		t.Run("reads public replies, never notes", func(t *testing.T) {
			r := p.get(t, "/help/my/tickets/"+mine.ID, "Cookie", cookie)
			if r.code != 200 || !strings.Contains(r.body, "退款已经原路退回") {
				t.Fatalf("own ticket: %d\n%s", r.code, r.body)
			}
			for _, secret := range []string{"SECRET-NOTE", "internal.txt"} {
				if strings.Contains(r.body, secret) {
					t.Errorf("the requester sees %q", secret)
				}
			}
			atts, _ := p.store.Attachments(ctx, mine.ID)
			for _, a := range atts {
				if r := p.get(t, "/help/my/files/"+a.ID, "Cookie", cookie); r.code != 404 || strings.Contains(r.body, "SECRET-FILE") {
					t.Errorf("a note's file: %d, want 404", r.code)
				}
			}
		})
		t.Run("guessing ids", func(t *testing.T) {
			other := p.get(t, "/help/my/tickets/"+theirs.ID, "Cookie", cookie)
			missing := p.get(t, "/help/my/tickets/"+triage.NewID(), "Cookie", cookie)
			if other.code != 404 || missing.code != 404 || strings.Contains(other.body, "SECRET-OTHER") {
				t.Errorf("another's ticket %d, a missing one %d; want 404 both, nothing shown", other.code, missing.code)
			}
			csrf := csrfRe.FindStringSubmatch(p.get(t, "/help/my/tickets/"+mine.ID, "Cookie", cookie).body)[1]
			r := p.submit(t, url.Values{"reply": {"我也能回复吗"}, "csrf": {csrf}, "path": {"/help/my/tickets/" + theirs.ID + "/reply"}}, nil, cookie)
			if r.code != 404 {
				t.Errorf("a reply to another's ticket: %d, want 404", r.code)
			}
			cs, _ := p.store.Comments(ctx, theirs.ID)
			if len(cs) != 0 {
				t.Errorf("another's ticket got %d comments", len(cs))
			}
		})
		t.Run("replies with a file", func(t *testing.T) {
			csrf := csrfRe.FindStringSubmatch(p.get(t, "/help/my/tickets/"+mine.ID, "Cookie", cookie).body)[1]
			if r := p.submit(t, url.Values{"reply": {"还是没到"}, "csrf": {"0000"}, "path": {"/help/my/tickets/" + mine.ID + "/reply"}}, nil, cookie); r.code != 403 {
				t.Errorf("a reply without the form's token: %d, want 403", r.code)
			}
			r := p.submit(t, url.Values{"reply": {"还是没到，截图如下"}, "csrf": {csrf}, "path": {"/help/my/tickets/" + mine.ID + "/reply"}}, png, cookie)
			if r.code != http.StatusSeeOther {
				t.Fatalf("reply: %d\n%s", r.code, r.body)
			}
			cs, _ := p.store.Comments(ctx, mine.ID)
			last := cs[len(cs)-1]
			if !last.FromRequester || !last.Public || last.Body != "还是没到，截图如下" {
				t.Errorf("last comment = %+v", last)
			}
			page := p.get(t, "/help/my/tickets/"+mine.ID, "Cookie", cookie)
			if !strings.Contains(page.body, "photo.png") {
				t.Errorf("the requester does not see their own file")
			}
		})
		t.Run("rates a solved ticket", func(t *testing.T) {
			csrf := csrfRe.FindStringSubmatch(p.get(t, "/help/my/tickets/"+mine.ID, "Cookie", cookie).body)[1]
			rate := url.Values{"rating": {"5"}, "csrf": {csrf}}
			if r := p.postCookie(t, "/help/my/tickets/"+mine.ID+"/rate", rate, cookie); r.code != http.StatusConflict {
				t.Errorf("rating an open ticket: %d, want 409", r.code)
			}
			tk, _ := p.store.Ticket(ctx, mine.ID)
			if _, err := p.desk.UpdateTicket(ctx, mine.ID, tk.Version, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)}); err != nil {
				t.Fatal(err)
			}
			if r := p.postCookie(t, "/help/my/tickets/"+mine.ID+"/rate", rate, cookie); r.code != http.StatusSeeOther || p.rated[mine.ID] != 5 {
				t.Errorf("rating: %d, rated %v", r.code, p.rated)
			}
			if r := p.postCookie(t, "/help/my/tickets/"+theirs.ID+"/rate", rate, cookie); r.code != 404 {
				t.Errorf("rating another's ticket: %d, want 404", r.code)
			}
		})
		t.Run("sessions expire", func(t *testing.T) {
			p.now = p.now.Add(helpcentre.DefaultSessionTTL + time.Minute)
			if r := p.get(t, "/help/my/tickets/"+mine.ID, "Cookie", cookie); r.code != http.StatusUnauthorized {
				t.Errorf("after the session's lifetime: %d, want 401", r.code)
			}
		})
		t.Run("links expire", func(t *testing.T) {
			p.mails.links = nil
			p.post(t, "/help/my/link", url.Values{"email": {"me@example.com"}})
			p.now = p.now.Add(16 * time.Minute)
			u, _ := url.Parse(p.mails.links[0])
			if r := p.post(t, "/help/my/signin", url.Values{"token": {u.Query().Get("token")}}); r.code != http.StatusUnauthorized {
				t.Errorf("a link 16 minutes old: %d, want 401", r.code)
			}
		})
	})
}

func (p *portal) postCookie(t *testing.T, path string, form url.Values, cookie string) resp {
	t.Helper()
	req, _ := http.NewRequest("POST", p.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", cookie)
	return do(t, req)
}

func TestAnswerAndDeflection(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) triage.Store) {
		p := newPortal(t, open(t), nil)
		ctx := t.Context()
		for _, tc := range []struct {
			name, question string
			handover       bool
			why            string
		}{
			{"answers from the public article", "退款多久能到账？", false, ""},
			{"low confidence", "发票抬头怎么改", true, "low_confidence"},
			{"complaint", "退款太慢了我要投诉", true, "complaint"},
			{"threat", "退款再不到我就打12315", true, "threat"},
			{"safety", "充电器冒烟了，退款怎么办", true, "safety"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a, err := p.svc.Answer(ctx, helpcentre.AnswerRequest{Question: tc.question, Customer: "bot-user@example.com"})
				if err != nil {
					t.Fatal(err)
				}
				if a.Handover != tc.handover || a.Reason != tc.why || a.ID == "" {
					t.Fatalf("answer = %+v, want handover %v (%s)", a, tc.handover, tc.why)
				}
				if !a.Handover {
					if a.Answer == "" || len(a.Citations) == 0 || a.Citations[0].ID != p.public || a.Confidence < a.Threshold {
						t.Errorf("answer = %+v, want a text citing %s", a, p.public)
					}
				}
				for _, secret := range []string{"SECRET", "8848", p.internal, p.draft} {
					if strings.Contains(a.Answer, secret) || (len(a.Citations) > 0 && a.Citations[0].ID == secret) {
						t.Errorf("the answer leaks %q: %+v", secret, a)
					}
				}
			})
		}
		if _, err := p.svc.Answer(ctx, helpcentre.AnswerRequest{Question: "  "}); !triage.IsCode(err, triage.EINVALID) {
			t.Errorf("empty question: %v, want EINVALID", err)
		}

		// The help centre's side: a search, a view, 有帮助, a form session
		// with 解决了, one that ended without anything, and one whose
		// customer wrote in anyway within 24 hours.
		p.get(t, "/help/search?q=退款")
		p.get(t, "/help/articles/"+p.public)
		p.post(t, "/help/articles/"+p.public+"/feedback", url.Values{"helpful": {"yes"}})
		s1, _ := p.formFields(t)
		p.get(t, "/help/new/suggest?q="+url.QueryEscape("退款多久")+"&session="+s1)
		if r := p.post(t, "/help/new/solved", url.Values{"session": {s1}, "article": {p.public}, "solved": {"yes"}}); r.code != http.StatusSeeOther {
			t.Fatalf("解决了: %d", r.code)
		}
		if r := p.post(t, "/help/new/solved", url.Values{"session": {s1}, "article": {p.internal}, "solved": {"yes"}}); r.code != 404 {
			t.Errorf("解决了 on an internal article: %d, want 404", r.code)
		}
		s2, _ := p.formFields(t)
		p.get(t, "/help/new/suggest?q="+url.QueryEscape("退款到哪了")+"&session="+s2+"&email=late@example.com")
		s3, _ := p.formFields(t)
		p.get(t, "/help/new/suggest?q="+url.QueryEscape("退款进度")+"&session="+s3)
		p.now = p.now.Add(2 * time.Hour)
		if _, err := p.desk.CreateTicket(ctx, triage.NewTicket{Title: "退款到底到哪了", Body: "还是没到", Channel: triage.ChannelEmail,
			Requester: triage.Requester{Email: "LATE@example.com"}}, nil); err != nil {
			t.Fatal(err)
		}
		rep, err := p.svc.Deflection(ctx, p.now.Add(-24*time.Hour), p.now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got := rep.Total
		want := helpcentre.DeflectionRow{Day: "total", Searches: 1, Views: 1, Helpful: 1, Solved: 1, FormsWithoutTicket: 2, BotAnswers: 1, BotHandovers: 4,
			Deflected: 5, CameBack: 1, Net: 4}
		if got != want {
			t.Errorf("total = %+v\nwant    %+v", got, want)
		}
		var b bytes.Buffer
		if err := rep.WriteCSV(&b); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(b.String()), "\n")
		if !strings.HasPrefix(lines[0], "\ufeffday,category,searches") || lines[len(lines)-1] != "total,,1,1,1,1,2,0,1,4,5,1,4" {
			t.Errorf("CSV:\n%s", b.String())
		}
		if !strings.Contains(b.String(), "2026-12-07,退款,") {
			t.Errorf("CSV has no 退款 row for the day:\n%s", b.String())
		}
	})
}

func TestWidget(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) triage.Store) { testWidget(t, newPortal(t, open(t), nil)) })
}

func testWidget(t *testing.T, p *portal) {
	if _, err := p.svc.PutSettings(t.Context(), triage.HelpSettingsUpdate{WidgetOrigins: triage.Some([]string{"https://Shop.Example.com/"})}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"javascript:alert(1)", "http://shop.example.com", "https://shop.example.com/path", "*"} {
		if _, err := p.svc.PutSettings(t.Context(), triage.HelpSettingsUpdate{WidgetOrigins: triage.Some([]string{bad})}); !triage.IsCode(err, triage.EINVALID) {
			t.Errorf("origin %q: %v, want EINVALID", bad, err)
		}
	}
	js := p.get(t, "/help/widget.js")
	if js.code != 200 || !strings.Contains(js.body, "/help/new?embed=1") || js.h.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
		t.Errorf("widget.js: %d %v", js.code, js.h)
	}
	form := p.get(t, "/help/new?embed=1")
	if csp := form.h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' https://shop.example.com") {
		t.Errorf("the form's CSP %q does not let the allowed site frame it", csp)
	}
	if csp := p.get(t, "/help").h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("the home page may be framed: %q", csp)
	}
	for _, tc := range []struct {
		origin string
		code   int
		allow  string
	}{{"https://shop.example.com", 200, "https://shop.example.com"}, {"https://evil.example", 403, ""}, {"", 200, ""}} {
		t.Run("suggest from "+tc.origin, func(t *testing.T) {
			hdr := []string{}
			if tc.origin != "" {
				hdr = []string{"Origin", tc.origin}
			}
			r := p.get(t, "/help/new/suggest?q="+url.QueryEscape("退款多久"), hdr...)
			if r.code != tc.code || r.h.Get("Access-Control-Allow-Origin") != tc.allow || r.h.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("%d, allow %q; want %d, %q", r.code, r.h.Get("Access-Control-Allow-Origin"), tc.code, tc.allow)
			}
			if tc.code == 200 && !strings.Contains(r.body, p.public) {
				t.Errorf("no article offered: %s", r.body)
			}
		})
	}
}

func TestRequestFormConfirmation(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) triage.Store) {
		p := newPortal(t, open(t), nil)
		if _, err := p.svc.PutSettings(t.Context(), triage.HelpSettingsUpdate{ConfirmEmail: triage.Some(true)}); err != nil {
			t.Fatal(err)
		}
		f := url.Values{"seen": {"1"}, "subject": {"发票抬头开错了"}, "body": {"要重开"}, "phone": {"13800138000"}}
		if r := p.submit(t, f, nil, ""); r.code != http.StatusBadRequest || !strings.Contains(r.body, `data-field="email"`) {
			t.Errorf("phone only with confirmation on: %d, want 400 naming email", r.code)
		}
		f.Set("email", "fp@example.com")
		r := p.submit(t, f, png, "")
		if r.code != http.StatusSeeOther || r.h.Get("Location") != "/help/new/done?confirm=1" {
			t.Fatalf("held: %d %s\n%s", r.code, r.h.Get("Location"), r.body)
		}
		if n := len(p.tickets(t)); n != 0 || len(p.mails.confirms) != 1 {
			t.Fatalf("%d tickets and %d confirmation mails before confirming; want 0 and 1", n, len(p.mails.confirms))
		}
		u, _ := url.Parse(p.mails.confirms[0])
		page := p.get(t, u.RequestURI())
		m := linkRe.FindStringSubmatch(page.body)
		if page.code != 200 || m == nil {
			t.Fatalf("confirm page: %d", page.code)
		}
		r = p.post(t, "/help/new/confirm", url.Values{"token": {m[1]}})
		if r.code != http.StatusSeeOther || !strings.HasPrefix(r.h.Get("Location"), "/help/new/done?ref=") {
			t.Fatalf("confirm: %d %s\n%s", r.code, r.h.Get("Location"), r.body)
		}
		ts := p.tickets(t)
		if len(ts) != 1 || ts[0].Requester.Email != "fp@example.com" || len(p.mails.acks) != 1 {
			t.Fatalf("after confirming: %+v, acks %v", ts, p.mails.acks)
		}
		if atts, _ := p.store.Attachments(t.Context(), ts[0].ID); len(atts) != 1 {
			t.Errorf("the held photo did not reach the ticket: %+v", atts)
		}
		if r := p.post(t, "/help/new/confirm", url.Values{"token": {m[1]}}); r.code != http.StatusUnauthorized || len(p.tickets(t)) != 1 {
			t.Errorf("the link again: %d, want 401 and no second ticket", r.code)
		}
	})
}
