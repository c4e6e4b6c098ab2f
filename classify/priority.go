package classify

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/triagehq/triage"
)

// PriorityInput is what DecidePriority weighs.
type PriorityInput struct {
	// Text is the normalised title + "\n" + body, Words its segmenter words.
	Text  string
	Words []string
	// Tier is the requester's service level (vip, svip, gold, enterprise
	// raise the floor to P2).
	Tier string
	// Rule is the priority the keyword rules set (RuleResult.Priority).
	Rule RulePriority
	// Sentiment is the text's sentiment. Its zero value (no Label) means
	// "not scored yet": DecidePriority then scores Text and Words with the
	// built-in lexicon.
	Sentiment SentimentResult
	// RecentTickets counts the requester's other tickets within the
	// repeat window.
	RecentTickets int
	// Model holds a priority model's probabilities for P1..P4, or nil.
	Model []triage.Scored
	// Manual is a priority the client set; it wins over everything.
	Manual triage.Priority
}

// Priority thresholds.
const (
	// ModelPriorityMin is the probability the model's best priority needs
	// before it replaces the default P3 as the base.
	ModelPriorityMin = 0.6
	// StrongNegative is the sentiment score at or below which a text is
	// angry enough to raise its priority: on the shared reviews 97 % of the
	// texts scored that low by the lexicon are negative, and it takes an
	// abusive word (垃圾) or two plain complaints to get there.
	StrongNegative = -0.6
	// RepeatContacts is how many other recent tickets from the same
	// requester raise the priority one level.
	RepeatContacts = 2
)

// Confidence of each kind of signal when it decides.
const (
	confManual    = 1.0
	confSafety    = 0.95
	confThreat    = 0.95
	confRule      = 0.9
	confKeyword   = 0.8
	confTier      = 0.75
	confRepeat    = 0.7
	confLowUrgent = 0.7
	confDefault   = 0.6
)

// priorityTiers are the service levels that raise the floor to P2.
func priorityTier(tier string) bool {
	switch strings.ToLower(strings.TrimSpace(tier)) {
	case "vip", "svip", "gold", "enterprise":
		return true
	}
	return false
}

// candidate is one signal's proposal.
type candidate struct {
	signal triage.Signal
	conf   float64
	why    triage.Reason
	source string // the Decision.Source when it wins
}

// DecidePriority sets a ticket's priority from P1 (urgent) to P4 (low); see
// ExplainPriority.
func DecidePriority(in PriorityInput) triage.Decision {
	d, _ := ExplainPriority(in)
	return d
}

