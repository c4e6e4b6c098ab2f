package postgres

import (
	"context"
	"errors"
	"github.com/jackc/pgx/v5"
	"time"

	"github.com/triagehq/triage"
)

const shadowColumns = `id, kind, candidate_id, candidate_version, candidate_rules, active_id, active_version, status, started_by, started_at, ended_by, ended_at`

func scanShadow(row interface{ Scan(...any) error }) (*triage.Shadow, error) {
	var s triage.Shadow
	err := row.Scan(&s.ID, &s.Kind, &s.CandidateID, &s.CandidateVersion, &s.CandidateRules, &s.ActiveID, &s.ActiveVersion, &s.Status,
		&s.StartedBy, &s.StartedAt, &s.EndedBy, &s.EndedAt)
	if err != nil {
		return nil, err
	}
	s.AsStored()
	return &s, nil
}

// Shadow returns one shadow trial.
func (s queries) Shadow(ctx context.Context, id string) (*triage.Shadow, error) {
	sh, err := scanShadow(s.q.QueryRow(ctx, `SELECT `+shadowColumns+` FROM shadows WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("shadow", id)
	} else if err != nil {
		return nil, dbError("shadow", err)
	}
	return sh, nil
}

// Shadows lists the trials, newest first.
func (s queries) Shadows(ctx context.Context) ([]*triage.Shadow, error) {
	rows, err := s.q.Query(ctx, `SELECT `+shadowColumns+` FROM shadows ORDER BY started_at DESC, id DESC`)
	if err != nil {
		return nil, dbError("shadows", err)
	}
	defer rows.Close()
	out := []*triage.Shadow{}
	for rows.Next() {
		sh, err := scanShadow(rows)
		if err != nil {
			return nil, dbError("shadows", err)
		}
		out = append(out, sh)
	}
	return out, dbError("shadows", rows.Err())
}

// ShadowPredictions lists a trial's predictions in ticket creation order.
func (s queries) ShadowPredictions(ctx context.Context, shadowID string) ([]*triage.ShadowPrediction, error) {
	rows, err := s.q.Query(ctx, `
		SELECT shadow_id, ticket_id, active, active_confidence, candidate, candidate_confidence, created_at
		FROM shadow_predictions WHERE shadow_id = $1 ORDER BY created_at, ticket_id`, shadowID)
	if err != nil {
		return nil, dbError("shadow predictions", err)
	}
	defer rows.Close()
	out := []*triage.ShadowPrediction{}
	for rows.Next() {
		var p triage.ShadowPrediction
		if err := rows.Scan(&p.ShadowID, &p.TicketID, &p.Active, &p.ActiveConfidence, &p.Candidate, &p.CandidateConfidence, &p.CreatedAt); err != nil {
			return nil, dbError("shadow predictions", err)
		}
		p.CreatedAt = triage.StoreTime(p.CreatedAt)
		out = append(out, &p)
	}
	return out, dbError("shadow predictions", rows.Err())
}

// CreateShadow stores a running trial; ECONFLICT when its kind has one.
func (tx *Tx) CreateShadow(ctx context.Context, s *triage.Shadow) error {
	if err := triage.Required("id", s.ID); err != nil {
		return err
	}
	if (s.CandidateID == "") == (s.CandidateRules == nil) {
		return triage.Invalid("candidate_id", "a shadow tries a model (candidate_id) or a rule set (candidate_rules), one of them")
	}
	rules, err := jsonb(s.CandidateRules)
	if err != nil {
		return dbError("create shadow", err)
	}
	s.AsStored()
	s.Status, s.EndedBy, s.EndedAt = triage.ShadowRunning, "", nil
	_, err = tx.tx.Exec(ctx, `INSERT INTO shadows (`+shadowColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL)`,
		s.ID, s.Kind, s.CandidateID, s.CandidateVersion, rules, s.ActiveID, s.ActiveVersion, string(s.Status), s.StartedBy, s.StartedAt, "")
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "a %s shadow is running already (or shadow %s exists)", s.Kind, s.ID)
	} else if err != nil {
		return dbError("create shadow", err)
	}
	return tx.logChange(ctx, "shadow", s.ID, "create")
}

// EndShadow promotes or discards a running trial.
func (tx *Tx) EndShadow(ctx context.Context, id string, status triage.ShadowStatus, by string, at time.Time) error {
	if status != triage.ShadowPromoted && status != triage.ShadowDiscarded {
		return triage.Invalid("status", "a shadow ends promoted or discarded, not %q", status)
	}
	res, err := tx.tx.Exec(ctx, `UPDATE shadows SET status = $1, ended_by = $2, ended_at = $3 WHERE id = $4 AND status = 'running'`,
		string(status), by, triage.StoreTime(at), id)
	if err != nil {
		return dbError("end shadow", err)
	}
	if res.RowsAffected() == 0 {
		if _, err := tx.Shadow(ctx, id); err != nil {
			return err
		}
		return triage.Errorf(triage.ECONFLICT, "shadow %s is not running", id)
	}
	return tx.logChange(ctx, "shadow", id, "update")
}

// SaveShadowPrediction stores one ticket's pair of predictions.
func (tx *Tx) SaveShadowPrediction(ctx context.Context, p *triage.ShadowPrediction) error {
	if err := triage.Required("ticket_id", p.TicketID); err != nil {
		return err
	}
	p.CreatedAt = triage.StoreTime(p.CreatedAt)
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO shadow_predictions (shadow_id, ticket_id, active, active_confidence, candidate, candidate_confidence, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		p.ShadowID, p.TicketID, p.Active, p.ActiveConfidence, p.Candidate, p.CandidateConfidence, p.CreatedAt)
	switch {
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "shadow %s has a prediction for ticket %s already", p.ShadowID, p.TicketID)
	case pgCode(err) == codeForeignKeyViolation:
		return triage.NotFound("shadow", p.ShadowID)
	case err != nil:
		return dbError("save shadow prediction", err)
	}
	return nil
}
