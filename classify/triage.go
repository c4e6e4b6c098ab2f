package classify

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/triagehq/triage"
)

// Triager decides a new ticket's category, priority and owner, each with a
// confidence and the evidence behind it. Keyword rules, the trained model
// and the votes of similar resolved tickets decide the category; priority
// signals decide the priority; the Router picks the owner.
type Triager struct {
	Segmenter triage.Segmenter
	Router    *Router
	// Threshold is the confidence under which the category is left to a
	// person and the ticket marked needs_review; 0 means DefaultThreshold.
	Threshold float64
	// RepeatWindow is how far back other tickets of the same requester
	// count as repeated contact; 0 means DefaultRepeatWindow.
	RepeatWindow time.Duration
	// Sentiment scores how the customer feels; nil uses the built-in
	// lexicon.
	Sentiment SentimentScorer
	// Neighbours finds resolved tickets similar to a text; their
	// categories vote. Nil (no similar-ticket index yet) means no votes.
	Neighbours func(ctx context.Context, text string, k int) ([]triage.Neighbour, error)
	// VoteWeight is the share of the category decision the neighbours'
	// votes get when there are any; 0 means DefaultVoteWeight.
	VoteWeight float64
	Now        func() time.Time
	// Skip hears a stored rule or active model that triage leaves out
	// because it does not compile or load; nil only logs nothing. A bad
	// rule must not stop every ticket from being created, nor a bad model
	// the service from starting.
	Skip func(kind triage.SkipKind, id string, err error)
	// Trace, when set, records triage and its steps as spans.
	Trace triage.Trace

	models atomic.Pointer[activeModels]
	rules  ruleCache
}

// Triage defaults.
const (
	// DefaultThreshold leaves a ticket to a person when the best category
	// has less than this probability. On the dev splits it keeps most
	// tickets automatic while the answered ones are right far more often
	// than the rest; see the coverage curve of `triage eval classify`.
	DefaultThreshold    = 0.35
	DefaultRepeatWindow = 72 * time.Hour
	DefaultVoteWeight   = 0.3
	// Neighbours is how many similar resolved tickets vote.
	Neighbours = 5
)

type activeModels struct {
	category, priority *Model
}

// ruleCache keeps the compiled rule set of the rules as last read, keyed by
// their ids and versions, so a rule edit takes effect on the next ticket
// without anyone having to tell the triager.
type ruleCache struct {
	mu  sync.Mutex
	key string
	set *RuleSet
}

func (c *ruleCache) get(rules []*triage.Rule, skip func(triage.SkipKind, string, error)) (*RuleSet, error) {
	var b strings.Builder
	for _, r := range rules {
		fmt.Fprintf(&b, "%s@%d,", r.ID, r.Version)
	}
	key := b.String()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set != nil && c.key == key {
		return c.set, nil
	}
	// Each rule is compiled alone first, so one that a hand edit or an
	// older version stored broken is left out (and reported, once per
	// change of the rules) while the others still apply.
	good := make([]*triage.Rule, 0, len(rules))
	for _, r := range rules {
		if _, err := CompileRules([]*triage.Rule{r}); err != nil {
			if skip != nil {
				skip(triage.SkipRule, r.ID, err)
			}
			continue
		}
		good = append(good, r)
	}
	set, err := CompileRules(good)
	if err != nil {
		return nil, err
	}
	c.key, c.set = key, set
	return set, nil
}

func (tr *Triager) now() time.Time {
	if tr.Now != nil {
		return tr.Now().UTC()
	}
	return time.Now().UTC()
}

func (tr *Triager) threshold() float64 {
	if tr.Threshold > 0 {
		return tr.Threshold
	}
	return DefaultThreshold
}

// UseModel loads a stored model and makes triage use it from the next
// ticket on. A model that fails to load leaves the current one in place.
func (tr *Triager) UseModel(m *triage.Model) error {
	if m.Kind == triage.ModelSentiment {
		return nil // sentiment models are not built yet; the lexicon serves
	}
	loaded, err := Load(m.Blob, tr.Segmenter)
	if err != nil {
		return &triage.Error{Code: triage.EINVALID, Message: fmt.Sprintf("model %s (%s) does not load", m.ID, m.Version), Err: err}
	}
	for {
		old := tr.models.Load()
		next := &activeModels{}
		if old != nil {
			*next = *old
		}
		switch m.Kind {
		case triage.ModelCategory:
			next.category = loaded
		case triage.ModelPriority:
			next.priority = loaded
		default:
			return triage.Invalid("kind", "unknown model kind %q", m.Kind)
		}
		if tr.models.CompareAndSwap(old, next) {
			return nil
		}
	}
}

