package classify

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/triagehq/triage"
)

// RuleInput is what the keyword rules look at.
type RuleInput struct {
	// Text is the normalised title + "\n" + body. Rule words were
	// normalised the same way when they were saved (triage.Rule.Validate),
	// so they are matched as plain substrings.
	Text    string
	Channel triage.Channel
	Tier    string
}

// RuleResult is what the rules that fired decided, in rule order.
type RuleResult struct {
	// Hits lists every rule that fired, with the words that made it fire
	// and a sentence saying what it did.
	Hits []triage.RuleHit `json:"hits,omitempty"`
	// Category is set by the first firing override rule with a category;
	// CategoryRule names it. When it is set Biases is empty: the override
	// decides and there is nothing left to bias.
	Category     string `json:"category,omitempty"`
	CategoryRule string `json:"category_rule,omitempty"`
	// Biases sums the weights of the firing bias rules per category, each
	// capped at 1, in the order the categories were first biased.
	Biases []CategoryBias `json:"biases,omitempty"`
	// Priority is the most urgent priority any firing rule sets; the first
	// such rule wins a tie.
	Priority RulePriority `json:"priority,omitzero"`
	// Tags are the tags to add, deduplicated, in order.
	Tags []string `json:"tags,omitempty"`
}

// CategoryBias is the probability the bias rules add to a category.
type CategoryBias struct {
	Category string   `json:"category"`
	Weight   float64  `json:"weight"`
	Rules    []string `json:"rules"` // names of the rules that added to it
}

// RulePriority is a priority set by a rule and the rule's name; the zero
// value means no rule set one.
type RulePriority struct {
	Priority triage.Priority `json:"priority,omitempty"`
	Rule     string          `json:"rule,omitempty"`
}

// RuleSet is a compiled list of enabled rules. Matching makes one pass over
// the text with an Aho–Corasick automaton of every rule word, then checks
// each rule against the set of words found, so its cost grows with the text
// and the number of rules, not with the number of words. It is immutable and
// safe for concurrent use.
type RuleSet struct {
	rules []compiledRule
	words []string // by id
	ac    *automaton
}

type compiledRule struct {
	id, name       string
	any, all, none []int32 // word ids
	re             *regexp.Regexp
	channels       []triage.Channel
	tiers          []string
	category       string
	mode           triage.RuleMode
	weight         float64
	priority       triage.Priority
	tags           []string
	stop           bool
	matchNegated   bool
}

