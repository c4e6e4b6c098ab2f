package classify_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/segment"
	"github.com/triagehq/triage/sqlite"
)

var (
	segOnce sync.Once
	segVal  *segment.Segmenter
	segErr  error
)

func testSegmenter(t testing.TB) *segment.Segmenter {
	t.Helper()
	segOnce.Do(func() { segVal, segErr = segment.New(segment.Options{}) })
	if segErr != nil {
		t.Fatal(segErr)
	}
	return segVal
}

type triageEnv struct {
	t     testing.TB
	ctx   context.Context
	store *sqlite.DB
	desk  *desk.Service
	tr    *classify.Triager
}

func newTriageEnv(t testing.TB) *triageEnv {
	t.Helper()
	seg := testSegmenter(t)
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), sqlite.Options{
		Enqueue: func(context.Context, *sql.Tx, triage.Job) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	router := &classify.Router{}
	tr := &classify.Triager{Segmenter: seg, Router: router}
	d := &desk.Service{Store: store, Intake: tr, Router: router, Normalize: seg.Normalize}
	ctx := triage.NewContextWithPrincipal(context.Background(), &triage.Principal{TokenID: "test", Role: triage.RoleAdmin})
	return &triageEnv{t: t, ctx: ctx, store: store, desk: d, tr: tr}
}

