package sqlite

import (
	"context"
	"strings"

	"github.com/triagehq/triage"
)

// Ticket search: the store's half of triage.RankTickets. The search
// columns hold the normalised title, body and conversation; a search
// counts each term's occurrences in them here and leaves the ranking to
// the rule written once.

// searchColumns are the search columns in the order of the fields of
// triage.TicketMatch.
var searchColumns = []string{"search_title", "search_body", "search_comments"}

// searchText is what a new or updated ticket's title and body search
// columns hold: its normalised title and body, or NULL without a
// normaliser (filled in at the next open with one).
func (db *DB) searchText(t *triage.Ticket) (title, body any) {
	if db.opts.Normalize == nil {
		return nil, nil
	}
	return db.opts.Normalize(t.Title), db.opts.Normalize(t.Body)
}

// emptyConversation is the conversation column of a new ticket.
func (db *DB) emptyConversation() any {
	if db.opts.Normalize == nil {
		return nil
	}
	return ""
}

// appendConversation adds a new public comment's line to its ticket's
// conversation column.
func (tx *Tx) appendConversation(ctx context.Context, c *triage.Comment) error {
	if tx.db.opts.Normalize == nil || !c.Public {
		return nil
	}
	_, err := tx.tx.ExecContext(ctx, `UPDATE tickets SET search_comments = COALESCE(search_comments, '') || ? WHERE id = ?`,
		triage.CommentLine(c, tx.db.opts.Normalize), c.TicketID)
	return dbError("add comment", err)
}

// refreshSearch recomputes every search column of one ticket from the
// ticket and its comments, or sets them to NULL without a normaliser.
func (tx *Tx) refreshSearch(ctx context.Context, id string) error {
	if tx.db.opts.Normalize == nil {
		_, err := tx.tx.ExecContext(ctx, `UPDATE tickets SET search_title = NULL, search_body = NULL, search_comments = NULL WHERE id = ?`, id)
		return dbError("make a ticket searchable", err)
	}
	var t triage.Ticket
	if err := tx.tx.QueryRowContext(ctx, `SELECT title, body FROM tickets WHERE id = ?`, id).Scan(&t.Title, &t.Body); err != nil {
		return dbError("make a ticket searchable", err)
	}
	comments, err := tx.Comments(ctx, id)
	if err != nil {
		return err
	}
	title, body := tx.db.searchText(&t)
	_, err = tx.tx.ExecContext(ctx, `UPDATE tickets SET search_title = ?, search_body = ?, search_comments = ? WHERE id = ?`,
		title, body, triage.ConversationText(comments, tx.db.opts.Normalize), id)
	return dbError("make a ticket searchable", err)
}

// fillSearchBatch is how many tickets one transaction of fillSearch
// normalises.
const fillSearchBatch = 500

// fillSearch computes the search columns of the tickets that lack them:
// every ticket once after the migration that added them, and any written
// without a normaliser. It logs no change, since no ticket changed.
func (db *DB) fillSearch(ctx context.Context) error {
	if db.opts.Normalize == nil {
		return nil
	}
	for {
		n := 0
		err := db.Update(ctx, func(ttx triage.Tx) error {
			tx := ttx.(*Tx)
			rows, err := tx.tx.QueryContext(ctx, `SELECT id FROM tickets WHERE search_title IS NULL LIMIT ?`, fillSearchBatch)
			if err != nil {
				return dbError("tickets to make searchable", err)
			}
			var ids []string
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return dbError("tickets to make searchable", err)
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return dbError("tickets to make searchable", err)
			}
			for _, id := range ids {
				if err := tx.refreshSearch(ctx, id); err != nil {
					return err
				}
			}
			n = len(ids)
			return nil
		})
		if err != nil || n < fillSearchBatch {
			return err
		}
	}
}

