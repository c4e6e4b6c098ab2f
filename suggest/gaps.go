package suggest

import (
	"cmp"
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/pii"
)

// The KB's unanswered questions: recent tickets for which no article came
// close, grouped by the words they share, so an editor sees which article
// is missing. A group is at least two tickets: one ticket is an anecdote,
// two asking alike are a gap. A ticket leaves the list once its answer is
// found: an agent accepted (or edited and sent) a suggestion for it, or an
// article published since answers it. Terms and titles are shown with
// personal data, order and tracking numbers and the requester's name
// masked: the gap report is read by editors, who need the question, not
// the customer.

// placeholderRE matches a masked value: 【手机号1】, 【订单号】.
var placeholderRE = regexp.MustCompile(`【[^【】]{1,16}】`)

// MinGapGroup is the fewest similar tickets that make a gap.
const MinGapGroup = 2

// gapTicket is an unanswered ticket with its masked text's words.
type gapTicket struct {
	t     *triage.Ticket
	title string
	words map[string]bool
}

// unanswered returns the groups of similar unanswered tickets since a time.
func (s *Service) unanswered(ctx context.Context, since time.Time, seg triage.Segmenter) ([]TicketGroup, error) {
	sgs, err := s.Store.Suggestions(ctx, triage.SuggestionFilter{Since: since, MaxBestArticle: GapThreshold, Limit: 500})
	if err != nil {
		return nil, err
	}
	changed, err := s.latestArticleChange(ctx)
	if err != nil {
		return nil, err
	}
	low := map[string][]string{} // ticket → its low suggestions' ids
	var order []string
	for _, sg := range sgs {
		if _, ok := low[sg.TicketID]; !ok {
			order = append(order, sg.TicketID)
		}
		low[sg.TicketID] = append(low[sg.TicketID], sg.ID)
	}
	var items []gapTicket
	for _, id := range order {
		t, err := s.Store.Ticket(ctx, id)
		if triage.IsCode(err, triage.ENOTFOUND) {
			continue
		} else if err != nil {
			return nil, err
		}
		open, err := s.stillUnanswered(ctx, t, low[id], changed)
		if err != nil {
			return nil, err
		}
		if !open {
			continue
		}
		title := maskGapText(t.Title, t)
		ws := map[string]bool{}
		// The placeholders are left out of the words: 手机号 is the
		// masker's word, not the customer's question.
		for _, w := range seg.Words(placeholderRE.ReplaceAllString(maskGapText(classify.TicketText(t.Title, t.Body), t), " ")) {
			if gapTerm(w) {
				ws[w] = true
			}
		}
		items = append(items, gapTicket{t, title, ws})
	}
	return groupGaps(items), nil
}

// latestArticleChange is when an article last changed (zero without any).
func (s *Service) latestArticleChange(ctx context.Context) (time.Time, error) {
	latest, _, err := s.Store.Articles(ctx, triage.ArticleFilter{Limit: 1})
	if err != nil || len(latest) == 0 {
		return time.Time{}, err
	}
	return latest[0].UpdatedAt, nil
}

// stillUnanswered reports whether t is still a question the KB fails: its
// newest suggestions found no close article, no suggestion of it was
// accepted or used edited, and no article changed since then answers it.
func (s *Service) stillUnanswered(ctx context.Context, t *triage.Ticket, lowIDs []string, articlesChanged time.Time) (bool, error) {
	latest, err := s.Store.LatestSuggestion(ctx, t.ID)
	if err != nil {
		return false, err
	}
	if latest.BestArticle > GapThreshold {
		return false, nil
	}
	ids := append([]string{latest.ID}, lowIDs...)
	for _, id := range slices.Compact(ids) {
		fb, err := s.Store.Feedback(ctx, id)
		if err != nil {
			return false, err
		}
		if slices.ContainsFunc(fb, func(f *triage.Feedback) bool {
			return f.Action == triage.FeedbackAccepted || f.Action == triage.FeedbackEdited
		}) {
			return false, nil
		}
	}
	if s.Search == nil || !articlesChanged.After(latest.CreatedAt) {
		return true, nil
	}
	// An article changed after the ticket's suggestions were made: ask
	// the search again rather than trust the old answer.
	res, err := s.Search.Find(ctx, kb.Query{Text: classify.TicketText(t.Title, t.Body), Kind: triage.DocArticle, Mode: kb.ModeHybrid, K: 3})
	if err != nil {
		return false, err
	}
	arts, err := s.Hydrate(ctx, triage.DocArticle, res.Hits)
	if err != nil {
		return false, err
	}
	for _, a := range arts {
		if a.VectorScore > GapThreshold {
			return false, nil
		}
	}
	return true, nil
}

