package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/eval"
	"github.com/triagehq/triage/segment"
)

// env is the application (package app, as the binary builds it) on a real
// SQLite store in a temp directory, with one token per role. Its job
// queue is not started: jobs stay queued for a test to inspect.
type env struct {
	t      testing.TB
	app    *app.App
	srv    *api.Server
	h      http.Handler
	desk   *desk.Service
	store  app.Store
	tokens map[triage.Role]string
	agent  *triage.Agent // the agent the agent-role token belongs to
	// reports is the saved evaluation reports' directory the server lists.
	reports eval.Reports
}

var (
	segOnce sync.Once
	segVal  *segment.Segmenter
	segErr  error
)

// sharedSegmenter loads gse once per test binary: it takes seconds.
func sharedSegmenter(t testing.TB) *segment.Segmenter {
	t.Helper()
	segOnce.Do(func() { segVal, segErr = segment.New(segment.Options{}) })
	if segErr != nil {
		t.Fatal(segErr)
	}
	return segVal
}

func newEnv(t testing.TB) *env { return newEnvOn(t, "") }

// newEnvOn is newEnv on the PostgreSQL database at db ("" for the
// embedded store), with a sealing key, which PostgreSQL does not make.
func newEnvOn(t testing.TB, db string) *env {
	t.Helper()
	ctx := context.Background()
	key := ""
	if db != "" {
		key = testSealKey
	}
	a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), MemIndex: true, Segmenter: sharedSegmenter(t), BodyLimit: 256 << 10, Version: "test",
		SurveyURL: "http://triage.test/v1/csat/", Log: slog.New(slog.DiscardHandler), DB: db, SecretKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	e := &env{t: t, app: a, srv: a.Server, h: a.Server.Handler(), desk: a.Desk, store: a.Store, tokens: map[triage.Role]string{},
		reports: eval.Reports{Dir: a.ReportsDir()}}
	admin, err := a.Desk.Bootstrap(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	e.tokens[triage.RoleAdmin] = admin.Secret
	e.agent = e.mustCreate("POST", "/v1/agents", triage.RoleAdmin, `{"name":"李娜","email":"lina@example.com","skills":["支付与退款"],"capacity":5,"online":true}`, &triage.Agent{}).(*triage.Agent)
	for _, r := range []triage.Role{triage.RoleAgent, triage.RoleEditor, triage.RoleViewer, triage.RoleMail, triage.RoleBot} {
		body := `{"name":"` + string(r) + `","role":"` + string(r) + `"}`
		if r == triage.RoleAgent {
			body = `{"name":"agent","role":"agent","agent_id":"` + e.agent.ID + `"}`
		}
		tok := e.mustCreate("POST", "/v1/tokens", triage.RoleAdmin, body, &triage.Token{}).(*triage.Token)
		e.tokens[r] = tok.Secret
	}
	return e
}

// rebuild serves the env through a server built from the application's
// configuration as change leaves it, e.g. without a service.
func (e *env) rebuild(change func(*api.Config)) {
	cfg := e.app.APIConfig()
	change(&cfg)
	e.srv = api.New(cfg)
	e.h = e.srv.Handler()
}

// queued lists the jobs waiting in the queue, oldest first.
func (e *env) queued() []triage.Job {
	e.t.Helper()
	jobs, err := e.app.Jobs.Queued(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return jobs
}

// queuedKind reports whether a job of kind waits in the queue.
func (e *env) queuedKind(kind fmt.Stringer) bool {
	return slices.ContainsFunc(e.queued(), func(j triage.Job) bool { return j.Kind == kind.String() })
}

type resp struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (r resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response %d is not JSON: %v\n%s", r.Code, err, r.Body)
	}
}

func (r resp) errorBody(t testing.TB) api.ErrorDetail {
	t.Helper()
	var b api.ErrorBody
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("error response %d is not the error shape: %v\n%s", r.Code, err, r.Body)
	}
	if b.Error.Code == "" || b.Error.Message == "" {
		t.Fatalf("error response lacks code or message: %s", r.Body)
	}
	return b.Error
}

// do sends a request as role (empty: no token) with optional headers given
// as "Name: value" strings.
func (e *env) do(method, path string, role triage.Role, body string, headers ...string) resp {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	if strings.HasPrefix(path, "/v1/events") {
		// A live event stream ends only when its client goes: this
		// client goes after a moment, with what the stream sent by then.
		ctx, cancel := context.WithTimeout(req.Context(), 300*time.Millisecond)
		defer cancel()
		req = req.WithContext(ctx)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return resp{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

func (e *env) mustCreate(method, path string, role triage.Role, body string, v any) any {
	e.t.Helper()
	r := e.do(method, path, role, body)
	if r.Code != http.StatusCreated {
		e.t.Fatalf("%s %s: %d %s", method, path, r.Code, r.Body)
	}
	r.json(e.t, v)
	return v
}

func (e *env) ticket(body string) *triage.Ticket {
	e.t.Helper()
	if body == "" {
		body = `{"title":"退款一直没到账","body":"订单退款申请三天了还没到账"}`
	}
	return e.mustCreate("POST", "/v1/tickets", triage.RoleAgent, body, &triage.Ticket{}).(*triage.Ticket)
}

func (e *env) getTicket(id string) *triage.Ticket {
	e.t.Helper()
	var t triage.Ticket
	r := e.do("GET", "/v1/tickets/"+id, triage.RoleViewer, "")
	if r.Code != 200 {
		e.t.Fatalf("get ticket: %d %s", r.Code, r.Body)
	}
	r.json(e.t, &t)
	return &t
}

func ifMatch(v int) string {
	b, _ := json.Marshal(v)
	return `If-Match: "` + string(b) + `"`
}

// index brings the search indexes up to date with the store, as the
// service's follower and embedding jobs do in the background.
func (e *env) index() {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.app.Indexer.CatchUp(ctx); err != nil {
		e.t.Fatal(err)
	}
	if err := e.app.Embedding.EmbedMissing(ctx, nil); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.app.Indexer.CatchUp(ctx); err != nil {
		e.t.Fatal(err)
	}
}

// modelBlob trains a tiny real model, for routes that need a stored one.
func (e *env) modelBlob() []byte {
	e.t.Helper()
	ex := []classify.Example{{Text: "退款没到账", Label: "P2"}, {Text: "快递太慢", Label: "P3"}, {Text: "退款失败", Label: "P2"}, {Text: "物流不动", Label: "P3"}}
	m, err := classify.Train(context.Background(), ex, classify.TrainOptions{Segmenter: sharedSegmenter(e.t)})
	if err != nil {
		e.t.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}
