package sqlite

import (
	"context"
	"strings"

	"github.com/triagehq/triage"
)

// Ticket search: the store's half of triage.RankTickets. The search
// columns hold the normalised title and body; a search counts each term's
// occurrences in them here and leaves the ranking to the rule written once.

// searchText is what a ticket's search columns hold: its normalised title
// and body, or NULL without a normaliser (filled in at the next open with
// one).
func (db *DB) searchText(t *triage.Ticket) (title, body any) {
	if db.opts.Normalize == nil {
		return nil, nil
	}
	return db.opts.Normalize(t.Title), db.opts.Normalize(t.Body)
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
			rows, err := tx.tx.QueryContext(ctx, `SELECT id, title, body FROM tickets WHERE search_title IS NULL LIMIT ?`, fillSearchBatch)
			if err != nil {
				return dbError("tickets to make searchable", err)
			}
			var batch []triage.Ticket
			for rows.Next() {
				var t triage.Ticket
				if err := rows.Scan(&t.ID, &t.Title, &t.Body); err != nil {
					rows.Close()
					return dbError("tickets to make searchable", err)
				}
				batch = append(batch, t)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return dbError("tickets to make searchable", err)
			}
			for _, t := range batch {
				title, body := db.searchText(&t)
				if _, err := tx.tx.ExecContext(ctx, `UPDATE tickets SET search_title = ?, search_body = ? WHERE id = ?`, title, body, t.ID); err != nil {
					return dbError("make a ticket searchable", err)
				}
			}
			n = len(batch)
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
	for _, m := range ms {
		if t, ok := byID[m.ID]; ok {
			out = append(out, t)
		}
	}
	score := make(map[string]triage.TicketMatch, len(ms))
	for _, m := range ms {
		score[m.ID] = m
	}
	out, next := triage.Page(out, limit, func(x *triage.Ticket) string { return triage.SearchCursor(score[x.ID]) })
	return out, next, nil
}

// searchStats are the figures of the tickets f's other filters select.
func (s queries) searchStats(ctx context.Context, f triage.TicketFilter) (triage.SearchStats, error) {
	f.Terms = nil
	where, args := ticketWhere(f)
	query := `SELECT COUNT(*), COALESCE(AVG(length(search_title)), 0), COALESCE(AVG(length(search_body)), 0) FROM tickets`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	var st triage.SearchStats
	if err := s.q.QueryRowContext(ctx, query, args...).Scan(&st.Tickets, &st.AvgTitle, &st.AvgBody); err != nil {
		return st, dbError("search tickets", err)
	}
	return st, nil
}

// ticketMatches counts each term in the title and body of every ticket
// that f selects. A term's occurrences are the characters replace() takes
// out of the text, over the term's length: both in characters.
func (s queries) ticketMatches(ctx context.Context, f triage.TicketFilter) ([]triage.TicketMatch, error) {
	terms, _ := f.SearchTerms()
	cols := []string{"id", "created_at", "COALESCE(length(search_title), 0)", "COALESCE(length(search_body), 0)"}
	var args []any
	for _, t := range terms {
		for _, col := range []string{"search_title", "search_body"} {
			cols = append(cols, `COALESCE((length(`+col+`) - length(replace(`+col+`, ?, ''))) / length(?), 0)`)
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
		m := triage.TicketMatch{TitleTF: make([]int, len(terms)), BodyTF: make([]int, len(terms))}
		dest := []any{&m.ID, timeCol{&m.CreatedAt}, &m.TitleLen, &m.BodyLen}
		for i := range terms {
			dest = append(dest, &m.TitleTF[i], &m.BodyTF[i])
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