// searchTickets lists the tickets that contain any term of f, best first
// (triage.RankTickets), one page at a time.
func (s queries) searchTickets(ctx context.Context, f triage.TicketFilter) ([]*triage.Ticket, string, error) {
	var after *triage.Cursor
	if f.Cursor != "" {
		c, err := triage.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		if err := triage.CheckListCursor(c, true); err != nil {
			return nil, "", err
		}
		after = &c
	}
	limit := triage.PageLimit(f.Limit)
	stats, err := s.searchStats(ctx, f)
	if err != nil {
		return nil, "", err
	}
	ms, err := s.ticketMatches(ctx, f)
	if err != nil {
		return nil, "", err
	}
	triage.RankTickets(ms, stats)
	if after != nil {
		ms = triage.AfterCursor(ms, *after)
	}
	ms = ms[:min(len(ms), limit+1)]
	byID, err := s.ticketsByID(ctx, ms)
	if err != nil {
		return nil, "", err
	}
	out := make([]*triage.Ticket, 0, len(ms))
	score := make(map[string]triage.TicketMatch, len(ms))
	for _, m := range ms {
		score[m.ID] = m
		if t, ok := byID[m.ID]; ok {
			out = append(out, t)
		}
	}
	out, next := triage.Page(out, limit, func(x *triage.Ticket) string { return triage.SearchCursor(score[x.ID]) })
	return out, next, nil
}

// searchStats are the figures of the tickets f's other filters select.
func (s queries) searchStats(ctx context.Context, f triage.TicketFilter) (triage.SearchStats, error) {
	f.Terms = nil
	where, args := ticketWhere(f)
	cols := []string{"COUNT(*)"}
	for _, c := range searchColumns {
		cols = append(cols, `COALESCE(AVG(length(`+c+`)), 0)`)
	}
	query := `SELECT ` + strings.Join(cols, ", ") + ` FROM tickets`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	var st triage.SearchStats
	dest := []any{&st.Tickets}
	for i := range searchColumns {
		dest = append(dest, &st.AvgLen[i])
	}
	if err := s.q.QueryRowContext(ctx, query, args...).Scan(dest...); err != nil {
		return st, dbError("search tickets", err)
	}
	return st, nil
}

// ticketMatches counts each term in each search column of every ticket
// that f selects. A term's occurrences are the characters replace() takes
// out of the text, over the term's length: both in characters.
func (s queries) ticketMatches(ctx context.Context, f triage.TicketFilter) ([]triage.TicketMatch, error) {
	terms, _ := f.SearchTerms()
	cols := []string{"id", "created_at"}
	for _, c := range searchColumns {
		cols = append(cols, `COALESCE(length(`+c+`), 0)`)
	}
	var args []any
	for _, t := range terms {
		for _, c := range searchColumns {
			cols = append(cols, `COALESCE((length(`+c+`) - length(replace(`+c+`, ?, ''))) / length(?), 0)`)
			args = append(args, t, t)
		}
	}
	where, wargs := ticketWhere(f)
	query := `SELECT ` + strings.Join(cols, ", ") + ` FROM tickets WHERE ` + strings.Join(where, ` AND `)
	rows, err := s.q.QueryContext(ctx, query, append(args, wargs...)...)
	if err != nil {
		return nil, dbError("search tickets", err)
	}
	defer rows.Close()
	var out []triage.TicketMatch
	for rows.Next() {
		m := triage.TicketMatch{TF: make([][triage.SearchFields]int, len(terms))}
		dest := []any{&m.ID, timeCol{&m.CreatedAt}}
		for i := range searchColumns {
			dest = append(dest, &m.Len[i])
		}
		for i := range terms {
			for j := range searchColumns {
				dest = append(dest, &m.TF[i][j])
			}
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, dbError("search tickets", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("search tickets", err)
	}
	return out, nil
}

// ticketsByID reads the tickets of one page of matches.
func (s queries) ticketsByID(ctx context.Context, ms []triage.TicketMatch) (map[string]*triage.Ticket, error) {
	out := make(map[string]*triage.Ticket, len(ms))
	if len(ms) == 0 {
		return out, nil
	}
	args := make([]any, len(ms))
	for i, m := range ms {
		args[i] = m.ID
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE id IN (?`+strings.Repeat(", ?", len(ms)-1)+`)`, args...)
	if err != nil {
		return nil, dbError("search tickets", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, dbError("search tickets", err)
		}
		out[t.ID] = t
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("search tickets", err)
	}
	return out, nil
}
