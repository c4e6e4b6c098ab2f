package classify_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/segment"
)

var (
	neutral  = classify.SentimentResult{Label: classify.SentimentNeutral}
	angry    = classify.SentimentResult{Score: -0.8, Label: classify.SentimentNegative, Evidence: []string{"垃圾"}}
	annoyed  = classify.SentimentResult{Score: -0.3, Label: classify.SentimentNegative, Evidence: []string{"慢"}}
	modelP2  = []triage.Scored{{Value: "P2", Score: 0.7}, {Value: "P3", Score: 0.2}, {Value: "P1", Score: 0.05}, {Value: "P4", Score: 0.05}}
	modelP4  = []triage.Scored{{Value: "P4", Score: 0.8}, {Value: "P3", Score: 0.1}, {Value: "P2", Score: 0.05}, {Value: "P1", Score: 0.05}}
	modelLow = []triage.Scored{{Value: "P2", Score: 0.45}, {Value: "P3", Score: 0.35}, {Value: "P1", Score: 0.1}, {Value: "P4", Score: 0.1}}
	ruleP1   = classify.RulePriority{Priority: triage.P1, Rule: "账号被盗"}
	ruleP3   = classify.RulePriority{Priority: triage.P3, Rule: "银行卡咨询"}
)

// explain runs ExplainPriority and checks what every decision must have.
func explain(t *testing.T, in classify.PriorityInput) (triage.Decision, []triage.Signal) {
	t.Helper()
	d, signals := classify.ExplainPriority(in)
	if !triage.Priority(d.Value).Valid() {
		t.Fatalf("value %q is not a priority", d.Value)
	}
	if len(d.Why) == 0 || slices.ContainsFunc(d.Why, func(r triage.Reason) bool { return r.Text == "" || !r.Code.Known() }) {
		t.Errorf("why %q: want at least one sentence and no empty ones", d.Why)
	}
	if d.Confidence <= 0 || d.Confidence > 1 {
		t.Errorf("confidence %v is outside (0, 1]", d.Confidence)
	}
	if len(d.Top) != 4 || d.Top[0].Value != d.Value || d.Top[0].Score != d.Confidence {
		t.Errorf("top %v: want all four priorities, the decision first with its confidence", d.Top)
	}
	sum := 0.0
	for i, s := range d.Top {
		sum += s.Score
		if i > 1 && s.Score > d.Top[i-1].Score {
			t.Errorf("top %v is not in descending order after the decision", d.Top)
		}
	}
	if math.Abs(sum-1) > 0.005 {
		t.Errorf("top %v adds up to %v, want 1", d.Top, sum)
	}
	if plain := classify.DecidePriority(in); plain.Value != d.Value || plain.Source != d.Source {
		t.Errorf("DecidePriority gives %s/%s, ExplainPriority %s/%s", plain.Value, plain.Source, d.Value, d.Source)
	}
	return d, signals
}

