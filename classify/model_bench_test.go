package classify_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/segment"
)

// benchTicket is a 500-character ticket: citizen messages from the shared
// taidi2020 set when it is there, a built-in complaint otherwise.
func benchTicket(b *testing.B) (train []classify.Example, ticket string) {
	b.Helper()
	var text string
	if shared := sharedDir(); shared != "" {
		dir := filepath.Join(shared, "data", "taidi2020_messages")
		train = readSet(b, filepath.Join(dir, "train.jsonl"))
		for _, e := range readSet(b, filepath.Join(dir, "dev.jsonl")) {
			text += e.Text
		}
	} else {
		train = toyExamples()
		text = strings.Repeat("您好，我在贵店购买的手机已经七天了还没有发货，物流信息一直没有更新，客服电话也打不通，请尽快处理退款，谢谢！", 20)
	}
	return train, string([]rune(text)[:500])
}

// BenchmarkPredict times the classification of one 500-character ticket:
// "predict" is the whole call, "segment" the segmenter's part of it
// (normalising and cutting words), and "features+score" the classifier's
// own part, with the segmenter's answers cached.
func BenchmarkPredict(b *testing.B) {
	train, ticket := benchTicket(b)
	seg := realSegmenter(b)
	m, err := classify.Train(context.Background(), train, classify.TrainOptions{Segmenter: seg})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("predict", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.Predict(ticket)
		}
	})
	b.Run("segment", func(b *testing.B) {
		for b.Loop() {
			seg.Normalize(ticket)
			seg.Tokens(ticket)
		}
	})
	cached := &memoSegmenter{Segmenter: seg, text: ticket, norm: seg.Normalize(ticket), words: seg.Words(ticket), tokens: seg.Tokens(ticket)}
	m.SetSegmenter(cached)
	b.Run("features+score", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.Predict(ticket)
		}
	})
}

// memoSegmenter answers for one text from memory.
type memoSegmenter struct {
	triage.Segmenter
	text, norm string
	words      []string
	tokens     []triage.Term
}

func (s *memoSegmenter) Normalize(t string) string {
	if t == s.text {
		return s.norm
	}
	return s.Segmenter.Normalize(t)
}

func (s *memoSegmenter) Words(t string) []string {
	if t == s.text {
		return s.words
	}
	return s.Segmenter.Words(t)
}

func (s *memoSegmenter) Tokens(t string) []triage.Term {
	if t == s.text {
		return s.tokens
	}
	return s.Segmenter.Tokens(t)
}

// BenchmarkPredictSets trains on each shared classification set (the first
// 6,000 training examples at most) and predicts its dev texts one at a time
// on one goroutine: predictions per second of one core, the path `triage
// eval classify` times against scikit-learn (which `make bench-peers` runs).
// The benchmark cycles through the dev texts, so from the second round on
// the segmenter's clause cache knows them all; "uncached" is the same with
// a segmenter without that cache, as `triage eval` sees each text once.
func BenchmarkPredictSets(b *testing.B) {
	shared := sharedDir()
	if shared == "" {
		b.Skip("SKIP: no ../shared/data beside the repository")
	}
	seg := realSegmenter(b)
	uncached, err := segment.New(segment.Options{NoCache: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, set := range []string{"taidi2020_messages", "smp2017_intent", "online_shopping_10cats"} {
		b.Run(set, func(b *testing.B) {
			dir := filepath.Join(shared, "data", set)
			train := readSet(b, filepath.Join(dir, "train.jsonl"))
			train = train[:min(len(train), 6000)]
			dev := readSet(b, filepath.Join(dir, "dev.jsonl"))
			m, err := classify.Train(context.Background(), train, classify.TrainOptions{Segmenter: seg, CalibrationFolds: -1})
			if err != nil {
				b.Fatal(err)
			}
			for _, c := range []struct {
				name string
				seg  triage.Segmenter
			}{{"cached", seg}, {"uncached", uncached}} {
				b.Run(c.name, func(b *testing.B) {
					m.SetSegmenter(c.seg)
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						m.Predict(dev[i%len(dev)].Text)
						i++
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "predictions/s")
				})
			}
		})
	}
}
