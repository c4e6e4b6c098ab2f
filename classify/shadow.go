package classify

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/triagehq/triage"
)

// Shadower runs candidate models beside the active ones (shadow mode): on
// every new ticket each running trial predicts with both the model that
// was active when the trial started and the candidate, in process, and
// neither prediction changes the ticket. Safe for concurrent use.
type Shadower struct {
	Segmenter triage.Segmenter
	// Triager decides with a candidate rule set; rule-set trials need it.
	Triager *Triager
	trials  atomic.Pointer[map[string]*shadowTrial] // by kind
}

type shadowTrial struct {
	shadow            *triage.Shadow
	active, candidate *Model   // active nil when the kind had no model
	rules             *RuleSet // the candidate rule set of a rule-set trial
}

// Start loads a trial's models and runs it from the next ticket on,
// replacing a trial of the same kind. A model that does not load is
// refused and leaves the running trials as they were.
func (s *Shadower) Start(sh *triage.Shadow, candidate, active *triage.Model) error {
	tr := &shadowTrial{shadow: sh}
	var err error
	if sh.RuleTrial() {
		if s.Triager == nil {
			return triage.Errorf(triage.EUNAVAILABLE, "rule-set trials need the triager")
		}
		rules := make([]*triage.Rule, len(sh.CandidateRules))
		for i, nr := range sh.CandidateRules {
			rules[i] = triage.RuleFromNew(nr, fmt.Sprintf("candidate-%d", i+1), sh.StartedAt)
			rules[i].Position = i + 1
		}
		if tr.rules, err = CompileRules(rules); err != nil {
			return &triage.Error{Code: triage.EINVALID, Field: "candidate_rules", Message: "the candidate rules do not compile", Err: err}
		}
		s.swap(func(m map[string]*shadowTrial) { m[sh.Kind] = tr })
		return nil
	}
	if tr.candidate, err = Load(candidate.Blob, s.Segmenter); err != nil {
		return &triage.Error{Code: triage.EINVALID, Field: "candidate_id", Message: fmt.Sprintf("model %s (%s) does not load", candidate.ID, candidate.Version), Err: err}
	}
	if active != nil {
		if tr.active, err = Load(active.Blob, s.Segmenter); err != nil {
			return &triage.Error{Code: triage.EINVALID, Message: fmt.Sprintf("the active model %s (%s) does not load", active.ID, active.Version), Err: err}
		}
	}
	s.swap(func(m map[string]*shadowTrial) { m[sh.Kind] = tr })
	return nil
}

// Stop ends the trial id if it is running; another trial is left alone.
func (s *Shadower) Stop(id string) {
	s.swap(func(m map[string]*shadowTrial) {
		for k, tr := range m {
			if tr.shadow.ID == id {
				delete(m, k)
			}
		}
	})
}

func (s *Shadower) swap(change func(map[string]*shadowTrial)) {
	for {
		old := s.trials.Load()
		next := map[string]*shadowTrial{}
		if old != nil {
			for k, v := range *old {
				next[k] = v
			}
		}
		change(next)
		if s.trials.CompareAndSwap(old, &next) {
			return
		}
	}
}

// Running lists the ids of the running trials.
func (s *Shadower) Running() []string {
	var out []string
	if m := s.trials.Load(); m != nil {
		for _, tr := range *m {
			out = append(out, tr.shadow.ID)
		}
	}
	return out
}

// Load starts the store's running trials, as at start. A trial whose
// models do not load is skipped (reported to skip when set): a start must
// not wait for a trial somebody can discard.
func (s *Shadower) Load(ctx context.Context, r triage.Reader, skip func(kind triage.SkipKind, id string, err error)) error {
	list, err := r.Shadows(ctx)
	if err != nil {
		return err
	}
	for _, sh := range list {
		if sh.Status != triage.ShadowRunning {
			continue
		}
		err := s.startStored(ctx, r, sh)
		if err != nil && skip == nil {
			return err
		} else if err != nil {
			skip(triage.SkipModel, sh.CandidateID, err)
		}
	}
	return nil
}

func (s *Shadower) startStored(ctx context.Context, r triage.Reader, sh *triage.Shadow) error {
	if sh.RuleTrial() {
		return s.Start(sh, nil, nil)
	}
	cand, err := r.Model(ctx, sh.CandidateID)
	if err != nil {
		return err
	}
	var active *triage.Model
	if sh.ActiveID != "" {
		if active, err = r.Model(ctx, sh.ActiveID); err != nil {
			return err
		}
	}
	return s.Start(sh, cand, active)
}

// Predict returns one prediction pair per running trial for a new ticket,
// leaving out a kind whose value the client set by hand (not a
// prediction, so nothing to compare). It reads only the stored rules, for
// a rule-set trial, from r: the transaction creating the ticket.
func (s *Shadower) Predict(ctx context.Context, r triage.Reader, t *triage.Ticket, manual triage.Manual) ([]*triage.ShadowPrediction, error) {
	m := s.trials.Load()
	if m == nil || len(*m) == 0 {
		return nil, nil
	}
	text := TicketText(t.Title, t.Body)
	var out []*triage.ShadowPrediction
	for kind, tr := range *m {
		if (kind == triage.ModelCategory && manual.Category) || (kind == triage.ModelPriority && manual.Priority) {
			continue
		}
		p := &triage.ShadowPrediction{ShadowID: tr.shadow.ID, TicketID: t.ID, CreatedAt: t.CreatedAt}
		if tr.rules != nil {
			active, err := s.Triager.ActiveRules(ctx, r)
			if err != nil {
				return nil, err
			}
			in := Input{Title: t.Title, Body: t.Body, Channel: t.Channel, Tier: t.Requester.Tier}
			p.Active, p.ActiveConfidence = shadowField(kind, s.Triager.Decide(in, active))
			p.Candidate, p.CandidateConfidence = shadowField(kind, s.Triager.Decide(in, tr.rules))
			out = append(out, p)
			continue
		}
		if tr.active != nil {
			a := tr.active.Predict(text)
			p.Active, p.ActiveConfidence = a.Label, a.Probability
		}
		c := tr.candidate.Predict(text)
		p.Candidate, p.CandidateConfidence = c.Label, c.Probability
		out = append(out, p)
	}
	return out, nil
}

// shadowField is a decision's value of the field on trial, or its best
// guess where triage abstained, as live accuracy scores it.
func shadowField(kind string, res Result) (string, float64) {
	d := res.Category
	if kind == triage.ModelPriority {
		d = res.Priority
	}
	if d.Value == "" && len(d.Top) > 0 {
		return d.Top[0].Value, d.Top[0].Score
	}
	return d.Value, d.Confidence
}
