package classify_test

import (
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
)

// TestPrioritySafety checks that a hazard is P1 with its reason, that a
// negated one is not, and that what only looks like one is left alone.
func TestPrioritySafety(t *testing.T) {
	tests := []struct {
		name string
		text string
		want triage.Priority
		why  string // a fragment of the explanation
	}{
		{"冒烟", "充电器插上就冒烟了", triage.P1, "A safety hazard (冒烟): P1."},
		{"起火", "电暖器起火了,吓死人", triage.P1, "A safety hazard (起火)"},
		{"漏电", "热水器漏电,洗澡的时候麻了一下", triage.P1, "(漏电)"},
		{"电池鼓包", "手机电池鼓包,后盖都顶起来了", triage.P1, "(鼓包)"},
		{"爆炸", "充电宝爆炸了", triage.P1, "(爆炸)"},
		{"烫伤", "电水壶漏水把孩子烫伤了", triage.P1, "(烫伤)"},
		{"触电", "插座触电了", triage.P1, "(触电)"},
		{"儿童误吞", "儿童误吞了玩具里的纽扣电池", triage.P1, "(误吞)"},
		{"several hazards, each once", "冒烟之后起火,又冒烟", triage.P1, "(冒烟, 起火)"},
		{"a question about a hazard still is one", "充电宝会不会爆炸?", triage.P1, "(爆炸)"},
		{"a hazard outranks a calming word", "请问充电器冒烟怎么办", triage.P1, "冒烟"},
		{"a hazard whatever the cause", "不知道为什么冒烟了", triage.P1, "冒烟"},
		{"没有冒烟也不烫手", "用了一周,没有冒烟也不烫手,就是充得慢", triage.P3, "Negated (没有冒烟, 不烫手)"},
		{"没冒烟", "没冒烟,只是有点响", triage.P3, "Negated (没冒烟)"},
		{"并没有漏电", "检查过了并没有漏电", triage.P3, "Negated (并没有漏电)"},
		{"爆炸头 is a hairstyle", "爆炸头假发的卷不够", triage.P3, "default P3"},
		{"信息爆炸 is not a blast", "现在信息爆炸,找不到说明书", triage.P3, "default P3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, signals := explain(t, classify.PriorityInput{Text: tt.text, Sentiment: neutral})
			if d.Value != string(tt.want) {
				t.Errorf("%s: priority %s, want %s; why %q", tt.text, d.Value, tt.want, d.Why)
			}
			if why := d.Why.String(); !strings.Contains(why, tt.why) {
				t.Errorf("%s: why %q lacks %q", tt.text, why, tt.why)
			}
			if tt.want == triage.P1 && (len(signals) == 0 || signals[0].Detail.Code != triage.ReasonSignalSafety) {
				t.Errorf("%s: signals %+v: want the safety signal first", tt.text, signals)
			}
		})
	}
}

