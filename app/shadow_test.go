package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/eval"
)

// shadowTexts are three categories' tickets, worded unlike the training
// examples so the models generalise rather than recall.
var shadowTexts = map[string][]string{
	"发票": {"发票抬头开错了需要重开", "请帮我开具增值税专用发票", "电子发票一直没有收到", "发票税号填错怎么办"},
	"物流": {"快递三天了还没发货", "物流信息一直不更新", "包裹显示签收但我没收到", "快递员态度差还丢件"},
	"退款": {"退款申请提交后一直没到账", "取消订单后钱什么时候退回", "退货退款审核太慢了", "重复扣款请退还给我"},
}

// trainShadowModel trains a category model; swap relabels one category's
// examples as another, which makes the weak model the trial replaces.
func trainShadowModel(t *testing.T, seg triage.Segmenter, swap map[string]string) *triage.Model {
	t.Helper()
	train := map[string][]string{
		"发票": {"发票 开错 重开", "开发票 抬头 税号", "增值税 发票 专票", "电子 发票 没收到 邮箱"},
		"物流": {"快递 没 发货", "物流 不更新 包裹", "快递 丢件 签收", "包裹 配送 慢 快递员"},
		"退款": {"退款 没 到账", "退货 退款 审核", "取消 订单 退钱", "扣款 退还 钱"},
	}
	var ex []classify.Example
	for label, texts := range train {
		if to, ok := swap[label]; ok {
			label = to
		}
		for _, x := range texts {
			for range 3 {
				ex = append(ex, classify.Example{Text: x, Label: label})
			}
		}
	}
	m, err := classify.Train(context.Background(), ex, classify.TrainOptions{Segmenter: seg, CalibrationFolds: -1})
	if err != nil {
		t.Fatal(err)
	}
	blob, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return &triage.Model{ID: triage.NewID(), Kind: triage.ModelCategory, Version: m.Version(), Blob: blob,
		Info: triage.ModelInfo{Examples: len(ex), Classes: m.Labels(), Sources: []string{"test"}}, CreatedAt: time.Now()}
}

