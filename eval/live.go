package eval

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/triagehq/triage"
)

// LiveOptions configure a live evaluation.
type LiveOptions struct {
	// Since keeps tickets created at or after it (and feedback given
	// since); zero means all.
	Since    time.Time
	Progress func(stage string, done, total int)
}

// LiveReport sets what triage predicted at intake against the values at
// close, on the service's own closed tickets, and sums the agents'
// verdicts on suggestions.
type LiveReport struct {
	Kind  string `json:"kind"` // "live"
	Since string `json:"since,omitempty"`
	// Closed counts the closed tickets read; NoRecord those of them that
	// have no triage record (created before triage ran, or imported).
	Closed      int          `json:"closed"`
	NoRecord    int          `json:"no_record"`
	Fields      []LiveField  `json:"fields"`
	Suggestions LiveFeedback `json:"suggestions"`
}

// LiveField scores one triaged field (category, priority, assignee).
//
// Predicted is triage's best guess even where it abstained (the model's top
// class, kept in the record), so the accuracy, per-class table, confusion
// matrix and calibration describe the model; AccuracyAsSet is what the
// customer got: an abstention left the field to a person and counts as
// wrong. Abstain holds the service's own abstentions at the threshold in
// force at intake, not a recomputed one.
type LiveField struct {
	Field string `json:"field"`
	// Manual counts tickets whose field was set by hand at creation: not
	// a prediction, so not scored. NoFinal counts closed tickets whose
	// field was empty at close: nothing to score against.
	Manual        int     `json:"manual"`
	NoFinal       int     `json:"no_final"`
	Abstained     int     `json:"abstained"`
	AccuracyAsSet float64 `json:"accuracy_as_set"`
	ClassificationScores
	// ByModel scores each model version that made predictions, oldest
	// name first, so a retrained model can be told from the old one.
	ByModel []ModelAccuracy `json:"by_model,omitempty"`
}

// ModelAccuracy is the accuracy of one model version on live tickets.
type ModelAccuracy struct {
	Version  string  `json:"version"`
	Tickets  int     `json:"tickets"`
	Accuracy float64 `json:"accuracy"`
}

// LiveFeedback sums the verdicts agents gave on suggested sources and
// drafts.
type LiveFeedback struct {
	Total KindFeedback   `json:"total"`
	Kinds []KindFeedback `json:"kinds"`
	// MostRejected are the sources agents rejected most, worst first.
	MostRejected []triage.FeedbackCount `json:"most_rejected,omitempty"`
}

// KindFeedback sums the verdicts on one kind of source.
type KindFeedback struct {
	Kind     string `json:"kind"`
	Sources  int    `json:"sources"`
	Accepted int    `json:"accepted"`
	Edited   int    `json:"edited"`
	Rejected int    `json:"rejected"`
	// AcceptanceRate is accepted over all verdicts; UsefulRate counts an
	// edited suggestion as useful too.
	AcceptanceRate float64 `json:"acceptance_rate"`
	UsefulRate     float64 `json:"useful_rate"`
}

// Unpredicted stands for a decision with no value and no candidate at all
// (no model yet, or a queue with nobody eligible).
const Unpredicted = "(none)"

// liveField reads one field of a ticket and its decision.
type liveField struct {
	name     string
	final    func(t *triage.Ticket) string
	decision func(r *triage.TriageRecord) triage.Decision
}

func liveFields() []liveField {
	return []liveField{
		{"category", func(t *triage.Ticket) string { return t.Category }, func(r *triage.TriageRecord) triage.Decision { return r.Category }},
		{"priority", func(t *triage.Ticket) string { return string(t.Priority) }, func(r *triage.TriageRecord) triage.Decision { return r.Priority }},
		{"assignee", func(t *triage.Ticket) string { return t.AssigneeID }, func(r *triage.TriageRecord) triage.Decision { return r.Assignee }},
	}
}

