package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/pii"
)

// KindDrafts is the kind of a drafts report.
const KindDrafts = "drafts"

// DraftsReport checks the draft reply of every ticket: which mode and kind
// of draft it got, whether its citations name sources it was given and sit
// after whole sentences, and the foreign facts it states — numbers,
// identifiers and amounts that appear neither in the ticket (title, body,
// comments) nor in the published articles it cites. A draft with a
// foreign fact tells one customer something about another's case, or
// something nobody said.
type DraftsReport struct {
	Kind string `json:"kind"` // "drafts"
	Name string `json:"name,omitempty"`
	// Source is the store directory or the tickets file read.
	Source  string `json:"source"`
	Tickets int    `json:"tickets"`
	// Modes and Kinds count the drafts by mode (llm, extractive,
	// template, none) and kind (normal, clarifying, safety, escalation).
	Modes map[string]int `json:"modes"`
	Kinds map[string]int `json:"kinds"`
	// BadCitations counts drafts with a citation of no given source or
	// one inside a quotation or a table row.
	BadCitations int `json:"bad_citations"`
	// WithForeignFacts counts drafts stating at least one foreign fact;
	// ForeignFacts counts the facts.
	WithForeignFacts int `json:"with_foreign_facts"`
	ForeignFacts     int `json:"foreign_facts"`
	// CleanRate is the share of tickets whose draft has no foreign fact
	// and no bad citation: the headline.
	CleanRate float64    `json:"clean_rate"`
	Rows      []DraftRow `json:"rows"`
}

// DraftRow is one ticket's draft and what the checks found in it.
type DraftRow struct {
	TicketID       string `json:"ticket_id,omitempty"`
	Title          string `json:"title"`
	Mode           string `json:"mode"`
	DraftKind      string `json:"draft_kind"`
	Citations      []int  `json:"citations"`
	CitationsValid bool   `json:"citations_valid"`
	// Sources counts the articles and similar tickets suggested beside it.
	Sources  int            `json:"sources"`
	Foreign  []ForeignFact  `json:"foreign,omitempty"`
	Fallback *triage.Reason `json:"fallback,omitempty"`
	Text     string         `json:"text"`
}

// ForeignFact is a fact of a draft that its grounds do not state.
type ForeignFact struct {
	Kind  pii.FactKind `json:"kind"`
	Value string       `json:"value"`
}

// DraftTicket is a ticket to draft for: a stored one (with its comments)
// or one read from a file.
type DraftTicket struct {
	Ticket   *triage.Ticket
	Comments []*triage.Comment
}

// DraftsOptions say how to get a ticket's suggestions and the published
// text of a cited article.
type DraftsOptions struct {
	Suggest  func(ctx context.Context, t *triage.Ticket) (*triage.Suggestions, error)
	Article  func(ctx context.Context, id string) (*triage.Article, error)
	Progress func(stage string, done, total int)
}

// Drafts drafts a reply for every ticket and checks it.
func Drafts(ctx context.Context, tickets []DraftTicket, o DraftsOptions) (*DraftsReport, error) {
	rep := &DraftsReport{Kind: KindDrafts, Modes: map[string]int{}, Kinds: map[string]int{}, Rows: []DraftRow{}}
	for i, dt := range tickets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sg, err := o.Suggest(ctx, dt.Ticket)
		if err != nil {
			return nil, err
		}
		row, err := checkDraft(ctx, dt, sg, o.Article)
		if err != nil {
			return nil, err
		}
		rep.Tickets++
		rep.Modes[row.Mode]++
		rep.Kinds[row.DraftKind]++
		if !row.CitationsValid {
			rep.BadCitations++
		}
		if len(row.Foreign) > 0 {
			rep.WithForeignFacts++
			rep.ForeignFacts += len(row.Foreign)
		}
		rep.Rows = append(rep.Rows, row)
		if o.Progress != nil && (i%20 == 19 || i == len(tickets)-1) {
			o.Progress("drafts", i+1, len(tickets))
		}
	}
	clean := 0
	for _, r := range rep.Rows {
		if r.CitationsValid && len(r.Foreign) == 0 {
			clean++
		}
	}
	if rep.Tickets > 0 {
		rep.CleanRate = float64(clean) / float64(rep.Tickets)
	}
	return rep, nil
}