// The journey of shadow mode, through the API on both stores: a weak
// model is active, a better candidate runs in shadow for a week of
// simulated tickets without changing any of them, the comparison at close
// finds the candidate significantly better, and promoting it makes it the
// active model with the decision recorded.
func TestShadowJourney(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			r := start(t, st.config(t))
			ctx := context.Background()
			seg := sharedSegmenter(t)
			weak := trainShadowModel(t, seg, map[string]string{"物流": "退款"})
			better := trainShadowModel(t, seg, nil)
			if _, err := triage.Write(ctx, r.Store, nil, time.Now(), nil, func(tx triage.Tx) (any, error) {
				if err := tx.SaveModel(ctx, better); err != nil {
					return nil, err
				}
				return nil, tx.SaveModel(ctx, weak)
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Desk.ActivateModel(ctx, weak.ID); err != nil {
				t.Fatal(err)
			}
			create := func(title string) triage.Ticket {
				t.Helper()
				w := r.call("POST", "/v1/tickets", fmt.Sprintf(`{"title":%q,"body":"请尽快处理","requester":{"name":"王先生"}}`, title))
				var tk triage.Ticket
				if err := json.Unmarshal(w.Body.Bytes(), &tk); w.Code != http.StatusCreated || err != nil {
					t.Fatalf("create %q: %d %s", title, w.Code, w.Body)
				}
				return tk
			}
			before := create("快递三天了还没发货")

			// Bad input is a 400 naming its field; a second trial of a
			// kind is a 409.
			for _, c := range []struct{ body, field string }{
				{`{"kind":"mood","candidate_id":"x"}`, "kind"},
				{`{"kind":"category"}`, "candidate_id"},
				{`{"kind":"category","candidate_id":"nope"}`, "candidate_id"},
				{`{"kind":"category","candidate_id":"` + weak.ID + `"}`, "candidate_id"},
				{`{"kind":"priority","candidate_id":"` + better.ID + `"}`, "candidate_id"},
				{`{"kind":"category","candidate_id":7}`, "candidate_id"},
			} {
				if w := r.call("POST", "/v1/shadows", c.body); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), c.field) {
					t.Errorf("POST /v1/shadows %s: %d %s; want 400 naming %s", c.body, w.Code, w.Body, c.field)
				}
			}
			w := r.call("POST", "/v1/shadows", `{"kind":"category","candidate_id":"`+better.ID+`"}`)
			var sh triage.Shadow
			if err := json.Unmarshal(w.Body.Bytes(), &sh); w.Code != http.StatusCreated || err != nil {
				t.Fatalf("start the shadow: %d %s", w.Code, w.Body)
			}
			if sh.Status != triage.ShadowRunning || sh.ActiveID != weak.ID || sh.CandidateVersion != better.Version {
				t.Fatalf("started shadow %+v", sh)
			}
			if w := r.call("POST", "/v1/shadows", `{"kind":"category","candidate_id":"`+better.ID+`"}`); w.Code != http.StatusConflict {
				t.Errorf("a second category shadow: %d %s; want 409", w.Code, w.Body)
			}

			// The shadow changes nothing: the same text is triaged as it
			// was before the trial, by the active model.
			same := create("快递三天了还没发货")
			if same.Category != before.Category || same.Priority != before.Priority || same.Triage.ModelVersion != weak.Version ||
				same.Triage.Category.Confidence != before.Triage.Category.Confidence || same.Version != before.Version {
				t.Errorf("with a shadow running the ticket is %s/%s v%d (model %s, %.3f); before %s/%s v%d (%.3f)",
					same.Category, same.Priority, same.Version, same.Triage.ModelVersion, same.Triage.Category.Confidence,
					before.Category, before.Priority, before.Version, before.Triage.Category.Confidence)
			}
			closeAs := func(tk triage.Ticket, category string) {
				t.Helper()
				v := tk.Version
				for _, body := range []string{`{"category":"` + category + `","status":"solved"}`, `{"status":"closed"}`} {
					w := r.call("PATCH", "/v1/tickets/"+tk.ID, body, fmt.Sprintf(`If-Match: "%d"`, v))
					var got triage.Ticket
					if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != http.StatusOK || err != nil {
						t.Fatalf("PATCH %s %s: %d %s", tk.ID, body, w.Code, w.Body)
					}
					v = got.Version
				}
			}
			closeAs(same, "物流")

			// A week of simulated tickets, six a day, each closed with its
			// true category.
			cats := []string{"发票", "物流", "退款"}
			n := 1
			for day := range 7 {
				for i := range 6 {
					cat := cats[(day+i)%3]
					text := shadowTexts[cat][(day*6+i)%4]
					closeAs(create(fmt.Sprintf("%s（第%d天）", text, day+1)), cat)
					n++
				}
			}

			w = r.call("GET", "/v1/shadows/"+sh.ID, "")
			var rep eval.ShadowReport
			if err := json.Unmarshal(w.Body.Bytes(), &rep); w.Code != http.StatusOK || err != nil {
				t.Fatalf("GET the comparison: %d %s", w.Code, w.Body)
			}
			t.Logf("%d tickets scored: active %s accuracy %.3f macro-F1 %.3f; candidate %s accuracy %.3f macro-F1 %.3f; McNemar %s b=%d c=%d p=%.3g, %d disagreements",
				rep.Scored, rep.Active.Version, rep.Active.Accuracy, rep.Active.MacroF1, rep.Candidate.Version, rep.Candidate.Accuracy, rep.Candidate.MacroF1,
				rep.McNemar.Method, rep.McNemar.ActiveOnly, rep.McNemar.CandidateOnly, rep.McNemar.PValue, rep.Disagree)
			if rep.Predictions != n || rep.Scored != n || rep.Open != 0 {
				t.Errorf("predictions %d scored %d open %d; want %d scored", rep.Predictions, rep.Scored, rep.Open, n)
			}
			if rep.Candidate.Accuracy <= rep.Active.Accuracy || rep.Candidate.MacroF1 <= rep.Active.MacroF1 {
				t.Errorf("candidate %+v not better than active %+v", rep.Candidate, rep.Active)
			}
			if !rep.McNemar.Significant || rep.McNemar.Better != "candidate" || rep.McNemar.Method != "exact" {
				t.Errorf("McNemar %+v; want an exact test calling the candidate significantly better", rep.McNemar)
			}
			if rep.Disagree == 0 || len(rep.Tickets) != rep.Disagree || rep.Tickets[0].Final != "物流" || rep.Tickets[0].Active != "退款" {
				t.Errorf("disagreements %d %+v; want the logistics tickets the weak model calls refunds", rep.Disagree, rep.Tickets)
			}
			if len(rep.Classes) != 3 {
				t.Errorf("per class %+v; want 发票, 物流, 退款", rep.Classes)
			}

			if w := r.call("POST", "/v1/shadows/"+sh.ID+"/promote", ""); w.Code != http.StatusOK {
				t.Fatalf("promote: %d %s", w.Code, w.Body)
			}
			if w := r.call("POST", "/v1/shadows/"+sh.ID+"/discard", ""); w.Code != http.StatusConflict {
				t.Errorf("discard after promote: %d %s; want 409", w.Code, w.Body)
			}
			if w := r.call("POST", "/v1/shadows/nope/promote", ""); w.Code != http.StatusNotFound {
				t.Errorf("promote of an unknown shadow: %d %s; want 404", w.Code, w.Body)
			}
			w = r.call("GET", "/v1/models?kind=category", "")
			var models struct{ Items []triage.Model }
			if err := json.Unmarshal(w.Body.Bytes(), &models); err != nil {
				t.Fatal(err)
			}
			for _, m := range models.Items {
				if m.Active != (m.ID == better.ID) {
					t.Errorf("after promote model %s (%s) active=%v; want only the candidate %s active", m.ID, m.Version, m.Active, better.ID)
				}
			}
			w = r.call("GET", "/v1/shadows", "")
			var list struct{ Items []triage.Shadow }
			if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || len(list.Items) != 1 {
				t.Fatalf("shadows: %v %s", err, w.Body)
			}
			if got := list.Items[0]; got.Status != triage.ShadowPromoted || got.EndedBy == "" || got.EndedAt == nil {
				t.Errorf("the trial's record %+v; want promoted, by whom and when", got)
			}
			// Triage uses the promoted model at once, and no trial runs.
			after := create("物流信息一直不更新")
			if after.Triage.ModelVersion != better.Version || after.Category != "物流" {
				t.Errorf("after promote a logistics ticket is %q by model %s; want 物流 by %s", after.Category, after.Triage.ModelVersion, better.Version)
			}
			var rep2 eval.ShadowReport
			_ = json.Unmarshal(r.call("GET", "/v1/shadows/"+sh.ID, "").Body.Bytes(), &rep2)
			if rep2.Predictions != n {
				t.Errorf("an ended trial recorded %d predictions, want still %d", rep2.Predictions, n)
			}

			// Discard: a new trial of the weak model ends without changing
			// the active one.
			w = r.call("POST", "/v1/shadows", `{"candidate_id":"`+weak.ID+`"}`)
			if err := json.Unmarshal(w.Body.Bytes(), &sh); w.Code != http.StatusCreated || err != nil {
				t.Fatalf("start a second shadow: %d %s", w.Code, w.Body)
			}
			if w := r.call("POST", "/v1/shadows/"+sh.ID+"/discard", ""); w.Code != http.StatusOK {
				t.Fatalf("discard: %d %s", w.Code, w.Body)
			}
			if m, err := r.Store.ActiveModel(ctx, triage.ModelCategory); err != nil || m.ID != better.ID {
				t.Errorf("after discard the active model is %v (%v); want %s", m, err, better.ID)
			}
		})
	}
}