func TestDecidePriority(t *testing.T) {
	tests := []struct {
		name   string
		in     classify.PriorityInput
		want   triage.Priority
		source string
		conf   float64  // 0: not checked
		why    []string // substrings some sentence of Why must contain
		signal string   // a signal name that must be present
	}{
		{name: "default", in: classify.PriorityInput{Text: "商品什么时候发货", Sentiment: neutral},
			want: triage.P3, source: "default", conf: 0.6, why: []string{"default P3"}},

		// Threats alone.
		{name: "threat 12315", in: classify.PriorityInput{Text: "再不处理我就打12315", Sentiment: neutral},
			want: triage.P1, source: "signals", conf: 0.95, why: []string{"12315"}, signal: "keyword"},
		{name: "threat media and exposure", in: classify.PriorityInput{Text: "再不处理我就找媒体曝光你们", Sentiment: neutral},
			want: triage.P1, source: "signals", why: []string{"媒体, 曝光"}},
		{name: "threat lawyer", in: classify.PriorityInput{Text: "已经联系律师准备起诉", Sentiment: neutral},
			want: triage.P1, why: []string{"律师, 起诉"}},
		{name: "threat statutory damages", in: classify.PriorityInput{Text: "假货,要求退一赔三", Sentiment: neutral},
			want: triage.P1, why: []string{"退一赔三"}},
		{name: "黑猫投诉 is one threat, not also a complaint", in: classify.PriorityInput{Text: "我已经在黑猫投诉了", Sentiment: neutral},
			want: triage.P1, why: []string{"(黑猫投诉)"}},

		// Words that only look like threats.
		{name: "工商银行 is a bank", in: classify.PriorityInput{Text: "用工商银行卡付款失败", Sentiment: neutral}, want: triage.P3},
		{name: "多媒体 is multimedia", in: classify.PriorityInput{Text: "多媒体播放器没有声音", Sentiment: neutral}, want: triage.P3},
		{name: "a device alarm", in: classify.PriorityInput{Text: "热水器一直报警,显示e1", Sentiment: neutral}, want: triage.P3},
		{name: "报警器 is an alarm", in: classify.PriorityInput{Text: "报警器装好后不响", Sentiment: neutral}, want: triage.P3},
		{name: "camera exposure", in: classify.PriorityInput{Text: "曝光补偿在哪里设置", Sentiment: neutral}, want: triage.P3},
		{name: "12315 inside an order number", in: classify.PriorityInput{Text: "订单3312315678还没发货", Sentiment: neutral}, want: triage.P3},
		{name: "police", in: classify.PriorityInput{Text: "东西被冒领,我要报警", Sentiment: neutral}, want: triage.P1},

		// P2 wording.
		{name: "compensation is P2", in: classify.PriorityInput{Text: "快递丢了,要求赔偿", Sentiment: neutral},
			want: triage.P2, source: "signals", conf: 0.8, why: []string{"compensation (赔偿)"}},
		{name: "urgent", in: classify.PriorityInput{Text: "紧急!账号被盗了", Sentiment: neutral},
			want: triage.P2, source: "signals", conf: 0.8, why: []string{"Urgent wording (紧急)"}},
		{name: "急 in 着急", in: classify.PriorityInput{Text: "很着急,今天要用", Sentiment: neutral}, want: triage.P2},
		{name: "complaint", in: classify.PriorityInput{Text: "我要投诉你们的快递员", Sentiment: neutral},
			want: triage.P2, why: []string{"Complaint wording (投诉)"}},
		{name: "bad review", in: classify.PriorityInput{Text: "再不退款就给差评", Sentiment: neutral}, want: triage.P2},
		{name: "a denied complaint is not one", in: classify.PriorityInput{Text: "我不想投诉,但是请给个说法", Sentiment: neutral},
			want: triage.P3, why: []string{"Negated (不想投诉)"}},

		// Negation.
		{name: "不急 is calm, not urgent", in: classify.PriorityInput{Text: "不急,有空再处理", Sentiment: neutral},
			want: triage.P4, why: []string{"不急, 有空"}},
		{name: "不是很急 is not urgent", in: classify.PriorityInput{Text: "这个不是很急,慢慢来", Sentiment: neutral},
			want: triage.P3, why: []string{"Negated (不是很急)"}},
		{name: "不用那么急", in: classify.PriorityInput{Text: "不用那么急,下周给我就行", Sentiment: neutral}, want: triage.P3},
		{name: "没有空 is not calm", in: classify.PriorityInput{Text: "我没有空去营业厅", Sentiment: neutral}, want: triage.P3},

		// Rules.
		{name: "rule alone", in: classify.PriorityInput{Text: "账号被盗", Rule: ruleP1, Sentiment: neutral},
			want: triage.P1, source: "rule", conf: 0.9, why: []string{`Rule "账号被盗" sets P1`}, signal: "rule"},
		{name: "a calming rule cannot lower a complaint", in: classify.PriorityInput{Text: "工商银行卡能不能用,我要投诉", Rule: ruleP3, Sentiment: neutral},
			want: triage.P2, source: "signals", why: []string{"Complaint wording", `Rule "银行卡咨询" sets P3`}},
		{name: "a rule replaces the model", in: classify.PriorityInput{Text: "发票怎么开", Rule: ruleP3, Sentiment: neutral, Model: []triage.Scored{{Value: "P1", Score: 0.9}, {Value: "P3", Score: 0.1}}},
			want: triage.P3, source: "rule"},
		{name: "rule over low urgency", in: classify.PriorityInput{Text: "请问怎么改密码", Rule: ruleP1, Sentiment: neutral},
			want: triage.P1, source: "rule"},

		// Tier.
		{name: "vip", in: classify.PriorityInput{Text: "发票怎么开", Tier: "vip", Sentiment: neutral},
			want: triage.P2, source: "signals", conf: 0.75, why: []string{"tier vip"}, signal: "tier"},
		{name: "SVIP in capitals", in: classify.PriorityInput{Text: "发票怎么开", Tier: " SVIP ", Sentiment: neutral}, want: triage.P2},
		{name: "enterprise", in: classify.PriorityInput{Text: "发票怎么开", Tier: "enterprise", Sentiment: neutral}, want: triage.P2},
		{name: "an ordinary tier", in: classify.PriorityInput{Text: "发票怎么开", Tier: "normal", Sentiment: neutral}, want: triage.P3},
		{name: "vip with a threat stays P1", in: classify.PriorityInput{Text: "不退款就起诉", Tier: "gold", Sentiment: neutral}, want: triage.P1},
		{name: "vip asking politely", in: classify.PriorityInput{Text: "请问发票怎么开", Tier: "vip", Sentiment: neutral},
			want: triage.P2, why: []string{"outweighed"}},

		// Sentiment.
		{name: "strong negative raises P3 to P2", in: classify.PriorityInput{Text: "东西收到了", Sentiment: angry},
			want: triage.P2, source: "signals", why: []string{"raises P3 to P2", "垃圾"}, signal: "sentiment"},
		{name: "mild negative only explains", in: classify.PriorityInput{Text: "东西收到了", Sentiment: annoyed},
			want: triage.P3, why: []string{"not strong enough"}, signal: "sentiment"},
		{name: "strong negative on a P4 model raises to P3", in: classify.PriorityInput{Text: "东西收到了", Sentiment: angry, Model: modelP4},
			want: triage.P3, why: []string{"raises P4 to P3"}},
		{name: "strong negative never past P2", in: classify.PriorityInput{Text: "东西收到了", Sentiment: angry, Model: modelP2},
			want: triage.P2, source: "model", why: []string{"already P2"}},
		{name: "sentiment scored from the text when not given", in: classify.PriorityInput{Text: "垃圾!太差劲了,气死我了!!!"},
			want: triage.P2, signal: "sentiment"},

		// Repeat contact.
		{name: "two recent tickets raise", in: classify.PriorityInput{Text: "还没发货", RecentTickets: 2, Sentiment: neutral},
			want: triage.P2, source: "signals", conf: 0.7, why: []string{"recently: 2", "raises P3 to P2"}, signal: "repeat"},
		{name: "one recent ticket is mentioned only", in: classify.PriorityInput{Text: "还没发货", RecentTickets: 1, Sentiment: neutral},
			want: triage.P3, why: []string{"from this requester recently: 1"}, signal: "repeat"},
		{name: "repeat on a P4 model", in: classify.PriorityInput{Text: "还没发货", RecentTickets: 3, Sentiment: neutral, Model: modelP4},
			want: triage.P3},

		// Model.
		{name: "a sure model sets the base", in: classify.PriorityInput{Text: "还没发货", Sentiment: neutral, Model: modelP2},
			want: triage.P2, source: "model", conf: 0.7, why: []string{"model says P2"}, signal: "model"},
		{name: "an unsure model is ignored", in: classify.PriorityInput{Text: "还没发货", Sentiment: neutral, Model: modelLow},
			want: triage.P3, source: "default", why: []string{"below 0.6 "}, signal: "model"},
		{name: "a P4 model", in: classify.PriorityInput{Text: "还没发货", Sentiment: neutral, Model: modelP4},
			want: triage.P4, source: "model"},
		{name: "urgency over a P4 model", in: classify.PriorityInput{Text: "麻烦尽快发货", Sentiment: neutral, Model: modelP4},
			want: triage.P2, source: "signals"},
		{name: "a P4 model beats low-urgency wording as the source", in: classify.PriorityInput{Text: "请问什么时候发货", Sentiment: neutral, Model: modelP4},
			want: triage.P4, source: "model"},

		// Low urgency.
		{name: "请问 alone", in: classify.PriorityInput{Text: "请问发票怎么开", Sentiment: neutral},
			want: triage.P4, source: "signals", conf: 0.7, why: []string{"Low-urgency wording (请问)"}},
		{name: "咨询一下", in: classify.PriorityInput{Text: "咨询一下会员权益", Sentiment: neutral}, want: triage.P4},
		{name: "请问 with a complaint", in: classify.PriorityInput{Text: "请问为什么还不退款?我要投诉", Sentiment: neutral},
			want: triage.P2, why: []string{"outweighed"}},
		{name: "请问 with a strong negative tone", in: classify.PriorityInput{Text: "请问这是什么垃圾", Sentiment: angry}, want: triage.P2},

		// Manual.
		{name: "manual wins over a threat", in: classify.PriorityInput{Text: "我要打12315", Manual: triage.P4, Sentiment: neutral},
			want: triage.P4, source: "manual", conf: 1, why: []string{"Set by the client: P4", "would have chosen P1", "12315"}, signal: "manual"},
		{name: "manual wins over a rule", in: classify.PriorityInput{Text: "账号被盗", Manual: triage.P3, Rule: ruleP1, Sentiment: neutral},
			want: triage.P3, source: "manual", why: []string{"would have chosen P1", `Rule "账号被盗" sets P1`}},
		{name: "an invalid manual value is ignored", in: classify.PriorityInput{Text: "还没发货", Manual: "P9", Sentiment: neutral},
			want: triage.P3, source: "default"},

		// Combinations.
		{name: "sentiment and repeat do not stack", in: classify.PriorityInput{Text: "还没发货", RecentTickets: 5, Sentiment: angry},
			want: triage.P2, why: []string{"raises P3 to P2", "recently: 5"}},
		{name: "threat, urgency, tier: the threat decides", in: classify.PriorityInput{Text: "马上处理,不然我找记者", Tier: "vip", Sentiment: angry, RecentTickets: 2},
			want: triage.P1, source: "signals", conf: 0.95, why: []string{"记者", "马上", "tier vip", "raises P3 to P2"}},
		{name: "urgent and vip agree on P2 with the surer confidence", in: classify.PriorityInput{Text: "尽快", Tier: "vip", Sentiment: neutral},
			want: triage.P2, conf: 0.8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, signals := explain(t, tt.in)
			if d.Value != string(tt.want) {
				t.Errorf("priority %s, want %s; why %q", d.Value, tt.want, d.Why)
			}
			if tt.source != "" && d.Source != tt.source {
				t.Errorf("source %s, want %s; why %q", d.Source, tt.source, d.Why)
			}
			if tt.conf != 0 && math.Abs(d.Confidence-tt.conf) > 1e-9 {
				t.Errorf("confidence %v, want %v", d.Confidence, tt.conf)
			}
			why := d.Why.String()
			for _, w := range tt.why {
				if !strings.Contains(why, w) {
					t.Errorf("why %q lacks %q", d.Why, w)
				}
			}
			if tt.signal != "" && !slices.ContainsFunc(signals, func(s triage.Signal) bool { return s.Name == tt.signal }) {
				t.Errorf("signals %+v lack %q", signals, tt.signal)
			}
		})
	}
}

