package report

import (
	"context"

	"github.com/triagehq/triage"
)

// AccuracyRow is how often triage's prediction at intake matched the
// value a group's tickets had when they closed. Accuracy is correct /
// predicted, in percent; predictions set by hand are not triage's and
// are left out; an abstention is a category triage left to a person, and
// the abstain rate is abstentions / closed tickets.
type AccuracyRow struct {
	Key               string   `json:"key"`
	Label             string   `json:"label"`
	Closed            int      `json:"closed"`
	CategoryPredicted int      `json:"category_predicted"`
	CategoryCorrect   int      `json:"category_correct"`
	CategoryAccuracy  *float64 `json:"category_accuracy"`
	CategoryAbstained int      `json:"category_abstained"`
	AbstainRate       *float64 `json:"abstain_rate"`
	PriorityPredicted int      `json:"priority_predicted"`
	PriorityCorrect   int      `json:"priority_correct"`
	PriorityAccuracy  *float64 `json:"priority_accuracy"`
	AssigneePredicted int      `json:"assignee_predicted"`
	AssigneeCorrect   int      `json:"assignee_correct"`
	AssigneeAccuracy  *float64 `json:"assignee_accuracy"`
}

func (r *AccuracyRow) add(a triage.AccuracyStats) {
	r.Closed += a.Closed
	r.CategoryPredicted += a.CategoryPredicted
	r.CategoryCorrect += a.CategoryCorrect
	r.CategoryAbstained += a.CategoryAbstained
	r.PriorityPredicted += a.PriorityPredicted
	r.PriorityCorrect += a.PriorityCorrect
	r.AssigneePredicted += a.AssigneePredicted
	r.AssigneeCorrect += a.AssigneeCorrect
	r.CategoryAccuracy = rate(r.CategoryCorrect, r.CategoryPredicted)
	r.AbstainRate = rate(r.CategoryAbstained, r.Closed)
	r.PriorityAccuracy = rate(r.PriorityCorrect, r.PriorityPredicted)
	r.AssigneeAccuracy = rate(r.AssigneeCorrect, r.AssigneePredicted)
}

// Accuracy is the triage accuracy report over tickets closed in the
// window (merged ones left out); a category group is the final category,
// so each row is that class's recall.
func (s *Service) Accuracy(ctx context.Context, in Query) (*Report[AccuracyRow], error) {
	q, err := s.store(in)
	if err != nil {
		return nil, err
	}
	stats, err := s.Store.ReportAccuracy(ctx, q)
	if err != nil {
		return nil, err
	}
	l, err := s.labels(ctx, q.Group)
	if err != nil {
		return nil, err
	}
	rep := &Report[AccuracyRow]{Header: s.header("accuracy", q), Rows: []AccuracyRow{}, Total: AccuracyRow{Key: "total", Label: "合计"}}
	for _, a := range stats {
		row := AccuracyRow{Key: a.Key, Label: l.label(a.Key)}
		row.add(a)
		rep.Rows = append(rep.Rows, row)
		rep.Total.add(a)
	}
	return rep, nil
}

// AcceptanceRow sums agents' verdicts on suggestions (KB articles,
// similar tickets and drafts) and on drafts alone. Accepted rate is
// accepted / all verdicts; used rate counts edited as used too.
type AcceptanceRow struct {
	Key               string   `json:"key"`
	Label             string   `json:"label"`
	Verdicts          int      `json:"verdicts"`
	Accepted          int      `json:"accepted"`
	Edited            int      `json:"edited"`
	Rejected          int      `json:"rejected"`
	AcceptedRate      *float64 `json:"accepted_rate"`
	UsedRate          *float64 `json:"used_rate"`
	DraftVerdicts     int      `json:"draft_verdicts"`
	DraftAccepted     int      `json:"draft_accepted"`
	DraftEdited       int      `json:"draft_edited"`
	DraftRejected     int      `json:"draft_rejected"`
	DraftAcceptedRate *float64 `json:"draft_accepted_rate"`
	DraftUsedRate     *float64 `json:"draft_used_rate"`
}

func (r *AcceptanceRow) add(f triage.FeedbackStats) {
	r.Accepted += f.Accepted
	r.Edited += f.Edited
	r.Rejected += f.Rejected
	r.DraftAccepted += f.DraftAccepted
	r.DraftEdited += f.DraftEdited
	r.DraftRejected += f.DraftRejected
	r.Verdicts = r.Accepted + r.Edited + r.Rejected
	r.DraftVerdicts = r.DraftAccepted + r.DraftEdited + r.DraftRejected
	r.AcceptedRate = rate(r.Accepted, r.Verdicts)
	r.UsedRate = rate(r.Accepted+r.Edited, r.Verdicts)
	r.DraftAcceptedRate = rate(r.DraftAccepted, r.DraftVerdicts)
	r.DraftUsedRate = rate(r.DraftAccepted+r.DraftEdited, r.DraftVerdicts)
}

// Acceptance is the suggestion acceptance report over verdicts given in
// the window. It counts in the store rather than through FeedbackCounts,
// which has neither an end to its window nor groups. An agent group is
// the agent who gave the verdict; the agent filter means that agent too.
func (s *Service) Acceptance(ctx context.Context, in Query) (*Report[AcceptanceRow], error) {
	q, err := s.store(in)
	if err != nil {
		return nil, err
	}
	stats, err := s.Store.ReportFeedback(ctx, q)
	if err != nil {
		return nil, err
	}
	l, err := s.labels(ctx, q.Group)
	if err != nil {
		return nil, err
	}
	rep := &Report[AcceptanceRow]{Header: s.header("acceptance", q), Rows: []AcceptanceRow{}, Total: AcceptanceRow{Key: "total", Label: "合计"}}
	for _, f := range stats {
		row := AcceptanceRow{Key: f.Key, Label: l.label(f.Key)}
		row.add(f)
		rep.Rows = append(rep.Rows, row)
		rep.Total.add(f)
	}
	return rep, nil
}
