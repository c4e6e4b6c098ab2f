package bleve

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	triage "github.com/triagehq/triage"
)

// maxK caps TextQuery.K: a caller wanting more is paging through the
// index, which this is not for.
const maxK = 1000

// Search returns the documents of q.Kind that best match q.Text, best first,
// with their BM25 scores; ties go to the smaller document ID. Any query
// term may match (OR): a word the documents lack lowers no one's score.
// Text in quotes ("…", “…”, ＂…＂ or 「…」) must occur as it is written, as a
// phrase of words or as a run of characters. Nothing else in the text is
// syntax: operator characters and words such as AND or title: are text.
func (x *Index) Search(ctx context.Context, q triage.TextQuery) ([]triage.TextHit, error) {
	if !validKind(q.Kind) {
		return nil, badKind(q.Kind)
	}
	k := q.K
	if k <= 0 {
		k = 10
	}
	k = min(k, maxK)
	release, err := x.acquire()
	if err != nil {
		return nil, err
	}
	defer release()
	pl := x.plan(q, k)
	if pl == nil {
		return []triage.TextHit{}, nil
	}
	defer pl.release()
	found, err := x.mem.run(pl, x.opts.LengthScale, func(alt *phraseAlt, ids []string) ([]string, error) {
		if alt.slot%2 == 1 {
			return x.gramPhraseMatches(q.Kind, alt, ids)
		}
		return x.phraseMatches(ctx, alt, ids)
	})
	if err != nil {
		return nil, err
	}
	hits := make([]triage.TextHit, len(found))
	x.mem.mu.RLock()
	docs := x.mem.kinds[pl.kind].docs
	for i, h := range found {
		d := &docs[h.num]
		hits[i] = triage.TextHit{DocID: d.id, OwnerID: d.owner, Chunk: d.chunk, Score: h.score}
	}
	x.mem.mu.RUnlock()
	return hits, nil
}

// plan resolves q into clauses, or nil when its text has no term.
func (x *Index) plan(q triage.TextQuery, k int) *plan {
	words, grams := x.queryTerms(q.Text)
	buf := clausePool.Get().(*[]termClause)
	pl := &plan{kind: kindIndex(q.Kind), k: k, exclude: q.Exclude, terms: (*buf)[:0], buf: buf}
	for fi, f := range x.fieldNames(q.Kind) {
		if f.weight <= 0 {
			continue
		}
		for _, t := range words {
			pl.terms = append(pl.terms, termClause{slotOf(fi, false), t, f.weight})
		}
		if bw := f.weight * x.opts.Weights.Bigrams; bw > 0 {
			for _, t := range grams {
				pl.terms = append(pl.terms, termClause{slotOf(fi, true), t, bw})
			}
		}
	}
	if len(pl.terms) == 0 {
		pl.release()
		return nil
	}
	if x.opts.Weights.Phrase > 0 {
		for _, p := range quoted(q.Text) {
			if alts := x.phraseAlts(q.Kind, p); len(alts) > 0 {
				pl.phrases = append(pl.phrases, phraseClause{alts})
			}
		}
	}
	return pl
}

// phraseMatches returns the IDs, of ids, of the documents where bleve
// finds a phrase alternative (its words in a row).
func (x *Index) phraseMatches(ctx context.Context, alt *phraseAlt, ids []string) ([]string, error) {
	q := query.NewConjunctionQuery([]query.Query{query.NewMultiPhraseQuery(alt.terms, alt.field), query.NewDocIDQuery(ids)})
	req := blevesearch.NewSearchRequestOptions(q, len(ids), 0, false)
	req.Score = blevesearch.ScoreNone
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, wrap(err, "searching the text index")
	}
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out, nil
}

// gramPhraseMatches returns the IDs, of ids (documents with every bigram
// of the phrase), of those whose field has the bigrams in a row: bleve
// does not index bigrams, so it is checked on the stored text.
func (x *Index) gramPhraseMatches(kind string, alt *phraseAlt, ids []string) ([]string, error) {
	field := storedField(kind, textFieldNames[alt.slot/2])
	var out []string
	for _, id := range ids {
		doc, err := x.idx.Document(id)
		if err != nil {
			return nil, wrap(err, "searching the text index")
		}
		if doc == nil {
			continue
		}
		var text string
		doc.VisitFields(func(f index.Field) {
			if f.Name() == field {
				text = string(f.Value())
			}
		})
		if containsAll(text, alt.runs) && (hanOnly(alt.runs) || inARow(bigrams(text), alt.terms)) {
			out = append(out, id)
		}
	}
	return out, nil
}