// ExplainPriority is DecidePriority with the signals it weighed, for the
// triage explanation (triage.Explain.Signals).
//
// The base is P3, or the model's priority when its probability reaches
// ModelPriorityMin. Signals then propose a priority and the most urgent
// proposal wins: safety words (冒烟, 漏电, 烫伤, 误吞…) and threat words
// (12315, 律师, 曝光…) P1; urgency (紧急, 马上),
// complaint (投诉, 差评) and compensation (赔偿) words P2; a vip-like tier P2;
// strongly negative sentiment and repeated contact each one level above the
// base, never past P2 on their own; low-urgency wording (请问, 不急) P4 when
// nothing else proposes anything. A negated keyword (没有冒烟, 不会去12315投诉)
// proposes nothing and is noted. A rule's priority replaces the base
// (default or model), because an admin wrote it for exactly this kind of
// ticket, but the escalations above can still raise it; a manual priority
// overrides everything. Every decision has at least one sentence in
// Why, the deciding one first.
func ExplainPriority(in PriorityInput) (triage.Decision, []triage.Signal) {
	if in.Sentiment.Label == "" {
		in.Sentiment = Sentiment(in.Text, in.Words)
	}
	base := candidate{
		signal: triage.Signal{Name: "default", Detail: triage.NewReason(triage.ReasonSignalDefault), Sets: triage.P3},
		conf:   confDefault, source: "default",
		why: triage.NewReason(triage.ReasonPriorityDefault),
	}
	var cands, notes []candidate // notes explain without proposing
	if m, ok := modelCandidate(in.Model); ok {
		if m.signal.Sets != "" && !in.Rule.Priority.Valid() {
			base = m
		} else {
			notes = append(notes, m)
		}
	}
	ruleName := cmp.Or(in.Rule.Rule, "(unnamed)")
	if in.Rule.Priority.Valid() {
		// A rule replaces the base an admin's knowledge beats (the default
		// and the model), but a threat, the tier or an angry repeat
		// customer can still raise it: a rule meant for routine invoice
		// questions must not calm down a ticket that threatens 12315.
		base = candidate{
			signal: triage.Signal{Name: "rule", Detail: triage.NewReason(triage.ReasonSignalRule, ruleName), Sets: in.Rule.Priority},
			conf:   confRule, source: "rule",
			why: triage.NewReason(triage.ReasonPriorityRule, ruleName, in.Rule.Priority),
		}
	}

	kw := findPriorityKeywords(in.Text)
	cands = append(cands, kw.candidates()...)
	notes = append(notes, kw.negatedNotes()...)
	if priorityTier(in.Tier) {
		tier := strings.ToLower(strings.TrimSpace(in.Tier))
		cands = append(cands, candidate{
			signal: triage.Signal{Name: "tier", Detail: triage.NewReason(triage.ReasonSignalTier, tier), Sets: triage.P2},
			conf:   confTier, source: "signals",
			why: triage.NewReason(triage.ReasonPriorityTier, tier),
		})
	}
	if c, ok := sentimentCandidate(in.Sentiment, base.signal.Sets); ok {
		if c.signal.Sets != "" {
			cands = append(cands, c)
		} else {
			notes = append(notes, c)
		}
	}
	if c, ok := repeatCandidate(in.RecentTickets, base.signal.Sets); ok {
		if c.signal.Sets != "" {
			cands = append(cands, c)
		} else {
			notes = append(notes, c)
		}
	}
	if len(kw.calm) > 0 {
		c := candidate{
			signal: triage.Signal{Name: "keyword", Detail: triage.NewReason(triage.ReasonSignalCalm, kw.calm)},
			conf:   confLowUrgent, source: "signals",
		}
		if len(cands) == 0 && base.source == "default" && !in.Rule.Priority.Valid() {
			c.signal.Sets = triage.P4
			c.why = triage.NewReason(triage.ReasonPriorityCalm, kw.calm)
			base = c
		} else {
			c.why = triage.NewReason(triage.ReasonPriorityCalmOutweighed, kw.calm)
			notes = append(notes, c)
		}
	}

	// The most urgent proposal wins; among equals, the surest.
	all := append([]candidate{base}, cands...)
	win := 0
	for i, c := range all {
		if r, w := c.signal.Sets.Rank(), all[win].signal.Sets.Rank(); r < w || (r == w && c.conf > all[win].conf) {
			win = i
		}
	}
	builtIn := all[win].signal.Sets
	all = append(all, notes...)

	var d triage.Decision
	var signals []triage.Signal
	// over records a decision that overrides the built-in signals, and
	// what they would have given.
	over := func(c candidate, auto triage.Priority) {
		d = triage.Decision{Value: string(c.signal.Sets), Confidence: c.conf, Source: c.source, Why: triage.Reasons{c.why}}
		if auto != c.signal.Sets {
			d.Why = append(d.Why, triage.NewReason(triage.ReasonPriorityWouldHave, auto))
		}
		signals = append(signals, c.signal)
		win = -1
	}
	switch {
	case in.Manual.Valid():
		auto := builtIn
		over(candidate{
			signal: triage.Signal{Name: "manual", Detail: triage.NewReason(triage.ReasonSignalManual), Sets: in.Manual},
			conf:   confManual, source: "manual",
			why: triage.NewReason(triage.ReasonPriorityManual, in.Manual),
		}, auto)
	default:
		c := all[win]
		d = triage.Decision{Value: string(c.signal.Sets), Confidence: c.conf, Source: c.source, Why: triage.Reasons{c.why}}
	}
	for i, c := range all {
		if c.source == "default" && i != win {
			continue // the default that lost is no evidence
		}
		if c.source != "default" {
			signals = append(signals, c.signal)
		}
		if i != win {
			d.Why = append(d.Why, c.why)
		}
	}
	d.Top = priorityTop(triage.Priority(d.Value), d.Confidence, all, in.Model)
	return d, signals
}