// TestPriorityNegation checks that negation is read for every kind of
// signal word, not only urgency, and only where it reaches the word.
func TestPriorityNegation(t *testing.T) {
	tests := []struct {
		name string
		text string
		want triage.Priority
		why  string
	}{
		{"我不会去12315投诉的", "我不会去12315投诉的,就是想问问什么时候发货", triage.P3, "Negated (不会去12315, 不会去12315投诉)"},
		{"没有投诉的意思", "没有投诉的意思,只是提个建议", triage.P3, "Negated (没有投诉)"},
		{"不会给差评", "放心,我不会给你们差评", triage.P3, "Negated (不会给你们差评)"},
		{"不是要起诉", "我不是要起诉,只想退款", triage.P3, "Negated (不是要起诉)"},
		{"并不需要赔偿", "并不需要赔偿,换一个就好", triage.P3, "Negated (不需要赔偿)"},
		{"不是很急", "这个不是很急", triage.P3, "Negated (不是很急)"},
		{"不得不投诉 is a complaint", "你们这样我不得不投诉了", triage.P2, "Complaint wording (投诉)"},
		{"a negation ends at the clause", "我不想投诉,可是你们再不处理我就去12315", triage.P1, "Threatens"},
		{"本来不想投诉 is a complaint", "本来不想投诉的,实在忍不了", triage.P2, "Complaint wording (投诉)"},
		{"a negation ends at 但是", "没有坏但是冒烟", triage.P1, "(冒烟)"},
		{"不退款就投诉 is a threat of a complaint", "不退款就投诉", triage.P2, "Complaint wording (投诉)"},
		{"再不处理我就找律师", "再不处理我就找律师", triage.P1, "(律师)"},
		{"没想到会冒烟", "没想到会冒烟", triage.P1, "(冒烟)"},
		{"会不会重复扣款 is not negated urgency", "checkout一直报error,会不会重复扣款?急", triage.P2, "Urgent wording (急)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := explain(t, classify.PriorityInput{Text: tt.text, Sentiment: neutral})
			if d.Value != string(tt.want) {
				t.Errorf("%s: priority %s, want %s; why %q", tt.text, d.Value, tt.want, d.Why)
			}
			if why := d.Why.String(); !strings.Contains(why, tt.why) {
				t.Errorf("%s: why %q lacks %q", tt.text, why, tt.why)
			}
		})
	}
}

// TestRuleNegation checks that a rule's words honour negation by default
// and match negated words only when the rule says MatchNegated.
func TestRuleNegation(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		edit  func(r *triage.Rule)
		fires bool
	}{
		{"a plain word fires", "热水器漏电了", func(r *triage.Rule) { r.Any = []string{"漏电"} }, true},
		{"a negated word does not", "检查过了,没有漏电", func(r *triage.Rule) { r.Any = []string{"漏电"} }, false},
		{"one plain mention is enough", "没有漏电,但是插头漏电", func(r *triage.Rule) { r.Any = []string{"漏电"} }, true},
		{"negation reaches through a negated word", "我不会去12315投诉的", func(r *triage.Rule) { r.Any = []string{"12315", "投诉"} }, false},
		{"all words honour negation", "发票没有开错", func(r *triage.Rule) { r.All = []string{"发票", "开错"} }, false},
		{"match_negated counts a negated word", "检查过了,没有漏电", func(r *triage.Rule) { r.Any = []string{"漏电"}; r.MatchNegated = true }, true},
		{"a negated none word still excludes", "退款,不要换货", func(r *triage.Rule) { r.Any = []string{"退款"}; r.None = []string{"换货"} }, false},
		{"不知道为什么 does not negate", "不知道为什么漏电", func(r *triage.Rule) { r.Any = []string{"漏电"} }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &triage.Rule{ID: "r-1", Name: "漏电", Enabled: true, SetPriority: triage.P1}
			tt.edit(r)
			rs, err := classify.CompileRules([]*triage.Rule{r})
			if err != nil {
				t.Fatal(err)
			}
			res := rs.Match(classify.RuleInput{Text: tt.text})
			if fired := len(res.Hits) > 0; fired != tt.fires {
				t.Errorf("%s: fired %v, want %v (%+v)", tt.text, fired, tt.fires, res.Hits)
			}
		})
	}
}

