package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const ticketColumns = `
	id, title, body,
	requester_name, requester_email, requester_phone, requester_tier,
	channel, tags, fields, status, priority, category,
	assignee_id, team_id, needs_review,
	created_at, updated_at, first_response_at, solved_at, closed_at, merged_into, version`

// scanTicket reads one row selected with ticketColumns.
func scanTicket(row pgx.Row) (*triage.Ticket, error) {
	var t triage.Ticket
	err := row.Scan(
		&t.ID, &t.Title, &t.Body,
		&t.Requester.Name, &t.Requester.Email, &t.Requester.Phone, &t.Requester.Tier,
		&t.Channel, &t.Tags, &t.Fields, &t.Status, &t.Priority, &t.Category,
		&t.AssigneeID, &t.TeamID, &t.NeedsReview,
		&t.CreatedAt, &t.UpdatedAt, &t.FirstResponseAt, &t.SolvedAt, &t.ClosedAt,
		&t.MergedInto, &t.Version,
	)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func scanTickets(rows pgx.Rows) (*triage.Ticket, error) { return scanTicket(rows) }

// Ticket returns one ticket, without its triage record.
func (s queries) Ticket(ctx context.Context, id string) (*triage.Ticket, error) {
	t, err := scanTicket(s.q.QueryRow(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("ticket", id)
	} else if err != nil {
		return nil, dbError("ticket", err)
	}
	return t, nil
}

// args collects the conditions of a WHERE clause and numbers their
// parameters.
type args struct {
	where []string
	vals  []any
}

// add appends a condition in which each "?" stands for the next value.
func (a *args) add(cond string, vals ...any) {
	for _, v := range vals {
		a.vals = append(a.vals, v)
		cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(a.vals)), 1)
	}
	a.where = append(a.where, cond)
}

// next returns the placeholder of one more value.
func (a *args) next(v any) string {
	a.vals = append(a.vals, v)
	return fmt.Sprintf("$%d", len(a.vals))
}

func (a *args) clause() string {
	if len(a.where) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(a.where, ` AND `)
}

// ticketWhere returns the conditions of f: every field but Cursor and
// Limit, which are a list's business. Tickets and CountTickets share it, so
// that a count always agrees with the list.
func ticketWhere(f triage.TicketFilter) *args {
	a := &args{}
	if len(f.Status) > 0 {
		st := make([]string, len(f.Status))
		for i, s := range f.Status {
			st[i] = string(s)
		}
		a.add(`status = ANY(?)`, st)
	}
	if f.AssigneeID != "" {
		a.add(`assignee_id = ?`, f.AssigneeID)
	}
	if f.Unassigned {
		a.add(`assignee_id = ''`)
	}
	if f.TeamID != "" {
		a.add(`team_id = ?`, f.TeamID)
	}
	if f.TeamIDs != nil {
		a.add(`team_id = ANY(?)`, append([]string{}, f.TeamIDs...))
	}
	if f.Category != "" {
		a.add(`category = ?`, f.Category)
	}
	if f.Priority != "" {
		a.add(`priority = ?`, string(f.Priority))
	}
	if f.Tag != "" {
		// Containment, which the GIN index on tags answers.
		a.add(`tags @> jsonb_build_array(?::text)`, f.Tag)
	}
	if f.RequesterID != "" {
		// The expressions and <> '' terms of the partial requester
		// indexes, repeated so that the planner can use them.
		a.add(`((ascii_lower(requester_email) = ascii_lower(?) AND requester_email <> '') OR (requester_phone = ? AND requester_phone <> ''))`,
			f.RequesterID, f.RequesterID)
	}
	switch {
	case f.NeedsReview != nil && *f.NeedsReview:
		a.add(`needs_review`)
	case f.NeedsReview != nil:
		a.add(`NOT needs_review`)
	}
	if !f.CreatedFrom.IsZero() {
		a.add(`created_at >= ?`, f.CreatedFrom)
	}
	if !f.CreatedTo.IsZero() {
		a.add(`created_at < ?`, f.CreatedTo)
	}
	if terms, search := f.SearchTerms(); search {
		// strpos, not LIKE, so % and _ in a term are plain characters; the
		// columns and the terms are both normalised (see triage.QueryTerms).
		ors := []string{"FALSE"}
		for _, t := range terms {
			p := a.next(t)
			ors = append(ors, `strpos(search_title, `+p+`::text) > 0 OR strpos(search_body, `+p+`::text) > 0 OR strpos(search_comments, `+p+`::text) > 0`)
		}
		a.where = append(a.where, "("+strings.Join(ors, " OR ")+")")
	}
	return a
}

// Tickets lists the tickets that match f, newest first, one page at a time.
// The cursor is a row comparison on the list's order, which the
// (… created_at DESC, id DESC) indexes read from the cursor on.
func (s queries) Tickets(ctx context.Context, f triage.TicketFilter) ([]*triage.Ticket, string, error) {
	if _, search := f.SearchTerms(); search {
		return s.searchTickets(ctx, f)
	}
	a := ticketWhere(f)
	if f.Sort.Positional() {
		return s.sortedTickets(ctx, f, a)
	}
	if f.Cursor != "" {
		c, err := triage.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		if err := triage.CheckListCursor(c, false); err != nil {
			return nil, "", err
		}
		if err := triage.CheckSortCursor(c, f.Sort); err != nil {
			return nil, "", err
		}
		a.add(`(created_at, id) < (?, ?)`, c.CreatedAt, c.ID)
	}
	limit := triage.PageLimit(f.Limit)
	// One row more than the page tells whether there is a next page.
	query := `SELECT ` + ticketColumns + ` FROM tickets` + a.clause() +
		` ORDER BY created_at DESC, id DESC LIMIT ` + a.next(limit+1)
	rows, err := s.q.Query(ctx, query, a.vals...)
	out, err := collect(rows, err, "tickets", scanTickets)
	if err != nil {
		return nil, "", err
	}
	out, next := triage.Page(out, limit, func(x *triage.Ticket) string { return triage.Cursor{CreatedAt: x.CreatedAt, ID: x.ID}.Encode() })
	return out, next, nil
}