// A candidate rule set in shadow, on both stores: with the weak model
// active, a rule that sends parcels to 物流 is compared at close, found
// significantly better, and promoting it replaces the stored rules.
func TestShadowRuleSet(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			r := start(t, st.config(t))
			ctx := context.Background()
			weak := trainShadowModel(t, sharedSegmenter(t), map[string]string{"物流": "退款"})
			if _, err := triage.Write(ctx, r.Store, nil, time.Now(), nil, func(tx triage.Tx) (any, error) { return nil, tx.SaveModel(ctx, weak) }); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Desk.ActivateModel(ctx, weak.ID); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ body, field string }{
				{`{"candidate_rules":[{"name":"","any":["快递"],"set_category":"物流"}]}`, "candidate_rules[0].name"},
				{`{"candidate_rules":[{"name":"a","any":["快递"],"set_category":"物流"},{"name":"b","regex":"(","set_category":"物流"}]}`, "candidate_rules[1].regex"},
				{`{"candidate_id":"x","candidate_rules":[]}`, "candidate_rules"},
			} {
				if w := r.call("POST", "/v1/shadows", c.body); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), c.field) {
					t.Errorf("POST /v1/shadows %s: %d %s; want 400 naming %s", c.body, w.Code, w.Body, c.field)
				}
			}
			w := r.call("POST", "/v1/shadows", `{"kind":"category","candidate_rules":[{"name":"物流件","any":["快递","物流","包裹"],"set_category":"物流","mode":"override"}]}`)
			var sh triage.Shadow
			if err := json.Unmarshal(w.Body.Bytes(), &sh); w.Code != http.StatusCreated || err != nil || !sh.RuleTrial() {
				t.Fatalf("start the rule-set shadow: %d %s", w.Code, w.Body)
			}
			cats := []string{"发票", "物流", "退款"}
			n := 0
			for i := range 18 {
				cat := cats[i%3]
				w := r.call("POST", "/v1/tickets", fmt.Sprintf(`{"title":%q,"body":"请处理","requester":{"name":"李女士"}}`, shadowTexts[cat][i%4]))
				var tk triage.Ticket
				if err := json.Unmarshal(w.Body.Bytes(), &tk); w.Code != http.StatusCreated || err != nil {
					t.Fatalf("create: %d %s", w.Code, w.Body)
				}
				if cat == "物流" && tk.Category == "物流" {
					t.Errorf("the candidate rule decided ticket %s while only in shadow", tk.ID)
				}
				v := tk.Version
				for _, body := range []string{`{"category":"` + cat + `","status":"solved"}`, `{"status":"closed"}`} {
					w := r.call("PATCH", "/v1/tickets/"+tk.ID, body, fmt.Sprintf(`If-Match: "%d"`, v))
					if err := json.Unmarshal(w.Body.Bytes(), &tk); w.Code != http.StatusOK || err != nil {
						t.Fatalf("PATCH %s: %d %s", body, w.Code, w.Body)
					}
					v = tk.Version
				}
				n++
			}
			var rep eval.ShadowReport
			if err := json.Unmarshal(r.call("GET", "/v1/shadows/"+sh.ID, "").Body.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			t.Logf("rule set: %d scored, active accuracy %.3f, candidate %.3f, McNemar %s p=%.3g", rep.Scored, rep.Active.Accuracy, rep.Candidate.Accuracy, rep.McNemar.Method, rep.McNemar.PValue)
			if rep.Scored != n || rep.Candidate.Accuracy <= rep.Active.Accuracy || !rep.McNemar.Significant || rep.McNemar.Better != "candidate" {
				t.Errorf("rule-set comparison %+v", rep)
			}
			if w := r.call("POST", "/v1/shadows/"+sh.ID+"/promote", ""); w.Code != http.StatusOK {
				t.Fatalf("promote: %d %s", w.Code, w.Body)
			}
			var rules struct{ Items []triage.Rule }
			if err := json.Unmarshal(r.call("GET", "/v1/rules", "").Body.Bytes(), &rules); err != nil || len(rules.Items) != 1 || rules.Items[0].Name != "物流件" {
				t.Fatalf("rules after promote: %+v %v", rules, err)
			}
			w = r.call("POST", "/v1/tickets", `{"title":"包裹一直没到","body":"请处理","requester":{"name":"李女士"}}`)
			var tk triage.Ticket
			if err := json.Unmarshal(w.Body.Bytes(), &tk); err != nil || tk.Category != "物流" || tk.Triage.Category.Source != "rule" {
				t.Errorf("after promote a parcel ticket is %q (%v) %s", tk.Category, err, w.Body)
			}
		})
	}
}