// TestPriorityThreatWords checks each built-in threat word on its own.
func TestPriorityThreatWords(t *testing.T) {
	for _, w := range []string{"12315", "12345", "消协", "消费者协会", "市场监管", "市场监督管理局", "工商局", "曝光",
		"媒体", "记者", "电视台", "律师", "起诉", "法院", "报警", "警察", "黑猫投诉", "退一赔三", "假一赔十"} {
		t.Run(w, func(t *testing.T) {
			d, _ := explain(t, classify.PriorityInput{Text: "这件事我会找" + w + "。", Sentiment: neutral})
			if d.Value != "P1" {
				t.Errorf("%s gives %s, want P1; why %q", w, d.Value, d.Why)
			}
		})
	}
	for _, w := range []string{"紧急", "急", "马上", "立刻", "尽快", "十万火急", "等不了", "今天必须"} {
		t.Run(w, func(t *testing.T) {
			d, _ := explain(t, classify.PriorityInput{Text: "退款的事" + w + "处理", Sentiment: neutral})
			if d.Value != "P2" {
				t.Errorf("%s gives %s, want P2; why %q", w, d.Value, d.Why)
			}
		})
	}
}

// TestPriorityNormalisedInput: the caller normalises (full-width digits,
// traditional characters), and the keywords are in the normalised form.
func TestPriorityNormalisedInput(t *testing.T) {
	tests := []struct {
		raw  string
		want triage.Priority
	}{
		{"我要打１２３１５投訴！", triage.P1},
		{"請儘快處理，十萬火急", triage.P2},
		{"請問發票怎麼開？不急", triage.P4},
		{"再不處理就找媒體曝光", triage.P1},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			text := segment.Normalize(tt.raw)
			d, _ := explain(t, classify.PriorityInput{Text: text, Sentiment: neutral})
			if d.Value != string(tt.want) {
				t.Errorf("%q (normalised %q) gives %s, want %s; why %q", tt.raw, text, d.Value, tt.want, d.Why)
			}
		})
	}
}

func TestPrioritySignalsAreExplained(t *testing.T) {
	d, signals := explain(t, classify.PriorityInput{
		Text: "马上处理,不然我找记者", Tier: "vip", Sentiment: angry, RecentTickets: 2, Model: modelLow,
	})
	names := map[string]bool{}
	for _, s := range signals {
		names[s.Name] = true
		if !s.Detail.Code.Known() {
			t.Errorf("signal %+v has no detail", s)
		}
	}
	for _, n := range []string{"keyword", "tier", "sentiment", "repeat", "model"} {
		if !names[n] {
			t.Errorf("signals %+v lack %s", signals, n)
		}
	}
	if len(d.Why) < len(signals) {
		t.Errorf("%d signals but only %d sentences: %q", len(signals), len(d.Why), d.Why)
	}
}

func BenchmarkDecidePriority(b *testing.B) {
	text := strings.Repeat("您好,我上周买的东西到现在还没有发货,客服电话一直打不通,请尽快处理,不然我要投诉。", 8)
	in := classify.PriorityInput{Text: text, Tier: "vip", Sentiment: annoyed, RecentTickets: 1}
	b.ReportAllocs()
	for b.Loop() {
		classify.DecidePriority(in)
	}
}