// LoadModels loads the store's active models, as at start.
func (tr *Triager) LoadModels(ctx context.Context, r triage.Reader) error {
	for _, kind := range []string{triage.ModelCategory, triage.ModelPriority} {
		m, err := r.ActiveModel(ctx, kind)
		if triage.IsCode(err, triage.ENOTFOUND) {
			continue
		} else if err != nil {
			return err
		}
		if err := tr.UseModel(m); err != nil {
			// The lexicon and the rules still triage; a start must not
			// wait for a model someone has to retrain.
			if tr.Skip == nil {
				return err
			}
			tr.Skip(triage.SkipModel, m.ID, err)
		}
	}
	return nil
}

// ModelVersions reports the versions in use, "" for none.
func (tr *Triager) ModelVersions() (category, priority string) {
	if m := tr.models.Load(); m != nil {
		if m.category != nil {
			category = m.category.Version()
		}
		if m.priority != nil {
			priority = m.priority.Version()
		}
	}
	return category, priority
}

// Input is one ticket as triage sees it.
type Input struct {
	Title, Body   string
	Channel       triage.Channel
	Tier          string
	RecentTickets int
	Neighbours    []triage.Neighbour
	// ManualCategory and ManualPriority are values the client set; they win.
	ManualCategory string
	ManualPriority triage.Priority
}

// Result is triage's decision before routing.
type Result struct {
	Category     triage.Decision
	Priority     triage.Decision
	Tags         []string
	NeedsReview  bool
	ModelVersion string
	Explain      triage.Explain
}

// Decide runs the pure part of triage: normalisation, segmentation, rules,
// the models and the priority signals. It does no I/O, so its cost is what
// the benchmark measures.
func (tr *Triager) Decide(in Input, rules *RuleSet) Result {
	start := time.Now()
	seg := newMemo(tr.Segmenter)
	text := TicketText(in.Title, in.Body)
	norm := seg.Normalize(text)
	words := seg.Words(text)
	timings := map[string]int{"segment": int(time.Since(start).Microseconds())}

	var res Result
	t0 := time.Now()
	var rr RuleResult
	if rules != nil {
		rr = rules.Match(RuleInput{Text: norm, Channel: in.Channel, Tier: in.Tier})
	}
	res.Tags = rr.Tags
	res.Explain.Rules = rr.Hits
	timings["rules"] = int(time.Since(t0).Microseconds())

	t0 = time.Now()
	models := tr.models.Load()
	if models == nil {
		models = &activeModels{}
	}
	var probs []triage.Scored
	if models.category != nil {
		probs = models.category.predictWith(seg, text).Classes
		res.ModelVersion = models.category.Version()
		res.Explain.Model = top(probs, 5)
	}
	res.Category, res.NeedsReview = tr.decideCategory(in, rr, probs)
	res.Explain.Neighbours = in.Neighbours

	var priorityProbs []triage.Scored
	if models.priority != nil {
		priorityProbs = models.priority.predictWith(seg, text).Classes
	}
	timings["model"] = int(time.Since(t0).Microseconds())

	t0 = time.Now()
	scorer := tr.Sentiment
	if scorer == nil {
		scorer = DefaultLexicon()
	}
	res.Priority, res.Explain.Signals = ExplainPriority(PriorityInput{
		Text: norm, Words: words, Tier: in.Tier, Rule: rr.Priority, Sentiment: scorer.Sentiment(norm, words),
		RecentTickets: in.RecentTickets, Model: priorityProbs, Manual: in.ManualPriority,
	})
	timings["priority"] = int(time.Since(t0).Microseconds())
	res.Explain.Timings = timings
	return res
}

