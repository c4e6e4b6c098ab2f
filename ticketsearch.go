package triage

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// Ticket search (GET /v1/tickets?q=), written once for both stores.
//
// A ticket's title, body and conversation (its public comments, where the
// knowledge-base search finds a resolved ticket's answer) are kept a
// second time, normalised by the segmenter's Normalize (full-width to
// half-width, traditional to simplified, Latin lower-cased), in search
// columns that the store fills with every write of the ticket or of a
// public comment. A query is cut into the segmenter's index terms, as the
// knowledge-base search cuts it, and a ticket matches when any of those
// fields contains any of them: 退貨 finds 退货 and 手环 finds 手環, 手机号
// finds 手机号码, and a filler word cannot knock a ticket out. Matching a
// term as a run of characters, not as a word the segmenter cut when the
// ticket was written, keeps a ticket findable when the dictionary changes
// later. The store counts each term's occurrences in SQL; RankTickets turns
// them into BM25 scores with the text index's field weights, and the list
// comes best first.

// MaxSearchTerms caps the terms of one ticket search; the rest of a long
// query is ignored, as the text index ignores it.
const MaxSearchTerms = 16

// The searched fields of a ticket, in the order of TicketMatch's counts.
const (
	SearchTitle = iota
	SearchBody
	SearchConversation
	// SearchFields is how many there are.
	SearchFields
)

// BM25 parameters and field weights of ticket search: those of the text
// index (bleve's BM25 and bleve.DefaultWeights: title 1.2, body 1, a
// resolved ticket's answer 0.5), so a ticket ranks for a query the way a
// resolved ticket ranks in the knowledge-base search.
const (
	searchK1 = 1.2
	searchB  = 0.75
)

var searchWeights = [SearchFields]float64{SearchTitle: 1.2, SearchBody: 1, SearchConversation: 0.5}

// QueryTerms returns the search terms of a query: the distinct index terms
// the segmenter cuts it into (normalised, without stop words, with the
// dictionary words inside long words), at most MaxSearchTerms. A query of
// stop words or punctuation only is searched as its normalised text.
func QueryTerms(seg Segmenter, q string) []string {
	var out []string
	for _, t := range seg.Tokens(q) {
		if !slices.Contains(out, t.Text) {
			out = append(out, t.Text)
			if len(out) == MaxSearchTerms {
				break
			}
		}
	}
	if len(out) == 0 {
		if n := strings.TrimSpace(seg.Normalize(q)); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// TicketMatch is a ticket that contains at least one term of a search:
// what the store counts, and the score RankTickets gives it.
type TicketMatch struct {
	ID        string
	CreatedAt time.Time
	// Len is the length of each normalised field (SearchTitle, SearchBody,
	// SearchConversation) in characters.
	Len [SearchFields]int
	// TF counts each term's occurrences in each field: TF[term][field],
	// terms in the search's order.
	TF    [][SearchFields]int
	Score float64
}

// SearchStats are the figures of the tickets a search runs over (every
// ticket its other filters select), which BM25 weighs matches by: how
// many, and the average length of each field.
type SearchStats struct {
	Tickets int
	AvgLen  [SearchFields]float64
}

// RankTickets scores each match with BM25 over its fields, each with its
// weight, and sorts them best first; equal scores list newest first
// (CreatedAt, then ID, both descending), the order of a list without a
// search. A term's rarity is counted among the matches: the tickets that
// contain it.
func RankTickets(ms []TicketMatch, st SearchStats) {
	if len(ms) == 0 {
		return
	}
	terms := len(ms[0].TF)
	df := make([]int, terms)
	for _, m := range ms {
		for i, tf := range m.TF {
			if tf != [SearchFields]int{} {
				df[i]++
			}
		}
	}
	n := float64(max(st.Tickets, len(ms)))
	part := func(tf, length int, avg float64) float64 {
		if tf <= 0 {
			return 0
		}
		f := float64(tf)
		return f * (searchK1 + 1) / (f + searchK1*(1-searchB+searchB*float64(length)/max(avg, 1)))
	}
	for j := range ms {
		m := &ms[j]
		m.Score = 0
		for i, tf := range m.TF {
			if df[i] == 0 {
				continue
			}
			idf := math.Log(1 + (n-float64(df[i])+0.5)/(float64(df[i])+0.5))
			for f, w := range searchWeights {
				m.Score += idf * w * part(tf[f], m.Len[f], st.AvgLen[f])
			}
		}
	}
	slices.SortFunc(ms, func(a, b TicketMatch) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
	})
}

// ConversationText is what a ticket's conversation field holds: each of
// its public comments, oldest first, normalised, a line each. A store
// appends a new public comment's line (CommentLine) rather than rebuild it.
func ConversationText(comments []*Comment, normalize func(string) string) string {
	var b strings.Builder
	for _, c := range comments {
		if c.Public {
			b.WriteString(CommentLine(c, normalize))
		}
	}
	return b.String()
}

// CommentLine is one public comment's line of the conversation field, ""
// for an internal note.
func CommentLine(c *Comment, normalize func(string) string) string {
	if !c.Public {
		return ""
	}
	return normalize(c.Body) + "\n"
}

// AfterCursor returns the ranked matches that follow a search list's
// cursor. Scores are recomputed for every page, so a ticket written
// between two pages can move the boundary, as in any relevance search.
func AfterCursor(ms []TicketMatch, c Cursor) []TicketMatch {
	if c.Score == nil {
		return ms
	}
	at := TicketMatch{ID: c.ID, CreatedAt: c.CreatedAt, Score: *c.Score}
	i, _ := slices.BinarySearchFunc(ms, at, func(m, at TicketMatch) int {
		return cmp.Or(cmp.Compare(at.Score, m.Score), at.CreatedAt.Compare(m.CreatedAt), strings.Compare(at.ID, m.ID))
	})
	for i < len(ms) && ms[i].ID == at.ID && ms[i].Score == at.Score && ms[i].CreatedAt.Equal(at.CreatedAt) {
		i++
	}
	return ms[i:]
}

// SearchCursor is the cursor after a match, for the next page of a search.
func SearchCursor(m TicketMatch) string {
	s := m.Score
	return Cursor{CreatedAt: m.CreatedAt, ID: m.ID, Score: &s}.Encode()
}

// CheckListCursor refuses a cursor of the other kind of ticket list: a
// search's (by relevance) given to a plain list (newest first), or the
// reverse.
func CheckListCursor(c Cursor, search bool) error {
	if (c.Score != nil) != search {
		return Invalid("cursor", "cursor is not one this list issued: a cursor of a list with q goes with the same q")
	}
	return nil
}

// SearchTerms returns the terms of a ticket search, without empty ones and
// at most MaxSearchTerms, and whether f is a search at all: a filter whose
// terms are all empty is a search that matches nothing.
func (f TicketFilter) SearchTerms() (terms []string, search bool) {
	for _, t := range f.Terms {
		if t != "" && !slices.Contains(terms, t) && len(terms) < MaxSearchTerms {
			terms = append(terms, t)
		}
	}
	return terms, len(f.Terms) > 0
}