var (
	citationRE = regexp.MustCompile(`\[(\d+)\]`)
	// quotedCiteRE finds a citation inside 「」 or 『』, and a table row
	// that carries one.
	quotedCiteRE = regexp.MustCompile(`「[^」\n]*\[\d+\][^」\n]*」|『[^』\n]*\[\d+\][^』\n]*』|(?m)^[ \t]*\|.*\[\d+\].*$`)
)

func checkDraft(ctx context.Context, dt DraftTicket, sg *triage.Suggestions, article func(context.Context, string) (*triage.Article, error)) (DraftRow, error) {
	t, d := dt.Ticket, sg.Draft
	row := DraftRow{TicketID: t.ID, Title: t.Title, Mode: d.Mode, DraftKind: d.Kind, Citations: d.Citations, CitationsValid: true,
		Sources: len(sg.Articles) + len(sg.Tickets), Fallback: d.Fallback, Text: d.Text}
	if row.Citations == nil {
		row.Citations = []int{}
	}
	sources := map[int]triage.Source{}
	for _, s := range append(append([]triage.Source{}, sg.Articles...), sg.Tickets...) {
		sources[s.N] = s
	}
	grounds := []string{t.Title, t.Body}
	for _, c := range dt.Comments {
		grounds = append(grounds, c.Body)
	}
	for _, m := range citationRE.FindAllStringSubmatch(d.Text, -1) {
		var n int
		for _, r := range m[1] {
			n = n*10 + int(r-'0')
		}
		s, ok := sources[n]
		if !ok {
			row.CitationsValid = false
			continue
		}
		if s.Kind != triage.DocArticle {
			continue
		}
		// A cited article grounds a fact only when it is published.
		a, err := article(ctx, s.ID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			continue
		} else if err != nil {
			return DraftRow{}, err
		}
		if a.Status == triage.ArticlePublished {
			grounds = append(grounds, a.Title, a.Body)
		}
	}
	if quotedCiteRE.MatchString(d.Text) {
		row.CitationsValid = false
	}
	for _, f := range pii.Foreign(citationRE.ReplaceAllString(d.Text, ""), grounds...) {
		row.Foreign = append(row.Foreign, ForeignFact{Kind: f.Kind, Value: f.Value})
	}
	return row, nil
}

// ReadDraftTickets reads tickets to draft for from JSON Lines of
// {"title", "body"} (other fields are ignored); errors name the line.
func ReadDraftTickets(path string) ([]DraftTicket, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, triage.Errorf(triage.EINVALID, "%s: %v", path, err)
	}
	defer f.Close()
	var out []DraftTicket
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		b := strings.TrimSpace(sc.Text())
		if b == "" {
			continue
		}
		var in struct {
			ID    string `json:"id"`
			Title string `json:"title"`
			Body  string `json:"body"`
		}
		if err := json.Unmarshal([]byte(b), &in); err != nil {
			return nil, triage.Errorf(triage.EINVALID, "%s:%d: not a JSON object: %v", path, line, err)
		}
		if strings.TrimSpace(in.Title+in.Body) == "" {
			return nil, triage.Errorf(triage.EINVALID, "%s:%d: a ticket needs a title or a body", path, line)
		}
		out = append(out, DraftTicket{Ticket: &triage.Ticket{ID: in.ID, Title: in.Title, Body: in.Body}})
	}
	if err := sc.Err(); err != nil {
		return nil, triage.Errorf(triage.EINVALID, "%s: %v", path, err)
	}
	return out, nil
}