// maskGapText masks what identifies a customer or their case in text:
// personal data (package pii), order and tracking numbers and other
// identifiers, amounts, and the requester's name.
func maskGapText(text string, t *triage.Ticket) string {
	if name := strings.TrimSpace(t.Requester.Name); utf8.RuneCountInString(name) >= 2 {
		text = strings.ReplaceAll(text, name, "【姓名】")
	}
	text, _ = pii.Mask(text)
	var b strings.Builder
	last := 0
	for _, f := range pii.Facts(text) {
		switch f.Kind {
		case pii.FactOrder, pii.FactTracking, pii.FactIdentifier, pii.FactAmount:
			b.WriteString(text[last:f.Start])
			b.WriteString(pii.FactLabel(f.Kind))
			last = f.End
		}
	}
	b.WriteString(text[last:])
	return b.String()
}

// gapTerm keeps words worth showing as a group's terms: two runes or more
// and no digit (a number left after masking is still a customer's).
func gapTerm(w string) bool {
	return utf8.RuneCountInString(w) > 1 && !strings.ContainsFunc(w, unicode.IsDigit) && !strings.ContainsAny(w, "【】")
}

// groupGaps clusters tickets greedily by the words they share (Jaccard
// over their word sets; see overlapNeeded): simple, explainable, and
// enough to show an editor which article is missing. Groups smaller than
// MinGapGroup are left out.
func groupGaps(items []gapTicket) []TicketGroup {
	var groups [][]gapTicket
	for _, it := range items {
		placed := false
		for gi, g := range groups {
			if jaccard(g[0].words, it.words) >= overlapNeeded(g[0].t.Category, it.t.Category) {
				groups[gi] = append(g, it)
				placed = true
				break
			}
		}
		if !placed {
			groups = append(groups, []gapTicket{it})
		}
	}
	out := []TicketGroup{}
	for _, g := range groups {
		if len(g) < MinGapGroup {
			continue
		}
		tg := TicketGroup{Size: len(g), Terms: []string{}}
		count := map[string]int{}
		cats := map[string]int{}
		for _, it := range g {
			if c := it.t.Category; c != "" {
				if cats[c]++; cats[c] > cats[tg.Category] || cats[c] == cats[tg.Category] && c < tg.Category {
					tg.Category = c
				}
			}
			tg.Tickets = append(tg.Tickets, it.t.ID)
			tg.Titles = append(tg.Titles, it.title)
			for w := range it.words {
				count[w]++
			}
		}
		for w, n := range count {
			if n >= 2 && n*2 >= len(g) {
				tg.Terms = append(tg.Terms, w)
			}
		}
		slices.SortFunc(tg.Terms, func(a, b string) int {
			if n := cmp.Compare(count[b], count[a]); n != 0 {
				return n
			}
			return cmp.Compare(a, b)
		})
		tg.Terms = tg.Terms[:min(len(tg.Terms), 8)]
		out = append(out, tg)
	}
	slices.SortStableFunc(out, func(a, b TicketGroup) int { return cmp.Compare(b.Size, a.Size) })
	return out[:min(len(out), 20)]
}

// overlapNeeded is the word overlap that puts two tickets in one group: a
// fifth of their words within a category, or when triage left one
// without a category; a third across two categories (an order number can
// pull a product question into 订单与物流).
func overlapNeeded(a, b string) float64 {
	if a == b || a == "" || b == "" {
		return 0.2
	}
	return 1.0 / 3
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}
