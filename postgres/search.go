package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// Ticket search: the store's half of triage.RankTickets, the twin of
// sqlite/search.go. The search columns hold the normalised title and body;
// a search counts each term's occurrences in them here and leaves the
// ranking to the rule written once.

// searchText is what a ticket's search columns hold: its normalised title
// and body, or NULL without a normaliser (filled in at the next open with
// one).
func (db *DB) searchText(t *triage.Ticket) (title, body *string) {
	if db.opts.Normalize == nil {
		return nil, nil
	}
	a, b := db.opts.Normalize(t.Title), db.opts.Normalize(t.Body)
	return &a, &b
}

// fillSearchBatch is how many tickets one transaction of fillSearch
// normalises.
const fillSearchBatch = 500

// fillSearch computes the search columns of the tickets that lack them:
// every ticket once after the migration that added them, and any written
// without a normaliser. Replicas that start together may both fill a
// ticket, with the same text. It logs no change, since no ticket changed.
func (db *DB) fillSearch(ctx context.Context) error {
	if db.opts.Normalize == nil {
		return nil
	}
	for {
		rows, err := db.pool.Query(ctx, `SELECT id, title, body FROM tickets WHERE search_title IS NULL LIMIT $1`, fillSearchBatch)
		batch, err := collect(rows, err, "tickets to make searchable", func(r pgx.Rows) (triage.Ticket, error) {
			var t triage.Ticket
			err := r.Scan(&t.ID, &t.Title, &t.Body)
			return t, err
		})
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		b := &pgx.Batch{}
		for _, t := range batch {
			title, body := db.searchText(&t)
			b.Queue(`UPDATE tickets SET search_title = $1, search_body = $2 WHERE id = $3`, title, body, t.ID)
		}
		if err := db.pool.SendBatch(ctx, b).Close(); err != nil {
			return dbError("make tickets searchable", err)
		}
		if len(batch) < fillSearchBatch {
			return nil
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
	ids := make([]string, len(ms))
	score := make(map[string]triage.TicketMatch, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
		score[m.ID] = m
	}
	rows, err := s.q.Query(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE id = ANY($1)`, ids)
	found, err := collect(rows, err, "search tickets", scanTickets)
	if err != nil {
		return nil, "", err
	}
	byID := make(map[string]*triage.Ticket, len(found))
	for _, t := range found {
		byID[t.ID] = t
	}
	out := make([]*triage.Ticket, 0, len(ms))
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			out = append(out, t)
		}
	}
	out, next := triage.Page(out, limit, func(x *triage.Ticket) string { return triage.SearchCursor(score[x.ID]) })
	return out, next, nil
}

// searchStats are the figures of the tickets f's other filters select.
func (s queries) searchStats(ctx context.Context, f triage.TicketFilter) (triage.SearchStats, error) {
	f.Terms = nil
	a := ticketWhere(f)
	var st triage.SearchStats
	err := s.q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(AVG(char_length(search_title)), 0)::float8, COALESCE(AVG(char_length(search_body)), 0)::float8 FROM tickets`+a.clause(),
		a.vals...).Scan(&st.Tickets, &st.AvgTitle, &st.AvgBody)
	if err != nil {
		return st, dbError("search tickets", err)
	}
	return st, nil
}

// ticketMatches counts each term in the title and body of every ticket
// that f selects. A term's occurrences are the characters replace() takes
// out of the text, over the term's length: both in characters.
func (s queries) ticketMatches(ctx context.Context, f triage.TicketFilter) ([]triage.TicketMatch, error) {
	terms, _ := f.SearchTerms()
	a := ticketWhere(f)
	cols := []string{"id", "created_at", "COALESCE(char_length(search_title), 0)", "COALESCE(char_length(search_body), 0)"}
	for _, t := range terms {
		p := a.next(t)
		for _, col := range []string{"search_title", "search_body"} {
			cols = append(cols, `COALESCE((char_length(`+col+`) - char_length(replace(`+col+`, `+p+`::text, ''))) / char_length(`+p+`::text), 0)`)
		}
	}
	rows, err := s.q.Query(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM tickets`+a.clause(), a.vals...)
	if err != nil {
		return nil, dbError("search tickets", err)
	}
	defer rows.Close()
	var out []triage.TicketMatch
	for rows.Next() {
		m := triage.TicketMatch{TitleTF: make([]int, len(terms)), BodyTF: make([]int, len(terms))}
		dest := []any{&m.ID, &m.CreatedAt, &m.TitleLen, &m.BodyLen}
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
