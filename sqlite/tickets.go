package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/triagehq/triage"
)

const ticketColumns = `
	id, title, body,
	requester_name, requester_email, requester_phone, requester_tier,
	channel, tags, fields, status, priority, category,
	assignee_id, team_id, needs_review,
	created_at, updated_at, first_response_at, solved_at, closed_at, merged_into, version`

// scanTicket reads one row selected with ticketColumns.
func scanTicket(row interface{ Scan(...any) error }) (*triage.Ticket, error) {
	var t triage.Ticket
	err := row.Scan(
		&t.ID, &t.Title, &t.Body,
		&t.Requester.Name, &t.Requester.Email, &t.Requester.Phone, &t.Requester.Tier,
		&t.Channel, jsonCol{&t.Tags}, jsonCol{&t.Fields}, &t.Status, &t.Priority, &t.Category,
		&t.AssigneeID, &t.TeamID, &t.NeedsReview,
		timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt},
		nullTimeCol{&t.FirstResponseAt}, nullTimeCol{&t.SolvedAt}, nullTimeCol{&t.ClosedAt},
		&t.MergedInto, &t.Version,
	)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Ticket returns one ticket, without its triage record.
func (s queries) Ticket(ctx context.Context, id string) (*triage.Ticket, error) {
	row := s.q.QueryRowContext(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE id = ?`, id)
	t, err := scanTicket(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("ticket", id)
	} else if err != nil {
		return nil, dbError("ticket", err)
	}
	return t, nil
}

// ticketWhere returns the conditions of f, to be joined with AND, and their
// arguments: every field but Cursor and Limit, which are a list's business.
// Tickets and CountTickets share it, so that a count always agrees with the
// list. Every condition is a bound parameter, except where a literal lets
// SQLite use a partial index; only the shape of the clause varies.
func ticketWhere(f triage.TicketFilter) (where []string, args []any) {
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if len(f.Status) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(f.Status)), ", ")
		for _, st := range f.Status {
			args = append(args, st)
		}
		// With a requester, unary + keeps SQLite off tickets_status: it
		// would read every active ticket in the time range to find the
		// requester's few (the duplicate check on every create did), where
		// the requester indexes hold just those.
		col := `status`
		if f.RequesterID != "" {
			col = `+status`
		}
		where = append(where, col+` IN (`+marks+`)`)
	}
	if f.AssigneeID != "" {
		add(`assignee_id = ?`, f.AssigneeID)
	}
	if f.Unassigned {
		add(`assignee_id = ''`)
	}
	if f.TeamID != "" {
		add(`team_id = ?`, f.TeamID)
	}
	if f.TeamIDs != nil {
		ors := []string{"0"}
		for _, id := range f.TeamIDs {
			ors = append(ors, `team_id = ?`)
			args = append(args, id)
		}
		where = append(where, `(`+strings.Join(ors, " OR ")+`)`)
	}
	if f.Category != "" {
		add(`category = ?`, f.Category)
	}
	if f.Priority != "" {
		add(`priority = ?`, f.Priority)
	}
	if f.Tag != "" {
		add(`EXISTS (SELECT 1 FROM json_each(tickets.tags) WHERE json_each.value = ?)`, f.Tag)
	}
	if f.RequesterID != "" {
		// requester_email is COLLATE NOCASE, so e-mail matches ignore case.
		// The <> '' terms let SQLite use the partial requester indexes.
		add(`((requester_email = ? AND requester_email <> '') OR (requester_phone = ? AND requester_phone <> ''))`,
			f.RequesterID, f.RequesterID)
	}
	// Literals rather than a parameter, so that SQLite can use the partial
	// index on tickets that need review.
	switch {
	case f.NeedsReview != nil && *f.NeedsReview:
		add(`needs_review = 1`)
	case f.NeedsReview != nil:
		add(`needs_review = 0`)
	}
	if !f.CreatedFrom.IsZero() {
		add(`created_at >= ?`, micros(f.CreatedFrom))
	}
	if !f.CreatedTo.IsZero() {
		add(`created_at < ?`, micros(f.CreatedTo))
	}
	if terms, search := f.SearchTerms(); search {
		// instr, not LIKE, so % and _ in a term are plain characters; the
		// columns and the terms are both normalised (see triage.QueryTerms).
		ors := []string{"0"}
		for _, t := range terms {
			ors = append(ors, `instr(search_title, ?) > 0 OR instr(search_body, ?) > 0 OR instr(search_comments, ?) > 0`)
			args = append(args, t, t, t)
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	return where, args
}

// Tickets lists the tickets that match f, newest first, one page at a time;
// a search (f.Terms) lists by relevance (searchTickets).
func (s queries) Tickets(ctx context.Context, f triage.TicketFilter) ([]*triage.Ticket, string, error) {
	if _, search := f.SearchTerms(); search {
		return s.searchTickets(ctx, f)
	}
	where, args := ticketWhere(f)
	if f.Sort.Positional() {
		return s.sortedTickets(ctx, f, where, args)
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
		at := micros(c.CreatedAt)
		where = append(where, `(created_at < ? OR (created_at = ? AND id < ?))`)
		args = append(args, at, at, c.ID)
	}
	limit := triage.PageLimit(f.Limit)

	query := `SELECT ` + ticketColumns + ` FROM tickets`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	// One row more than the page tells whether there is a next page.
	query += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, limit+1)

	rows, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", dbError("tickets", err)
	}
	defer rows.Close()
	out := []*triage.Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, "", dbError("tickets", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", dbError("tickets", err)
	}
	out, next := triage.Page(out, limit, func(x *triage.Ticket) string { return triage.Cursor{CreatedAt: x.CreatedAt, ID: x.ID}.Encode() })
	return out, next, nil
}

// CountTickets counts the tickets that match f. Cursor and Limit are
// ignored, even a cursor that would not decode.
func (s queries) CountTickets(ctx context.Context, f triage.TicketFilter) (int, error) {
	where, args := ticketWhere(f)
	query := `SELECT COUNT(*) FROM tickets`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	var n int
	if err := s.q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, dbError("count tickets", err)
	}
	return n, nil
}

// waitingTicketsQuery selects the routing queue. TestQueryPlans checks that
// it reads the tickets_waiting index in order.
const waitingTicketsQuery = `
	SELECT ` + ticketColumns + `
	FROM tickets
	WHERE status IN ('new', 'open', 'pending') AND assignee_id = '' AND category <> '' AND needs_review = 0
	%s
	ORDER BY priority, created_at, id
	LIMIT ?`

// WaitingTickets lists the routing queue: active, unassigned tickets that
// have a category and do not wait for a review, most urgent first (P1 to P4
// sort as text), then oldest first, then by id. A limit of 0 or less means
// 200.
//
// The WHERE clause is the tickets_waiting index's, spelt out the same way
// (the status list is triage.Status.Active), so that SQLite reads that
// partial index in order and stops at the limit without sorting.
func (s queries) WaitingTickets(ctx context.Context, categories []string, limit int) ([]*triage.Ticket, error) {
	limit = triage.Limit(limit, triage.DefaultWaitingPage, 0)
	filter, args := "", []any{}
	if len(categories) > 0 {
		filter = "AND category IN (?" + strings.Repeat(", ?", len(categories)-1) + ")"
		for _, c := range categories {
			args = append(args, c)
		}
	}
	rows, err := s.q.QueryContext(ctx, fmt.Sprintf(waitingTicketsQuery, filter), append(args, limit)...)
	if err != nil {
		return nil, dbError("waiting tickets", err)
	}
	defer rows.Close()
	out := []*triage.Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, dbError("waiting tickets", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("waiting tickets", err)
	}
	return out, nil
}

// CreateTicket inserts t at version 1. Its times are normalised in place to
// what a read returns (UTC, microseconds).
func (tx *Tx) CreateTicket(ctx context.Context, t *triage.Ticket) error {
	if err := triage.Required("id", t.ID); err != nil {
		return err
	}
	t.AsStored()
	tags, err := jsonText(t.Tags)
	if err != nil {
		return err
	}
	fields, err := jsonText(t.Fields)
	if err != nil {
		return err
	}
	searchTitle, searchBody := tx.db.searchText(t)
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO tickets (`+ticketColumns+`, search_title, search_body, search_comments)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
		t.ID, t.Title, t.Body,
		t.Requester.Name, t.Requester.Email, t.Requester.Phone, t.Requester.Tier,
		t.Channel, tags, fields, t.Status, t.Priority, t.Category,
		t.AssigneeID, t.TeamID, t.NeedsReview,
		micros(t.CreatedAt), micros(t.UpdatedAt),
		nullMicros(t.FirstResponseAt), nullMicros(t.SolvedAt), nullMicros(t.ClosedAt),
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
	tags, err := jsonText(t.Tags)
	if err != nil {
		return err
	}
	fields, err := jsonText(t.Fields)
	if err != nil {
		return err
	}
	searchTitle, searchBody := tx.db.searchText(t)
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE tickets SET
			title = ?, body = ?, search_title = ?, search_body = ?,
			requester_name = ?, requester_email = ?, requester_phone = ?, requester_tier = ?,
			channel = ?, tags = ?, fields = ?, status = ?, priority = ?, category = ?,
			assignee_id = ?, team_id = ?, needs_review = ?,
			updated_at = ?, first_response_at = ?, solved_at = ?, closed_at = ?,
			merged_into = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		t.Title, t.Body, searchTitle, searchBody,
		t.Requester.Name, t.Requester.Email, t.Requester.Phone, t.Requester.Tier,
		t.Channel, tags, fields, t.Status, t.Priority, t.Category,
		t.AssigneeID, t.TeamID, t.NeedsReview,
		micros(t.UpdatedAt), nullMicros(t.FirstResponseAt), nullMicros(t.SolvedAt), nullMicros(t.ClosedAt),
		t.MergedInto, t.ID, t.Version,
	)
	if err != nil {
		return dbError("update ticket", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update ticket", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "tickets", "ticket", t.ID, t.Version)
	}
	t.Version++
	return tx.logChange(ctx, "ticket", t.ID, "update")
}
