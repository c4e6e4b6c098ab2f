package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const ruleColumns = `
	id, name, position, enabled,
	any_words, all_words, none_words, regex, channels, tiers,
	set_category, set_priority, add_tags, mode, weight, stop, match_negated,
	created_at, updated_at, version`

// scanRule reads one row selected with ruleColumns.
func scanRule(row pgx.Row) (*triage.Rule, error) {
	var r triage.Rule
	err := row.Scan(
		&r.ID, &r.Name, &r.Position, &r.Enabled,
		&r.Any, &r.All, &r.None, &r.Regex, &r.Channels, &r.Tiers,
		&r.SetCategory, &r.SetPriority, &r.AddTags, &r.Mode, &r.Weight, &r.Stop, &r.MatchNegated,
		&r.CreatedAt, &r.UpdatedAt, &r.Version,
	)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Rule returns one keyword rule.
func (s queries) Rule(ctx context.Context, id string) (*triage.Rule, error) {
	r, err := scanRule(s.q.QueryRow(ctx, `SELECT `+ruleColumns+` FROM rules WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("rule", id)
	} else if err != nil {
		return nil, dbError("rule", err)
	}
	return r, nil
}

// Rules returns every rule in evaluation order: by position, then id.
func (s queries) Rules(ctx context.Context) ([]*triage.Rule, error) {
	rows, err := s.q.Query(ctx, `SELECT `+ruleColumns+` FROM rules ORDER BY position, id`)
	return collect(rows, err, "rules", func(r pgx.Rows) (*triage.Rule, error) { return scanRule(r) })
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
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO rules (`+ruleColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 1)`,
		r.ID, r.Name, r.Position, r.Enabled,
		l.any, l.all, l.none, r.Regex, l.channels, l.tiers,
		r.SetCategory, string(r.SetPriority), l.addTags, string(r.Mode), r.Weight, r.Stop, r.MatchNegated,
		r.CreatedAt, r.UpdatedAt)
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
	tag, err := tx.tx.Exec(ctx, `
		UPDATE rules SET
			name = $1, position = $2, enabled = $3,
			any_words = $4, all_words = $5, none_words = $6, regex = $7, channels = $8, tiers = $9,
			set_category = $10, set_priority = $11, add_tags = $12, mode = $13, weight = $14, stop = $15, match_negated = $16,
			updated_at = $17, version = version + 1
		WHERE id = $18 AND version = $19`,
		r.Name, r.Position, r.Enabled,
		l.any, l.all, l.none, r.Regex, l.channels, l.tiers,
		r.SetCategory, string(r.SetPriority), l.addTags, string(r.Mode), r.Weight, r.Stop, r.MatchNegated,
		r.UpdatedAt, r.ID, r.Version)
	if err != nil {
		return dbError("update rule", err)
	}
	if tag.RowsAffected() == 0 {
		return tx.staleOrMissing(ctx, "rules", "rule", r.ID, r.Version)
	}
	r.Version++
	return tx.logChange(ctx, "rule", r.ID, "update")
}

// DeleteRule removes a rule if it is still at version.
func (tx *Tx) DeleteRule(ctx context.Context, id string, version int) error {
	return tx.deleteVersioned(ctx, "rules", "rule", id, version)
}

// ruleLists are the stored forms of a rule's lists.
type ruleLists struct {
	any, all, none, channels, tiers, addTags []byte
}

func ruleJSON(r *triage.Rule) (l ruleLists, err error) {
	for _, c := range []struct {
		dst *[]byte
		v   any
	}{
		{&l.any, r.Any}, {&l.all, r.All}, {&l.none, r.None},
		{&l.channels, r.Channels}, {&l.tiers, r.Tiers}, {&l.addTags, r.AddTags},
	} {
		if *c.dst, err = jsonb(c.v); err != nil {
			return ruleLists{}, err
		}
	}
	return l, nil
}
