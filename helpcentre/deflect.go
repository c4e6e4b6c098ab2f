package helpcentre

import (
	"cmp"
	"context"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// The deflection report: what customers found without an agent, by day
// (China time) and category, and what came back anyway.
//
// Deflected counts the customer-side outcomes that ended without a ticket:
// "有帮助" on an article, "解决了" on an article the form offered, a form
// session shown articles that ended without a ticket (and without
// 解决了, so one customer is counted once), and a bot answer without
// handover. CameBack counts those of them followed within 24 hours by a
// ticket from the same contact (e-mail or phone, compared by hash), which
// were not deflections after all; Net is Deflected minus CameBack. A
// "有帮助" vote is anonymous, so it can never be matched to a later ticket:
// the report shows it apart (Helpful) for that reason.

// DeflectionRow is one day and category.
type DeflectionRow struct {
	Day      string `json:"day"`
	Category string `json:"category"`
	Searches int    `json:"searches"`
	Views    int    `json:"views"`
	Helpful  int    `json:"helpful"`
	Solved   int    `json:"solved"`
	// FormsWithoutTicket are form sessions shown articles that ended
	// with neither a ticket nor 解决了.
	FormsWithoutTicket int `json:"forms_without_ticket"`
	FormTickets        int `json:"form_tickets"`
	BotAnswers         int `json:"bot_answers"`
	BotHandovers       int `json:"bot_handovers"`
	Deflected          int `json:"deflected"`
	CameBack           int `json:"came_back"`
	Net                int `json:"net"`
}

// Deflection is the report over [From, To).
type Deflection struct {
	From  time.Time       `json:"from"`
	To    time.Time       `json:"to"`
	Rows  []DeflectionRow `json:"rows"`
	Total DeflectionRow   `json:"total"`
}

// ComeBackWindow is how long after a deflection a ticket from the same
// contact takes it back.
const ComeBackWindow = 24 * time.Hour

// maxReportTickets bounds the tickets read to find the ones that came
// back.
const maxReportTickets = 100_000

// Deflection builds the report over [from, to).
func (s *Service) Deflection(ctx context.Context, from, to time.Time) (*Deflection, error) {
	if !to.After(from) || to.Sub(from) > 366*24*time.Hour {
		return nil, triage.Invalid("to", "to must be after from, at most 366 days apart")
	}
	events, err := s.Store.HelpEvents(ctx, from, to)
	if err != nil {
		return nil, err
	}
	// Tickets by contact, to find deflections that came back.
	tickets := map[string][]time.Time{}
	f := triage.TicketFilter{CreatedFrom: from, CreatedTo: to.Add(ComeBackWindow), Limit: triage.MaxPageSize}
	for n := 0; n < maxReportTickets; {
		page, next, err := s.Store.Tickets(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, t := range page {
			for _, c := range []string{t.Requester.Email, t.Requester.Phone} {
				if k := triage.ContactKey(c); k != "" {
					tickets[k] = append(tickets[k], t.CreatedAt)
				}
			}
		}
		n += len(page)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	cameBack := func(e *triage.HelpEvent) bool {
		for _, at := range tickets[e.Contact] {
			if e.Contact != "" && at.After(e.CreatedAt) && !at.After(e.CreatedAt.Add(ComeBackWindow)) {
				return true
			}
		}
		return false
	}
	// A form session: its first event shown articles, whether it ended in
	// a ticket or 解决了.
	type session struct {
		first          *triage.HelpEvent
		ticket, solved bool
	}
	sessions := map[string]*session{}
	var order []string
	for _, e := range events {
		if e.Session == "" || (e.Kind != triage.HelpForm && e.Kind != triage.HelpTicket && e.Kind != triage.HelpSolved) {
			continue
		}
		ss := sessions[e.Session]
		if ss == nil {
			ss = &session{}
			sessions[e.Session] = ss
			order = append(order, e.Session)
		}
		switch e.Kind {
		case triage.HelpForm:
			if ss.first == nil {
				ss.first = e
			} else if ss.first.Contact == "" && e.Contact != "" {
				ss.first.Contact = e.Contact // typed later in the session
			}
		case triage.HelpTicket:
			ss.ticket = true
		case triage.HelpSolved:
			ss.solved = true
		}
	}
	rows := map[[2]string]*DeflectionRow{}
	row := func(e *triage.HelpEvent) *DeflectionRow {
		k := [2]string{e.CreatedAt.In(chinaTime).Format(time.DateOnly), e.Category}
		r := rows[k]
		if r == nil {
			r = &DeflectionRow{Day: k[0], Category: k[1]}
			rows[k] = r
		}
		return r
	}
	deflect := func(r *DeflectionRow, e *triage.HelpEvent) {
		r.Deflected++
		if cameBack(e) {
			r.CameBack++
		}
	}
	for _, e := range events {
		r := row(e)
		switch e.Kind {
		case triage.HelpSearch:
			r.Searches++
		case triage.HelpView:
			r.Views++
		case triage.HelpHelpful:
			r.Helpful++
			r.Deflected++
		case triage.HelpSolved:
			r.Solved++
			deflect(r, e)
		case triage.HelpTicket:
			r.FormTickets++
		case triage.HelpAnswer:
			r.BotAnswers++
			deflect(r, e)
		case triage.HelpHandover:
			r.BotHandovers++
		}
	}
	for _, id := range order {
		ss := sessions[id]
		if ss.first == nil || ss.ticket || ss.solved {
			continue
		}
		r := row(ss.first)
		r.FormsWithoutTicket++
		deflect(r, ss.first)
	}
	out := &Deflection{From: from.UTC(), To: to.UTC(), Rows: []DeflectionRow{}, Total: DeflectionRow{Day: "total"}}
	for _, r := range rows {
		r.Net = r.Deflected - r.CameBack
		out.Rows = append(out.Rows, *r)
	}
	slices.SortFunc(out.Rows, func(a, b DeflectionRow) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.Category, b.Category))
	})
	t := &out.Total
	for _, r := range out.Rows {
		t.Searches += r.Searches
		t.Views += r.Views
		t.Helpful += r.Helpful
		t.Solved += r.Solved
		t.FormsWithoutTicket += r.FormsWithoutTicket
		t.FormTickets += r.FormTickets
		t.BotAnswers += r.BotAnswers
		t.BotHandovers += r.BotHandovers
		t.Deflected += r.Deflected
		t.CameBack += r.CameBack
		t.Net += r.Net
	}
	return out, nil
}

// WriteCSV writes the report's rows and its total as CSV, UTF-8 with a
// byte-order mark so that Excel shows the Chinese categories.
func (d *Deflection) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	c := csv.NewWriter(w)
	_ = c.Write([]string{"day", "category", "searches", "views", "helpful", "solved", "forms_without_ticket", "form_tickets",
		"bot_answers", "bot_handovers", "deflected", "came_back", "net"})
	for _, r := range append(slices.Clone(d.Rows), d.Total) {
		cat := r.Category
		if cat != "" && strings.ContainsRune("=+-@\t\r", rune(cat[0])) {
			cat = "'" + cat // a spreadsheet must not read it as a formula
		}
		rec := []string{r.Day, cat}
		for _, n := range []int{r.Searches, r.Views, r.Helpful, r.Solved, r.FormsWithoutTicket, r.FormTickets, r.BotAnswers, r.BotHandovers, r.Deflected, r.CameBack, r.Net} {
			rec = append(rec, strconv.Itoa(n))
		}
		_ = c.Write(rec)
	}
	c.Flush()
	return c.Error()
}