func modelCandidate(model []triage.Scored) (candidate, bool) {
	var top triage.Scored
	for _, s := range model {
		if triage.Priority(s.Value).Valid() && s.Score > top.Score {
			top = s
		}
	}
	if top.Value == "" {
		return candidate{}, false
	}
	c := candidate{
		signal: triage.Signal{Name: "model", Detail: triage.NewReason(triage.ReasonSignalModel, top.Value, top.Score)},
		conf:   top.Score, source: "model",
	}
	if top.Score >= ModelPriorityMin {
		c.signal.Sets = triage.Priority(top.Value)
		c.why = triage.NewReason(triage.ReasonPriorityModel, top.Value, top.Score)
	} else {
		c.why = triage.NewReason(triage.ReasonPriorityModelUnsure, top.Value, top.Score, ModelPriorityMin)
	}
	return c, true
}

// raise returns the priority one level more urgent than p, but no more
// urgent than P2: sentiment and repeat contact alone never make a ticket P1.
func raise(p triage.Priority) triage.Priority {
	if p.Rank() <= 2 {
		return ""
	}
	return triage.Priorities()[p.Rank()-2]
}

func sentimentCandidate(s SentimentResult, base triage.Priority) (candidate, bool) {
	if s.Label != SentimentNegative {
		return candidate{}, false
	}
	tone := triage.NewReason(triage.ReasonSignalTone, s.Score)
	if len(s.Evidence) > 0 {
		tone = triage.NewReason(triage.ReasonSignalToneWords, s.Score, s.Evidence)
	}
	c := candidate{signal: triage.Signal{Name: "sentiment", Detail: tone}, source: "signals"}
	switch up := raise(base); {
	case s.Score > StrongNegative:
		c.why = triage.NewReason(triage.ReasonPriorityToneWeak, tone)
	case up == "":
		c.why = triage.NewReason(triage.ReasonPriorityToneAtMost, tone, base)
	default:
		c.signal.Sets = up
		c.conf = min(0.8, 0.5+0.4*-s.Score)
		c.why = triage.NewReason(triage.ReasonPriorityToneRaises, tone, base, up)
	}
	return c, true
}

func repeatCandidate(recent int, base triage.Priority) (candidate, bool) {
	if recent <= 0 {
		return candidate{}, false
	}
	c := candidate{signal: triage.Signal{Name: "repeat", Detail: triage.NewReason(triage.ReasonSignalRepeat, recent)}, source: "signals"}
	switch up := raise(base); {
	case recent < RepeatContacts:
		c.why = triage.NewReason(triage.ReasonPriorityRepeatFew, recent, RepeatContacts)
	case up == "":
		c.why = triage.NewReason(triage.ReasonPriorityRepeatAtMost, recent, base)
	default:
		c.signal.Sets = up
		c.conf = confRepeat
		c.why = triage.NewReason(triage.ReasonPriorityRepeatRaises, recent, base, up)
	}
	return c, true
}

// priorityTop scores all four priorities for the UI: the decision gets its
// confidence and the rest is shared among the others in proportion to the
// evidence for each (the strongest signal proposing it, or the model's
// probability), so the scores add up to 1 (give or take the rounding to
// three places) and the decision comes first.
func priorityTop(win triage.Priority, conf float64, all []candidate, model []triage.Scored) []triage.Scored {
	evidence := map[triage.Priority]float64{}
	for _, c := range all {
		if c.signal.Sets.Valid() {
			evidence[c.signal.Sets] = max(evidence[c.signal.Sets], c.conf)
		}
	}
	for _, s := range model {
		if p := triage.Priority(s.Value); p.Valid() {
			evidence[p] = max(evidence[p], s.Score)
		}
	}
	const floor = 0.05 // so that a priority nothing argued for still shows
	sum := 0.0
	for _, p := range triage.Priorities() {
		if p != win {
			sum += evidence[p] + floor
		}
	}
	rest := max(0, 1-conf)
	top := make([]triage.Scored, 0, 4)
	for _, p := range triage.Priorities() {
		s := triage.Scored{Value: string(p), Score: conf}
		if p != win {
			s.Score = math.Round(1000*rest*(evidence[p]+floor)/sum) / 1000
		}
		top = append(top, s)
	}
	slices.SortStableFunc(top, func(a, b triage.Scored) int {
		switch {
		case a.Value == string(win):
			return -1
		case b.Value == string(win):
			return 1
		}
		return cmp.Compare(b.Score, a.Score)
	})
	return top
}

// Priority keywords.

type keywordClass uint8

const (
	kwSafety       keywordClass = iota // P1: a hazard to people or property
	kwThreat                           // P1: taking it to a regulator, the media, a lawyer, the police
	kwCompensation                     // P2: money is being claimed
	kwUrgent                           // P2
	kwComplaint                        // P2
	kwCalm                             // P4 when nothing else
)

