package eval

import (
	"context"
	"math"
	"slices"

	"github.com/triagehq/triage"
)

// KindShadow names a shadow comparison report.
const KindShadow = "shadow"

// Significance is the level under which McNemar's p-value calls the
// difference between the two models significant.
const Significance = 0.05

// McNemarExactBelow is the number of discordant tickets under which
// McNemar's test is the exact binomial one; from it on, the chi-square
// with continuity correction is close enough.
const McNemarExactBelow = 25

// MaxShadowDisagreements bounds the listed tickets where the models
// disagree; Disagree counts them all.
const MaxShadowDisagreements = 500

// ShadowReport compares a shadow trial's candidate with the active model
// on the trial's tickets that are closed, against the values at close.
type ShadowReport struct {
	Kind   string         `json:"kind"` // "shadow"
	Shadow *triage.Shadow `json:"shadow"`
	// Predictions counts the tickets the trial predicted; Open those not
	// closed yet (nothing to score against); NoFinal closed ones whose
	// field was empty at close; Scored the rest.
	Predictions int            `json:"predictions"`
	Open        int            `json:"open"`
	NoFinal     int            `json:"no_final"`
	Scored      int            `json:"scored"`
	Active      ShadowSide     `json:"active"`
	Candidate   ShadowSide     `json:"candidate"`
	Classes     []ShadowClass  `json:"classes"`
	McNemar     McNemar        `json:"mcnemar"`
	Disagree    int            `json:"disagree"`
	Tickets     []ShadowTicket `json:"disagreements"`
}

// ShadowSide scores one of the two models.
type ShadowSide struct {
	ModelID  string  `json:"model_id,omitempty"`
	Version  string  `json:"version,omitempty"`
	Right    int     `json:"right"`
	Accuracy float64 `json:"accuracy"`
	MacroF1  float64 `json:"macro_f1"`
}

// ShadowClass sets the two models side by side on one class.
type ShadowClass struct {
	Class     string     `json:"class"`
	Support   int        `json:"support"`
	Active    ClassScore `json:"active"`
	Candidate ClassScore `json:"candidate"`
}

// ShadowTicket is a closed ticket where the two models disagreed.
type ShadowTicket struct {
	TicketID  string `json:"ticket_id"`
	Title     string `json:"title"`
	Final     string `json:"final"`
	Active    string `json:"active"`
	Candidate string `json:"candidate"`
}

// McNemar is McNemar's test on the paired outcomes: ActiveOnly tickets the
// active model got right and the candidate wrong, CandidateOnly the other
// way round. Method is "exact" (two-sided binomial) or "chi2" (with
// continuity correction); Statistic is the chi-square value (0 for exact).
// Better names the model that was right more often when Significant.
type McNemar struct {
	ActiveOnly    int     `json:"active_only"`
	CandidateOnly int     `json:"candidate_only"`
	Method        string  `json:"method"`
	Statistic     float64 `json:"statistic"`
	PValue        float64 `json:"p_value"`
	Significant   bool    `json:"significant"`
	Better        string  `json:"better,omitempty"`
}

// McNemarTest runs McNemar's test on b (first right, second wrong) and c
// (the reverse) discordant pairs.
func McNemarTest(b, c int) McNemar {
	m := McNemar{ActiveOnly: b, CandidateOnly: c}
	n := b + c
	switch {
	case n == 0:
		m.Method, m.PValue = "exact", 1
	case n < McNemarExactBelow:
		m.Method = "exact"
		k := min(b, c)
		// Two-sided: twice the smaller tail of Binomial(n, 1/2), capped
		// at 1. Sum in log space so large n cannot overflow.
		var tail float64
		for i := 0; i <= k; i++ {
			tail += math.Exp(logChoose(n, i) - float64(n)*math.Ln2)
		}
		m.PValue = min(1, 2*tail)
	default:
		m.Method = "chi2"
		d := math.Abs(float64(b-c)) - 1
		m.Statistic = d * d / float64(n)
		// The chi-square survival function with one degree of freedom.
		m.PValue = math.Erfc(math.Sqrt(m.Statistic / 2))
	}
	m.Significant = m.PValue < Significance
	if m.Significant {
		m.Better = "active"
		if c > b {
			m.Better = "candidate"
		}
	}
	return m
}

func logChoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// ShadowCompare reports on one trial. It only reads.
func ShadowCompare(ctx context.Context, r triage.Reader, id string) (*ShadowReport, error) {
	sh, err := r.Shadow(ctx, id)
	if err != nil {
		return nil, err
	}
	preds, err := r.ShadowPredictions(ctx, id)
	if err != nil {
		return nil, err
	}
	rep := &ShadowReport{Kind: KindShadow, Shadow: sh, Predictions: len(preds), Tickets: []ShadowTicket{}, Classes: []ShadowClass{},
		Active:    ShadowSide{ModelID: sh.ActiveID, Version: sh.ActiveVersion},
		Candidate: ShadowSide{ModelID: sh.CandidateID, Version: sh.CandidateVersion}}
	var gold, act, cand []string
	b, c := 0, 0
	for _, p := range preds {
		t, err := r.Ticket(ctx, p.TicketID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			// Merged away or deleted: no value at close.
			rep.NoFinal++
			continue
		} else if err != nil {
			return nil, err
		}
		if t.Status != triage.StatusClosed {
			rep.Open++
			continue
		}
		final := t.Category
		if sh.Kind == triage.ModelPriority {
			final = string(t.Priority)
		}
		if final == "" {
			rep.NoFinal++
			continue
		}
		a, k := orNone(p.Active), orNone(p.Candidate)
		gold, act, cand = append(gold, final), append(act, a), append(cand, k)
		switch {
		case a == final && k != final:
			b++
		case k == final && a != final:
			c++
		}
		if a != k {
			rep.Disagree++
			if len(rep.Tickets) < MaxShadowDisagreements {
				rep.Tickets = append(rep.Tickets, ShadowTicket{TicketID: t.ID, Title: t.Title, Final: final, Active: a, Candidate: k})
			}
		}
	}
	rep.Scored = len(gold)
	as, err := ScoreLabels(gold, act)
	if err != nil {
		return nil, err
	}
	cs, err := ScoreLabels(gold, cand)
	if err != nil {
		return nil, err
	}
	rep.Active.Accuracy, rep.Active.MacroF1, rep.Active.Right = as.Accuracy, as.MacroF1, rep.Scored-countWrong(gold, act)
	rep.Candidate.Accuracy, rep.Candidate.MacroF1, rep.Candidate.Right = cs.Accuracy, cs.MacroF1, rep.Scored-countWrong(gold, cand)
	labels := map[string]bool{}
	for l := range as.PerClass {
		labels[l] = true
	}
	for l := range cs.PerClass {
		labels[l] = true
	}
	for _, l := range sortedKeys(labels) {
		rep.Classes = append(rep.Classes, ShadowClass{Class: l, Support: max(as.PerClass[l].Support, cs.PerClass[l].Support),
			Active: as.PerClass[l], Candidate: cs.PerClass[l]})
	}
	slices.SortStableFunc(rep.Classes, func(x, y ShadowClass) int { return y.Support - x.Support })
	rep.McNemar = McNemarTest(b, c)
	return rep, nil
}

func countWrong(gold, pred []string) int {
	n := 0
	for i := range gold {
		if gold[i] != pred[i] {
			n++
		}
	}
	return n
}