// containsAll reports whether text has every one of parts: the runs of a
// phrase must be in the text as they are for its bigrams to be in a row,
// and this is much cheaper to check first.
func containsAll(text string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(text, p) {
			return false
		}
	}
	return true
}

// hanOnly reports whether a phrase is one run of Han characters, whose
// bigrams are in a row in a text exactly where the run is in it: each
// character is a unit, and characters written together are one run.
func hanOnly(runs []string) bool {
	if len(runs) != 1 {
		return false
	}
	for _, r := range runs[0] {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// inARow reports whether grams has the phrase's terms at consecutive
// positions, an empty position of the phrase matching anything, as bleve's
// phrase search does with positions.
func inARow(grams []gram, phrase [][]string) bool {
	first := -1
	for i, pos := range phrase {
		if len(pos) > 0 {
			first = i
			break
		}
	}
	if first < 0 {
		return false
	}
	at := map[string]map[int]bool{}
	for _, pos := range phrase {
		for _, t := range pos {
			at[t] = map[int]bool{}
		}
	}
	for _, g := range grams {
		if m, ok := at[g.text]; ok {
			m[g.pos] = true
		}
	}
	for p := range at[phrase[first][0]] {
		start := p - first
		ok := true
		for i, pos := range phrase {
			if len(pos) == 0 {
				continue
			}
			any := false
			for _, t := range pos {
				any = any || at[t][start+i]
			}
			if !any {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// searchBleve is Search done by bleve's own searchers, from the same
// statistics: the reference the memory postings are tested against.
func (x *Index) searchBleve(ctx context.Context, q triage.TextQuery) ([]triage.TextHit, error) {
	k := q.K
	if k <= 0 {
		k = 10
	}
	bq := x.query(q)
	if bq == nil {
		return []triage.TextHit{}, nil
	}
	stats := x.mem.bm25Stats(q.Kind, x.opts.LengthScale)
	if stats.DocCount == 0 {
		return []triage.TextHit{}, nil
	}
	req := blevesearch.NewSearchRequestOptions(bq, k, 0, false)
	req.Fields = []string{fieldOwnerID, fieldChunk}
	req.SortBy([]string{"-_score", "_id"})
	req.PreSearchData = map[string]any{search.BM25PreSearchDataKey: stats}
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, wrap(err, "searching the text index")
	}
	hits := make([]triage.TextHit, 0, len(res.Hits))
	for _, h := range res.Hits {
		owner, _ := h.Fields[fieldOwnerID].(string)
		chunk, _ := h.Fields[fieldChunk].(float64)
		hits = append(hits, triage.TextHit{DocID: h.ID, OwnerID: owner, Chunk: int(chunk), Score: h.Score})
	}
	return hits, nil
}

// fieldNames are the text fields of a kind with their weights.
func (x *Index) fieldNames(kind string) []weighted {
	w := x.opts.Weights
	fields := []weighted{{"title", w.Title}, {"body", w.Body}}
	if kind == triage.DocTicket {
		fields = append(fields, weighted{"resolution", w.Resolution})
	}
	return fields
}

type weighted struct {
	name   string
	weight float64
}

// query builds the bleve query of q, or nil when q.Text has no term. It
// never parses q.Text as bleve query syntax: every clause is built from the
// analyzers' terms.
//
// The scored part is one flat disjunction of term queries, one per distinct
// term and field, each boosted by its field's weight. Bleve multiplies a
// disjunction's score by the share of its clauses that match (coord), which
// favours documents that cover more of the query without requiring any
// term; nesting the clauses per term or per analyzer measured worse.
func (x *Index) query(q triage.TextQuery) query.Query {
	// A phrase's words are scored like the others; the phrase adds a
	// requirement, not a score.
	words, grams := x.queryTerms(q.Text)
	var clauses []query.Query
	for _, f := range x.fieldNames(q.Kind) {
		if f.weight <= 0 {
			continue
		}
		for _, t := range words {
			clauses = append(clauses, termQuery(t, textField(q.Kind, f.name, false), f.weight))
		}
		if bw := f.weight * x.opts.Weights.Bigrams; bw > 0 {
			for _, t := range grams {
				clauses = append(clauses, termQuery(t, textField(q.Kind, f.name, true), bw))
			}
		}
	}
	if len(clauses) == 0 {
		return nil
	}
	if pw := x.opts.Weights.Phrase; pw > 0 {
		for _, p := range quoted(q.Text) {
			if pq := x.phraseQuery(q.Kind, p); pq != nil {
				pq.SetBoost(pw)
				clauses = append(clauses, pq)
			}
		}
	}
	bq := &query.BooleanQuery{Should: query.NewDisjunctionQuery(clauses)}
	if q.Exclude != "" {
		not := query.NewTermQuery(ownerKey(q.Kind, q.Exclude))
		not.SetField(fieldOwner)
		bq.MustNot = not
	}
	return bq
}

func termQuery(term, field string, boost float64) query.Query {
	t := query.NewTermQuery(term)
	t.SetField(field)
	t.SetBoost(boost)
	return t
}

// queryTerms returns the distinct words and bigrams of a query, in order,
// at most MaxQueryTerms of each: the terms the analyzers give, without
// building bleve tokens.
func (x *Index) queryTerms(text string) (words, grams []string) {
	norm, terms := x.words.cut(text)
	ws := make([]string, len(terms))
	for i, t := range terms {
		ws[i] = t.Text
	}
	return distinct(ws, x.opts.MaxQueryTerms), distinct(gramTexts(norm), x.opts.MaxQueryTerms)
}

// distinct returns the distinct terms of ts in order, at most max of them.
func distinct(ts []string, max int) []string {
	seen := make(map[string]bool, len(ts))
	out := ts[:0]
	for _, s := range ts {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
			if len(out) == max {
				break
			}
		}
	}
	return out
}

// phraseAlts returns the ways a phrase can occur in documents of kind: in
// any text field, as the same words in a row, as the segmenter cuts it
// (bleve's match-phrase), or as the same characters in a row, which finds
// it even where the segmenter cut a document's text differently. It
// returns none when the phrase has no term (only stop words or
// punctuation).
func (x *Index) phraseAlts(kind, phrase string) []phraseAlt {
	var alts []phraseAlt
	wordPhrase := toPhrase(x.words.Analyze([]byte(phrase)))
	var gramPhrase [][]string
	norm := x.grams.seg.Normalize(phrase)
	if runs := runLengths(norm); len(runs) > 0 && minOf(runs) >= 2 {
		// A lone unit is indexed only where it stands alone, so a phrase
		// with one cannot be matched as characters.
		gramPhrase = toPhrase(x.grams.Analyze([]byte(phrase)))
	}
	for fi, f := range x.fieldNames(kind) {
		if wordPhrase != nil {
			alts = append(alts, phraseAlt{slot: slotOf(fi, false), field: textField(kind, f.name, false), terms: wordPhrase})
		}
		if gramPhrase != nil {
			alts = append(alts, phraseAlt{slot: slotOf(fi, true), field: textField(kind, f.name, true), terms: gramPhrase, runs: runTexts(norm)})
		}
	}
	return alts
}

// phraseQuery is the bleve query of a phrase's alternatives, or nil.
func (x *Index) phraseQuery(kind, phrase string) *query.DisjunctionQuery {
	var alts []query.Query
	for _, a := range x.phraseAlts(kind, phrase) {
		alts = append(alts, query.NewMultiPhraseQuery(a.terms, a.field))
	}
	if len(alts) == 0 {
		return nil
	}
	return query.NewDisjunctionQuery(alts)
}

func minOf(xs []int) int {
	m := xs[0]
	for _, x := range xs[1:] {
		m = min(m, x)
	}
	return m
}

// toPhrase arranges tokens by position, as bleve's match-phrase does: the
// terms at one position are alternatives (a word and its sub-words), and a
// position without terms (a stop word) matches anything.
func toPhrase(ts analysis.TokenStream) [][]string {
	if len(ts) == 0 {
		return nil
	}
	first, last := ts[0].Position, ts[0].Position
	for _, t := range ts {
		first, last = min(first, t.Position), max(last, t.Position)
	}
	out := make([][]string, last-first+1)
	for _, t := range ts {
		out[t.Position-first] = append(out[t.Position-first], string(t.Term))
	}
	return out
}

// closingQuote pairs the opening quotation marks with their closing ones.
func closingQuote(open rune) (rune, bool) {
	switch open {
	case '"':
		return '"', true
	case '＂':
		return '＂', true
	case '“':
		return '”', true
	case '「':
		return '」', true
	}
	return 0, false
}

// quoted returns the quoted phrases of text. A quotation mark that is
// never closed is left alone, and the analyzers drop it as punctuation.
func quoted(text string) []string {
	var phrases []string
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		closeQ, ok := closingQuote(r)
		if !ok {
			continue
		}
		if j := strings.IndexRune(text[i:], closeQ); j >= 0 {
			if p := strings.TrimSpace(text[i : i+j]); p != "" {
				phrases = append(phrases, p)
			}
			i += j + utf8.RuneLen(closeQ)
		}
	}
	return phrases
}