// CountTickets counts the tickets that match f. Cursor and Limit are
// ignored, even a cursor that would not decode.
func (s queries) CountTickets(ctx context.Context, f triage.TicketFilter) (int, error) {
	a := ticketWhere(f)
	var n int
	if err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM tickets`+a.clause(), a.vals...).Scan(&n); err != nil {
		return 0, dbError("count tickets", err)
	}
	return n, nil
}

// waitingTicketsQuery selects the routing queue with the tickets_waiting
// index's WHERE clause (the status list is triage.Status.Active), so the
// planner reads that partial index in order and stops at the limit.
const waitingTicketsQuery = `
	SELECT ` + ticketColumns + `
	FROM tickets
	WHERE status IN ('new', 'open', 'pending') AND assignee_id = '' AND category <> '' AND NOT needs_review
	%s
	ORDER BY priority, created_at, id
	LIMIT $1`

// WaitingTickets lists the routing queue: active, unassigned tickets that
// have a category and do not wait for a review, most urgent first (P1 to P4
// sort as text), then oldest first, then by id. A limit of 0 or less means
// 200.
func (s queries) WaitingTickets(ctx context.Context, categories []string, limit int) ([]*triage.Ticket, error) {
	limit = triage.Limit(limit, triage.DefaultWaitingPage, 0)
	filter, vals := "", []any{limit}
	if len(categories) > 0 {
		filter = "AND category = ANY($2)"
		vals = append(vals, categories)
	}
	rows, err := s.q.Query(ctx, fmt.Sprintf(waitingTicketsQuery, filter), vals...)
	return collect(rows, err, "waiting tickets", scanTickets)
}

// ticketJSON returns the stored forms of t's tags and fields.
func ticketJSON(t *triage.Ticket) (tags, fields []byte, err error) {
	if tags, err = jsonb(t.Tags); err != nil {
		return nil, nil, err
	}
	fields, err = jsonb(t.Fields)
	return tags, fields, err
}

// CreateTicket inserts t at version 1. Its times are normalised in place to
// what a read returns (UTC, microseconds).
func (tx *Tx) CreateTicket(ctx context.Context, t *triage.Ticket) error {
	if err := triage.Required("id", t.ID); err != nil {
		return err
	}
	t.AsStored()
	tags, fields, err := ticketJSON(t)
	if err != nil {
		return err
	}
	searchTitle, searchBody := tx.db.searchText(t)
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO tickets (`+ticketColumns+`, search_title, search_body, search_comments)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, 1, $23, $24, $25)`,
		t.ID, t.Title, t.Body,
		t.Requester.Name, t.Requester.Email, t.Requester.Phone, t.Requester.Tier,
		string(t.Channel), tags, fields, string(t.Status), string(t.Priority), t.Category,
		t.AssigneeID, t.TeamID, t.NeedsReview,
		t.CreatedAt, t.UpdatedAt, t.FirstResponseAt, t.SolvedAt, t.ClosedAt,
		t.MergedInto, searchTitle, searchBody, tx.db.emptyConversation(),
	)
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "ticket %s already exists", t.ID)
	} else if err != nil {
		return dbError("create ticket", err)
	}
	t.Version = 1
	return tx.logChange(ctx, "ticket", t.ID, "create")
}

// UpdateTicket stores t if the stored version is still t.Version, and then
// increments t.Version. CreatedAt is fixed when a ticket is created: list
// cursors rely on it, so the update leaves it alone.
func (tx *Tx) UpdateTicket(ctx context.Context, t *triage.Ticket) error {
	if err := triage.Required("id", t.ID); err != nil {
		return err
	}
	t.AsStored()
	tags, fields, err := ticketJSON(t)
	if err != nil {
		return err
	}
	searchTitle, searchBody := tx.db.searchText(t)
	tag, err := tx.tx.Exec(ctx, `
		UPDATE tickets SET
			title = $1, body = $2,
			requester_name = $3, requester_email = $4, requester_phone = $5, requester_tier = $6,
			channel = $7, tags = $8, fields = $9, status = $10, priority = $11, category = $12,
			assignee_id = $13, team_id = $14, needs_review = $15,
			updated_at = $16, first_response_at = $17, solved_at = $18, closed_at = $19,
			merged_into = $20, version = version + 1,
			search_title = $23, search_body = $24
		WHERE id = $21 AND version = $22`,
		t.Title, t.Body,
		t.Requester.Name, t.Requester.Email, t.Requester.Phone, t.Requester.Tier,
		string(t.Channel), tags, fields, string(t.Status), string(t.Priority), t.Category,
		t.AssigneeID, t.TeamID, t.NeedsReview,
		t.UpdatedAt, t.FirstResponseAt, t.SolvedAt, t.ClosedAt,
		t.MergedInto, t.ID, t.Version, searchTitle, searchBody,
	)
	if err != nil {
		return dbError("update ticket", err)
	}
	if tag.RowsAffected() == 0 {
		return tx.staleOrMissing(ctx, "tickets", "ticket", t.ID, t.Version)
	}
	t.Version++
	return tx.logChange(ctx, "ticket", t.ID, "update")
}