// decideCategory combines the rules, the model and the neighbours' votes.
func (tr *Triager) decideCategory(in Input, rr RuleResult, probs []triage.Scored) (triage.Decision, bool) {
	if in.ManualCategory != "" {
		return triage.Decision{Value: in.ManualCategory, Confidence: 1, Source: "manual", Top: top(probs, 3), Why: triage.Reasons{triage.NewReason(triage.ReasonCategoryManual)}}, false
	}
	if rr.Category != "" {
		return triage.Decision{Value: rr.Category, Confidence: 1, Source: "rule", Top: top(probs, 3),
			Why: triage.Reasons{triage.NewReason(triage.ReasonCategoryRule, rr.CategoryRule)}}, false
	}
	if len(probs) == 0 && len(rr.Biases) == 0 && len(in.Neighbours) == 0 {
		return triage.Decision{Source: "default", Why: triage.Reasons{triage.NewReason(triage.ReasonCategoryNoModel)}}, true
	}
	scores := map[string]float64{}
	for _, p := range probs {
		scores[p.Value] = p.Score
	}
	var why triage.Reasons
	source := "model"
	if len(probs) > 0 {
		why = append(why, triage.NewReason(triage.ReasonCategoryModel, probs[0].Value, probs[0].Score))
	}
	if votes, n := voteShares(in.Neighbours); n > 0 {
		w := tr.VoteWeight
		if w <= 0 {
			w = DefaultVoteWeight
		}
		if len(probs) == 0 {
			w = 1
		}
		for c := range scores {
			scores[c] *= 1 - w
		}
		for c, v := range votes {
			scores[c] += w * v
		}
		why = append(why, triage.NewReason(triage.ReasonCategoryNeighbours, n, w))
		if len(probs) == 0 {
			source = "similar"
		}
	}
	if len(rr.Biases) > 0 {
		for _, b := range rr.Biases {
			scores[b.Category] += b.Weight
			why = append(why, triage.NewReason(triage.ReasonCategoryRuleBias, b.Rules, b.Weight, b.Category))
		}
		var sum float64
		for _, v := range scores {
			sum += v
		}
		for c := range scores {
			scores[c] /= sum
		}
		if len(probs) == 0 {
			source = "rule"
		}
	}
	ranked := make([]triage.Scored, 0, len(scores))
	for c, v := range scores {
		ranked = append(ranked, triage.Scored{Value: c, Score: v})
	}
	slices.SortFunc(ranked, func(a, b triage.Scored) int {
		if n := cmp.Compare(b.Score, a.Score); n != 0 {
			return n
		}
		return cmp.Compare(a.Value, b.Value)
	})
	d := triage.Decision{Value: ranked[0].Value, Confidence: ranked[0].Score, Source: source, Top: top(ranked, 3), Why: why}
	if d.Confidence < tr.threshold() {
		d.Why = append(d.Why, triage.NewReason(triage.ReasonCategoryBelowThreshold, d.Value, d.Confidence, tr.threshold()))
		d.Value = ""
		return d, true
	}
	return d, false
}

// voteShares turns neighbours into each category's share of the similarity.
func voteShares(ns []triage.Neighbour) (map[string]float64, int) {
	votes := map[string]float64{}
	var sum float64
	n := 0
	for _, nb := range ns {
		if nb.Category == "" || nb.Similarity <= 0 {
			continue
		}
		votes[nb.Category] += nb.Similarity
		sum += nb.Similarity
		n++
	}
	for c := range votes {
		votes[c] /= sum
	}
	return votes, n
}

func top(s []triage.Scored, n int) []triage.Scored {
	return slices.Clone(s[:min(n, len(s))])
}

