package kb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// oneHitText finds owner "w" by its words, whatever the query.
type oneHitText struct{ triage.TextIndex }

func (oneHitText) Search(ctx context.Context, q triage.TextQuery) ([]triage.TextHit, error) {
	return []triage.TextHit{{DocID: DocID(q.Kind, "w", 0), OwnerID: "w", Score: 3}}, nil
}

// oneHitVectors finds owner "v" by its meaning.
type oneHitVectors struct{ triage.VectorIndex }

func (oneHitVectors) Search(ctx context.Context, vec []float32, k int, keep func(string) bool) ([]triage.VectorHit, error) {
	return []triage.VectorHit{{DocID: DocID(triage.DocTicket, "v", 0), Score: 0.9}}, nil
}

// slowEmbedder answers after delay, ignoring its context (the worst an
// embedder can do), or fails with err.
type slowEmbedder struct {
	delay time.Duration
	err   error
}

func (slowEmbedder) Model() string { return "slow" }
func (slowEmbedder) Dim() int      { return 2 }
func (e slowEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	time.Sleep(e.delay)
	if e.err != nil {
		return nil, e.err
	}
	return [][]float32{{1, 0}}, nil
}

// TestFindWithinBudget: with a Budget, a late vector side (even one that
// ignores its context) or a failed one leaves the words as the answer,
// in hybrid and in vector mode, with the reason; without a Budget a
// failure is the search's error, as evaluation needs; a caller that gave
// up gets its own error, not a degraded answer.
func TestFindWithinBudget(t *testing.T) {
	const budget = 50 * time.Millisecond
	refused := triage.Errorf(triage.EUNAVAILABLE, "embedding service unavailable (HTTP 500)")
	breakerOpen := triage.Errorf(triage.EUNAVAILABLE, "embedding service is failing; not calling it for up to 30s")
	openReason := triage.NewReason(triage.ReasonSearchVectorBreakerOpen, 30.0)
	breakerOpen.Reason = &openReason
	for _, tc := range []struct {
		name     string
		emb      slowEmbedder
		budget   time.Duration
		mode     string
		owners   []string
		reason   triage.ReasonCode
		wantErr  bool
		cancelIn bool
	}{
		{"healthy hybrid", slowEmbedder{}, budget, ModeHybrid, []string{"w", "v"}, "", false, false},
		{"late hybrid", slowEmbedder{delay: time.Second}, budget, ModeHybrid, []string{"w"}, triage.ReasonSearchVectorTimeout, false, false},
		{"late vector", slowEmbedder{delay: time.Second}, budget, ModeVector, []string{"w"}, triage.ReasonSearchVectorTimeout, false, false},
		{"failed hybrid", slowEmbedder{err: refused}, budget, ModeHybrid, []string{"w"}, triage.ReasonSearchVectorFailed, false, false},
		{"failed vector", slowEmbedder{err: refused}, budget, ModeVector, []string{"w"}, triage.ReasonSearchVectorFailed, false, false},
		{"breaker open", slowEmbedder{err: breakerOpen}, budget, ModeHybrid, []string{"w"}, triage.ReasonSearchVectorBreakerOpen, false, false},
		{"failed without budget", slowEmbedder{err: refused}, 0, ModeHybrid, nil, "", true, false},
		{"caller gave up", slowEmbedder{delay: time.Second}, time.Minute, ModeHybrid, nil, "", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Searcher{Text: oneHitText{}, Vectors: oneHitVectors{}, Embedder: tc.emb, Budget: tc.budget}
			ctx := context.Background()
			if tc.cancelIn {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, budget)
				defer cancel()
			}
			start := time.Now()
			res, err := s.Find(ctx, Query{Text: "退款", Kind: triage.DocTicket, Mode: tc.mode})
			if took := time.Since(start); took > 500*time.Millisecond {
				t.Fatalf("took %s: the budget did not bound the wait", took)
			}
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error; degraded %+v", res.Degraded)
				}
				if tc.cancelIn && !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("the caller's own deadline should be the error: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var owners []string
			for _, h := range res.Hits {
				owners = append(owners, h.OwnerID)
			}
			if len(owners) != len(tc.owners) || (len(owners) > 0 && owners[0] != tc.owners[0]) {
				t.Fatalf("owners %v, want %v", owners, tc.owners)
			}
			code := triage.ReasonCode("")
			if res.Degraded != nil {
				code = res.Degraded.Code
			}
			if code != tc.reason {
				t.Fatalf("degraded %+v, want %q", res.Degraded, tc.reason)
			}
			if code == triage.ReasonSearchVectorFailed && res.Degraded.Args["error"] != triage.ErrorMessage(refused) {
				t.Fatalf("the reason should carry the error's message: %+v", res.Degraded)
			}
		})
	}
}
