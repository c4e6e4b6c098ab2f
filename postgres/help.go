package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// ArticleVoteCounts sums the help centre's votes cast at or after since,
// per article: most unhelpful first, then by article id. A zero since
// counts them all.
func (s queries) ArticleVoteCounts(ctx context.Context, since time.Time) ([]triage.ArticleVoteCount, error) {
	rows, err := s.q.Query(ctx, `
		SELECT article_id,
			COUNT(*) FILTER (WHERE helpful),
			COUNT(*) FILTER (WHERE NOT helpful) AS unhelpful
		FROM article_votes
		WHERE created_at >= $1
		GROUP BY article_id
		ORDER BY unhelpful DESC, article_id`, triage.StoreTime(since))
	return collect(rows, err, "article vote counts", func(r pgx.Rows) (triage.ArticleVoteCount, error) {
		var c triage.ArticleVoteCount
		err := r.Scan(&c.ArticleID, &c.Helpful, &c.Unhelpful)
		return c, err
	})
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
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO article_votes (id, article_id, helpful, created_at)
		VALUES ($1, $2, $3, $4)`, v.ID, v.ArticleID, v.Helpful, v.CreatedAt)
	switch {
	case pgCode(err) == codeForeignKeyViolation:
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
	var origins string
	err := s.q.QueryRow(ctx, `
		SELECT company_name, logo_type, logo, ask_category, confirm_email, widget_origins, sms_url, sms_secret, updated_at FROM help_settings WHERE id = 1`).
		Scan(&h.CompanyName, &h.LogoType, &h.Logo, &h.AskCategory, &h.ConfirmEmail, &origins, &h.SMSWebhookURL, &h.SMSSecret, &h.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return &triage.HelpSettings{WidgetOrigins: []string{}}, nil
	} else if err != nil {
		return nil, dbError("help settings", err)
	}
	h.UpdatedAt, h.SMSSecretHint = triage.StoreTime(h.UpdatedAt), triage.SecretHint(h.SMSSecret)
	if err := json.Unmarshal([]byte(origins), &h.WidgetOrigins); err != nil || h.WidgetOrigins == nil {
		h.WidgetOrigins = []string{}
	}
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
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO help_settings (id, company_name, logo_type, logo, ask_category, confirm_email, widget_origins, sms_url, sms_secret, updated_at)
		VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (id) DO UPDATE SET
			company_name = excluded.company_name, logo_type = excluded.logo_type,
			logo = excluded.logo, ask_category = excluded.ask_category, confirm_email = excluded.confirm_email,
			widget_origins = excluded.widget_origins, sms_url = excluded.sms_url, sms_secret = excluded.sms_secret,
			updated_at = excluded.updated_at`,
		h.CompanyName, h.LogoType, h.Logo, h.AskCategory, h.ConfirmEmail, originsJSON(h), h.SMSWebhookURL, h.SMSSecret, h.UpdatedAt)
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