// Triage decides a new ticket inside its creating transaction: it reads the
// rules and the requester's recent tickets there, applies the decision to t
// unless the client set a field by hand, routes it, and returns the record
// and the history of what it set.
func (tr *Triager) Triage(ctx context.Context, tx triage.Tx, t *triage.Ticket, manual triage.Manual) (_ *triage.TriageRecord, _ []*triage.HistoryEntry, err error) {
	ctx, end := tr.Trace.Start(ctx, triage.SpanTriage)
	defer func() { end(err) }()
	pctx, endPrepare := tr.Trace.Start(ctx, triage.SpanTriagePrepare)
	in, rules, err := tr.prepare(pctx, tx, t, manual)
	endPrepare(err)
	if err != nil {
		return nil, nil, err
	}
	_, endClassify := tr.Trace.Start(ctx, triage.SpanTriageClassify)
	res := tr.Decide(in, rules)
	endClassify(nil, triage.Attr(triage.AttrTriageCategory, res.Category.Value), triage.Attr(triage.AttrConfidence, res.Category.Confidence),
		triage.Attr(triage.AttrTriagePriority, res.Priority.Value), triage.Attr(triage.AttrNeedsReview, res.NeedsReview))
	rec := &triage.TriageRecord{Category: res.Category, Priority: res.Priority, NeedsReview: res.NeedsReview && !manual.Category, ModelVersion: res.ModelVersion, Explanation: res.Explain}
	var hist []*triage.HistoryEntry
	note := func(field, old, new string, why triage.Reasons) {
		if old != new {
			hist = append(hist, &triage.HistoryEntry{TicketID: t.ID, Actor: "system:triage", At: t.CreatedAt, Field: field, Old: old, New: new, Why: why})
		}
	}
	if !manual.Category {
		note("category", t.Category, res.Category.Value, res.Category.Why)
		t.Category, t.NeedsReview = res.Category.Value, res.NeedsReview
	}
	if !manual.Priority {
		note("priority", string(t.Priority), res.Priority.Value, res.Priority.Why)
		t.Priority = triage.Priority(res.Priority.Value)
	}
	if tags := mergeTags(t.Tags, res.Tags); len(tags) != len(t.Tags) {
		note("tags", strings.Join(t.Tags, ","), strings.Join(tags, ","), triage.Reasons{triage.NewReason(triage.ReasonTriageTagsFromRules)})
		t.Tags = tags
	}
	rctx, endRoute := tr.Trace.Start(ctx, triage.SpanTriageRoute)
	assignee, err := tr.route(rctx, tx, t, manual)
	endRoute(err, triage.Attr(triage.AttrAssigned, t.AssigneeID != ""))
	if err != nil {
		return nil, nil, err
	}
	rec.Assignee, rec.Explanation.Candidates = assignee.decision, assignee.options
	if !manual.Assignee {
		note("assignee_id", "", t.AssigneeID, assignee.decision.Why)
	}
	if !manual.Team {
		why := triage.Reasons{triage.NewReason(triage.ReasonRouteQueueTeamSet)}
		if assignee.team.Code != "" {
			why = triage.Reasons{assignee.team}
		}
		note("team_id", "", t.TeamID, why)
	}
	return rec, hist, nil
}

// prepare gathers, inside the transaction, what Decide needs.
// ActiveRules is the compiled rule set of the stored rules.
func (tr *Triager) ActiveRules(ctx context.Context, r triage.Reader) (*RuleSet, error) {
	ruleList, err := r.Rules(ctx)
	if err != nil {
		return nil, err
	}
	return tr.rules.get(ruleList, tr.Skip)
}

func (tr *Triager) prepare(ctx context.Context, r triage.Reader, t *triage.Ticket, manual triage.Manual) (Input, *RuleSet, error) {
	in := Input{Title: t.Title, Body: t.Body, Channel: t.Channel, Tier: t.Requester.Tier}
	if manual.Category {
		in.ManualCategory = t.Category
	}
	if manual.Priority {
		in.ManualPriority = t.Priority
	}
	ruleList, err := r.Rules(ctx)
	if err != nil {
		return in, nil, err
	}
	rules, err := tr.rules.get(ruleList, tr.Skip)
	if err != nil {
		return in, nil, err
	}
	if id := requesterKey(t.Requester); id != "" {
		window := tr.RepeatWindow
		if window <= 0 {
			window = DefaultRepeatWindow
		}
		n, err := r.CountTickets(ctx, triage.TicketFilter{RequesterID: id, CreatedFrom: tr.now().Add(-window)})
		if err != nil {
			return in, nil, err
		}
		in.RecentTickets = n
		// A stored ticket (version 1 on) counts itself: take it out. A new
		// one, which every create triages, is not stored yet, and reading
		// it back would only cost the writer a lookup that finds nothing.
		if t.ID != "" && t.Version > 0 && n > 0 {
			if _, err := r.Ticket(ctx, t.ID); err == nil {
				in.RecentTickets--
			}
		}
	}
	if f, ok := ctx.Value(foundKey{}).(found); ok && f.text == TicketText(t.Title, t.Body) {
		in.Neighbours = f.neighbours
	} else if tr.Neighbours != nil {
		ns, err := tr.Neighbours(ctx, TicketText(t.Title, t.Body), Neighbours)
		if err != nil {
			// Similar tickets only sharpen the decision; an index that is
			// still catching up must not stop intake.
			ns = nil
		}
		in.Neighbours = ns
	}
	return in, rules, nil
}

// foundKey carries, in a context, what Lookup found for a ticket's text.
type foundKey struct{}

