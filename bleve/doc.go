// Package bleve is the lexical index, triage.TextIndex on bleve (scorch),
// with its analysis done by the injected triage.Segmenter.
//
// # Analysis without bleve's registry
//
// Bleve looks analyzers up by name in a process-wide registry, and an index
// reopened from disk rebuilds its mapping's analyzers from that registry and
// the JSON it saved. A segmenter cannot live in either without package-level
// state (a registered name per instance would also leak). So nothing is
// registered: each Index holds its own analyzers, builds every bleve
// document itself, each word field with its terms already cut and counted
// (wordField, Batch.IndexAdvanced), and builds every
// query from the same analyzers' terms (term and multi-phrase queries, which
// bleve does not analyse again). The saved mapping only names the scoring
// model. Two indexes with different segmenters can live in one process.
//
// # Fields
//
// Each kind (article, ticket) has its own text fields, so that term
// statistics and lengths never mix: kind.title, kind.body and, for tickets,
// ticket.resolution, each twice: cut by the segmenter into words (sub-words
// of long words at their word's position, so 手机号 finds 手机号码 and phrase
// queries still line up), and into bigrams of Han characters and Latin or
// digit runs, which need no dictionary and find what the segmenter cut
// differently in query and document. Keyword fields kind, owner (kind and
// owner ID, for DeleteOwner and Exclude) and category are indexed;
// kind, owner_id, chunk and category are stored, and so is each text as it
// was given (kind.title.text, …), from which the bigrams are rebuilt.
//
// # Memory postings
//
// Bleve is the persistent index; Search does not use its searchers. Every
// text field's postings (each term's documents and frequencies, each
// document's field length) are also held in memory, in plain slices, and
// scored there (memory.go, score.go) with bleve's BM25 to the last
// operation of its formula, coordination and query norm included: a test
// holds the two to the same hits and scores (to rounding) through
// replacements, deletions, compaction and a reopen. Bleve's searchers
// allocate per clause, per segment and per hit and loaded two stored fields
// per hit; a 200-character ticket as a query is hundreds of term clauses.
// Measured on the two-core development machine while others worked on it
// (load 5 to 7), one search at a time: BenchmarkSearch over 10k chunks,
// the dev queries of every set, p50/p99 8.4/325 ms with bleve's searchers,
// 0.21/6.6 ms over the memory postings; over 100k chunks with tickets as
// queries (taidi2020_replies, about 200 characters) 3.2/30 ms, 3.0/17.5 ms
// in a run of its own. BenchmarkRetrieve (package eval) on bq_similar: 1.24
// ms a query before, 82 µs after, allocating a tenth as much.
//
// A quoted phrase is checked only where it could change the top k: the
// memory postings bound its score in every document that has all its
// terms, and only documents whose bound reaches the k-th best score
// without phrases are checked (the parity test covers it).
//
// Index is a pipeline over batches of BatchSize: while bleve builds one
// batch's segment and waits for it to be persisted, the next batch is cut
// (on every core) and the previous one goes into the memory postings, each
// text field on its own goroutine. The memory postings take a batch only
// once bleve has acknowledged it, and Index returns when both have it.
//
// Bleve indexes the word fields, with their positions, which quoted phrases
// need; the bigram fields live in the memory postings only, rebuilt from the
// stored text at Open. They cost bleve three times what the word fields do
// to index (more terms per document and a larger dictionary): indexing
// without them takes a third of bleve's time. A quoted phrase's words in a
// row are found by bleve's phrase search; its characters in a row by the
// memory postings (documents with every bigram) and a check on the stored
// text.
//
// # Scoring
//
// A query is one flat disjunction of term queries, one per distinct term
// (of either analyzer) and field, each boosted by its field's weight; no
// term is required, so a filler word such as 请问 knocks no document out.
// Bleve's BM25 (ScoringModel "bm25") scores each term. It differs from
// textbook BM25: the idf is squared through bleve's query weight, the term
// frequency enters as its square root, and a disjunction's score is
// multiplied by the share of its clauses that match (coord). These stay: a
// replica of the formula scored like plain BM25 over the same fields on
// taidi and bq, 0.8 points lower in recall@10 on baoxian and 1 point higher
// on afqmc. What does not stay is bleve's average field length, the size
// of the field's dictionary over the document count, summed over segments,
// so that it changes as segments merge. Scoring uses statistics of its own:
// the kind's live document count, and the true average field length (kept
// up to date by the memory postings; at Open read from the norms of a
// marker term every word field has) times LengthScale. The phrase clause's
// boost is not applied: bleve passes no boost from a disjunction to its
// clauses, and the memory postings score as bleve does.
//
// Text in quotes ("…", “…”, ＂…＂, 「…」) adds a clause that matches the
// phrase exactly, as words in a row or as characters in a row, so documents
// that have it rank above those that have its words apart. It does not
// exclude the others: a ticket used as a query often quotes what the answer
// does not repeat (274 of the 1958 taidi2020_replies queries have quotes,
// and requiring them cut recall@1 from 0.53 to 0.47). Nothing else in a
// query is syntax: + - : ^ ~ * ? ( ) [ ] { } \ / AND OR NOT are text.
//
// # Measured
//
// On the shared retrieval sets (dev queries, one chunk per article;
// shared_test.go prints the table), every figure is at or above the
// jieba+BM25 peer's:
//
//	set                recall@1      recall@5      recall@10     MRR@10        nDCG@10
//	                   ours  peer    ours  peer    ours  peer    ours  peer    ours  peer
//	taidi2020_replies  .566  .514    .713  .658    .754  .703    .631  .577    .659  .607
//	baoxianzhidao_kb   .338  .272    .520  .437    .589  .524    .415  .345    .456  .387
//	bq_similar         .107  .097    .295  .278    .416  .386    .187  .174    .241  .224
//	afqmc_similar      .068  .060    .201  .175    .287  .259    .126  .110    .164  .145
//
// Words and bigrams together beat either alone on three sets and tie the
// bigrams on taidi (recall@1 words .511, bigrams .572, both .566; afqmc
// recall@10 .272, .263, .287). LengthScale 0.25 is a compromise: taidi
// prefers 0.05 (nDCG@10 .660 → .667), baoxian 0.5 (recall@1 .338 → .346).
// The title boost of 1.2 costs taidi half a point of recall@1, since its
// titles are the first sentence of the body, mostly a greeting; it stays
// because real KB titles summarise their articles. No shared set has
// tickets with resolutions, so the resolution's weight (0.5) is a
// judgement, not a measurement.
//
// # Durability
//
// Open reports a directory that is not a complete index of this layout as
// ErrCorrupt (code triage.ECONFLICT), for the caller to delete and rebuild
// from the store: unreadable metadata or store, another layout, and also
// damaged segments, which scorch would open by falling back to an older
// snapshot, or none, after only a log line. Each batch carries a
// generation that a file beside the index repeats once bleve has
// acknowledged it; a snapshot whose generation lags the file has lost
// writes.
package bleve
