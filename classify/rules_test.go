package classify_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
)

// mkRule returns an enabled override rule named name; edit the copy to taste.
func mkRule(name string, position int) *triage.Rule {
	return &triage.Rule{ID: "r-" + name, Name: name, Position: position, Enabled: true}
}

func mustCompileRules(t testing.TB, rules ...*triage.Rule) *classify.RuleSet {
	t.Helper()
	rs, err := classify.CompileRules(rules)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func ruleHitNames(res classify.RuleResult) []string {
	var names []string
	for _, h := range res.Hits {
		names = append(names, h.Name)
	}
	return names
}

func TestRuleConditions(t *testing.T) {
	const text = "发票开错了\n订单号123456的电子发票抬头不对,请重开"
	tests := []struct {
		name  string
		edit  func(r *triage.Rule)
		in    classify.RuleInput
		fires bool
		match []string
	}{
		{"any one word", func(r *triage.Rule) { r.Any = []string{"退款", "发票"} }, classify.RuleInput{}, true, []string{"发票"}},
		{"any lists every word found", func(r *triage.Rule) { r.Any = []string{"抬头", "发票", "退款"} }, classify.RuleInput{}, true, []string{"抬头", "发票"}},
		{"any none found", func(r *triage.Rule) { r.Any = []string{"退款", "物流"} }, classify.RuleInput{}, false, nil},
		{"any is a substring match", func(r *triage.Rule) { r.Any = []string{"电子发"} }, classify.RuleInput{}, true, []string{"电子发"}},
		{"all present", func(r *triage.Rule) { r.All = []string{"发票", "重开"} }, classify.RuleInput{}, true, []string{"发票", "重开"}},
		{"all one missing", func(r *triage.Rule) { r.All = []string{"发票", "退款"} }, classify.RuleInput{}, false, nil},
		{"none absent", func(r *triage.Rule) { r.Any = []string{"发票"}; r.None = []string{"退款"} }, classify.RuleInput{}, true, []string{"发票"}},
		{"none present", func(r *triage.Rule) { r.Any = []string{"发票"}; r.None = []string{"抬头"} }, classify.RuleInput{}, false, nil},
		{"regex matches", func(r *triage.Rule) { r.Regex = `订单号\d{6}` }, classify.RuleInput{}, true, []string{"订单号123456"}},
		{"regex does not match", func(r *triage.Rule) { r.Regex = `订单号\d{8}` }, classify.RuleInput{}, false, nil},
		{"regex and words", func(r *triage.Rule) { r.Any = []string{"发票"}; r.Regex = `\d+` }, classify.RuleInput{}, true, []string{"发票", "123456"}},
		{"regex sees the line break", func(r *triage.Rule) { r.Regex = `(?m)^订单` }, classify.RuleInput{}, true, []string{"订单"}},
		{"channel in", func(r *triage.Rule) { r.Channels = []triage.Channel{triage.ChannelEmail, triage.ChannelWechat} },
			classify.RuleInput{Channel: triage.ChannelWechat}, true, []string{"channel=wechat"}},
		{"channel out", func(r *triage.Rule) { r.Channels = []triage.Channel{triage.ChannelEmail} },
			classify.RuleInput{Channel: triage.ChannelWeb}, false, nil},
		{"tier in, any case", func(r *triage.Rule) { r.Tiers = []string{"vip"} }, classify.RuleInput{Tier: " VIP "}, true, []string{"tier=vip"}},
		{"tier out", func(r *triage.Rule) { r.Tiers = []string{"vip"} }, classify.RuleInput{Tier: "gold"}, false, nil},
		{"tier empty", func(r *triage.Rule) { r.Tiers = []string{"vip"} }, classify.RuleInput{}, false, nil},
		{"every condition", func(r *triage.Rule) {
			r.Any, r.All, r.None, r.Regex = []string{"发票"}, []string{"抬头"}, []string{"退款"}, `重开`
			r.Channels, r.Tiers = []triage.Channel{triage.ChannelEmail}, []string{"svip"}
		}, classify.RuleInput{Channel: triage.ChannelEmail, Tier: "svip"}, true,
			[]string{"发票", "抬头", "重开", "channel=email", "tier=svip"}},
		{"every condition but the tier", func(r *triage.Rule) {
			r.Any, r.All, r.None, r.Regex = []string{"发票"}, []string{"抬头"}, []string{"退款"}, `重开`
			r.Channels, r.Tiers = []triage.Channel{triage.ChannelEmail}, []string{"svip"}
		}, classify.RuleInput{Channel: triage.ChannelEmail, Tier: "vip"}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mkRule("r", 1)
			r.SetCategory = "发票"
			tt.edit(r)
			in := tt.in
			in.Text = text
			res := mustCompileRules(t, r).Match(in)
			if got := len(res.Hits) == 1; got != tt.fires {
				t.Fatalf("fired = %v, want %v (%+v)", got, tt.fires, res)
			}
			if !tt.fires {
				if !reflect.DeepEqual(res, classify.RuleResult{}) {
					t.Errorf("a rule that did not fire left %+v", res)
				}
				return
			}
			if !slices.Equal(res.Hits[0].Matched, tt.match) {
				t.Errorf("matched %q, want %q", res.Hits[0].Matched, tt.match)
			}
			if res.Hits[0].RuleID != "r-r" || len(res.Hits[0].Effect) == 0 {
				t.Errorf("hit %+v lacks its id or effect", res.Hits[0])
			}
		})
	}
}

