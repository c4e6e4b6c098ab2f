package desk

import (
	"context"
	"errors"
	"fmt"

	"github.com/triagehq/triage"
)

// ShadowRunner runs candidate models beside the active ones (shadow mode).
// Predict runs inside the ticket's creating transaction and must not reach
// outside the process: it is in-process model inference, nothing more.
type ShadowRunner interface {
	Start(sh *triage.Shadow, candidate, active *triage.Model) error
	Stop(id string)
	Predict(ctx context.Context, r triage.Reader, t *triage.Ticket, manual triage.Manual) ([]*triage.ShadowPrediction, error)
}

// recordShadow stores the running trials' predictions for a new ticket.
// It reads nothing from the ticket but its text and never changes it.
func (s *Service) recordShadow(ctx context.Context, tx triage.Tx, t *triage.Ticket, manual triage.Manual) error {
	if s.Shadow == nil {
		return nil
	}
	ps, err := s.Shadow.Predict(ctx, tx, t, manual)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if err := tx.SaveShadowPrediction(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// NewShadow asks for a candidate to run in shadow: a stored model
// (CandidateID) or a whole rule set (CandidateRules) that would replace
// the stored rules. Kind is the field compared: category (default) or
// priority; a model must be of that kind.
type NewShadow struct {
	Kind           string           `json:"kind"`
	CandidateID    string           `json:"candidate_id"`
	CandidateRules []triage.NewRule `json:"candidate_rules"`
}

// MaxCandidateRules bounds a candidate rule set.
const MaxCandidateRules = 500

// candidateRules validates a candidate rule set as rules are validated
// when created, naming the field of the rule at fault.
func (s *Service) candidateRules(in []triage.NewRule) ([]triage.NewRule, error) {
	if len(in) > MaxCandidateRules {
		return nil, triage.Invalid("candidate_rules", "a candidate rule set has at most %d rules", MaxCandidateRules)
	}
	out := make([]triage.NewRule, len(in))
	for i, nr := range in {
		r := triage.RuleFromNew(nr, "candidate", s.now())
		if err := r.Validate(s.Normalize); err != nil {
			var e *triage.Error
			if errors.As(err, &e) && e.Field != "" {
				return nil, triage.Invalid(fmt.Sprintf("candidate_rules[%d].%s", i, e.Field), "%s", e.Message)
			}
			return nil, err
		}
		// Keep what validation normalised; positions are the list's order.
		nr.Name, nr.Any, nr.All, nr.None, nr.Regex, nr.AddTags, nr.Mode = r.Name, r.Any, r.All, r.None, r.Regex, r.AddTags, r.Mode
		nr.Position, nr.Enabled = i+1, &r.Enabled
		out[i] = nr
	}
	return out, nil
}

// StartShadow starts a trial of a stored, inactive model against the
// active model of its kind. The models are loaded before the trial
// commits, so a model that does not load is refused.
func (s *Service) StartShadow(ctx context.Context, in NewShadow) (*triage.Shadow, error) {
	if in.Kind == "" {
		in.Kind = triage.ModelCategory
	}
	if in.Kind != triage.ModelCategory && in.Kind != triage.ModelPriority {
		return nil, triage.Invalid("kind", "kind %q is not category or priority", in.Kind)
	}
	rules := in.CandidateRules != nil
	switch {
	case rules && in.CandidateID != "":
		return nil, triage.Invalid("candidate_rules", "a shadow tries a model (candidate_id) or a rule set (candidate_rules), not both")
	case rules:
		var err error
		if in.CandidateRules, err = s.candidateRules(in.CandidateRules); err != nil {
			return nil, err
		}
	default:
		if err := triage.Required("candidate_id", in.CandidateID); err != nil {
			return nil, err
		}
	}
	var started *triage.Shadow
	sh, err := write(ctx, s, nil, nil, func(tx triage.Tx) (*triage.Shadow, error) {
		if rules {
			sh := &triage.Shadow{ID: triage.NewID(), Kind: in.Kind, CandidateRules: in.CandidateRules, StartedBy: actor(ctx), StartedAt: s.now()}
			if err := tx.CreateShadow(ctx, sh); err != nil {
				return nil, err
			}
			if s.Shadow != nil {
				if err := s.Shadow.Start(sh, nil, nil); err != nil {
					return nil, err
				}
				started = sh
			}
			return sh, nil
		}
		cand, err := tx.Model(ctx, in.CandidateID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return nil, triage.Invalid("candidate_id", "there is no stored model %q", in.CandidateID)
		} else if err != nil {
			return nil, err
		}
		switch {
		case cand.Kind != in.Kind:
			return nil, triage.Invalid("candidate_id", "model %s is a %s model, not %s", cand.ID, cand.Kind, in.Kind)
		case cand.Active:
			return nil, triage.Invalid("candidate_id", "model %s is the active %s model already", cand.ID, cand.Kind)
		}
		sh := &triage.Shadow{ID: triage.NewID(), Kind: in.Kind, CandidateID: cand.ID, CandidateVersion: cand.Version,
			StartedBy: actor(ctx), StartedAt: s.now()}
		active, err := tx.ActiveModel(ctx, in.Kind)
		if triage.IsCode(err, triage.ENOTFOUND) {
			active = nil
		} else if err != nil {
			return nil, err
		} else {
			sh.ActiveID, sh.ActiveVersion = active.ID, active.Version
		}
		if err := tx.CreateShadow(ctx, sh); err != nil {
			return nil, err
		}
		if s.Shadow != nil {
			if err := s.Shadow.Start(sh, cand, active); err != nil {
				return nil, err
			}
			started = sh
		}
		return sh, nil
	})
	if err != nil && started != nil {
		// The trial did not commit: take it out of the runner again.
		s.Shadow.Stop(started.ID)
	}
	return sh, err
}

// PromoteShadow makes a running trial's candidate the active model of its
// kind and ends the trial as promoted, in one transaction: the trial's
// record says who promoted it and when.
func (s *Service) PromoteShadow(ctx context.Context, id string) (*triage.Shadow, error) {
	sh, err := write(ctx, s, nil, nil, func(tx triage.Tx) (*triage.Shadow, error) {
		sh, err := s.runningShadow(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if sh.RuleTrial() {
			if err := s.replaceRules(ctx, tx, sh.CandidateRules); err != nil {
				return nil, err
			}
			return s.endShadow(ctx, tx, sh, triage.ShadowPromoted)
		}
		m, err := tx.Model(ctx, sh.CandidateID)
		if err != nil {
			return nil, err
		}
		if s.ModelSink != nil {
			if err := s.ModelSink.UseModel(m); err != nil {
				return nil, err
			}
		}
		if err := tx.ActivateModel(ctx, m.ID); err != nil {
			return nil, err
		}
		return s.endShadow(ctx, tx, sh, triage.ShadowPromoted)
	})
	if err == nil && s.Shadow != nil {
		s.Shadow.Stop(id)
	}
	return sh, err
}

// DiscardShadow ends a running trial without changing the active model.
func (s *Service) DiscardShadow(ctx context.Context, id string) (*triage.Shadow, error) {
	sh, err := write(ctx, s, nil, nil, func(tx triage.Tx) (*triage.Shadow, error) {
		sh, err := s.runningShadow(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		return s.endShadow(ctx, tx, sh, triage.ShadowDiscarded)
	})
	if err == nil && s.Shadow != nil {
		s.Shadow.Stop(id)
	}
	return sh, err
}

// replaceRules makes a candidate rule set the stored rules: every stored
// rule is deleted and the candidate's are created in its order, in the
// promoting transaction.
func (s *Service) replaceRules(ctx context.Context, tx triage.Tx, rules []triage.NewRule) error {
	old, err := tx.Rules(ctx)
	if err != nil {
		return err
	}
	for _, r := range old {
		if err := tx.DeleteRule(ctx, r.ID, r.Version); err != nil {
			return err
		}
	}
	for i, nr := range rules {
		r := triage.RuleFromNew(nr, triage.NewID(), s.now())
		r.Position = i + 1
		if err := r.Validate(s.Normalize); err != nil {
			return err
		}
		if err := tx.CreateRule(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) runningShadow(ctx context.Context, tx triage.Tx, id string) (*triage.Shadow, error) {
	sh, err := tx.Shadow(ctx, id)
	if err != nil {
		return nil, err
	}
	if sh.Status != triage.ShadowRunning {
		return nil, triage.Errorf(triage.ECONFLICT, "shadow %s is %s already", id, sh.Status)
	}
	return sh, nil
}

func (s *Service) endShadow(ctx context.Context, tx triage.Tx, sh *triage.Shadow, status triage.ShadowStatus) (*triage.Shadow, error) {
	at := s.now()
	if err := tx.EndShadow(ctx, sh.ID, status, actor(ctx), at); err != nil {
		return nil, err
	}
	sh.Status, sh.EndedBy, sh.EndedAt = status, actor(ctx), &at
	sh.AsStored()
	return sh, nil
}

// Shadows lists the trials, newest first.
func (s *Service) Shadows(ctx context.Context) ([]*triage.Shadow, error) {
	return s.Store.Shadows(ctx)
}
