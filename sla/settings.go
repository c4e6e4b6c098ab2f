package sla

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// Settings keeps the workflow settings an admin changes on the admin
// screens (issue 14's review of knowledge-base changes, issue 20's closing
// of solved tickets), with the audit trail of every change. They live here
// beside the closing they govern; the knowledge base reads kb_review from
// the store itself. Its zero value is not usable; set Store.
type Settings struct {
	Store triage.Store
	// Defaults are the settings until an admin saves them: what the
	// service was started with (serve's --kb-review and
	// --close-solved-after).
	Defaults triage.WorkflowSettings
	// Changed runs after a save that changed something, outside its
	// transaction (the SLA service's close sweep, which schedules the
	// closing of tickets solved before).
	Changed func(ctx context.Context, s triage.WorkflowSettings) error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// MaxSettingChanges is how many changes Get returns with the settings.
const MaxSettingChanges = 50

// Get returns the settings in force and their latest changes.
func (s *Settings) Get(ctx context.Context) (triage.WorkflowSettings, []*triage.SettingChange, error) {
	saved, err := s.Store.WorkflowSettings(ctx)
	if err != nil {
		return triage.WorkflowSettings{}, nil, err
	}
	changes, err := s.Store.SettingChanges(ctx, MaxSettingChanges)
	if err != nil {
		return triage.WorkflowSettings{}, nil, err
	}
	return saved.Or(s.Defaults), changes, nil
}

// Update changes the settings at version ifMatch (0: any) and records each
// setting that changed, with who changed it, in the audit trail.
func (s *Settings) Update(ctx context.Context, ifMatch int, u triage.WorkflowSettingsUpdate) (triage.WorkflowSettings, error) {
	if u.KBReview.Set && u.KBReview.Null {
		return triage.WorkflowSettings{}, triage.Invalid("kb_review", "kb_review must be true or false")
	}
	after := ""
	if u.CloseSolvedAfter.Set {
		if u.CloseSolvedAfter.Null {
			return triage.WorkflowSettings{}, triage.Invalid("close_solved_after", "close_solved_after must be a business time such as 4d or 36h, or off")
		}
		after = strings.TrimSpace(u.CloseSolvedAfter.V)
		t, err := ParseCloseSolved(after)
		if err != nil {
			return triage.WorkflowSettings{}, err
		}
		after = "off"
		if t != nil {
			after = t.String()
		}
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	now = triage.StoreTime(now)
	actor := triage.ActorFromContext(ctx)
	changed := false
	out, err := triage.Write(ctx, s.Store, nil, now, nil, func(tx triage.Tx) (triage.WorkflowSettings, error) {
		saved, err := tx.WorkflowSettings(ctx)
		if err != nil {
			return triage.WorkflowSettings{}, err
		}
		cur := saved.Or(s.Defaults)
		if err := triage.CheckVersion("workflow settings", cur.Version, ifMatch); err != nil {
			return triage.WorkflowSettings{}, err
		}
		next := cur
		if u.KBReview.Set {
			next.KBReview = u.KBReview.V
		}
		if u.CloseSolvedAfter.Set {
			next.CloseSolvedAfter = after
		}
		var diffs []*triage.SettingChange
		if next.KBReview != cur.KBReview {
			diffs = append(diffs, &triage.SettingChange{Setting: "kb_review", From: strconv.FormatBool(cur.KBReview), To: strconv.FormatBool(next.KBReview)})
		}
		if next.CloseSolvedAfter != cur.CloseSolvedAfter {
			diffs = append(diffs, &triage.SettingChange{Setting: "close_solved_after", From: cur.CloseSolvedAfter, To: next.CloseSolvedAfter})
		}
		if len(diffs) == 0 {
			return cur, nil
		}
		next.UpdatedBy, next.UpdatedAt = actor, now
		if err := tx.PutWorkflowSettings(ctx, &next); err != nil {
			return triage.WorkflowSettings{}, err
		}
		for _, c := range diffs {
			c.ID, c.Actor, c.At = triage.NewID(), actor, now
			if err := tx.AddSettingChange(ctx, c); err != nil {
				return triage.WorkflowSettings{}, err
			}
		}
		changed = true
		return next, nil
	})
	if err != nil || !changed || s.Changed == nil {
		return out, err
	}
	if err := s.Changed(ctx, out); err != nil {
		return out, fmt.Errorf("the settings were saved, but %w", err)
	}
	return out, nil
}