func TestRuleActions(t *testing.T) {
	with := func(name string, pos int, edit func(r *triage.Rule)) *triage.Rule {
		r := mkRule(name, pos)
		r.Any = []string{"退款"}
		edit(r)
		return r
	}
	const text = "退款还没到账,我要投诉"
	tests := []struct {
		name    string
		rules   []*triage.Rule
		want    classify.RuleResult // Hits compared by name and effect only
		hits    []string
		effects []string
	}{
		{
			name: "first override wins",
			rules: []*triage.Rule{
				with("a", 1, func(r *triage.Rule) { r.SetCategory = "退款" }),
				with("b", 2, func(r *triage.Rule) { r.SetCategory = "投诉" }),
			},
			want: classify.RuleResult{Category: "退款", CategoryRule: "a"},
			hits: []string{"a", "b"},
			effects: []string{"sets category 退款 (override)",
				`would set category 投诉 (override), but rule "a" already set 退款`},
		},
		{
			name: "position orders, not the slice",
			rules: []*triage.Rule{
				with("late", 9, func(r *triage.Rule) { r.SetCategory = "投诉" }),
				with("early", 1, func(r *triage.Rule) { r.SetCategory = "退款" }),
			},
			want: classify.RuleResult{Category: "退款", CategoryRule: "early"},
			hits: []string{"early", "late"},
		},
		{
			name: "equal positions keep their order",
			rules: []*triage.Rule{
				with("x", 1, func(r *triage.Rule) { r.SetCategory = "投诉" }),
				with("y", 1, func(r *triage.Rule) { r.SetCategory = "退款" }),
			},
			want: classify.RuleResult{Category: "投诉", CategoryRule: "x"},
			hits: []string{"x", "y"},
		},
		{
			name: "biases sum per category and cap at 1",
			rules: []*triage.Rule{
				with("b1", 1, func(r *triage.Rule) { r.SetCategory, r.Mode, r.Weight = "退款", triage.RuleBias, 0.6 }),
				with("b2", 2, func(r *triage.Rule) { r.SetCategory, r.Mode = "投诉", triage.RuleBias }),
				with("b3", 3, func(r *triage.Rule) { r.SetCategory, r.Mode, r.Weight = "退款", triage.RuleBias, 0.7 }),
			},
			want: classify.RuleResult{Biases: []classify.CategoryBias{
				{Category: "退款", Weight: 1, Rules: []string{"b1", "b3"}},
				{Category: "投诉", Weight: triage.DefaultBias, Rules: []string{"b2"}},
			}},
			hits:    []string{"b1", "b2", "b3"},
			effects: []string{"adds 0.6 to category 退款 (bias)", "adds 0.3 to category 投诉 (bias)", "adds 0.7 to category 退款 (bias)"},
		},
		{
			name: "an override clears the biases, before or after them",
			rules: []*triage.Rule{
				with("bias", 1, func(r *triage.Rule) { r.SetCategory, r.Mode = "投诉", triage.RuleBias }),
				with("over", 2, func(r *triage.Rule) { r.SetCategory = "退款" }),
			},
			want:    classify.RuleResult{Category: "退款", CategoryRule: "over"},
			hits:    []string{"bias", "over"},
			effects: []string{`would add 0.3 to category 投诉 (bias), but rule "over" overrides the category`, "sets category 退款 (override)"},
		},
		{
			name: "most urgent priority wins, first on a tie",
			rules: []*triage.Rule{
				with("p3", 1, func(r *triage.Rule) { r.SetPriority = triage.P3 }),
				with("p2a", 2, func(r *triage.Rule) { r.SetPriority = triage.P2 }),
				with("p2b", 3, func(r *triage.Rule) { r.SetPriority = triage.P2 }),
			},
			want:    classify.RuleResult{Priority: classify.RulePriority{Priority: triage.P2, Rule: "p2a"}},
			hits:    []string{"p3", "p2a", "p2b"},
			effects: []string{`would set priority P3, but rule "p2a" sets the more urgent P2`, "sets priority P2", "sets priority P2"},
		},
		{
			name: "tags deduplicated in order",
			rules: []*triage.Rule{
				with("t1", 1, func(r *triage.Rule) { r.AddTags = []string{"Refund", "money"} }),
				with("t2", 2, func(r *triage.Rule) { r.AddTags = []string{"angry", "refund"} }),
			},
			want:    classify.RuleResult{Tags: []string{"refund", "money", "angry"}},
			hits:    []string{"t1", "t2"},
			effects: []string{"adds tags refund, money", "adds tags angry, refund"},
		},
		{
			name: "stop ends the evaluation",
			rules: []*triage.Rule{
				with("first", 1, func(r *triage.Rule) { r.SetPriority, r.Stop = triage.P3, true }),
				with("never", 2, func(r *triage.Rule) { r.SetPriority = triage.P1 }),
			},
			want:    classify.RuleResult{Priority: classify.RulePriority{Priority: triage.P3, Rule: "first"}},
			hits:    []string{"first"},
			effects: []string{"sets priority P3; stops rule evaluation"},
		},
		{
			name: "stop on a rule that does not fire does nothing",
			rules: []*triage.Rule{
				with("miss", 1, func(r *triage.Rule) { r.Any, r.Stop, r.SetPriority = []string{"发票"}, true, triage.P4 }),
				with("hit", 2, func(r *triage.Rule) { r.SetPriority = triage.P1 }),
			},
			want: classify.RuleResult{Priority: classify.RulePriority{Priority: triage.P1, Rule: "hit"}},
			hits: []string{"hit"},
		},
		{
			name: "disabled rules are skipped",
			rules: []*triage.Rule{
				with("off", 1, func(r *triage.Rule) { r.Enabled, r.SetCategory = false, "投诉" }),
				nil,
				with("on", 2, func(r *triage.Rule) { r.SetCategory = "退款" }),
			},
			want: classify.RuleResult{Category: "退款", CategoryRule: "on"},
			hits: []string{"on"},
		},
		{
			name: "all actions in one rule",
			rules: []*triage.Rule{
				with("all", 1, func(r *triage.Rule) {
					r.SetCategory, r.SetPriority, r.AddTags, r.Stop = "退款", triage.P2, []string{"refund"}, true
				}),
			},
			want: classify.RuleResult{Category: "退款", CategoryRule: "all",
				Priority: classify.RulePriority{Priority: triage.P2, Rule: "all"}, Tags: []string{"refund"}},
			hits:    []string{"all"},
			effects: []string{"sets category 退款 (override); sets priority P2; adds tags refund; stops rule evaluation"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustCompileRules(t, tt.rules...).Match(classify.RuleInput{Text: text})
			if got := ruleHitNames(res); !slices.Equal(got, tt.hits) {
				t.Errorf("hits %q, want %q", got, tt.hits)
			}
			if tt.effects != nil {
				for i, h := range res.Hits {
					if i < len(tt.effects) && h.Effect.String() != tt.effects[i] {
						t.Errorf("effect of %s = %q, want %q", h.Name, h.Effect.String(), tt.effects[i])
					}
				}
			}
			res.Hits = nil
			if !reflect.DeepEqual(res, tt.want) {
				t.Errorf("result\n got %+v\nwant %+v", res, tt.want)
			}
		})
	}
}

func TestCompileRulesErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(r *triage.Rule)
		field string
	}{
		{"bad regex", func(r *triage.Rule) { r.Regex = `(退款` }, "regex"},
		{"empty any word", func(r *triage.Rule) { r.Any = []string{"退款", ""} }, "any"},
		{"empty none word", func(r *triage.Rule) { r.None = []string{""} }, "none"},
		{"no condition", func(r *triage.Rule) { r.Any = nil; r.None = []string{"退款"} }, "any"},
		{"unknown mode", func(r *triage.Rule) { r.Mode = "replace" }, "mode"},
		{"weight above 1", func(r *triage.Rule) { r.Mode, r.Weight = triage.RuleBias, 1.5 }, "weight"},
		{"unknown priority", func(r *triage.Rule) { r.SetPriority = "P0" }, "set_priority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mkRule("bad rule", 1)
			r.Any, r.SetCategory = []string{"退款"}, "退款"
			tt.edit(r)
			fine := mkRule("fine", 0)
			fine.Any, fine.AddTags = []string{"发票"}, []string{"invoice"}
			_, err := classify.CompileRules([]*triage.Rule{fine, r})
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != tt.field || !strings.Contains(e.Message, `"bad rule"`) {
				t.Errorf("error %v, want EINVALID on %s naming the rule", err, tt.field)
			}
		})
	}
	t.Run("a disabled bad rule is no error", func(t *testing.T) {
		r := mkRule("off", 1)
		r.Regex, r.Enabled = `(`, false
		if _, err := classify.CompileRules([]*triage.Rule{r}); err != nil {
			t.Error(err)
		}
	})
}