type priorityKeyword struct {
	word  string
	class keywordClass
	// The keyword does not count when the text right before it ends with
	// one of notAfter or the text right after it starts with one of
	// notBefore: 工商 in 工商银行, 报警 in 报警器, 曝光 in 曝光补偿.
	notAfter, notBefore []string
	// digits keywords (12315) must not be part of a longer number.
	digits bool
}

// priorityKeywordList is the built-in list. 赔偿 alone is P2, not P1: a
// claim for a lost parcel is routine and asks for money, not for an
// outside authority; 退一赔三 and 假一赔十 invoke the consumer-protection
// law's punitive damages and are P1. Safety words name a hazard to a person
// (烫伤, 触电, 误吞) or a fire about to start (冒烟, 鼓包): P1 whatever the
// product, because the first answer must be "stop using it". Every keyword
// is read with its negation (negation.go): 我不会去12315投诉的, 没有投诉的意思
// and 没有冒烟 are noted and not counted.
func priorityKeywordList() []priorityKeyword {
	safety := func(w string) priorityKeyword { return priorityKeyword{word: w, class: kwSafety} }
	threat := func(w string) priorityKeyword { return priorityKeyword{word: w, class: kwThreat} }
	hotline := func(w string) priorityKeyword { return priorityKeyword{word: w, class: kwThreat, digits: true} }
	urgent := func(w string) priorityKeyword { return priorityKeyword{word: w, class: kwUrgent} }
	calm := func(w string) priorityKeyword { return priorityKeyword{word: w, class: kwCalm} }
	return []priorityKeyword{
		safety("冒烟"), safety("冒火"), safety("冒火花"), safety("起火"), safety("着火"), safety("自燃"),
		safety("烧焦"), safety("焦糊味"), safety("漏电"), safety("触电"), safety("电到人"), safety("电击"),
		safety("鼓包"), safety("爆燃"), safety("烫伤"), safety("烧伤"), safety("灼伤"), safety("烫手"),
		safety("误吞"), safety("误食"), safety("吞下"), safety("中毒"),
		// The draft writer's words, now read here too (one list, see
		// Danger). 吞了 and 炸了 stay out: 机器吞了卡, 心态炸了.
		safety("失火"), safety("火花"), safety("燃烧"), safety("焦味"), safety("糊味"), safety("电到"), safety("麻手"),
		safety("窒息"), safety("割伤"), safety("smoke"), safety("smoking"), safety("caught fire"), safety("on fire"),
		safety("explode"), safety("exploded"), safety("electric shock"), safety("swallowed"), safety("burned"), safety("burnt"),
		{word: "爆炸", class: kwSafety, notBefore: []string{"头", "性", "式"}, notAfter: []string{"信息"}},
		hotline("12315"), hotline("12345"),
		threat("消协"), threat("消费者协会"), threat("市场监管"), threat("市场监督管理"),
		{word: "工商", class: kwThreat, notBefore: []string{"银行"}},
		{word: "曝光", class: kwThreat,
			notAfter:  []string{"过", "欠", "自动", "手动", "长", "多重"},
			notBefore: []string{"度", "补偿", "时间", "不足", "过度", "模式", "值", "参数"}},
		{word: "媒体", class: kwThreat, notAfter: []string{"多", "流"}},
		threat("记者"), threat("电视台"), threat("律师"), threat("起诉"), threat("法院"),
		{word: "报警", class: kwThreat,
			notAfter:  []string{"一直", "自动", "老是", "总是", "故障", "会", "在", "防盗", "设备"},
			notBefore: []string{"器", "灯", "声", "音", "提示", "代码", "功能", "信息", "了一下"}},
		threat("警察"), threat("黑猫投诉"), threat("退一赔三"), threat("假一赔三"), threat("假一赔十"),
		threat("退一赔十"), threat("监管局"), threat("诉讼"), threat("仲裁"),
		threat("lawyer"), threat("lawsuit"), threat("sue you"), threat("the media"),
		{word: "赔偿", class: kwCompensation}, {word: "索赔", class: kwCompensation},
		urgent("紧急"), urgent("十万火急"), urgent("马上"), urgent("立刻"), urgent("立即"),
		urgent("尽快"), urgent("赶紧"), urgent("等不了"), urgent("今天必须"),
		{word: "急", class: kwUrgent, notAfter: []string{"应", "性"}, notBefore: []string{"救", "性"}},
		{word: "投诉", class: kwComplaint}, {word: "差评", class: kwComplaint},
		{word: "举报", class: kwComplaint}, {word: "维权", class: kwComplaint},
		calm("咨询一下"), calm("请问"), calm("不急"), calm("不着急"), calm("不赶时间"), calm("有空"),
	}
}