func (e *triageEnv) agent(name, skills string, capacity int, online bool) *triage.Agent {
	e.t.Helper()
	a, err := e.desk.CreateAgent(e.ctx, triage.NewAgent{Name: name, Skills: strings.Split(skills, ","), Capacity: &capacity, Online: online}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *triageEnv) ticket(in triage.NewTicket) *triage.Ticket {
	e.t.Helper()
	t, err := e.desk.CreateTicket(e.ctx, in, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return t
}

func (e *triageEnv) rule(in triage.NewRule) {
	e.t.Helper()
	if _, err := e.desk.CreateRule(e.ctx, in, nil); err != nil {
		e.t.Fatal(err)
	}
}

// train fits a small model on hand-written examples and makes it active.
func (e *triageEnv) train() {
	e.t.Helper()
	data := map[string][]string{
		"支付与退款":   {"退款还没到账", "退款什么时候到账", "重复扣款了", "付款失败怎么办", "退款一直没收到", "扣了两次钱", "申请退款", "钱退到哪里了", "支付宝付款失败", "退款进度查询"},
		"订单与物流":   {"快递一直没到", "物流不更新", "快递显示签收但没收到", "订单什么时候发货", "物流停在中转站", "快递丢件了", "催一下发货", "派送太慢了", "查物流", "快递员不送货上门"},
		"设备使用与故障": {"手环连不上蓝牙", "音箱无法联网", "扫地机器人不回充", "耳机单边没声音", "手环充不进电", "音箱没有声音", "机器人一直报错", "耳机连接断断续续", "牙刷不震动", "设备无法开机"},
	}
	var ex []classify.Example
	for cat, texts := range data {
		for _, s := range texts {
			ex = append(ex, classify.Example{Text: s, Label: cat})
		}
	}
	trainer := &classify.Trainer{Store: e.store, Segmenter: e.tr.Segmenter}
	m, _, err := trainer.Train(e.ctx, triage.ModelCategory, ex, []string{"test"}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.tr.UseModel(m); err != nil {
		e.t.Fatal(err)
	}
}

func TestTriageDecisions(t *testing.T) {
	e := newTriageEnv(t)
	pay := e.agent("张伟", "支付与退款", 5, true)
	e.agent("李娜", "订单与物流", 5, true)

	t.Run("no model, no rule: abstain", func(t *testing.T) {
		tk := e.ticket(triage.NewTicket{Title: "退款还没到账", Body: "三天了"})
		if tk.Category != "" || !tk.NeedsReview || tk.AssigneeID != "" {
			t.Fatalf("category %q needs_review %v assignee %q", tk.Category, tk.NeedsReview, tk.AssigneeID)
		}
		wantWhy(t, tk.Triage)
	})

	e.train()
	t.Run("model decides and routing assigns", func(t *testing.T) {
		tk := e.ticket(triage.NewTicket{Title: "退款一直没到账", Body: "申请退款一周了钱还没退回来"})
		if tk.Category != "支付与退款" || tk.NeedsReview || tk.AssigneeID != pay.ID {
			t.Fatalf("category %q (%v) assignee %q; triage %+v", tk.Category, tk.NeedsReview, tk.AssigneeID, tk.Triage.Category)
		}
		if tk.Triage.Category.Source != "model" || len(tk.Triage.Category.Top) == 0 || tk.Triage.ModelVersion == "" {
			t.Errorf("category decision = %+v", tk.Triage.Category)
		}
		if len(tk.Triage.Explanation.Candidates) != 1 || tk.Triage.Assignee.Source != "routing" {
			t.Errorf("assignee decision = %+v, candidates %+v", tk.Triage.Assignee, tk.Triage.Explanation.Candidates)
		}
		wantWhy(t, tk.Triage)
	})

	t.Run("threshold abstains", func(t *testing.T) {
		strict := &classify.Triager{Segmenter: e.tr.Segmenter, Router: e.tr.Router, Threshold: 0.99}
		if err := strict.LoadModels(e.ctx, e.store); err != nil {
			t.Fatal(err)
		}
		d := *e.desk
		d.Intake = strict
		tk, err := d.CreateTicket(e.ctx, triage.NewTicket{Title: "你好", Body: "想咨询一下"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Category != "" || !tk.NeedsReview || tk.Triage.Category.Confidence >= 0.99 {
			t.Errorf("category %q needs_review %v confidence %v", tk.Category, tk.NeedsReview, tk.Triage.Category.Confidence)
		}
		if !strings.Contains(tk.Triage.Category.Why.String(), "below the threshold") {
			t.Errorf("why = %v", tk.Triage.Category.Why)
		}
	})

	t.Run("override rule beats the model", func(t *testing.T) {
		e.rule(triage.NewRule{Name: "发票", Any: []string{"发票", "開票"}, SetCategory: "发票与报销", Mode: triage.RuleOverride, AddTags: []string{"发票"}})
		tk := e.ticket(triage.NewTicket{Title: "退款后发票怎么办", Body: "退款到账了，但是發票还在"})
		if tk.Category != "发票与报销" || tk.Triage.Category.Source != "rule" || !slices.Contains(tk.Tags, "发票") {
			t.Fatalf("category %q source %s tags %v", tk.Category, tk.Triage.Category.Source, tk.Tags)
		}
		if len(tk.Triage.Explanation.Rules) != 1 || tk.Triage.Explanation.Rules[0].Name != "发票" {
			t.Errorf("rule hits = %+v", tk.Triage.Explanation.Rules)
		}
	})

	t.Run("bias rule shifts the model", func(t *testing.T) {
		probe := &triage.Ticket{Title: "钱没收到", Body: "退款显示成功但是没收到"}
		score := func(rec *triage.TriageRecord, cat string) float64 {
			for _, s := range rec.Category.Top {
				if s.Value == cat {
					return s.Score
				}
			}
			return 0
		}
		before, err := e.tr.Preview(e.ctx, e.store, probe)
		if err != nil {
			t.Fatal(err)
		}
		e.rule(triage.NewRule{Name: "物流偏向", Any: []string{"没收到"}, SetCategory: "订单与物流", Mode: triage.RuleBias, Weight: 0.9})
		after, err := e.tr.Preview(e.ctx, e.store, probe)
		if err != nil {
			t.Fatal(err)
		}
		if b, a := score(before, "订单与物流"), score(after, "订单与物流"); a < b+0.3 {
			t.Errorf("a 0.9 bias moved 订单与物流 from %.2f to %.2f", b, a)
		}
		// A model that is sure still wins over a bias: that is the
		// difference from an override.
		if after.Category.Value != "支付与退款" || after.Category.Source != "model" {
			t.Errorf("decision = %+v", after.Category)
		}
		if !strings.Contains(after.Category.Why.String(), "物流偏向") {
			t.Errorf("why does not name the bias rule: %v", after.Category.Why)
		}
	})

	t.Run("manual values win and triage still records", func(t *testing.T) {
		tk := e.ticket(triage.NewTicket{Title: "退款没到账", Body: "急", Category: "会员与优惠", Priority: triage.P4, AssigneeID: pay.ID})
		if tk.Category != "会员与优惠" || tk.Priority != triage.P4 || tk.AssigneeID != pay.ID {
			t.Fatalf("manual values lost: %s %s %s", tk.Category, tk.Priority, tk.AssigneeID)
		}
		if tk.Triage.Category.Source != "manual" || tk.Triage.Priority.Source != "manual" || tk.Triage.Assignee.Source != "manual" {
			t.Errorf("sources = %s %s %s", tk.Triage.Category.Source, tk.Triage.Priority.Source, tk.Triage.Assignee.Source)
		}
	})

	t.Run("priority signals", func(t *testing.T) {
		tk := e.ticket(triage.NewTicket{Title: "再不退款我就打12315投诉", Body: "垃圾商家", Requester: triage.Requester{Tier: "vip"}})
		if tk.Priority != triage.P1 || tk.Triage.Priority.Confidence < 0.9 {
			t.Fatalf("priority = %+v", tk.Triage.Priority)
		}
		names := map[string]bool{}
		for _, s := range tk.Triage.Explanation.Signals {
			names[s.Name] = true
		}
		if !names["tier"] || len(tk.Triage.Explanation.Signals) < 3 {
			t.Errorf("signals = %+v", tk.Triage.Explanation.Signals)
		}
	})

	t.Run("repeat contact", func(t *testing.T) {
		r := triage.Requester{Email: "repeat@example.com"}
		var tk *triage.Ticket
		for i := range 3 {
			tk = e.ticket(triage.NewTicket{Title: fmt.Sprintf("第%d次问物流", i+1), Body: "快递还没到", Requester: r})
		}
		found := false
		for _, s := range tk.Triage.Explanation.Signals {
			found = found || s.Name == "repeat"
		}
		if !found || tk.Priority.Rank() > triage.P2.Rank() {
			t.Errorf("third contact: priority %s signals %+v", tk.Priority, tk.Triage.Explanation.Signals)
		}
	})
}

func wantWhy(t *testing.T, rec *triage.TriageRecord) {
	t.Helper()
	if rec == nil {
		t.Fatal("no triage record")
	}
	for name, d := range map[string]triage.Decision{"category": rec.Category, "priority": rec.Priority, "assignee": rec.Assignee} {
		if len(d.Why) == 0 || d.Source == "" {
			t.Errorf("%s decision has no explanation: %+v", name, d)
		}
	}
}

func TestPreviewStoresNothing(t *testing.T) {
	e := newTriageEnv(t)
	e.agent("张伟", "发票与报销", 5, true)
	e.rule(triage.NewRule{Name: "发票", Any: []string{"发票"}, SetCategory: "发票与报销", SetPriority: triage.P2})
	rec, err := e.tr.Preview(e.ctx, e.store, &triage.Ticket{Title: "发票开错了", Body: "抬头写错", Channel: triage.ChannelWeb})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Category.Value != "发票与报销" || rec.Priority.Value != "P2" || rec.Assignee.Source != "routing" || len(rec.Explanation.Rules) != 1 {
		t.Errorf("preview = %+v", rec)
	}
	if n, _ := e.store.CountTickets(e.ctx, triage.TicketFilter{}); n != 0 {
		t.Errorf("preview stored %d tickets", n)
	}
}
