package triage_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// spaces is a segmenter that cuts at spaces, lower-cases, and takes "的"
// for a stop word.
type spaces struct{}

func (spaces) Normalize(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
func (spaces) Words(s string) []string { return strings.Fields(strings.ToLower(s)) }
func (spaces) Tokens(s string) []triage.Term {
	var out []triage.Term
	for i, w := range strings.Fields(strings.ToLower(s)) {
		if w != "的" {
			out = append(out, triage.Term{Text: w, Position: i})
		}
	}
	return out
}

func TestQueryTerms(t *testing.T) {
	long := strings.Repeat("词 ", 5) + strings.Join(func() []string {
		var ws []string
		for i := range 30 {
			ws = append(ws, string(rune('a'+i%26))+string(rune('a'+i/26)))
		}
		return ws
	}(), " ")
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"退款 到账 退款", []string{"退款", "到账"}},
		{"REFUND 的 到账", []string{"refund", "到账"}},
		{" 的 ", []string{"的"}}, // only a stop word: searched as it is
		{"   ", nil},
	} {
		if got := triage.QueryTerms(spaces{}, c.q); !slices.Equal(got, c.want) {
			t.Errorf("QueryTerms(%q) = %q, want %q", c.q, got, c.want)
		}
	}
	if got := triage.QueryTerms(spaces{}, long); len(got) != triage.MaxSearchTerms || got[0] != "词" {
		t.Errorf("a long query gives %d terms %q, want the first %d", len(got), got, triage.MaxSearchTerms)
	}
}

// TestAfterCursor: a page resumes right after the cursor's row, ties
// included.
func TestAfterCursor(t *testing.T) {
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	var ms []triage.TicketMatch
	for i, id := range []string{"a", "b", "c", "d", "e"} {
		ms = append(ms, triage.TicketMatch{ID: id, CreatedAt: at.Add(time.Duration(i%2) * time.Hour), TF: [][triage.SearchFields]int{{1, 0, 0}}, Len: [triage.SearchFields]int{4, 10, 0}})
	}
	triage.RankTickets(ms, triage.SearchStats{Tickets: 10, AvgLen: [triage.SearchFields]float64{4, 10, 0}})
	var order []string
	for _, m := range ms {
		order = append(order, m.ID)
	}
	if !slices.Equal(order, []string{"d", "b", "e", "c", "a"}) {
		t.Fatalf("equal scores in %v, want newest first, then by id descending", order)
	}
	for i, m := range ms {
		c, err := triage.DecodeCursor(triage.SearchCursor(m))
		if err != nil {
			t.Fatal(err)
		}
		rest := triage.AfterCursor(ms, c)
		if len(rest) != len(ms)-i-1 || (len(rest) > 0 && rest[0].ID != ms[i+1].ID) {
			t.Errorf("after %s: %d left", m.ID, len(rest))
		}
	}
}