type keywordMatcher struct {
	list []priorityKeyword
	ac   *automaton
}

var priorityKeywords = sync.OnceValue(func() *keywordMatcher {
	list := priorityKeywordList()
	words := make([]string, len(list))
	for i, k := range list {
		words[i] = k.word
	}
	return &keywordMatcher{list: list, ac: buildAutomaton(words)}
})

// keywordHits are the priority keywords found in a text, by class, in
// order, each once.
type keywordHits struct {
	byClass [kwCalm + 1][]string
	calm    []string
	negated []string // 不是很急
}

func findPriorityKeywords(text string) keywordHits {
	m := priorityKeywords()
	type occ struct{ start, end int32 }
	var occs []occ
	var ids []int32
	m.ac.each(text, func(id int32, end int) {
		occs = append(occs, occ{int32(end - len(m.list[id].word)), int32(end)})
		ids = append(ids, id)
	})
	// Leftmost-longest, so 黑猫投诉 is one threat and not also a complaint,
	// and 不急 is calm and not also urgent.
	order := make([]int, len(occs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(occs[a].start, occs[b].start); c != 0 {
			return c
		}
		return cmp.Compare(occs[b].end, occs[a].end)
	})
	var h keywordHits
	var neg negationTracker
	covered := int32(0)
	for _, i := range order {
		o, k := occs[i], &m.list[ids[i]]
		if o.start < covered {
			continue
		}
		before, after := text[:o.start], text[o.end:]
		if slices.ContainsFunc(k.notAfter, func(s string) bool { return strings.HasSuffix(before, s) }) ||
			slices.ContainsFunc(k.notBefore, func(s string) bool { return strings.HasPrefix(after, s) }) ||
			(k.digits && (endsWithDigit(before) || startsWithDigit(after))) {
			continue
		}
		covered = o.end
		if phrase, ok := neg.negated(text, int(o.start), int(o.end)); ok {
			if k.class != kwCalm && !slices.Contains(h.negated, phrase) {
				h.negated = append(h.negated, phrase)
			}
			continue
		}
		if !slices.Contains(h.byClass[k.class], k.word) {
			h.byClass[k.class] = append(h.byClass[k.class], k.word)
		}
	}
	h.calm = h.byClass[kwCalm]
	return h
}

func endsWithDigit(s string) bool   { return s != "" && '0' <= s[len(s)-1] && s[len(s)-1] <= '9' }
func startsWithDigit(s string) bool { return s != "" && '0' <= s[0] && s[0] <= '9' }

func (h keywordHits) candidates() []candidate {
	var out []candidate
	add := func(class keywordClass, p triage.Priority, conf float64, signal, why triage.ReasonCode) {
		words := h.byClass[class]
		if len(words) == 0 {
			return
		}
		out = append(out, candidate{
			signal: triage.Signal{Name: "keyword", Detail: triage.NewReason(signal, words), Sets: p},
			conf:   conf, source: "signals",
			why: triage.NewReason(why, words, p),
		})
	}
	add(kwSafety, triage.P1, confSafety, triage.ReasonSignalSafety, triage.ReasonPrioritySafety)
	add(kwThreat, triage.P1, confThreat, triage.ReasonSignalThreat, triage.ReasonPriorityThreat)
	add(kwCompensation, triage.P2, confKeyword, triage.ReasonSignalCompensation, triage.ReasonPriorityCompensation)
	add(kwUrgent, triage.P2, confKeyword, triage.ReasonSignalUrgent, triage.ReasonPriorityUrgent)
	add(kwComplaint, triage.P2, confKeyword, triage.ReasonSignalComplaint, triage.ReasonPriorityComplaint)
	return out
}

func (h keywordHits) negatedNotes() []candidate {
	if len(h.negated) == 0 {
		return nil
	}
	return []candidate{{
		signal: triage.Signal{Name: "keyword", Detail: triage.NewReason(triage.ReasonSignalNegated, h.negated)},
		why:    triage.NewReason(triage.ReasonPriorityNegated, h.negated),
	}}
}