func TestRuleSetEmpty(t *testing.T) {
	for name, rs := range map[string]*classify.RuleSet{"nil": nil, "no rules": mustCompileRules(t)} {
		t.Run(name, func(t *testing.T) {
			if res := rs.Match(classify.RuleInput{Text: "退款"}); !reflect.DeepEqual(res, classify.RuleResult{}) {
				t.Errorf("got %+v", res)
			}
		})
	}
}

// TestRuleSetIsACopy: the caller's rules are the store's and may change
// while a RuleSet built from them is still in use.
func TestRuleSetIsACopy(t *testing.T) {
	r := mkRule("r", 1)
	r.Any, r.SetCategory, r.AddTags = []string{"退款"}, "退款", []string{"refund"}
	rs := mustCompileRules(t, r)
	r.Any[0], r.SetCategory, r.AddTags[0], r.Enabled = "发票", "发票", "invoice", false
	res := rs.Match(classify.RuleInput{Text: "退款"})
	if res.Category != "退款" || !slices.Equal(res.Tags, []string{"refund"}) {
		t.Errorf("got %+v after editing the source rule", res)
	}
}

// TestRuleWordsMatchLikeContains checks the automaton against
// strings.Contains on random words and texts over a small alphabet, where
// words overlap, nest and share prefixes and suffixes.
func TestRuleWordsMatchLikeContains(t *testing.T) {
	alphabet := []string{"a", "b", "退", "款", "退款", "ab", "\n"}
	rnd := rand.New(rand.NewPCG(1, 2))
	randomString := func(max int) string {
		var b strings.Builder
		for range 1 + rnd.IntN(max) {
			b.WriteString(alphabet[rnd.IntN(len(alphabet))])
		}
		return b.String()
	}
	for round := range 300 {
		var rules []*triage.Rule
		var words []string
		for i := range 1 + rnd.IntN(12) {
			w := randomString(4)
			words = append(words, w)
			r := mkRule(fmt.Sprint(i), i)
			r.Any, r.SetPriority = []string{w}, triage.P3
			rules = append(rules, r)
		}
		rs := mustCompileRules(t, rules...)
		for range 10 {
			text := randomString(20)
			var want []string
			for i, w := range words {
				if strings.Contains(text, w) {
					want = append(want, fmt.Sprint(i))
				}
			}
			if got := ruleHitNames(rs.Match(classify.RuleInput{Text: text})); !slices.Equal(got, want) {
				t.Fatalf("round %d: words %q in %q: fired %q, want %q", round, words, text, got, want)
			}
		}
	}
}

