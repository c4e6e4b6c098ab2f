package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// Comments returns a ticket's comments, oldest first. A ticket without
// comments, or no ticket at all, gives an empty list.
func (s queries) Comments(ctx context.Context, ticketID string) ([]*triage.Comment, error) {
	rows, err := s.q.Query(ctx, `
		SELECT id, ticket_id, author_id, from_requester, body, public, created_at
		FROM comments
		WHERE ticket_id = $1
		ORDER BY created_at, seq`, ticketID)
	return collect(rows, err, "comments", func(r pgx.Rows) (*triage.Comment, error) {
		var c triage.Comment
		err := r.Scan(&c.ID, &c.TicketID, &c.AuthorID, &c.FromRequester, &c.Body, &c.Public, &c.CreatedAt)
		return &c, err
	})
}

// AddComment stores c on its ticket and logs an update of the ticket, which
// the text index follows to pick up the new words.
func (tx *Tx) AddComment(ctx context.Context, c *triage.Comment) error {
	if err := triage.Required("id", c.ID); err != nil {
		return err
	}
	if err := triage.Required("ticket_id", c.TicketID); err != nil {
		return err
	}
	c.CreatedAt = triage.StoreTime(c.CreatedAt)
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO comments (id, ticket_id, author_id, from_requester, body, public, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.ID, c.TicketID, c.AuthorID, c.FromRequester, c.Body, c.Public, c.CreatedAt)
	switch {
	case pgCode(err) == codeForeignKeyViolation:
		return triage.NotFound("ticket", c.TicketID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "comment %s already exists", c.ID)
	case err != nil:
		return dbError("add comment", err)
	}
	if err := tx.appendConversation(ctx, c); err != nil {
		return err
	}
	return tx.logChange(ctx, "ticket", c.TicketID, "update")
}
