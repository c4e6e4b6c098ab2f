package app

import (
	"context"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/bleve"
	"github.com/triagehq/triage/embed"
	"github.com/triagehq/triage/eval"
	"github.com/triagehq/triage/kb"
)

// Retrieval indexes a knowledge base the way the service does, in
// memory: bleve over the segmenter, the local embedder trained on the
// articles' chunks (never on the queries), exact vector search.
func Retrieval(ctx context.Context, seg triage.Segmenter, articles []eval.Article, vectorWeight float64, bar func(string, int, int)) (*kb.Searcher, *eval.RetrieveReport, error) {
	return RetrievalPairs(ctx, seg, articles, vectorWeight, nil, bar)
}

// RetrievalPairs is Retrieval with the local embedder fine-tuned on
// labelled paraphrase pairs as well (embed.LocalOptions.Pairs), as the
// retrain job does with the store's accepted suggestions.
func RetrievalPairs(ctx context.Context, seg triage.Segmenter, articles []eval.Article, vectorWeight float64, pairs []kb.Pair, bar func(string, int, int)) (*kb.Searcher, *eval.RetrieveReport, error) {
	start := time.Now()
	var corpus []string
	for _, a := range articles {
		for _, d := range kb.Chunks(&triage.Article{ID: a.ID, Title: a.Title, Body: a.Body}) {
			corpus = append(corpus, kb.DocText(d))
		}
	}
	emb, err := embed.Train(ctx, corpus, embed.LocalOptions{Segmenter: seg, Pairs: embedPairs(pairs), Progress: bar})
	if err != nil {
		return nil, nil, err
	}
	text, err := bleve.OpenMem(seg, bleve.Options{})
	if err != nil {
		return nil, nil, err
	}
	s := &kb.Searcher{Text: eval.CanonicalText{TextIndex: text}, Vectors: embed.VectorIndex{Index: embed.NewIndex(emb.Dim())}, Embedder: emb, VectorWeight: vectorWeight}
	if err := eval.IndexArticles(ctx, s, articles, func(d, t int) { bar("index", d, t) }); err != nil {
		text.Close()
		return nil, nil, err
	}
	return s, &eval.RetrieveReport{Kind: eval.KindRetrieve, Embedder: emb.Model(), IndexSeconds: float64(int64(time.Since(start).Seconds()*1000+0.5)) / 1000}, nil
}