// Live evaluates the closed tickets of a store. It only reads.
func Live(ctx context.Context, r triage.Reader, o LiveOptions) (*LiveReport, error) {
	rep := &LiveReport{Kind: KindLive}
	if !o.Since.IsZero() {
		rep.Since = o.Since.UTC().Format(time.RFC3339)
	}
	total, err := r.CountTickets(ctx, triage.TicketFilter{Status: []triage.Status{triage.StatusClosed}, CreatedFrom: o.Since})
	if err != nil {
		return nil, err
	}
	names, err := agentNames(ctx, r)
	if err != nil {
		return nil, err
	}
	fields := liveFields()
	outcomes := make([][]ClassOutcome, len(fields))
	abstained := make([][]bool, len(fields))
	versions := make([][]string, len(fields))
	stats := make([]LiveField, len(fields))
	for i, f := range fields {
		stats[i].Field = f.name
	}
	cursor := ""
	for {
		page, next, err := r.Tickets(ctx, triage.TicketFilter{Status: []triage.Status{triage.StatusClosed}, CreatedFrom: o.Since, Cursor: cursor, Limit: triage.MaxPageSize})
		if err != nil {
			return nil, err
		}
		for _, t := range page {
			rep.Closed++
			rec, err := r.TriageRecord(ctx, t.ID)
			if triage.IsCode(err, triage.ENOTFOUND) {
				rep.NoRecord++
				continue
			} else if err != nil {
				return nil, err
			}
			for i, f := range fields {
				d, final := f.decision(rec), f.final(t)
				switch {
				case d.Source == "manual":
					stats[i].Manual++
					continue
				case final == "":
					stats[i].NoFinal++
					continue
				}
				o := liveOutcome(d, final)
				if f.name == "assignee" {
					o = renameOutcome(o, names)
				}
				if d.Value == "" {
					stats[i].Abstained++
				}
				outcomes[i] = append(outcomes[i], o)
				abstained[i] = append(abstained[i], d.Value == "")
				versions[i] = append(versions[i], rec.ModelVersion)
			}
		}
		if o.Progress != nil {
			o.Progress("tickets", rep.Closed, total)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	// Newest first is the store's order; score oldest first so examples
	// and ties read in the order the tickets came.
	for i := range fields {
		slices.Reverse(outcomes[i])
		slices.Reverse(abstained[i])
		slices.Reverse(versions[i])
		s, err := scoreLive(stats[i], outcomes[i], abstained[i], versions[i])
		if err != nil {
			return nil, err
		}
		rep.Fields = append(rep.Fields, s)
	}
	counts, err := r.FeedbackCounts(ctx, o.Since)
	if err != nil {
		return nil, err
	}
	rep.Suggestions = summarizeFeedback(counts)
	return rep, nil
}

// liveOutcome turns a decision and the value at close into an outcome.
func liveOutcome(d triage.Decision, final string) ClassOutcome {
	o := ClassOutcome{Gold: final, Predicted: d.Value, Confidence: min(max(d.Confidence, 0), 1)}
	for _, s := range d.Top {
		o.Ranked = append(o.Ranked, s.Value)
	}
	if o.Predicted == "" && len(o.Ranked) > 0 {
		o.Predicted = o.Ranked[0]
	}
	if o.Predicted == "" {
		o.Predicted, o.Confidence = Unpredicted, 0
	}
	if len(o.Ranked) == 0 || o.Ranked[0] != o.Predicted {
		o.Ranked = append([]string{o.Predicted}, o.Ranked...)
	}
	return o
}

// renameOutcome shows agents by name: an admin reads a confusion matrix of
// people, not of ids.
func renameOutcome(o ClassOutcome, names map[string]string) ClassOutcome {
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
	o.Gold, o.Predicted = name(o.Gold), name(o.Predicted)
	ranked := make([]string, len(o.Ranked))
	for i, id := range o.Ranked {
		ranked[i] = name(id)
	}
	o.Ranked = ranked
	return o
}

// agentNames maps agent ids to names, falling back to the id where two
// agents share a name, so that two people never merge into one row.
func agentNames(ctx context.Context, r triage.Reader) (map[string]string, error) {
	agents, err := r.Agents(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	for _, a := range agents {
		seen[a.Name]++
	}
	out := map[string]string{}
	for _, a := range agents {
		if a.Name != "" && seen[a.Name] == 1 {
			out[a.ID] = a.Name
		}
	}
	return out, nil
}

func scoreLive(s LiveField, outcomes []ClassOutcome, abstained []bool, versions []string) (LiveField, error) {
	scores, err := ScoreClassification(outcomes, 0)
	if err != nil {
		return s, err
	}
	s.ClassificationScores = scores
	answered, right := 0, 0
	byModel := map[string]*ModelAccuracy{}
	for i, o := range outcomes {
		m := byModel[versions[i]]
		if m == nil {
			m = &ModelAccuracy{Version: versions[i]}
			byModel[versions[i]] = m
		}
		m.Tickets++
		if o.Gold == o.Predicted {
			m.Accuracy++
		}
		if !abstained[i] {
			answered++
			if o.Gold == o.Predicted {
				right++
			}
		}
	}
	for _, v := range sortedKeys(byModel) {
		m := byModel[v]
		m.Accuracy /= float64(m.Tickets)
		s.ByModel = append(s.ByModel, *m)
	}
	s.AccuracyAsSet = ratio(float64(right), float64(len(outcomes)))
	s.Abstain = AbstainScore{
		Answered:         answered,
		AbstainRate:      ratio(float64(len(outcomes)-answered), float64(len(outcomes))),
		AnsweredAccuracy: ratio(float64(right), float64(answered)),
	}
	return s, nil
}

// summarizeFeedback totals verdicts per kind of source.
func summarizeFeedback(counts []triage.FeedbackCount) LiveFeedback {
	kinds := map[string]*KindFeedback{}
	var out LiveFeedback
	out.Total.Kind = "all"
	for _, c := range counts {
		k := kinds[c.SourceKind]
		if k == nil {
			k = &KindFeedback{Kind: c.SourceKind}
			kinds[c.SourceKind] = k
		}
		for _, t := range []*KindFeedback{k, &out.Total} {
			t.Sources++
			t.Accepted += c.Accepted
			t.Edited += c.Edited
			t.Rejected += c.Rejected
		}
		if c.Rejected > 0 && len(out.MostRejected) < 10 {
			out.MostRejected = append(out.MostRejected, c)
		}
	}
	for _, name := range sortedKeys(kinds) {
		out.Kinds = append(out.Kinds, *kinds[name])
	}
	out.Kinds = append(out.Kinds, out.Total)
	for i := range out.Kinds {
		k := &out.Kinds[i]
		n := float64(k.Accepted + k.Edited + k.Rejected)
		k.AcceptanceRate = ratio(float64(k.Accepted), n)
		k.UsefulRate = ratio(float64(k.Accepted+k.Edited), n)
	}
	out.Total = out.Kinds[len(out.Kinds)-1]
	out.Kinds = out.Kinds[:len(out.Kinds)-1]
	slices.SortStableFunc(out.MostRejected, func(a, b triage.FeedbackCount) int {
		return cmp.Or(cmp.Compare(b.Rejected, a.Rejected), cmp.Compare(a.SourceKind, b.SourceKind), cmp.Compare(a.SourceID, b.SourceID))
	})
	return out
}