// TestMixedLanguageTickets checks that a ticket mixing Chinese and English
// is triaged like its all-Chinese twin: the same category from a model
// trained on Chinese only, and the same priority signals.
func TestMixedLanguageTickets(t *testing.T) {
	e := newTriageEnv(t)
	e.train()
	tests := []struct {
		name           string
		mixed, chinese string
		category       string
		priority       triage.Priority
	}{
		{"重复扣款", "checkout一直报error…会不会重复扣款", "付款一直报错…会不会重复扣款", "支付与退款", triage.P3},
		{"退款没到账", "refund申请了3天还没到账", "退款申请了3天还没到账", "支付与退款", triage.P3},
		{"快递没到", "tracking number查不到,快递一直没到", "物流单号查不到,快递一直没到", "订单与物流", triage.P3},
		{"蓝牙", "App一直crash,蓝牙连不上手环", "应用一直闪退,蓝牙连不上手环", "设备使用与故障", triage.P3},
		{"urgent", "refund还没到账,ASAP,急", "退款还没到账,尽快,急", "支付与退款", triage.P2},
		{"safety", "充电器overheat冒烟了", "充电器过热冒烟了", "", triage.P1},
		{"negated threat", "我不会去12315 complain的,refund还没到账", "我不会去12315投诉的,退款还没到账", "支付与退款", triage.P3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mixed := e.ticket(triage.NewTicket{Title: tt.mixed})
			chinese := e.ticket(triage.NewTicket{Title: tt.chinese})
			if tt.category != "" && (mixed.Category != tt.category || chinese.Category != tt.category) {
				t.Errorf("category: mixed %q, Chinese %q, want %q", mixed.Category, chinese.Category, tt.category)
			}
			if mixed.Priority != tt.priority || chinese.Priority != tt.priority {
				t.Errorf("priority: mixed %s (%s), Chinese %s (%s), want %s",
					mixed.Priority, mixed.Triage.Priority.Why, chinese.Priority, chinese.Triage.Priority.Why, tt.priority)
			}
		})
	}
}

// TestSentimentNotNegative checks that reassurance and plain statements
// (正常, 一样, 放心) do not read as negative, while their negations do.
func TestSentimentNotNegative(t *testing.T) {
	seg := testSegmenter(t)
	tests := []struct {
		text     string
		negative bool
	}{
		{"一切正常", false},
		{"正常发货就行", false},
		{"用着正常,没什么问题", false},
		{"和图片一样", false},
		{"跟以前一样", false},
		{"质量和实体店一样", false},
		{"放心吧", false},
		{"你放心,我没有生气", false},
		{"收到了,一切正常,放心", false},
		{"没有冒烟也不烫", false},
		{"不正常", true},
		{"不放心", true},
		{"一样的价格质量差很多", true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			text := seg.Normalize(tt.text)
			r := classify.Sentiment(text, seg.Words(text))
			if got := r.Label == classify.SentimentNegative; got != tt.negative {
				t.Errorf("%s: label %s (%.2f, %v), want negative %v", tt.text, r.Label, r.Score, r.Evidence, tt.negative)
			}
		})
	}
}

// TestTrainSentiment checks the stacked scorer on a toy set: it learns a
// word the lexicon does not know (发霉) and keeps the lexicon's evidence.
func TestTrainSentiment(t *testing.T) {
	seg := testSegmenter(t)
	var ex []classify.Example
	for i := range 10 {
		n := strings.Repeat("很", i%3)
		ex = append(ex,
			classify.Example{Text: "水果" + n + "发霉了", Label: classify.SentimentNegative},
			classify.Example{Text: "质量" + n + "差,退货", Label: classify.SentimentNegative},
			classify.Example{Text: "水果" + n + "新鲜,好吃", Label: classify.SentimentPositive},
			classify.Example{Text: "质量" + n + "好,满意", Label: classify.SentimentPositive},
		)
	}
	m, err := classify.TrainSentiment(t.Context(), ex, nil, 0, classify.TrainOptions{Segmenter: seg})
	if err != nil {
		t.Fatal(err)
	}
	if w := m.Stack(); w[0] <= 0 {
		t.Errorf("stack %v: the model's log-odds should weigh positively", w)
	}
	for _, tt := range []struct{ text, want string }{
		{"苹果发霉了", classify.SentimentNegative},
		{"很新鲜,好吃", classify.SentimentPositive},
	} {
		t.Run(tt.text, func(t *testing.T) {
			text := seg.Normalize(tt.text)
			if r := m.Sentiment(text, seg.Words(text)); r.Label != tt.want {
				t.Errorf("%s: %s (%.2f), want %s", tt.text, r.Label, r.Score, tt.want)
			}
		})
	}
	if _, err := classify.TrainSentiment(t.Context(), []classify.Example{{Text: "好", Label: "neutral"}}, nil, 0, classify.TrainOptions{Segmenter: seg}); err == nil {
		t.Error("a label other than positive or negative was accepted")
	}
}
