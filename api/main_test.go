package api_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/bleve"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/embed"
	"github.com/triagehq/triage/eval"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/segment"
	"github.com/triagehq/triage/sla"
	"github.com/triagehq/triage/sqlite"
	"github.com/triagehq/triage/suggest"
)

// env is a server on a real SQLite store in a temp directory, with one
// token per role.
type env struct {
	t      testing.TB
	srv    *api.Server
	h      http.Handler
	desk   *desk.Service
	store  *sqlite.DB
	tokens map[triage.Role]string
	agent  *triage.Agent // the agent the agent-role token belongs to
	jobs   *jobLog
	ix     *kb.Indexer
	// reports is the saved evaluation reports' directory the server lists.
	reports eval.Reports
}

// jobLog records jobs the store was asked to enqueue; the job system itself
// is tested in package river.
type jobLog struct {
	mu   sync.Mutex
	jobs []triage.Job
}

// Insert records a job queued outside a transaction.
func (l *jobLog) Insert(ctx context.Context, j triage.Job) error { return l.enqueue(ctx, nil, j) }

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

func (l *jobLog) enqueue(_ context.Context, _ *sql.Tx, j triage.Job) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.jobs = append(l.jobs, j)
	return nil
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	jobs := &jobLog{}
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{Enqueue: jobs.enqueue})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	seg := sharedSegmenter(t)
	router := &classify.Router{}
	tr := &classify.Triager{Segmenter: seg, Router: router}
	d := &desk.Service{Store: store, Intake: tr, Router: router, Normalize: seg.Normalize, Dict: seg, ModelSink: tr}
	text, err := bleve.OpenMem(seg, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { text.Close() })
	emb := embed.NewLocal(embed.LocalOptions{Segmenter: seg})
	vecs := embed.VectorIndex{Index: embed.NewIndex(emb.Dim())}
	ix := &kb.Indexer{Store: store, Text: text, Vectors: vecs, Embedder: func() triage.Embedder { return emb }}
	searcher := &kb.Searcher{Text: text, Vectors: vecs, Embedder: emb}
	sugg := &suggest.Service{Store: store, Search: searcher, Writer: &suggest.Writer{}}
	slas := &sla.Service{Store: store, Tickets: d, SurveyURL: "http://triage.test/v1/csat/", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := slas.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	reports := eval.Reports{Dir: filepath.Join(t.TempDir(), "reports")}
	srv := api.New(api.Config{Desk: d, Ready: store.Ready, Version: "test", BodyLimit: 256 << 10, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Triager: tr, Queue: jobs,
		KB: &kb.Service{Store: store}, Suggest: sugg, Segmenter: seg, SLA: slas, Eval: api.Eval{Reports: reports}})
	e := &env{t: t, srv: srv, h: srv.Handler(), desk: d, store: store, tokens: map[triage.Role]string{}, jobs: jobs, ix: ix, reports: reports}
	admin, err := d.Bootstrap(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	e.tokens[triage.RoleAdmin] = admin.Secret
	e.agent = e.mustCreate("POST", "/v1/agents", triage.RoleAdmin, `{"name":"李娜","email":"lina@example.com","skills":["支付与退款"],"capacity":5,"online":true}`, &triage.Agent{}).(*triage.Agent)
	for _, r := range []triage.Role{triage.RoleAgent, triage.RoleEditor, triage.RoleViewer} {
		body := `{"name":"` + string(r) + `","role":"` + string(r) + `"}`
		if r == triage.RoleAgent {
			body = `{"name":"agent","role":"agent","agent_id":"` + e.agent.ID + `"}`
		}
		tok := e.mustCreate("POST", "/v1/tokens", triage.RoleAdmin, body, &triage.Token{}).(*triage.Token)
		e.tokens[r] = tok.Secret
	}
	return e
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
	if _, err := e.ix.CatchUp(ctx); err != nil {
		e.t.Fatal(err)
	}
	arts, tix, err := e.ix.Missing(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, id := range arts {
		if err := e.ix.Embed(ctx, triage.DocArticle, id); err != nil {
			e.t.Fatal(err)
		}
	}
	for _, id := range tix {
		if err := e.ix.Embed(ctx, triage.DocTicket, id); err != nil {
			e.t.Fatal(err)
		}
	}
	if _, err := e.ix.CatchUp(ctx); err != nil {
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
