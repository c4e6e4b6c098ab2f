package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// Ticket search: the store's half of triage.RankTickets, the twin of
// sqlite/search.go. The search columns hold the normalised title, body and
// conversation; a search counts each term's occurrences in them here and
// leaves the ranking to the rule written once.

// searchColumns are the search columns in the order of the fields of
// triage.TicketMatch.
var searchColumns = []string{"search_title", "search_body", "search_comments"}

// searchText is what a new or updated ticket's title and body search
// columns hold: its normalised title and body, or NULL without a
// normaliser (filled in at the next open with one).
func (db *DB) searchText(t *triage.Ticket) (title, body *string) {
	if db.opts.Normalize == nil {
		return nil, nil
	}
	a, b := db.opts.Normalize(t.Title), db.opts.Normalize(t.Body)
	return &a, &b
}

// emptyConversation is the conversation column of a new ticket.
func (db *DB) emptyConversation() *string {
	if db.opts.Normalize == nil {
		return nil
	}
	empty := ""
	return &empty
}

// appendConversation adds a new public comment's line to its ticket's
// conversation column.
func (tx *Tx) appendConversation(ctx context.Context, c *triage.Comment) error {
	if tx.db.opts.Normalize == nil || !c.Public {
		return nil
	}
	_, err := tx.tx.Exec(ctx, `UPDATE tickets SET search_comments = COALESCE(search_comments, '') || $1 WHERE id = $2`,
		triage.CommentLine(c, tx.db.opts.Normalize), c.TicketID)
	return dbError("add comment", err)
}

// refreshSearch recomputes every search column of one ticket from the
// ticket and its comments, or sets them to NULL without a normaliser.
func (tx *Tx) refreshSearch(ctx context.Context, id string) error {
	return refreshSearch(ctx, tx.tx, tx.db, id)
}

// refreshSearch is Tx.refreshSearch on any connection.
func refreshSearch(ctx context.Context, q queryer, db *DB, id string) error {
	if db.opts.Normalize == nil {
		_, err := q.Exec(ctx, `UPDATE tickets SET search_title = NULL, search_body = NULL, search_comments = NULL WHERE id = $1`, id)
		return dbError("make a ticket searchable", err)
	}
	var t triage.Ticket
	if err := q.QueryRow(ctx, `SELECT title, body FROM tickets WHERE id = $1`, id).Scan(&t.Title, &t.Body); err != nil {
		return dbError("make a ticket searchable", err)
	}
	comments, err := queries{q: q}.Comments(ctx, id)
	if err != nil {
		return err
	}
	title, body := db.searchText(&t)
	_, err = q.Exec(ctx, `UPDATE tickets SET search_title = $1, search_body = $2, search_comments = $3 WHERE id = $4`,
		title, body, triage.ConversationText(comments, db.opts.Normalize), id)
	return dbError("make a ticket searchable", err)
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
		rows, err := db.pool.Query(ctx, `SELECT id FROM tickets WHERE search_title IS NULL LIMIT $1`, fillSearchBatch)
		ids, err := collect(rows, err, "tickets to make searchable", func(r pgx.Rows) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
		if err != nil || len(ids) == 0 {
			return err
		}
		err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			for _, id := range ids {
				if err := refreshSearch(ctx, tx, db, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return dbError("make tickets searchable", err)
		}
		if len(ids) < fillSearchBatch {
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
	cols := []string{"COUNT(*)"}
	for _, c := range searchColumns {
		cols = append(cols, `COALESCE(AVG(char_length(`+c+`)), 0)::float8`)
	}
	var st triage.SearchStats
	dest := []any{&st.Tickets}
	for i := range searchColumns {
		dest = append(dest, &st.AvgLen[i])
	}
	if err := s.q.QueryRow(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM tickets`+a.clause(), a.vals...).Scan(dest...); err != nil {
		return st, dbError("search tickets", err)
	}
	return st, nil
}

// ticketMatches counts each term in each search column of every ticket
// that f selects. A term's occurrences are the characters replace() takes
// out of the text, over the term's length: both in characters.
func (s queries) ticketMatches(ctx context.Context, f triage.TicketFilter) ([]triage.TicketMatch, error) {
	terms, _ := f.SearchTerms()
	a := ticketWhere(f)
	cols := []string{"id", "created_at"}
	for _, c := range searchColumns {
		cols = append(cols, `COALESCE(char_length(`+c+`), 0)`)
	}
	for _, t := range terms {
		p := a.next(t)
		for _, c := range searchColumns {
			cols = append(cols, `COALESCE((char_length(`+c+`) - char_length(replace(`+c+`, `+p+`::text, ''))) / char_length(`+p+`::text), 0)`)
		}
	}
	rows, err := s.q.Query(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM tickets`+a.clause(), a.vals...)
	if err != nil {
		return nil, dbError("search tickets", err)
	}
	defer rows.Close()
	var out []triage.TicketMatch
	for rows.Next() {
		m := triage.TicketMatch{TF: make([][triage.SearchFields]int, len(terms))}
		dest := []any{&m.ID, &m.CreatedAt}
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
