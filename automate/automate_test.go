package automate

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/postgres"
	"github.com/triagehq/triage/postgres/pgtest"
	"github.com/triagehq/triage/segment"
	"github.com/triagehq/triage/sqlite"

	"github.com/jackc/pgx/v5"
)

// env is the engine on a real SQLite store with a fake clock. Jobs the
// store's transactions enqueue are kept; drain runs the event jobs
// through the engine's subscriptions, as the queue would after commit.
type env struct {
	t     *testing.T
	ctx   context.Context
	store triage.Store
	desk  *desk.Service
	svc   *Service
	mail  *fakeMail
	hooks *fakeHooks
	cal   *fakeCal

	mu   sync.Mutex
	now  time.Time
	jobs []triage.Job
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// stores runs a test on the embedded store and on PostgreSQL (skipped
// without TRIAGE_TEST_POSTGRES).
func stores(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) { fn(t, newEnv(t, kind)) })
	}
}

func newEnv(t *testing.T, kind string) *env {
	t.Helper()
	e := &env{t: t, ctx: t.Context(), now: time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)}
	keep := func(j triage.Job) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.jobs = append(e.jobs, j)
	}
	var store triage.Store
	var err error
	if kind == "postgres" {
		store, err = postgres.Open(e.ctx, pgtest.NewDatabase(t), postgres.Options{Now: e.clock, Normalize: segment.Normalize,
			Enqueue: func(_ context.Context, _ pgx.Tx, j triage.Job) error { keep(j); return nil }})
	} else {
		store, err = sqlite.Open(e.ctx, filepath.Join(t.TempDir(), "a.db"), sqlite.Options{Now: e.clock, Normalize: segment.Normalize,
			Enqueue: func(_ context.Context, _ *sql.Tx, j triage.Job) error { keep(j); return nil }})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e.store = store
	e.desk = &desk.Service{Store: store, Now: e.clock, Normalize: segment.Normalize}
	e.mail, e.hooks, e.cal = &fakeMail{}, &fakeHooks{}, &fakeCal{}
	e.svc = &Service{Store: store, Desk: e.desk, Normalize: segment.Normalize, Now: e.clock, Mailer: e.mail, Hooks: e.hooks, Calendar: e.cal}
	return e
}

// drain runs every queued event job through the engine until none is
// left, and returns how many ran.
func (e *env) drain() int {
	e.t.Helper()
	specs, err := triage.EventJobs(e.svc.Subscriptions())
	if err != nil {
		e.t.Fatal(err)
	}
	ran := 0
	for {
		e.mu.Lock()
		jobs := e.jobs
		e.jobs = nil
		e.mu.Unlock()
		if len(jobs) == 0 {
			return ran
		}
		for _, j := range jobs {
			i := slices.IndexFunc(specs, func(s triage.JobSpec) bool { return s.Kind == j.Kind })
			if i < 0 {
				continue // not an event: mail, webhook or SLA jobs
			}
			ran++
			if err := specs[i].Handler(e.ctx, j.Args); err != nil {
				e.t.Fatalf("event %s: %v", j.Kind, err)
			}
		}
		if ran > 200 {
			e.t.Fatal("events do not settle: a loop")
		}
	}
}

func admin(ctx context.Context) context.Context {
	return triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "tok-admin", Name: "管理员", Role: triage.RoleAdmin})
}

