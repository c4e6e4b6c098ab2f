package desk

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/triagehq/triage"
)

// Ranking macros beside a ticket. Kept deliberately simple, so an agent
// (and a test) can follow why a macro comes first:
//
//	score   = lexical + UsageWeight × usage / (1 + usage)
//	lexical = |T ∩ M| / √(|T|·|M|)   the ticket's terms T against the macro's M
//	usage   = Σ sim(T, U) over the macro's past uses U with sim ≥ MinSimilarUse
//
// Terms are character bigrams of Chinese text (no dictionary needed, so a
// macro's wording need not match the segmenter's) and lower-cased Latin
// words and numbers; variables are left out of a macro's terms.

// Ranking constants.
const (
	// MinSimilarUse is the similarity from which a past use counts as one
	// on a similar ticket.
	MinSimilarUse = 0.2
	// UsageWeight bounds what usage can add to the lexical score.
	UsageWeight = 0.5
	// DefaultMacroSuggestions is how many macros are suggested.
	DefaultMacroSuggestions = 5
	// macroUseWindow is how many recent uses ranking reads.
	macroUseWindow = 2000
)

// macroTerms cuts text into its set of terms, sorted.
func (s *Service) macroTerms(text string) []string {
	if s.Normalize != nil {
		text = s.Normalize(text)
	}
	return MacroTerms(text)
}

// MacroTerms returns the sorted set of a text's terms: each pair of
// adjacent Han characters (a lone one by itself), and each run of Latin
// letters or digits, lower-cased.
func MacroTerms(text string) []string {
	set := map[string]bool{}
	var han, word []rune
	flushHan := func() {
		if len(han) == 1 {
			set[string(han)] = true
		}
		for i := 0; i+1 < len(han); i++ {
			set[string(han[i:i+2])] = true
		}
		han = han[:0]
	}
	flushWord := func() {
		if len(word) > 0 {
			set[strings.ToLower(string(word))] = true
		}
		word = word[:0]
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord()
			han = append(han, r)
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			flushHan()
			word = append(word, r)
		default:
			flushHan()
			flushWord()
		}
	}
	flushHan()
	flushWord()
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// TermSimilarity is the cosine of two sorted term sets: the shared terms
// over the geometric mean of their sizes, 0 when either is empty.
func TermSimilarity(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	shared := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch c := strings.Compare(a[i], b[j]); {
		case c == 0:
			shared++
			i++
			j++
		case c < 0:
			i++
		default:
			j++
		}
	}
	return float64(shared) / math.Sqrt(float64(len(a))*float64(len(b)))
}

// RankMacros scores macros for a ticket's terms from their text and from
// uses on similar tickets (uses on the ticket itself are left out), best
// first; ties go to the more used macro, then by title. Macros that score
// 0 are left out.
func RankMacros(ticketID string, terms []string, macros []*triage.Macro, macroTerms func(*triage.Macro) []string, uses []*triage.MacroUse) []*triage.MacroSuggestion {
	usage := map[string]float64{}
	similar := map[string]int{}
	for _, u := range uses {
		if u.TicketID == ticketID {
			continue
		}
		if sim := TermSimilarity(terms, u.Terms); sim >= MinSimilarUse {
			usage[u.MacroID] += sim
			similar[u.MacroID]++
		}
	}
	out := []*triage.MacroSuggestion{}
	for _, m := range macros {
		lex := TermSimilarity(terms, macroTerms(m))
		u := usage[m.ID]
		score := lex + UsageWeight*u/(1+u)
		if score <= 0 {
			continue
		}
		out = append(out, &triage.MacroSuggestion{Macro: m, Score: round4(score), Relevance: round4(score / (1 + UsageWeight)), Lexical: round4(lex), Usage: round4(u), SimilarUses: similar[m.ID]})
	}
	slices.SortStableFunc(out, func(a, b *triage.MacroSuggestion) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(b.Macro.Uses, a.Macro.Uses),
			strings.Compare(a.Macro.Title, b.Macro.Title), strings.Compare(a.Macro.ID, b.Macro.ID))
	})
	return out
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }

// SuggestMacros ranks the live macros the caller may use for a ticket and
// renders each for it; limit 0 or less means DefaultMacroSuggestions.
func (s *Service) SuggestMacros(ctx context.Context, ticketID string, limit int) ([]*triage.MacroSuggestion, error) {
	if limit <= 0 {
		limit = DefaultMacroSuggestions
	}
	t, err := s.Store.Ticket(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	visible, err := s.Macros(ctx)
	if err != nil {
		return nil, err
	}
	live := slices.DeleteFunc(visible, func(m *triage.Macro) bool { return m.Archived })
	uses, err := s.Store.MacroUses(ctx, macroUseWindow)
	if err != nil {
		return nil, err
	}
	ranked := RankMacros(t.ID, s.macroTerms(t.Title+"\n"+t.Body), live, func(m *triage.Macro) []string {
		return s.macroTerms(m.Title + "\n" + triage.RenderMacro(m.Body, nil))
	}, uses)
	if len(ranked) > limit {
		ranked = ranked[:limit]
	}
	vars, err := macroVars(ctx, s.Store, t)
	if err != nil {
		return nil, err
	}
	for _, r := range ranked {
		r.Text = triage.RenderMacro(r.Macro.Body, vars)
	}
	return ranked, nil
}

// RenderMacroFor renders one macro for a ticket: the text the picker
// inserts when the agent chooses a macro that was not suggested.
func (s *Service) RenderMacroFor(ctx context.Context, ticketID, macroID string) (*triage.MacroSuggestion, error) {
	m, err := s.Macro(ctx, macroID)
	if err != nil {
		return nil, err
	}
	t, err := s.Store.Ticket(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	vars, err := macroVars(ctx, s.Store, t)
	if err != nil {
		return nil, err
	}
	lex := TermSimilarity(s.macroTerms(t.Title+"\n"+t.Body), s.macroTerms(m.Title+"\n"+triage.RenderMacro(m.Body, nil)))
	return &triage.MacroSuggestion{Macro: m, Text: triage.RenderMacro(m.Body, vars), Score: round4(lex), Relevance: round4(lex / (1 + UsageWeight)), Lexical: round4(lex)}, nil
}
