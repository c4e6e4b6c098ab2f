package desk_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/sqlite"
)

type env struct {
	t     *testing.T
	store *sqlite.DB
	desk  *desk.Service
	mu    sync.Mutex
	jobs  []triage.Job
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t}
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "d.db"), sqlite.Options{
		Enqueue: func(_ context.Context, _ *sql.Tx, j triage.Job) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.jobs = append(e.jobs, j)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e.store, e.desk = store, &desk.Service{Store: store}
	return e
}

// as returns a context in which an agent acts.
func as(ctx context.Context, agent string) context.Context {
	return triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "tok", AgentID: agent, Role: triage.RoleAgent})
}

func (e *env) ticket(title, body, phone string) *triage.Ticket {
	e.t.Helper()
	tk, err := e.desk.CreateTicket(as(e.t.Context(), "a1"), triage.NewTicket{Title: title, Body: body, Requester: triage.Requester{Name: "陈女士", Phone: phone}}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return tk
}

func (e *env) events() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, j := range e.jobs {
		var ev triage.TicketEvent
		_ = json.Unmarshal(j.Args, &ev)
		out = append(out, j.Kind+" "+ev.TicketID)
	}
	e.jobs = nil
	return out
}

func TestMerge(t *testing.T) {
	e := newEnv(t)
	ctx := as(t.Context(), "a1")
	survivor := e.ticket("退款一周了还没到账", "订单号2026111512345678，退款申请已通过。", "13800138000")
	dup := e.ticket("退款还没到账", "还是没收到退款，请尽快处理", "13800138000")
	if _, err := e.desk.AddComment(ctx, dup.ID, triage.NewComment{Body: "您好，我们正在核查", Public: true}, nil); err != nil {
		t.Fatal(err)
	}
	e.events()
	res, err := e.desk.Merge(ctx, dup.ID, 0, triage.Merge{Into: survivor.ID, Note: "同一笔退款"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, s := res.Merged, res.Survivor
	if m.Status != triage.StatusClosed || m.MergedInto != survivor.ID || m.ClosedAt == nil || m.SolvedAt == nil || res.Moved != 1 {
		t.Fatalf("merged ticket %+v, moved %d", m, res.Moved)
	}
	if s.Status == triage.StatusClosed || s.Version != survivor.Version+1 {
		t.Errorf("survivor %s at version %d", s.Status, s.Version)
	}
	comments, _ := e.desk.Comments(t.Context(), survivor.ID)
	if len(comments) != 2 || !comments[0].FromRequester || !strings.HasPrefix(comments[0].Body, "[merged from ticket "+dup.ID+"] 退款还没到账\n\n还是没收到退款") ||
		!comments[0].CreatedAt.Equal(dup.CreatedAt) || comments[1].Body != "您好，我们正在核查" {
		t.Errorf("survivor's conversation: %+v", comments)
	}
	if left, _ := e.desk.Comments(t.Context(), dup.ID); len(left) != 0 {
		t.Errorf("merged ticket kept %d comments", len(left))
	}
	hist, _ := e.desk.History(t.Context(), survivor.ID)
	var copied, mergedFrom int
	for _, h := range hist {
		if strings.HasPrefix(triage.Sentence(h.Why, h.Note), "from ticket "+dup.ID) {
			copied++
		}
		if h.Field == "merged_from" && h.New == dup.ID && h.Actor == "agent:a1" {
			mergedFrom++
		}
	}
	if copied < 3 || mergedFrom != 1 {
		t.Errorf("survivor history: %d copied entries, %d merged_from", copied, mergedFrom)
	}
	hist, _ = e.desk.History(t.Context(), dup.ID)
	last := hist[len(hist)-2:]
	if last[0].Field != "status" || last[0].Actor != "system" || !strings.Contains(triage.Sentence(last[0].Why, last[0].Note), "agent:a1") || last[1].Field != "merged_into" {
		t.Errorf("merged ticket's last history: %+v %+v", last[0], last[1])
	}
	links, _ := e.desk.Links(t.Context(), survivor.ID)
	if len(links) != 1 || links[0].Relation != triage.RelMergedFrom || links[0].TicketID != dup.ID || links[0].Status != triage.StatusClosed {
		t.Errorf("survivor's links %+v", links)
	}
	if got := e.events(); !slices.Equal(got, []string{"ticket.closed " + dup.ID, "ticket.updated " + survivor.ID}) {
		t.Errorf("events %v", got)
	}

	// The same merge again succeeds without doing anything, even with
	// the If-Match the client sent the first time.
	again, err := e.desk.Merge(ctx, dup.ID, dup.Version+1, triage.Merge{Into: survivor.ID}, nil)
	if err != nil || again.Moved != 0 || again.Survivor.Version != s.Version || len(e.events()) != 0 {
		t.Fatalf("repeat merge: %v %+v", err, again)
	}
}

func TestMergeRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := as(t.Context(), "a1")
	a := e.ticket("甲", "", "")
	b := e.ticket("乙", "", "")
	c := e.ticket("丙", "", "")
	closed := e.ticket("丁", "", "")
	for _, st := range []triage.Status{triage.StatusSolved, triage.StatusClosed} {
		tk, _ := e.desk.Ticket(ctx, closed.ID)
		if _, err := e.desk.UpdateTicket(ctx, closed.ID, tk.Version, triage.TicketUpdate{Status: triage.Some(st)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.desk.Merge(ctx, a.ID, 0, triage.Merge{Into: b.ID}, nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name        string
		id          string
		version     int
		in          triage.Merge
		code, field string
	}{
		{"into itself", c.ID, 0, triage.Merge{Into: c.ID}, triage.EINVALID, "into"},
		{"into nothing", c.ID, 0, triage.Merge{}, triage.EINVALID, "into"},
		{"into a missing ticket", c.ID, 0, triage.Merge{Into: "nope"}, triage.EINVALID, "into"},
		{"missing ticket", "nope", 0, triage.Merge{Into: c.ID}, triage.ENOTFOUND, ""},
		{"into a closed ticket", c.ID, 0, triage.Merge{Into: closed.ID}, triage.ECONFLICT, "into"},
		{"into a merged ticket", c.ID, 0, triage.Merge{Into: a.ID}, triage.ECONFLICT, "into"},
		{"a closed ticket", closed.ID, 0, triage.Merge{Into: c.ID}, triage.ECONFLICT, ""},
		{"a merged ticket elsewhere", a.ID, 0, triage.Merge{Into: c.ID}, triage.ECONFLICT, "into"},
		{"a chain", b.ID, 0, triage.Merge{Into: c.ID}, triage.ECONFLICT, ""},
		{"stale If-Match", c.ID, c.Version + 5, triage.Merge{Into: b.ID}, triage.ESTALE, ""},
		{"stale into_version", c.ID, 0, triage.Merge{Into: b.ID, IntoVersion: 1}, triage.ESTALE, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.desk.Merge(ctx, tc.id, tc.version, tc.in, nil)
			var te *triage.Error
			if !errors.As(err, &te) || te.Code != tc.code || te.Field != tc.field {
				t.Fatalf("err = %v, want %s (field %q)", err, tc.code, tc.field)
			}
		})
	}
}
