package importer

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/importer/importertest"
)

func sample(t testing.TB, opt importertest.Options) ([]byte, []string) {
	t.Helper()
	var b bytes.Buffer
	cats, err := importertest.WriteZendesk(&b, opt)
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), cats
}

func sampleMapping(t testing.TB) Mapping {
	t.Helper()
	m, err := LoadMapping(bytes.NewReader(importertest.Mapping()))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readSample(t testing.TB, data []byte) []Record {
	t.Helper()
	var recs []Record
	for rec, err := range Read(context.Background(), bytes.NewReader(data), FormatZendesk, Options{Mapping: sampleMapping(t)}) {
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

func TestSampleExportIsDeterministic(t *testing.T) {
	a, _ := sample(t, importertest.Options{Tickets: 50, Seed: 7})
	b, _ := sample(t, importertest.Options{Tickets: 50, Seed: 7})
	c, _ := sample(t, importertest.Options{Tickets: 50, Seed: 8})
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave different files")
	}
	if bytes.Equal(a, c) {
		t.Fatal("another seed gave the same file")
	}
}

// The journey's input: 1,000 tickets import whole, with their categories,
// conversations and agents, in each form the generator writes.
func TestSampleExportImports(t *testing.T) {
	page, cats := sample(t, importertest.Options{Tickets: 1000, Seed: 1})
	recs := readSample(t, page)
	checkRecords(t, recs, 0)
	if len(recs) != 1000 {
		t.Fatalf("%d records, want 1000", len(recs))
	}
	statuses := map[triage.Status]int{}
	comments, agents, internal := 0, 0, 0
	for i, r := range recs {
		if r.Skip != nil {
			t.Fatalf("record %d at line %d skipped: %v", i, r.Pos.Line, r.Skip)
		}
		tk := r.Ticket
		if tk.Category != cats[i] {
			t.Fatalf("ticket %s: category %q, want %q", tk.ExternalID, tk.Category, cats[i])
		}
		if r.Pos.Line != i+2 {
			t.Fatalf("ticket %s at line %d, want %d", tk.ExternalID, r.Pos.Line, i+2)
		}
		statuses[tk.Status]++
		comments += len(tk.Comments)
		for _, c := range tk.Comments {
			switch {
			case c.Author == triage.AuthorAgent && strings.HasSuffix(c.AuthorEmail, "@shop.example.cn"):
				agents++
			case c.Author == triage.AuthorRequester && c.AuthorEmail == tk.Requester.Email:
			default:
				t.Fatalf("ticket %s: comment by %s <%s>", tk.ExternalID, c.Author, c.AuthorEmail)
			}
			if !c.Public {
				internal++
			}
		}
		if tk.Status != triage.StatusNew && tk.AssigneeEmail == "" {
			t.Fatalf("ticket %s has no assignee", tk.ExternalID)
		}
	}
	t.Logf("1,000 tickets: %v, %d comments (%d by agents, %d internal)", statuses, comments, agents, internal)
	if statuses[triage.StatusClosed] < 600 || comments < 2000 || internal == 0 {
		t.Errorf("statuses %v, %d comments, %d internal: the sample should be mostly closed history with conversations", statuses, comments, internal)
	}
	if recs[999].Pos.Cursor == "" {
		t.Error("no cursor on the last record")
	}

	// Pages of 100 and JSON Lines hold the same tickets.
	pages, _ := sample(t, importertest.Options{Tickets: 1000, Seed: 1, PageSize: 100})
	lines, _ := sample(t, importertest.Options{Tickets: 1000, Seed: 1, Lines: true})
	for name, data := range map[string][]byte{"pages": pages, "lines": lines} {
		other := readSample(t, data)
		if len(other) != len(recs) {
			t.Fatalf("%s: %d records", name, len(other))
		}
		for i := range other {
			a, b := recs[i].Ticket, other[i].Ticket
			if b == nil || a.Key() != b.Key() || a.Category != b.Category || a.Title != b.Title || len(a.Comments) != len(b.Comments) || a.Requester != b.Requester {
				t.Fatalf("%s: record %d differs: %+v", name, i, other[i])
			}
		}
	}
}

// The categories are learnable from the text, but not trivially: a naive
// Bayes over character bigrams, trained on 800 tickets, labels the other
// 200. Below the floor the later journey (import, train, suggest) has
// nothing to learn; at the ceiling the sample would be too clean to show
// what a model gets wrong (vague titles, mixed problems, mislabelled
// tickets are in it on purpose).
func TestSampleCategoriesAreLearnable(t *testing.T) {
	page, _ := sample(t, importertest.Options{Tickets: 1000, Seed: 1})
	recs := readSample(t, page)
	bigrams := func(tk *triage.ImportedTicket) []string {
		r := []rune(tk.Title + " " + tk.Body)
		out := make([]string, 0, len(r))
		for i := 0; i+1 < len(r); i++ {
			out = append(out, string(r[i:i+2]))
		}
		return out
	}
	counts := map[string]map[string]float64{}
	totals, docs := map[string]float64{}, map[string]float64{}
	vocab := map[string]bool{}
	for _, r := range recs[:800] {
		c := r.Ticket.Category
		if counts[c] == nil {
			counts[c] = map[string]float64{}
		}
		docs[c]++
		for _, g := range bigrams(r.Ticket) {
			counts[c][g]++
			totals[c]++
			vocab[g] = true
		}
	}
	right := 0
	for _, r := range recs[800:] {
		best, bestScore := "", math.Inf(-1)
		for c := range counts {
			score := math.Log(docs[c] / 800)
			for _, g := range bigrams(r.Ticket) {
				score += math.Log((counts[c][g] + 1) / (totals[c] + float64(len(vocab))))
			}
			if score > bestScore {
				best, bestScore = c, score
			}
		}
		if best == r.Ticket.Category {
			right++
		}
	}
	acc := float64(right) / 200
	t.Logf("naive Bayes on character bigrams: accuracy %.3f on 200 held-out tickets", acc)
	if acc < 0.8 || acc > 0.98 {
		t.Errorf("accuracy %.3f: the sample's categories should be learnable (≥ 0.80) but not trivially (≤ 0.98)", acc)
	}
}