func (e *env) team(name, lead string) *triage.Team {
	e.t.Helper()
	in := triage.NewTeam{Name: name, LeadID: lead}
	if lead != "" {
		in.Members = []string{lead}
	}
	tm, err := e.desk.CreateTeam(admin(e.ctx), in, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return tm
}

func (e *env) agent(name, email string) *triage.Agent {
	e.t.Helper()
	a, err := e.desk.CreateAgent(admin(e.ctx), triage.NewAgent{Name: name, Email: email, Capacity: ptr(5)}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *env) add(in triage.NewAutomation) *triage.Automation {
	e.t.Helper()
	a, err := e.svc.Create(admin(e.ctx), in, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *env) ticket(title, body string) *triage.Ticket {
	e.t.Helper()
	tk, err := e.desk.CreateTicket(admin(e.ctx), triage.NewTicket{Title: title, Body: body, Requester: triage.Requester{Name: "陈女士", Email: "chen@example.com"}}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.drain()
	return e.get(tk.ID)
}

func (e *env) get(id string) *triage.Ticket {
	e.t.Helper()
	tk, err := e.store.Ticket(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return tk
}

func (e *env) runs(f triage.AutomationRunFilter) []*triage.AutomationRun {
	e.t.Helper()
	rs, err := e.svc.Runs(e.ctx, f)
	if err != nil {
		e.t.Fatal(err)
	}
	return rs
}

type fakeMail struct {
	mu   sync.Mutex
	sent []string // to|subject|text
}

func (m *fakeMail) Notice(_ context.Context, _ triage.Tx, _ *triage.Ticket, to, subject, text, _ string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, to+"|"+subject+"|"+text)
	return nil
}

type fakeHooks struct {
	mu    sync.Mutex
	calls []string
}

func (h *fakeHooks) Call(_ context.Context, _ triage.Tx, webhookID, key string, a *triage.Automation, event triage.TriggerEvent, _ *triage.Ticket) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, webhookID+"|"+a.Name+"|"+string(event))
	return nil
}

// fakeCal is open on the half of the day before noon UTC; its working
// time is half the wall time and its working day 12 hours.
type fakeCal struct{}

func (fakeCal) Open(_ context.Context, at time.Time) (bool, error) { return at.UTC().Hour() < 12, nil }
func (fakeCal) Elapsed(_ context.Context, from, to time.Time) (time.Duration, time.Duration, error) {
	return to.Sub(from) / 2, 12 * time.Hour, nil
}

func codes(rs triage.Reasons) []triage.ReasonCode {
	var out []triage.ReasonCode
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

// TestInvoiceTrigger is the journey of the issue: a trigger "subject
// contains 发票 → team 支付结算组" fires on the next ticket, with its
// firing in the log and the history naming it; a negated or unrelated
// subject does not fire it, and a traditional-script one does.
func TestInvoiceTrigger(t *testing.T) {
	stores(t, func(t *testing.T, e *env) {
		team := e.team("支付结算组", "")
		a := e.add(triage.NewAutomation{Name: "发票 → 支付结算组", Events: []triage.TriggerEvent{triage.OnTicketCreated},
			Conditions: []triage.Condition{{Field: "title", Op: triage.OpContains, Value: "发票"}},
			Actions:    []triage.Action{{Type: triage.ActSetTeam, Value: team.ID}}})
		for _, tc := range []struct {
			title string
			fires bool
		}{
			{"请帮我开发票", true},
			{"電子發票抬頭錯了", true},
			{"不是发票的问题，是物流", false},
			{"快递一直没到", false},
		} {
			t.Run(tc.title, func(t *testing.T) {
				tk := e.ticket(tc.title, "订单号 20261207")
				runs := e.runs(triage.AutomationRunFilter{TicketID: tk.ID})
				if got := tk.TeamID == team.ID; got != tc.fires {
					t.Fatalf("team = %q, want fired=%v", tk.TeamID, tc.fires)
				}
				if !tc.fires {
					if len(runs) != 0 {
						t.Fatalf("log: %+v", runs)
					}
					return
				}
				if len(runs) != 1 || runs[0].AutomationID != a.ID || runs[0].Event != triage.OnTicketCreated {
					t.Fatalf("log: %+v", runs)
				}
				if want := []triage.ReasonCode{triage.ReasonAutomationFired, triage.ReasonAutomationCondition}; !slices.Equal(codes(runs[0].Why), want) {
					t.Fatalf("why = %v, want %v", codes(runs[0].Why), want)
				}
				if c := runs[0].Changes; len(c) != 1 || c[0].Code != triage.ReasonAutomationSet || c[0].Args["to"] != team.ID {
					t.Fatalf("changes = %+v", c)
				}
				hist, err := e.store.History(e.ctx, tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				i := slices.IndexFunc(hist, func(h *triage.HistoryEntry) bool { return h.Field == "team_id" })
				if i < 0 || hist[i].Actor != TriggerActor() || codes(hist[i].Why)[0] != triage.ReasonAutomationFired {
					t.Fatalf("history of the team change: %+v", hist)
				}
			})
		}
	})
}

// TestLoopGuard: two triggers that undo each other fire once each per
// event, in passes, and their own changes do not run triggers again; a
// stop flag ends the passes; a retried event fires nothing twice.
func TestLoopGuard(t *testing.T) {
	stores(t, func(t *testing.T, e *env) {
		on := []triage.TriggerEvent{triage.OnTicketCreated, triage.OnTicketUpdated}
		add := e.add(triage.NewAutomation{Name: "加 a", Events: on,
			Conditions: []triage.Condition{{Field: "tags", Op: triage.OpHasNot, Value: "a"}},
			Actions:    []triage.Action{{Type: triage.ActAddTags, Tags: []string{"a"}}, {Type: triage.ActAddNote, Body: "已加标签 a：{{ticket.title}}"}}})
		remove := e.add(triage.NewAutomation{Name: "去 a", Events: on,
			Conditions: []triage.Condition{{Field: "tags", Op: triage.OpHas, Value: "a"}},
			Actions:    []triage.Action{{Type: triage.ActRemoveTags, Tags: []string{"a"}}}})
		tk := e.ticket("退款", "请退款")
		if n := len(e.runs(triage.AutomationRunFilter{AutomationID: add.ID})); n != 1 {
			t.Fatalf("加 a fired %d times, want 1", n)
		}
		if n := len(e.runs(triage.AutomationRunFilter{AutomationID: remove.ID})); n != 1 {
			t.Fatalf("去 a fired %d times, want 1", n)
		}
		if got := e.get(tk.ID).Tags; len(got) != 0 {
			t.Fatalf("tags = %v: the second pass should have removed a", got)
		}
		cs, err := e.store.Comments(e.ctx, tk.ID)
		if err != nil || len(cs) != 1 || cs[0].Public || cs[0].Body != "已加标签 a：退款" {
			t.Fatalf("notes: %+v %v", cs, err)
		}

		// The same event again (a retried job) fires nothing.
		if err := e.svc.Fire(e.ctx, "same-key", tk.ID, []triage.TriggerEvent{triage.OnTicketUpdated}, nil); err != nil {
			t.Fatal(err)
		}
		before := len(e.runs(triage.AutomationRunFilter{TicketID: tk.ID}))
		if err := e.svc.Fire(e.ctx, "same-key", tk.ID, []triage.TriggerEvent{triage.OnTicketUpdated}, nil); err != nil {
			t.Fatal(err)
		}
		e.drain()
		if after := len(e.runs(triage.AutomationRunFilter{TicketID: tk.ID})); after != before {
			t.Fatalf("a retried event fired again: %d → %d runs", before, after)
		}

		// Stop: the first trigger stops the second.
		if _, err := e.svc.Update(admin(e.ctx), add.ID, 0, triage.AutomationUpdate{Stop: triage.Some(true)}); err != nil {
			t.Fatal(err)
		}
		tk2 := e.ticket("换货", "尺码不对")
		if n := len(e.runs(triage.AutomationRunFilter{TicketID: tk2.ID})); n != 1 {
			t.Fatalf("with stop, %d firings, want 1", n)
		}
		if got := e.get(tk2.ID).Tags; !slices.Equal(got, []string{"a"}) {
			t.Fatalf("tags = %v, want [a]", got)
		}
	})
}

// TestCommentEvents: a trigger on the requester's messages fires on the
// requester's and not on an agent's; one on status changes fires when a
// message reopens a ticket.
func TestCommentEvents(t *testing.T) {
	stores(t, func(t *testing.T, e *env) {
		byRequester := e.add(triage.NewAutomation{Name: "客户回复 → P2", Events: []triage.TriggerEvent{triage.OnRequesterComment},
			Actions: []triage.Action{{Type: triage.ActSetPriority, Value: "P2"}}})
		reopened := e.add(triage.NewAutomation{Name: "重开 → 标签", Events: []triage.TriggerEvent{triage.OnStatusChanged},
			Conditions: []triage.Condition{{Field: "status", Op: triage.OpIs, Value: "open"}},
			Actions:    []triage.Action{{Type: triage.ActAddTags, Tags: []string{"reopened"}}}})
		tk := e.ticket("发货慢", "还没发货")
		if _, err := e.desk.AddComment(admin(e.ctx), tk.ID, triage.NewComment{Body: "正在处理", Public: false}, nil); err != nil {
			t.Fatal(err)
		}
		e.drain()
		if got := e.get(tk.ID).Priority; got != triage.P3 {
			t.Fatalf("after an agent's note: %s", got)
		}
		if _, err := e.desk.UpdateTicket(admin(e.ctx), tk.ID, 0, triage.TicketUpdate{Status: triage.Some(triage.StatusPending)}); err != nil {
			t.Fatal(err)
		}
		e.drain()
		if _, err := e.desk.AddComment(e.ctx, tk.ID, triage.NewComment{Body: "怎么还没到", FromRequester: true}, nil); err != nil {
			t.Fatal(err)
		}
		e.drain()
		got := e.get(tk.ID)
		if got.Priority != triage.P2 || !slices.Contains(got.Tags, "reopened") {
			t.Fatalf("after the requester's message: %s %v", got.Priority, got.Tags)
		}
		for _, a := range []*triage.Automation{byRequester, reopened} {
			if n := len(e.runs(triage.AutomationRunFilter{AutomationID: a.ID})); n != 1 {
				t.Fatalf("%s fired %d times", a.Name, n)
			}
		}
	})
}

// TestTimeRules drives the templates with a fake clock: a pending ticket
// is reminded after 3 days and solved after 7; a new unassigned ticket's
// team lead is mailed after 30 minutes, once; nothing fires early.
func TestTimeRules(t *testing.T) {
	stores(t, func(t *testing.T, e *env) {
		lead := e.agent("王组长", "wang@example.com")
		team := e.team("售后组", lead.ID)
		for _, tpl := range Templates() {
			in := tpl.Automation
			in.Enabled = nil // on
			e.add(in)
		}
		pending := e.ticket("退货", "怎么退")
		if _, err := e.desk.UpdateTicket(admin(e.ctx), pending.ID, 0, triage.TicketUpdate{Status: triage.Some(triage.StatusPending), TeamID: triage.Some(team.ID), AssigneeID: triage.Some(lead.ID)}); err != nil {
			t.Fatal(err)
		}
		fresh := e.ticket("发票", "开票")
		if _, err := e.desk.UpdateTicket(admin(e.ctx), fresh.ID, 0, triage.TicketUpdate{TeamID: triage.Some(team.ID)}); err != nil {
			t.Fatal(err)
		}
		e.drain()
		sweep := func() int {
			t.Helper()
			n, err := e.svc.Sweep(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			e.drain()
			return n
		}
		for _, step := range []struct {
			after  time.Duration
			fired  int
			status triage.Status
			mails  int
		}{
			{29 * time.Minute, 0, triage.StatusPending, 0},
			{time.Minute, 1, triage.StatusPending, 1},                     // 30 minutes: the lead is told
			{time.Hour, 0, triage.StatusPending, 1},                       // once only
			{3*24*time.Hour - 90*time.Minute, 1, triage.StatusPending, 1}, // 3 days: reminded
			{3 * 24 * time.Hour, 0, triage.StatusPending, 1},
			{24 * time.Hour, 1, triage.StatusSolved, 1}, // 7 days: solved
			{24 * time.Hour, 0, triage.StatusSolved, 1},
		} {
			e.advance(step.after)
			if got := sweep(); got != step.fired {
				t.Fatalf("at %s: %d firings, want %d", e.clock(), got, step.fired)
			}
			if got := e.get(pending.ID).Status; got != step.status {
				t.Fatalf("at %s: pending ticket is %s, want %s", e.clock(), got, step.status)
			}
			if len(e.mail.sent) != step.mails {
				t.Fatalf("at %s: mails %v", e.clock(), e.mail.sent)
			}
		}
		if want := "wang@example.com|工单 " + triage.TicketRef(fresh.ID) + " 30 分钟无人接单|"; len(e.mail.sent[0]) < len(want) || e.mail.sent[0][:len(want)] != want {
			t.Fatalf("mail = %q, want it to start %q", e.mail.sent[0], want)
		}
		cs, err := e.store.Comments(e.ctx, pending.ID)
		if err != nil || len(cs) != 1 || !cs[0].Public || cs[0].Body[:len("陈女士您好")] != "陈女士您好" {
			t.Fatalf("reminder: %+v %v", cs, err)
		}
		runs := e.runs(triage.AutomationRunFilter{TicketID: pending.ID})
		if len(runs) != 2 || runs[0].Event != triage.OnTime || runs[0].Why[1].Code != triage.ReasonAutomationAge {
			t.Fatalf("log: %+v", runs)
		}
	})
}

// TestBusinessAge: a business age counts the calendar's working time, a
// day being its working day; business_hours reads the calendar.
func TestBusinessAge(t *testing.T) {
	stores(t, func(t *testing.T, e *env) {
		e.add(triage.NewAutomation{Name: "工作时间 1 天", Kind: triage.AutomationTime,
			Age:     &triage.AutomationAge{Since: triage.AgeSinceCreated, After: "1d", Business: true},
			Actions: []triage.Action{{Type: triage.ActAddTags, Tags: []string{"day"}}}})
		e.add(triage.NewAutomation{Name: "上班时间新单", Events: []triage.TriggerEvent{triage.OnTicketCreated},
			Conditions: []triage.Condition{{Field: "business_hours", Op: triage.OpTrue}},
			Actions:    []triage.Action{{Type: triage.ActAddTags, Tags: []string{"in_hours"}}}})
		tk := e.ticket("咨询", "你好") // 02:00 UTC: open
		if !slices.Contains(e.get(tk.ID).Tags, "in_hours") {
			t.Fatalf("tags %v", e.get(tk.ID).Tags)
		}
		e.advance(23 * time.Hour) // 11.5 h of working time
		if n, _ := e.svc.Sweep(e.ctx); n != 0 {
			t.Fatal("fired before a working day")
		}
		e.advance(time.Hour)
		if n, _ := e.svc.Sweep(e.ctx); n != 1 {
			t.Fatal("did not fire after a working day")
		}
		late := e.ticket("夜间咨询", "你好") // 02:00 + 24h = 02:00 again: open; move to 13:00
		_ = late
		e.advance(11 * time.Hour)
		night := e.ticket("晚上咨询", "你好")
		if slices.Contains(e.get(night.ID).Tags, "in_hours") {
			t.Fatal("tagged in_hours at 13:00")
		}
	})
}

// TestDryRun: a dry run over the newest tickets says which would fire
// and what would change, and changes nothing.
func TestDryRun(t *testing.T) {
	stores(t, func(t *testing.T, e *env) {
		team := e.team("支付结算组", "")
		for _, title := range []string{"开发票", "物流", "发票抬头", "退款"} {
			e.ticket(title, "内容")
		}
		res, err := e.svc.DryRun(e.ctx, DryRun{Limit: 3, Automation: &triage.NewAutomation{Name: "试", Events: []triage.TriggerEvent{triage.OnTicketCreated},
			Conditions: []triage.Condition{{Field: "title", Op: triage.OpContains, Value: "发票"}},
			Actions:    []triage.Action{{Type: triage.ActSetTeam, Value: team.ID}, {Type: triage.ActSetStatus, Value: "closed"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Checked != 3 || res.Fired != 1 || res.Items[0].Title != "发票抬头" {
			b, _ := json.Marshal(res)
			t.Fatalf("dry run: %s", b)
		}
		if got := codes(res.Items[0].Changes); !slices.Equal(got, []triage.ReasonCode{triage.ReasonAutomationSet, triage.ReasonAutomationSkipped}) {
			t.Fatalf("changes %v: the team is set, new → closed is skipped", got)
		}
		list, _, _ := e.store.Tickets(e.ctx, triage.TicketFilter{})
		for _, tk := range list {
			if tk.TeamID != "" {
				t.Fatalf("a dry run changed %s", tk.Title)
			}
		}
		for _, bad := range []struct {
			in    DryRun
			field string
		}{
			{DryRun{}, "automation"},
			{DryRun{Limit: 5000, AutomationID: "x"}, "limit"},
			{DryRun{AutomationID: "nope"}, "automation_id"},
			{DryRun{Automation: &triage.NewAutomation{Name: "x", Events: []triage.TriggerEvent{"nope"}, Actions: []triage.Action{{Type: triage.ActAddTags, Tags: []string{"a"}}}}}, "automation.events[0]"},
		} {
			_, err := e.svc.DryRun(e.ctx, bad.in)
			var te *triage.Error
			if !triage.IsCode(err, triage.EINVALID) || !asError(err, &te) || te.Field != bad.field {
				t.Errorf("%+v: %v, want EINVALID on %s", bad.in, err, bad.field)
			}
		}
	})
}

func asError(err error, out **triage.Error) bool {
	e, ok := err.(*triage.Error)
	*out = e
	return ok
}

// TestActionsThatReachOut: email and webhook actions go to the mailer and
// the hooks (queued in the firing's transaction), and a webhook or team
// that does not exist is refused when the automation is saved.
func TestActionsThatReachOut(t *testing.T) {
	stores(t, func(t *testing.T, e *env) {
		hook, err := e.store.Webhooks(e.ctx)
		if err != nil || len(hook) != 0 {
			t.Fatal(hook, err)
		}
		w := &triage.Webhook{ID: "wh-1", URL: "https://hooks.example.com/x", Events: []string{"ticket.created"}, Active: true, SigningKey: "k", CreatedAt: e.clock(), UpdatedAt: e.clock()}
		if err := e.store.Update(e.ctx, func(tx triage.Tx) error { return tx.CreateWebhook(e.ctx, w) }); err != nil {
			t.Fatal(err)
		}
		e.add(triage.NewAutomation{Name: "VIP", Events: []triage.TriggerEvent{triage.OnTicketCreated},
			Conditions: []triage.Condition{{Field: "text", Op: triage.OpContains, Value: "投诉,12315"}},
			Actions: []triage.Action{{Type: triage.ActWebhook, Value: "wh-1"},
				{Type: triage.ActEmail, To: "boss@example.com", Subject: "投诉：{{ticket.title}}", Body: "{{requester.name}}"}}})
		e.ticket("我要投诉", "太慢了")
		e.ticket("咨询", "我不会去投诉的") // negated
		if len(e.hooks.calls) != 1 || e.hooks.calls[0] != "wh-1|VIP|ticket.created" {
			t.Fatalf("webhook calls %v", e.hooks.calls)
		}
		if len(e.mail.sent) != 1 || e.mail.sent[0] != "boss@example.com|投诉：我要投诉|陈女士" {
			t.Fatalf("mails %v", e.mail.sent)
		}
		_, err = e.svc.Create(admin(e.ctx), triage.NewAutomation{Name: "x", Events: []triage.TriggerEvent{triage.OnTicketCreated},
			Actions: []triage.Action{{Type: triage.ActAddTags, Tags: []string{"a"}}, {Type: triage.ActWebhook, Value: "wh-9"}}}, nil)
		var te *triage.Error
		if !asError(err, &te) || te.Code != triage.EINVALID || te.Field != "actions[1].value" {
			t.Fatalf("a missing webhook: %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestConditions: each kind of field and operator, on one ticket and
// what the engine knows beside it.
func TestConditions(t *testing.T) {
	e := newEnv(t, "sqlite")
	tk := &triage.Ticket{ID: "tk-1", Title: "急：發票抬頭錯了", Body: "我不是要投诉，只是问问", Status: triage.StatusOpen, Priority: triage.P2,
		Channel: triage.ChannelEmail, Category: "发票与报销", TeamID: "tm-1", Tags: []string{"vip", "invoice"},
		Fields: map[string]string{"order_no": "20261207"}, Requester: triage.Requester{Name: "陈女士", Email: "chen@example.com", Tier: "vip"}}
	rating := 2
	f := &facts{rec: &triage.TriageRecord{Category: triage.Decision{Value: "发票与报销", Confidence: 0.62}}, mailbox: "mb-1", rating: &rating,
		now: time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		c    triage.Condition
		want bool
	}{
		{triage.Condition{Field: "title", Op: triage.OpContains, Value: "发票"}, true},
		{triage.Condition{Field: "title", Op: triage.OpContains, Value: "退款,抬头"}, true},
		{triage.Condition{Field: "title", Op: triage.OpNotContains, Value: "发票"}, false},
		{triage.Condition{Field: "text", Op: triage.OpContains, Value: "投诉"}, false}, // 不是要投诉
		{triage.Condition{Field: "body", Op: triage.OpContains, Value: "问问"}, true},
		{triage.Condition{Field: "status", Op: triage.OpIs, Value: "open"}, true},
		{triage.Condition{Field: "status", Op: triage.OpNotIn, Values: []string{"new", "open"}}, false},
		{triage.Condition{Field: "priority", Op: triage.OpIn, Values: []string{"P1", "P2"}}, true},
		{triage.Condition{Field: "channel", Op: triage.OpIsNot, Value: "wechat"}, true},
		{triage.Condition{Field: "category", Op: triage.OpIs, Value: "发票与报销"}, true},
		{triage.Condition{Field: "assignee_id", Op: triage.OpAbsent}, true},
		{triage.Condition{Field: "team_id", Op: triage.OpPresent}, true},
		{triage.Condition{Field: "mailbox_id", Op: triage.OpIs, Value: "mb-1"}, true},
		{triage.Condition{Field: "requester.tier", Op: triage.OpIs, Value: "VIP"}, true},
		{triage.Condition{Field: "requester.email", Op: triage.OpContains, Value: "@example.com"}, true},
		{triage.Condition{Field: "tags", Op: triage.OpHas, Value: "VIP"}, true},
		{triage.Condition{Field: "tags", Op: triage.OpHasNot, Value: "invoice"}, false},
		{triage.Condition{Field: "fields.order_no", Op: triage.OpIs, Value: "20261207"}, true},
		{triage.Condition{Field: "fields.sku", Op: triage.OpAbsent}, true},
		{triage.Condition{Field: "confidence", Op: triage.OpLT, Value: "0.7"}, true},
		{triage.Condition{Field: "confidence", Op: triage.OpGTE, Value: "0.7"}, false},
		{triage.Condition{Field: "csat.rating", Op: triage.OpLTE, Value: "2"}, true},
		{triage.Condition{Field: "business_hours", Op: triage.OpTrue}, true}, // 03:00 UTC: open in fakeCal
		{triage.Condition{Field: "needs_review", Op: triage.OpFalse}, true},
	} {
		t.Run(tc.c.Field+" "+tc.c.Op+" "+tc.c.Value, func(t *testing.T) {
			got, err := e.svc.holds(e.ctx, tc.c, tk, f)
			if err != nil || got != tc.want {
				t.Fatalf("holds = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	m := &triage.Automation{Match: triage.MatchAny, Conditions: []triage.Condition{{Field: "status", Op: triage.OpIs, Value: "new"}, {Field: "tags", Op: triage.OpHas, Value: "vip"}}}
	if ok, why, _ := e.svc.match(e.ctx, m, tk, f); !ok || len(why) != 1 {
		t.Fatalf("any: %v %v", ok, why)
	}
	m.Match = triage.MatchAll
	if ok, _, _ := e.svc.match(e.ctx, m, tk, f); ok {
		t.Fatal("all matched with a failing condition")
	}
}

// TestSLAAndCSATEvents: triggers on an SLA breach and on a satisfaction
// answer fire through the engine's subscriptions, the rating readable.
func TestSLAAndCSATEvents(t *testing.T) {
	stores(t, func(t *testing.T, e *env) {
		e.add(triage.NewAutomation{Name: "差评 → P1", Events: []triage.TriggerEvent{triage.OnCSATReceived},
			Conditions: []triage.Condition{{Field: "csat.rating", Op: triage.OpLTE, Value: "2"}},
			Actions:    []triage.Action{{Type: triage.ActSetPriority, Value: "P1"}}})
		e.add(triage.NewAutomation{Name: "违约 → 标签", Events: []triage.TriggerEvent{triage.OnSLABreached},
			Actions: []triage.Action{{Type: triage.ActAddTags, Tags: []string{"sla_breached"}}}})
		tk := e.ticket("退款", "没到账")
		good, bad := e.ticket("咨询", "你好"), tk
		emit := func(j triage.Job, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			e.mu.Lock()
			e.jobs = append(e.jobs, j)
			e.mu.Unlock()
		}
		emit(triage.EventCSATReceived.Job(triage.SurveyReceived{TicketID: bad.ID, Rating: 1}))
		emit(triage.EventCSATReceived.Job(triage.SurveyReceived{TicketID: good.ID, Rating: 5}))
		emit(triage.EventSLABreached.Job(triage.SLANotice{Event: "sla.breached", TicketID: good.ID, Metric: "first_response"}))
		e.drain()
		if got := e.get(bad.ID).Priority; got != triage.P1 {
			t.Fatalf("after a rating of 1: %s", got)
		}
		g := e.get(good.ID)
		if g.Priority != triage.P3 || !slices.Contains(g.Tags, "sla_breached") {
			t.Fatalf("after a rating of 5 and a breach: %s %v", g.Priority, g.Tags)
		}
	})
}

// TestNoOpFirings: a trigger whose actions find the ticket as they would
// leave it is logged (so a retried event still fires it once) but left
// out of the log of firings that changed something, the one the log page
// shows.
func TestNoOpFirings(t *testing.T) {
	stores(t, func(t *testing.T, e *env) {
		vip := e.add(triage.NewAutomation{Name: "加 vip", Events: []triage.TriggerEvent{triage.OnTicketCreated, triage.OnTicketUpdated},
			Actions: []triage.Action{{Type: triage.ActAddTags, Tags: []string{"vip"}}}})
		tk := e.ticket("退款", "请退款") // fires and adds vip
		for _, key := range []string{"update-1", "update-2"} {
			if err := e.svc.Fire(e.ctx, key, tk.ID, []triage.TriggerEvent{triage.OnTicketUpdated}, nil); err != nil {
				t.Fatal(err)
			}
		}
		all := e.runs(triage.AutomationRunFilter{AutomationID: vip.ID})
		changed := e.runs(triage.AutomationRunFilter{AutomationID: vip.ID, Changed: true})
		if len(all) != 3 || len(changed) != 1 || !slices.Equal(codes(changed[0].Changes), []triage.ReasonCode{triage.ReasonAutomationTagsAdded}) {
			t.Fatalf("%d firings logged, %d that changed something (%+v); want 3 and 1 (the tag added)", len(all), len(changed), changed)
		}
		// The no-op firing is still what keeps its event from firing
		// twice.
		if err := e.svc.Fire(e.ctx, "update-1", tk.ID, []triage.TriggerEvent{triage.OnTicketUpdated}, nil); err != nil {
			t.Fatal(err)
		}
		if n := len(e.runs(triage.AutomationRunFilter{AutomationID: vip.ID})); n != 3 {
			t.Errorf("a retried no-op event fired again: %d firings", n)
		}
	})
}
