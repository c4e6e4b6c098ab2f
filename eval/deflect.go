package eval

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/suggest"
)

// KindDeflect is the kind of a deflection report.
const KindDeflect = "deflect"

// The deflection eval asks what the request form and the answer API would
// do with each question: the top article is shown (offered, or answered
// from) when its confidence (suggest.AnswerConfidence) reaches the
// threshold; it answers the question when it is one of the question's
// relevant articles. A shown article that is not relevant is a false
// answer: a customer told something that does not fit.

// DeflectPoint is one threshold's outcome.
type DeflectPoint struct {
	Threshold float64 `json:"threshold"`
	// ShownRate is the share of questions shown an article.
	ShownRate float64 `json:"shown_rate"`
	// AnsweredRate is the share of questions shown a relevant article:
	// what could be deflected.
	AnsweredRate float64 `json:"answered_rate"`
	// FalseAnswerRate is the share of shown articles that were not
	// relevant.
	FalseAnswerRate float64 `json:"false_answer_rate"`
}

// DeflectReport is the report of `triage eval deflect`.
type DeflectReport struct {
	Kind         string  `json:"kind"`
	Name         string  `json:"name"`
	ArticlesFile string  `json:"articles_file"`
	QueriesFile  string  `json:"queries_file"`
	Embedder     string  `json:"embedder"`
	Articles     int     `json:"articles"`
	Queries      int     `json:"queries"`
	Sample       *Sample `json:"sample,omitempty"`
	// Top1 is recall@1 with no threshold: how often the top article is
	// a relevant one.
	Top1 float64 `json:"top1_relevant"`
	// At is the outcome at the service's threshold; Curve at others.
	At    DeflectPoint   `json:"at_threshold"`
	Curve []DeflectPoint `json:"curve"`
}

// Deflect scores the top article of every query against thresholds (the
// service's first).
func Deflect(ctx context.Context, s *kb.Searcher, queries []Query, threshold float64, curve []float64) (*DeflectReport, error) {
	if len(queries) == 0 {
		return nil, triage.Invalid("queries", "the query set is empty")
	}
	type top struct {
		conf     float64
		relevant bool
		found    bool
	}
	tops := make([]top, len(queries))
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range min(runtime.GOMAXPROCS(0), len(queries), 8) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(queries) || ctx.Err() != nil {
					return
				}
				hits, err := s.Search(ctx, kb.Query{Text: queries[i].Text, Kind: triage.DocArticle, Mode: kb.ModeHybrid, K: 10})
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				if len(hits) > 0 {
					tops[i] = top{conf: suggest.AnswerConfidence(hits[0]), relevant: slices.Contains(queries[i].Relevant, hits[0].OwnerID), found: true}
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	point := func(th float64) DeflectPoint {
		var shown, answered int
		for _, t := range tops {
			if t.found && t.conf >= th {
				shown++
				if t.relevant {
					answered++
				}
			}
		}
		p := DeflectPoint{Threshold: th, ShownRate: round(float64(shown)/float64(len(tops)), 4), AnsweredRate: round(float64(answered)/float64(len(tops)), 4)}
		if shown > 0 {
			p.FalseAnswerRate = round(float64(shown-answered)/float64(shown), 4)
		}
		return p
	}
	r := &DeflectReport{Kind: KindDeflect, Queries: len(queries), At: point(threshold), Curve: []DeflectPoint{}}
	correct := 0
	for _, t := range tops {
		if t.relevant {
			correct++
		}
	}
	r.Top1 = round(float64(correct)/float64(len(tops)), 4)
	for _, th := range curve {
		r.Curve = append(r.Curve, point(th))
	}
	return r, nil
}
