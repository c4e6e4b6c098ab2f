package sqlite

import (
	"context"

	"github.com/triagehq/triage"
)

// Comments returns a ticket's comments, oldest first. A ticket without
// comments, or no ticket at all, gives an empty list.
func (s queries) Comments(ctx context.Context, ticketID string) ([]*triage.Comment, error) {
	rows, err := s.q.QueryContext(ctx, `
		SELECT id, ticket_id, author_id, from_requester, body, public, created_at
		FROM comments
		WHERE ticket_id = ?
		ORDER BY created_at, seq`, ticketID)
	if err != nil {
		return nil, dbError("comments", err)
	}
	defer rows.Close()
	out := []*triage.Comment{}
	for rows.Next() {
		var c triage.Comment
		if err := rows.Scan(&c.ID, &c.TicketID, &c.AuthorID, &c.FromRequester, &c.Body, &c.Public,
			timeCol{&c.CreatedAt}); err != nil {
			return nil, dbError("comments", err)
		}
		out = append(out, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("comments", err)
	}
	return out, nil
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
	_, err := tx.tx.ExecContext(ctx, `
		INSERT INTO comments (id, ticket_id, author_id, from_requester, body, public, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.TicketID, c.AuthorID, c.FromRequester, c.Body, c.Public, micros(c.CreatedAt))
	switch {
	case sqliteCode(err) == codeConstraintForeignKey:
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
