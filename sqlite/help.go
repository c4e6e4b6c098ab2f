package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/triagehq/triage"
)

// ArticleVoteCounts sums the help centre's votes cast at or after since,
// per article: most unhelpful first, then by article id. A zero since
// counts them all.
func (s queries) ArticleVoteCounts(ctx context.Context, since time.Time) ([]triage.ArticleVoteCount, error) {
	rows, err := s.q.QueryContext(ctx, `
		SELECT article_id, SUM(helpful = 1), SUM(helpful = 0) AS unhelpful
		FROM article_votes
		WHERE created_at >= ?
		GROUP BY article_id
		ORDER BY unhelpful DESC, article_id`, micros(since))
	if err != nil {
		return nil, dbError("article vote counts", err)
	}
	defer rows.Close()
	out := []triage.ArticleVoteCount{}
	for rows.Next() {
		var c triage.ArticleVoteCount
		if err := rows.Scan(&c.ArticleID, &c.Helpful, &c.Unhelpful); err != nil {
			return nil, dbError("article vote counts", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("article vote counts", err)
	}
	return out, nil
}

// AddArticleVote stores one vote. It needs an id and an article id
// (EINVALID otherwise); an unknown article is ENOTFOUND and a used id
// ECONFLICT. Votes are not in the change log: nothing derived follows
// them, and anonymous readers must not be able to flood it.
func (tx *Tx) AddArticleVote(ctx context.Context, v *triage.ArticleVote) error {
	if err := triage.Required("id", v.ID); err != nil {
		return err
	}
	if err := triage.Required("article_id", v.ArticleID); err != nil {
		return err
	}
	v.CreatedAt = triage.StoreTime(v.CreatedAt)
	_, err := tx.tx.ExecContext(ctx, `
		INSERT INTO article_votes (id, article_id, helpful, created_at)
		VALUES (?, ?, ?, ?)`, v.ID, v.ArticleID, v.Helpful, micros(v.CreatedAt))
	switch {
	case sqliteCode(err) == codeConstraintForeignKey:
		return triage.NotFound("article", v.ArticleID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "vote %s already exists", v.ID)
	case err != nil:
		return dbError("add article vote", err)
	}
	return nil
}

// HelpSettings returns the help centre's branding, or the zero settings
// when none were ever put.
func (s queries) HelpSettings(ctx context.Context) (*triage.HelpSettings, error) {
	var h triage.HelpSettings
	err := s.q.QueryRowContext(ctx, `
		SELECT company_name, logo_type, logo, ask_category, confirm_email, widget_origins, sms_url, sms_secret, updated_at FROM help_settings WHERE id = 1`).
		Scan(&h.CompanyName, &h.LogoType, &h.Logo, &h.AskCategory, &h.ConfirmEmail, jsonCol{&h.WidgetOrigins}, &h.SMSWebhookURL, &h.SMSSecret, timeCol{&h.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return &triage.HelpSettings{WidgetOrigins: []string{}}, nil
	} else if err != nil {
		return nil, dbError("help settings", err)
	}
	h.SMSSecretHint = triage.SecretHint(h.SMSSecret)
	return &h, nil
}

// PutHelpSettings replaces the branding and logs (help_settings, 1,
// update). The store takes the settings as given
// (triage.ValidateHelpSettings is the service's job).
func (tx *Tx) PutHelpSettings(ctx context.Context, h *triage.HelpSettings) error {
	h.UpdatedAt = triage.StoreTime(h.UpdatedAt)
	if h.Logo == nil {
		h.Logo = []byte{}
	}
	_, err := tx.tx.ExecContext(ctx, `
		INSERT INTO help_settings (id, company_name, logo_type, logo, ask_category, confirm_email, widget_origins, sms_url, sms_secret, updated_at)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			company_name = excluded.company_name, logo_type = excluded.logo_type,
			logo = excluded.logo, ask_category = excluded.ask_category, confirm_email = excluded.confirm_email,
			widget_origins = excluded.widget_origins, sms_url = excluded.sms_url, sms_secret = excluded.sms_secret,
			updated_at = excluded.updated_at`,
		h.CompanyName, h.LogoType, h.Logo, h.AskCategory, h.ConfirmEmail, originsJSON(h), h.SMSWebhookURL, h.SMSSecret, micros(h.UpdatedAt))
	if err != nil {
		return dbError("put help settings", err)
	}
	return tx.logChange(ctx, "help_settings", "1", "update")
}

// originsJSON is the widget origins as stored: a JSON array, never null.
func originsJSON(h *triage.HelpSettings) string {
	if h.WidgetOrigins == nil {
		h.WidgetOrigins = []string{}
	}
	b, _ := json.Marshal(h.WidgetOrigins)
	return string(b)
}
