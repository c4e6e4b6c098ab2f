package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/triagehq/triage"
)

const ruleColumns = `
	id, name, position, enabled,
	any_words, all_words, none_words, regex, channels, tiers,
	set_category, set_priority, add_tags, mode, weight, stop, match_negated,
	created_at, updated_at, version`

// scanRule reads one row selected with ruleColumns.
func scanRule(row interface{ Scan(...any) error }) (*triage.Rule, error) {
	var r triage.Rule
	err := row.Scan(
		&r.ID, &r.Name, &r.Position, &r.Enabled,
		jsonCol{&r.Any}, jsonCol{&r.All}, jsonCol{&r.None}, &r.Regex, jsonCol{&r.Channels}, jsonCol{&r.Tiers},
		&r.SetCategory, &r.SetPriority, jsonCol{&r.AddTags}, &r.Mode, &r.Weight, &r.Stop, &r.MatchNegated,
		timeCol{&r.CreatedAt}, timeCol{&r.UpdatedAt}, &r.Version,
	)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Rule returns one keyword rule.
func (s queries) Rule(ctx context.Context, id string) (*triage.Rule, error) {
	row := s.q.QueryRowContext(ctx, `SELECT `+ruleColumns+` FROM rules WHERE id = ?`, id)
	r, err := scanRule(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("rule", id)
	} else if err != nil {
		return nil, dbError("rule", err)
	}
	return r, nil
}

// Rules returns every rule in evaluation order: by position, then id.
func (s queries) Rules(ctx context.Context) ([]*triage.Rule, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+ruleColumns+` FROM rules ORDER BY position, id`)
	if err != nil {
		return nil, dbError("rules", err)
	}
	defer rows.Close()
	out := []*triage.Rule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, dbError("rules", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("rules", err)
	}
	return out, nil
}

// CreateRule inserts r at version 1. The store does not validate rules
// (Rule.Validate does, in the service); it stores what it is given.
func (tx *Tx) CreateRule(ctx context.Context, r *triage.Rule) error {
	if err := triage.Required("id", r.ID); err != nil {
		return err
	}
	r.AsStored()
	l, err := ruleJSON(r)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO rules (`+ruleColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		r.ID, r.Name, r.Position, r.Enabled,
		l.any, l.all, l.none, r.Regex, l.channels, l.tiers,
		r.SetCategory, r.SetPriority, l.addTags, r.Mode, r.Weight, r.Stop, r.MatchNegated,
		micros(r.CreatedAt), micros(r.UpdatedAt))
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "rule %s already exists", r.ID)
	} else if err != nil {
		return dbError("create rule", err)
	}
	r.Version = 1
	return tx.logChange(ctx, "rule", r.ID, "create")
}

// UpdateRule stores r if the stored version is still r.Version, and then
// increments r.Version. CreatedAt stays as created.
func (tx *Tx) UpdateRule(ctx context.Context, r *triage.Rule) error {
	if err := triage.Required("id", r.ID); err != nil {
		return err
	}
	r.AsStored()
	l, err := ruleJSON(r)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE rules SET
			name = ?, position = ?, enabled = ?,
			any_words = ?, all_words = ?, none_words = ?, regex = ?, channels = ?, tiers = ?,
			set_category = ?, set_priority = ?, add_tags = ?, mode = ?, weight = ?, stop = ?, match_negated = ?,
			updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		r.Name, r.Position, r.Enabled,
		l.any, l.all, l.none, r.Regex, l.channels, l.tiers,
		r.SetCategory, r.SetPriority, l.addTags, r.Mode, r.Weight, r.Stop, r.MatchNegated,
		micros(r.UpdatedAt), r.ID, r.Version)
	if err != nil {
		return dbError("update rule", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update rule", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "rules", "rule", r.ID, r.Version)
	}
	r.Version++
	return tx.logChange(ctx, "rule", r.ID, "update")
}

// DeleteRule removes a rule if it is still at version.
func (tx *Tx) DeleteRule(ctx context.Context, id string, version int) error {
	if err := triage.Required("id", id); err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM rules WHERE id = ? AND version = ?`, id, version)
	if err != nil {
		return dbError("delete rule", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("delete rule", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "rules", "rule", id, version)
	}
	return tx.logChange(ctx, "rule", id, "delete")
}

// ruleLists are the stored forms of a rule's lists.
type ruleLists struct {
	any, all, none, channels, tiers, addTags string
}

func ruleJSON(r *triage.Rule) (l ruleLists, err error) {
	for _, c := range []struct {
		dst *string
		v   any
	}{
		{&l.any, r.Any}, {&l.all, r.All}, {&l.none, r.None},
		{&l.channels, r.Channels}, {&l.tiers, r.Tiers}, {&l.addTags, r.AddTags},
	} {
		if *c.dst, err = jsonText(c.v); err != nil {
			return ruleLists{}, err
		}
	}
	return l, nil
}
