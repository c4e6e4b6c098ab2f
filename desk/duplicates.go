package desk

import (
	"context"
	"slices"
	"time"

	"github.com/triagehq/triage"
)

// Duplicate detection defaults.
const (
	DefaultDuplicateWindow    = 72 * time.Hour
	DefaultDuplicateThreshold = 0.6
)

// Duplicates links a new ticket to an open ticket of the same requester
// (e-mail or phone) created shortly before whose text is nearly the same:
// the customer who writes twice about one problem. The link is a
// suggestion shown on both tickets (GET /v1/tickets/{id}/links) and in
// the new ticket's history; merging is an agent's decision.
//
// Similarity is the Jaccard index of the two texts' word sets (title and
// body, as the service's segmenter splits and normalises them, stop words
// dropped): shared words / all distinct words. It is cheap, needs no
// model, and explains itself: the link names the shared words. Word sets
// rather than counts, so a customer repeating 退款 five times does not
// weigh more than one who says it once.
type Duplicates struct {
	Store triage.Store
	// Words splits a text into normalised words: the segmenter's Words.
	Words func(text string) []string
	// Window is how far back an open ticket counts; 0 means 72 hours.
	Window time.Duration
	// Threshold is the least score that links; 0 means 0.6.
	Threshold float64
	Now       func() time.Time
}

// maxCandidates bounds how many of a requester's recent tickets are
// compared per identifier.
const maxCandidates = 50

// Similarity scores two texts and returns the words they share, in the
// first text's order.
func (d *Duplicates) Similarity(a, b string) (float64, []string) {
	wa, wb := set(d.Words(a)), set(d.Words(b))
	if len(wa) == 0 || len(wb) == 0 {
		return 0, nil
	}
	var shared []string
	for _, w := range wa {
		if slices.Contains(wb, w) {
			shared = append(shared, w)
		}
	}
	union := len(wa) + len(wb) - len(shared)
	return float64(len(shared)) / float64(union), shared
}

func set(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func text(t *triage.Ticket) string { return t.Title + "\n" + t.Body }

// Check compares a new ticket with the requester's open tickets and, when
// one is similar enough, links the new ticket to the most similar. It is
// the ticket.created subscriber and safe to run again: a ticket already
// linked is left alone. It returns the link made, or nil.
func (d *Duplicates) Check(ctx context.Context, ticketID string) (*triage.TicketLink, error) {
	t, err := d.Store.Ticket(ctx, ticketID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if t.MergedInto != "" || (t.Requester.Email == "" && t.Requester.Phone == "") {
		return nil, nil
	}
	window := d.Window
	if window <= 0 {
		window = DefaultDuplicateWindow
	}
	threshold := d.Threshold
	if threshold <= 0 {
		threshold = DefaultDuplicateThreshold
	}
	var best *triage.Ticket
	var bestScore float64
	var bestShared []string
	via := ""
	seen := map[string]bool{t.ID: true}
	for _, id := range []struct{ kind, value string }{{"email", t.Requester.Email}, {"phone", t.Requester.Phone}} {
		if id.value == "" {
			continue
		}
		cands, _, err := d.Store.Tickets(ctx, triage.TicketFilter{RequesterID: id.value, Status: []triage.Status{triage.StatusNew, triage.StatusOpen, triage.StatusPending},
			CreatedFrom: t.CreatedAt.Add(-window), CreatedTo: t.CreatedAt, Limit: maxCandidates})
		if err != nil {
			return nil, err
		}
		for _, c := range cands {
			if seen[c.ID] || c.MergedInto != "" {
				continue
			}
			seen[c.ID] = true
			score, shared := d.Similarity(text(t), text(c))
			if score > bestScore {
				best, bestScore, bestShared, via = c, score, shared, id.kind
			}
		}
	}
	if best == nil || bestScore < threshold {
		return nil, nil
	}
	link := &triage.TicketLink{FromID: t.ID, ToID: best.ID, Kind: triage.LinkDuplicate, Score: float64(int(bestScore*1000+0.5)) / 1000,
		Why: why(bestScore, bestShared, via, t.CreatedAt.Sub(best.CreatedAt), threshold), Actor: "system:duplicates", CreatedAt: d.now()}
	err = d.Store.Update(ctx, func(tx triage.Tx) error {
		links, err := tx.TicketLinks(ctx, t.ID)
		if err != nil {
			return err
		}
		for _, l := range links {
			if l.Kind == triage.LinkDuplicate && l.FromID == t.ID {
				link = nil // an earlier run linked it
				return nil
			}
		}
		if err := tx.AddTicketLink(ctx, link); err != nil {
			return err
		}
		return tx.AddHistory(ctx, &triage.HistoryEntry{ID: triage.NewID(), TicketID: t.ID, Actor: link.Actor, At: link.CreatedAt,
			Field: "duplicate_of", New: best.ID, Why: link.Why})
	})
	if err != nil {
		return nil, err
	}
	return link, nil
}

// why explains a duplicate link so an agent can check it: how the
// requester matched (email or phone), how far apart, the score and the
// threshold, and up to 12 of the shared words.
func why(score float64, shared []string, via string, apart time.Duration, threshold float64) triage.Reasons {
	show := shared
	if len(show) > 12 {
		show = show[:12]
	}
	return triage.Reasons{triage.NewReason(triage.ReasonDuplicateSimilar, via, apart.Round(time.Minute).Seconds(), score, threshold, len(shared), show)}
}

func (d *Duplicates) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// Subscriptions: every new ticket is checked against its requester's
// recent open tickets.
func (d *Duplicates) Subscriptions() []triage.Subscription {
	return []triage.Subscription{triage.EventTicketCreated.On(func(ctx context.Context, e triage.Event[triage.TicketEvent]) error {
		_, err := d.Check(ctx, e.Payload.TicketID)
		return err
	})}
}