type found struct {
	text       string
	neighbours []triage.Neighbour
}

// Lookup finds the resolved tickets similar to t before its creating
// transaction begins, and returns a context that hands them to Triage. The
// search reads the index, not the store, so it needs no transaction; run
// inside one it would hold the store's single writer (SQLite) while it
// runs, and every other write would wait for it.
func (tr *Triager) Lookup(ctx context.Context, t *triage.Ticket) context.Context {
	if tr.Neighbours == nil {
		return ctx
	}
	text := TicketText(t.Title, t.Body)
	ns, err := tr.Neighbours(ctx, text, Neighbours)
	if err != nil {
		ns = nil // as in prepare: similar tickets only sharpen the decision
	}
	return context.WithValue(ctx, foundKey{}, found{text: text, neighbours: ns})
}

func requesterKey(r triage.Requester) string {
	if r.Email != "" {
		return r.Email
	}
	return r.Phone
}

func mergeTags(have, add []string) []string {
	out := slices.Clone(have)
	for _, t := range add {
		if !slices.Contains(out, t) && len(out) < triage.MaxTags {
			out = append(out, t)
		}
	}
	return out
}

type routed struct {
	decision triage.Decision
	options  []triage.AgentOption
	team     triage.Reason // how the ticket's team was found
}

// route assigns t, or explains what routing would have done when a person
// already chose.
func (tr *Triager) route(ctx context.Context, tx triage.Tx, t *triage.Ticket, manual triage.Manual) (routed, error) {
	r := tr.Router
	if r == nil {
		r = &Router{}
	}
	if manual.Assignee {
		agents, loads, teams, err := r.snapshot(ctx, tx)
		if err != nil {
			return routed{}, err
		}
		c := r.ChooseIn(t.TeamID, t.Category, agents, loads, teams)
		why := triage.Reasons{triage.NewReason(triage.ReasonRouteManual)}
		if c.Agent != nil && c.Agent.ID != t.AssigneeID {
			why = append(why, triage.NewReason(triage.ReasonRouteWouldHave, c.Agent.Name))
		}
		// A ticket assigned by hand still belongs to a team: the one it
		// came with, else its assignee's, else the one owning its category.
		var team triage.Reason
		if t.TeamID == "" {
			if id := teamOf(t.AssigneeID, teams); id != "" {
				t.TeamID, team = id, triage.NewReason(triage.ReasonRouteTeamOfAgent, teamName(teams, id))
			} else if c.TeamID != "" {
				t.TeamID, team = c.TeamID, c.TeamWhy
			}
		}
		return routed{triage.Decision{Value: t.AssigneeID, Confidence: 1, Source: "manual", Why: why}, c.Candidates, team}, nil
	}
	d, opts, team, err := r.assign(ctx, tx, t)
	return routed{d, opts, team}, err
}

// Preview runs triage on a text without storing anything: what a ticket
// would get, for the rules dry-run and the admin UI.
func (tr *Triager) Preview(ctx context.Context, r triage.Reader, t *triage.Ticket) (*triage.TriageRecord, error) {
	in, rules, err := tr.prepare(ctx, r, t, triage.Manual{})
	if err != nil {
		return nil, err
	}
	res := tr.Decide(in, rules)
	rec := &triage.TriageRecord{Category: res.Category, Priority: res.Priority, NeedsReview: res.NeedsReview, ModelVersion: res.ModelVersion, Explanation: res.Explain}
	agents, err := r.Agents(ctx)
	if err != nil {
		return nil, err
	}
	loads, err := r.AgentLoads(ctx)
	if err != nil {
		return nil, err
	}
	teams, err := r.Teams(ctx)
	if err != nil {
		return nil, err
	}
	router := tr.Router
	if router == nil {
		router = &Router{}
	}
	c := router.Choose(res.Category.Value, agents, loads, teams)
	rec.Explanation.Candidates = c.Candidates
	if c.Agent != nil {
		rec.Assignee = triage.Decision{Value: c.Agent.ID, Confidence: 1, Source: "routing", Why: triage.Reasons{triage.NewReason(triage.ReasonRoutePreview, c.Agent.Name)}}
	} else {
		rec.Assignee = triage.Decision{Source: "queue", Why: triage.Reasons{triage.NewReason(triage.ReasonRoutePreviewQueue)}}
	}
	return rec, nil
}
