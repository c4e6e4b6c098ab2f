package postgres

import (
	"context"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const linkColumns = `from_id, to_id, kind, score, why, actor, created_at`

// TicketLinks lists the links from and to a ticket, oldest first.
func (s queries) TicketLinks(ctx context.Context, ticketID string) ([]*triage.TicketLink, error) {
	rows, err := s.q.Query(ctx, `
		SELECT `+linkColumns+` FROM ticket_links WHERE from_id = $1
		UNION ALL
		SELECT `+linkColumns+` FROM ticket_links WHERE to_id = $1 AND from_id <> $1
		ORDER BY created_at, from_id, to_id`, ticketID)
	return collect(rows, err, "ticket links", func(r pgx.Rows) (*triage.TicketLink, error) {
		var l triage.TicketLink
		err := r.Scan(&l.FromID, &l.ToID, &l.Kind, &l.Score, &l.Why, &l.Actor, &l.CreatedAt)
		return &l, err
	})
}

// AddTicketLink stores l and logs (link, "<from>:<to>", create).
func (tx *Tx) AddTicketLink(ctx context.Context, l *triage.TicketLink) error {
	if err := triage.Required("from_id", l.FromID); err != nil {
		return err
	}
	if err := triage.Required("to_id", l.ToID); err != nil {
		return err
	}
	switch {
	case l.FromID == l.ToID:
		return triage.Invalid("to_id", "a ticket cannot be linked to itself")
	case l.Kind != triage.LinkDuplicate && l.Kind != triage.LinkMerged:
		return triage.Invalid("kind", "kind %q is not %s or %s", l.Kind, triage.LinkDuplicate, triage.LinkMerged)
	case math.IsNaN(l.Score) || math.IsInf(l.Score, 0):
		return triage.Invalid("score", "score must be a finite number")
	}
	l.CreatedAt = triage.StoreTime(l.CreatedAt)
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO ticket_links (`+linkColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		l.FromID, l.ToID, l.Kind, l.Score, l.Why, l.Actor, l.CreatedAt)
	switch {
	case pgCode(err) == codeForeignKeyViolation:
		return triage.Errorf(triage.ENOTFOUND, "ticket %s or %s not found", l.FromID, l.ToID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "tickets %s and %s are already linked as %s", l.FromID, l.ToID, l.Kind)
	case err != nil:
		return dbError("add ticket link", err)
	}
	return tx.logChange(ctx, "link", l.FromID+":"+l.ToID, "create")
}

// MoveComments gives every comment of one ticket to another and logs an
// update of both, so the text index drops the words from one and adds
// them to the other.
func (tx *Tx) MoveComments(ctx context.Context, fromTicket, toTicket string) (int, error) {
	if err := triage.Required("from", fromTicket); err != nil {
		return 0, err
	}
	if err := triage.Required("to", toTicket); err != nil {
		return 0, err
	}
	for _, id := range []string{fromTicket, toTicket} {
		if _, err := tx.Ticket(ctx, id); err != nil {
			return 0, err
		}
	}
	tag, err := tx.tx.Exec(ctx, `UPDATE comments SET ticket_id = $1 WHERE ticket_id = $2`, toTicket, fromTicket)
	if err != nil {
		return 0, dbError("move comments", err)
	}
	// A comment's files and mail record go with it.
	for _, table := range []string{"attachments", "mail_messages"} {
		if _, err := tx.tx.Exec(ctx, `UPDATE `+table+` SET ticket_id = $1 WHERE ticket_id = $2 AND comment_id <> ''`, toTicket, fromTicket); err != nil {
			return 0, dbError("move comments", err)
		}
	}
	for _, id := range []string{fromTicket, toTicket} {
		if err := tx.refreshSearch(ctx, id); err != nil {
			return 0, err
		}
	}
	if err := tx.logChange(ctx, "ticket", fromTicket, "update"); err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), tx.logChange(ctx, "ticket", toTicket, "update")
}