func TestRuleSetConcurrent(t *testing.T) {
	r := mkRule("r", 1)
	r.Any, r.Regex, r.SetCategory = []string{"退款", "发票"}, `\d+`, "退款"
	rs := mustCompileRules(t, r)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				text := fmt.Sprintf("退款 %d", i*1000+j)
				if res := rs.Match(classify.RuleInput{Text: text}); res.Category != "退款" {
					t.Errorf("%s: %+v", text, res)
					return
				}
			}
		})
	}
	wg.Wait()
}

// benchRules makes n rules of k words each from a pool of customer-service
// words, and a ticket of about 500 characters that contains some of them.
func benchRules(n, k int) ([]*triage.Rule, string) {
	pool := strings.Fields(`退款 退货 发票 物流 快递 到账 扣款 优惠券 积分 会员 密码 登录 验证码 账号 冻结 地址
		修改 取消 订单 支付 失败 延迟 破损 漏发 错发 换货 保修 维修 安装 上门 预约 投诉 差评 客服 态度
		电话 短信 骚扰 隐私 泄露 价格 保价 差价 赠品 活动 满减 秒杀 预售 定金 尾款 分期 花呗 信用卡
		银行卡 余额 提现 充值 话费 流量 套餐 宽带 发货 签收 拒收 丢件 催单 加急 紧急 马上 赔偿 起诉`)
	rnd := rand.New(rand.NewPCG(3, 4))
	rules := make([]*triage.Rule, n)
	for i := range rules {
		r := mkRule(fmt.Sprint("rule", i), i)
		for range k {
			// A suffix makes most words rarer than the pool, as real rule
			// lists are.
			r.Any = append(r.Any, pool[rnd.IntN(len(pool))]+[]string{"", "单", "了", "问题"}[rnd.IntN(4)])
		}
		r.SetCategory = pool[i%len(pool)]
		rules[i] = r
	}
	var b strings.Builder
	sentence := "您好,我上周在你们店里买的东西到现在还没有发货,客服电话一直打不通,订单已经付款了,请尽快帮我处理一下退款,谢谢。"
	for b.Len() < 1500 { // about 500 characters of three bytes each
		b.WriteString(sentence)
	}
	return rules, b.String()
}

// BenchmarkRuleMatch measures 100 rules of 10 words on a 500-character
// ticket: go test ./classify -run '^$' -bench RuleMatch -benchmem
func BenchmarkRuleMatch(b *testing.B) {
	rules, text := benchRules(100, 10)
	rs := mustCompileRules(b, rules...)
	in := classify.RuleInput{Text: text, Channel: triage.ChannelWeb}
	b.ReportAllocs()
	for b.Loop() {
		rs.Match(in)
	}
}

// BenchmarkRuleMatchContains is the naive baseline the automaton replaces:
// one strings.Contains per rule word.
func BenchmarkRuleMatchContains(b *testing.B) {
	rules, text := benchRules(100, 10)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, r := range rules {
			if slices.ContainsFunc(r.Any, func(w string) bool { return strings.Contains(text, w) }) {
				n++
			}
		}
		_ = n
	}
}

func BenchmarkCompileRules(b *testing.B) {
	rules, _ := benchRules(100, 10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := classify.CompileRules(rules); err != nil {
			b.Fatal(err)
		}
	}
}