// CompileRules compiles the enabled rules, in Position order (ties keep
// their order in rules). It copies what it needs, so later changes to rules
// do not affect the RuleSet. A rule that could never be matched correctly
// (an empty word, a regex that does not compile, no condition at all, an
// unknown mode or priority) is an EINVALID error naming the rule.
func CompileRules(rules []*triage.Rule) (*RuleSet, error) {
	enabled := make([]*triage.Rule, 0, len(rules))
	for _, r := range rules {
		if r != nil && r.Enabled {
			enabled = append(enabled, r)
		}
	}
	slices.SortStableFunc(enabled, func(a, b *triage.Rule) int { return cmp.Compare(a.Position, b.Position) })

	rs := &RuleSet{rules: make([]compiledRule, 0, len(enabled))}
	ids := map[string]int32{}
	wordIDs := func(r *triage.Rule, field string, words []string) ([]int32, error) {
		out := make([]int32, 0, len(words))
		for i, w := range words {
			if w == "" {
				return nil, ruleError(r, field, "%s[%d] is empty", field, i)
			}
			id, ok := ids[w]
			if !ok {
				id = int32(len(rs.words))
				ids[w] = id
				rs.words = append(rs.words, w)
			}
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		return out, nil
	}
	for _, r := range enabled {
		c := compiledRule{
			id: r.ID, name: r.Name,
			channels: slices.Clone(r.Channels),
			category: strings.TrimSpace(r.SetCategory),
			mode:     r.Mode, weight: r.Weight,
			priority: r.SetPriority,
			stop:     r.Stop, matchNegated: r.MatchNegated,
		}
		var err error
		if c.any, err = wordIDs(r, "any", r.Any); err != nil {
			return nil, err
		}
		if c.all, err = wordIDs(r, "all", r.All); err != nil {
			return nil, err
		}
		if c.none, err = wordIDs(r, "none", r.None); err != nil {
			return nil, err
		}
		if r.Regex != "" {
			if c.re, err = regexp.Compile(r.Regex); err != nil {
				return nil, ruleError(r, "regex", "regex does not compile: %v", err)
			}
		}
		for _, t := range r.Tiers {
			c.tiers = append(c.tiers, strings.ToLower(strings.TrimSpace(t)))
		}
		for _, t := range r.AddTags {
			if t = strings.ToLower(strings.TrimSpace(t)); t != "" && !slices.Contains(c.tags, t) {
				c.tags = append(c.tags, t)
			}
		}
		if len(c.any)+len(c.all)+len(c.channels)+len(c.tiers) == 0 && c.re == nil {
			return nil, ruleError(r, "any", "a rule needs a condition: any, all, regex, channels or tiers")
		}
		switch c.mode {
		case "":
			c.mode = triage.RuleOverride
		case triage.RuleOverride, triage.RuleBias:
		default:
			return nil, ruleError(r, "mode", "mode %q is not override or bias", c.mode)
		}
		if c.weight < 0 || c.weight > 1 {
			return nil, ruleError(r, "weight", "weight must be between 0 and 1")
		}
		if c.mode == triage.RuleBias && c.weight == 0 {
			c.weight = triage.DefaultBias
		}
		if c.priority != "" && !c.priority.Valid() {
			return nil, ruleError(r, "set_priority", "set_priority %q is not P1, P2, P3 or P4", c.priority)
		}
		rs.rules = append(rs.rules, c)
	}
	rs.ac = buildAutomaton(rs.words)
	return rs, nil
}

func ruleError(r *triage.Rule, field, format string, args ...any) error {
	e := triage.Invalid(field, format, args...)
	e.Message = fmt.Sprintf("rule %q: %s", r.Name, e.Message)
	return e
}

// Len returns the number of compiled (enabled) rules.
func (rs *RuleSet) Len() int { return len(rs.rules) }

// firing is a rule that fired and what it matched, before the effects are
// written, which needs the final result.
type firing struct {
	rule    *compiledRule
	matched []string
}

// Match runs the rules on in. A rule fires when at least one Any word (if
// it has any), every All word and no None word occurs in the text, its
// regex (if set) matches, and the channel and tier are among its Channels
// and Tiers (if it lists any). A firing rule with Stop ends the evaluation.
func (rs *RuleSet) Match(in RuleInput) RuleResult {
	var res RuleResult
	if rs == nil || len(rs.rules) == 0 {
		return res
	}
	found, plain := rs.ac.findPlain(in.Text)
	tier := strings.ToLower(strings.TrimSpace(in.Tier))
	var fired []firing
	for i := range rs.rules {
		r := &rs.rules[i]
		// A rule's Any and All words match only where the customer does
		// not negate them, unless the rule says otherwise; None words
		// exclude on any mention, the cautious reading of an exclusion.
		match := plain
		if r.matchNegated {
			match = found
		}
		if !r.conditionsHold(match, found, in.Channel, tier) {
			continue
		}
		var loc []int
		if r.re != nil {
			if loc = r.re.FindStringIndex(in.Text); loc == nil {
				continue
			}
		}
		f := firing{rule: r}
		for _, id := range r.any {
			if match.has(id) {
				f.matched = append(f.matched, rs.words[id])
			}
		}
		for _, id := range r.all {
			f.matched = append(f.matched, rs.words[id])
		}
		if loc != nil {
			f.matched = append(f.matched, in.Text[loc[0]:loc[1]])
		}
		if len(r.channels) > 0 {
			f.matched = append(f.matched, "channel="+string(in.Channel))
		}
		if len(r.tiers) > 0 {
			f.matched = append(f.matched, "tier="+tier)
		}
		fired = append(fired, f)
		if r.stop {
			break
		}
	}
	if len(fired) == 0 {
		return res
	}
	res.decide(fired)
	return res
}

func (r *compiledRule) conditionsHold(found, anyFound bitset, channel triage.Channel, tier string) bool {
	if len(r.channels) > 0 && !slices.Contains(r.channels, channel) {
		return false
	}
	if len(r.tiers) > 0 && !slices.Contains(r.tiers, tier) {
		return false
	}
	if len(r.any) > 0 && !slices.ContainsFunc(r.any, found.has) {
		return false
	}
	for _, id := range r.all {
		if !found.has(id) {
			return false
		}
	}
	return !slices.ContainsFunc(r.none, anyFound.has)
}

// decide folds the fired rules into the result and writes each hit's
// effect, which says when another rule overruled this one's action.
func (res *RuleResult) decide(fired []firing) {
	var catBy, prioBy *compiledRule
	for _, f := range fired {
		r := f.rule
		switch {
		case r.category == "":
		case r.mode == triage.RuleOverride && catBy == nil:
			catBy = r
			res.Category, res.CategoryRule = r.category, r.name
		case r.mode == triage.RuleBias:
			k := slices.IndexFunc(res.Biases, func(b CategoryBias) bool { return b.Category == r.category })
			if k < 0 {
				res.Biases = append(res.Biases, CategoryBias{Category: r.category})
				k = len(res.Biases) - 1
			}
			b := &res.Biases[k]
			b.Weight = min(1, b.Weight+r.weight)
			b.Rules = append(b.Rules, r.name)
		}
		if r.priority != "" && (prioBy == nil || r.priority.Rank() < prioBy.priority.Rank()) {
			prioBy = r
			res.Priority = RulePriority{Priority: r.priority, Rule: r.name}
		}
		for _, t := range r.tags {
			if !slices.Contains(res.Tags, t) {
				res.Tags = append(res.Tags, t)
			}
		}
	}
	if catBy != nil {
		res.Biases = nil
	}
	res.Hits = make([]triage.RuleHit, len(fired))
	for i, f := range fired {
		res.Hits[i] = triage.RuleHit{RuleID: f.rule.id, Name: f.rule.name, Matched: f.matched, Effect: effect(f.rule, catBy, prioBy)}
	}
}

// effect says what r did, given the rules whose category and priority won.
func effect(r, catBy, prioBy *compiledRule) triage.Reasons {
	var parts triage.Reasons
	switch {
	case r.category == "":
	case r == catBy:
		parts = append(parts, triage.NewReason(triage.ReasonRuleSetsCategory, r.category))
	case r.mode == triage.RuleOverride:
		parts = append(parts, triage.NewReason(triage.ReasonRuleCategoryOverruled, r.category, catBy.name, catBy.category))
	case catBy != nil:
		parts = append(parts, triage.NewReason(triage.ReasonRuleBiasOverruled, r.weight, r.category, catBy.name))
	default:
		parts = append(parts, triage.NewReason(triage.ReasonRuleAddsBias, r.weight, r.category))
	}
	switch {
	case r.priority == "":
	case r == prioBy || r.priority == prioBy.priority:
		parts = append(parts, triage.NewReason(triage.ReasonRuleSetsPriority, r.priority))
	default:
		parts = append(parts, triage.NewReason(triage.ReasonRulePriorityOutranked, r.priority, prioBy.name, prioBy.priority))
	}
	if len(r.tags) > 0 {
		parts = append(parts, triage.NewReason(triage.ReasonRuleAddsTags, r.tags))
	}
	if r.stop {
		parts = append(parts, triage.NewReason(triage.ReasonRuleStops))
	}
	if len(parts) == 0 {
		return triage.Reasons{triage.NewReason(triage.ReasonRuleNoAction)}
	}
	return parts
}

// bitset holds the ids of the words found in a text.
type bitset []uint64

func (b bitset) has(id int32) bool { return b[id>>6]&(1<<(id&63)) != 0 }
func (b bitset) set(id int32)      { b[id>>6] |= 1 << (id & 63) }

// automaton is an Aho–Corasick automaton over the bytes of the rule words.
// Byte-level matching of UTF-8 is exact for substrings: a valid UTF-8 word
// can only match at character boundaries. The root's transitions are a
// full table because most bytes of a text leave through the root; the other
// nodes keep sorted edge lists, which stay small (a Chinese character's
// continuation bytes fan out at most 64 ways).
type automaton struct {
	words int
	lens  []int      // byte length of each word, by id
	root  [256]int32 // next node from the root for each byte; 0 = stay
	// edges of node n are edgeByte/edgeNext[edgeAt[n]:edgeAt[n+1]], sorted
	// by byte.
	edgeAt   []int32
	edgeByte []byte
	edgeNext []int32
	fail     []int32
	out      []int32 // the word ending at the node, or -1
	// dict is the nearest node on the failure chain whose out is set, or
	// 0 (the root, which ends no word): the other words that end here.
	dict []int32
}

func buildAutomaton(words []string) *automaton {
	// Build the trie with map children, then flatten it.
	type node struct {
		next map[byte]int32
		out  int32
	}
	nodes := []node{{next: map[byte]int32{}, out: -1}}
	for id, w := range words {
		n := int32(0)
		for i := 0; i < len(w); i++ {
			c := w[i]
			nx, ok := nodes[n].next[c]
			if !ok {
				nx = int32(len(nodes))
				nodes = append(nodes, node{next: map[byte]int32{}, out: -1})
				nodes[n].next[c] = nx
			}
			n = nx
		}
		nodes[n].out = int32(id)
	}
	a := &automaton{
		words:  len(words),
		lens:   make([]int, len(words)),
		edgeAt: make([]int32, len(nodes)+1),
		fail:   make([]int32, len(nodes)),
		out:    make([]int32, len(nodes)),
		dict:   make([]int32, len(nodes)),
	}
	for i, n := range nodes {
		a.edgeAt[i] = int32(len(a.edgeByte))
		keys := make([]byte, 0, len(n.next))
		for c := range n.next {
			keys = append(keys, c)
		}
		slices.Sort(keys)
		for _, c := range keys {
			a.edgeByte = append(a.edgeByte, c)
			a.edgeNext = append(a.edgeNext, n.next[c])
		}
		a.out[i] = n.out
	}
	a.edgeAt[len(nodes)] = int32(len(a.edgeByte))
	for id, w := range words {
		a.lens[id] = len(w)
	}
	for c, nx := range nodes[0].next {
		a.root[c] = nx
	}
	// Breadth-first, so a node's failure target is finished before it; the
	// root's children fail to the root, as the zero values say.
	queue := make([]int32, 0, len(nodes))
	for k := a.edgeAt[0]; k < a.edgeAt[1]; k++ {
		queue = append(queue, a.edgeNext[k])
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for k := a.edgeAt[n]; k < a.edgeAt[n+1]; k++ {
			c, child := a.edgeByte[k], a.edgeNext[k]
			f := a.fail[n]
			for f != 0 && a.step(f, c) < 0 {
				f = a.fail[f]
			}
			target := a.root[c]
			if f != 0 {
				target = a.step(f, c)
			}
			if target == child {
				target = 0
			}
			a.fail[child] = target
			if target != 0 && a.out[target] >= 0 {
				a.dict[child] = target
			} else {
				a.dict[child] = a.dict[target]
			}
			queue = append(queue, child)
		}
	}
	return a
}

// step follows node n's edge for c, or returns -1.
func (a *automaton) step(n int32, c byte) int32 {
	lo, hi := a.edgeAt[n], a.edgeAt[n+1]
	if hi-lo <= 8 {
		for k := lo; k < hi; k++ {
			if a.edgeByte[k] == c {
				return a.edgeNext[k]
			}
		}
		return -1
	}
	for lo < hi {
		mid := (lo + hi) / 2
		switch b := a.edgeByte[mid]; {
		case b == c:
			return a.edgeNext[mid]
		case b < c:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return -1
}

// findPlain returns the set of words that occur in text and the set of
// those that occur at least once not negated (negation.go): 漏电 is in the
// first and not the second for 检查过了没有漏电.
func (a *automaton) findPlain(text string) (found, plain bitset) {
	type occ struct {
		id         int32
		start, end int
	}
	var occs []occ
	a.each(text, func(id int32, end int) {
		occs = append(occs, occ{id, end - a.lens[id], end})
	})
	// By start, so that a negation reaches through a negated word to the
	// next one (不会去12315投诉).
	slices.SortStableFunc(occs, func(x, y occ) int { return cmp.Compare(x.start, y.start) })
	found = make(bitset, (a.words+63)/64)
	plain = make(bitset, (a.words+63)/64)
	var neg negationTracker
	for _, o := range occs {
		found.set(o.id)
		if _, ok := neg.negated(text, o.start, o.end); !ok {
			plain.set(o.id)
		}
	}
	return found, plain
}

// each calls fn for every occurrence of every word in text, with the
// word's id and the byte offset where the occurrence ends, in order of
// that offset.
func (a *automaton) each(text string, fn func(id int32, end int)) {
	if a.words == 0 {
		return
	}
	n := int32(0)
	for i := 0; i < len(text); i++ {
		c := text[i]
		for n != 0 {
			if nx := a.step(n, c); nx >= 0 {
				n = nx
				break
			}
			n = a.fail[n]
		}
		if n == 0 {
			n = a.root[c]
		}
		for o := n; o > 0; o = a.dict[o] {
			if a.out[o] >= 0 {
				fn(a.out[o], i+1)
			}
		}
	}
}
