package kb

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/triagehq/triage"
)

// Indexer keeps the text and vector indexes in step with the store, which
// is the only source of truth: the indexes are caches that can always be
// rebuilt from it.
//
// It has two roles. Following: every process (every replica) reads the
// store's ordered change log and applies what changed to its own indexes,
// so a search on any replica sees a write made through any other. Embedding:
// computing vectors costs money with a remote model, so it runs once per
// change, as a durable job, and stores the vectors; the followers then load
// them.
type Indexer struct {
	Store    triage.Store
	Text     triage.TextIndex
	Vectors  triage.VectorIndex
	Embedder func() triage.Embedder // the current embedder; it can change at run time
	// Cursor persists the last change applied to this process's text
	// index, so a restart resumes instead of rebuilding. Nil keeps it in
	// memory only.
	Cursor Cursor
	Log    *slog.Logger
	// OnChange is told of every change-log entry the indexer does not
	// handle itself (a new model, a dictionary edit), so derived state
	// elsewhere in the process can follow the store too.
	OnChange func(ctx context.Context, c triage.Change) error
	// Skip hears an owner whose documents or vectors the text or vector
	// index refuses (a vector of the wrong dimension, say): it is left
	// out and the follower goes on, since retrying a refused value would
	// stop it there for good. Nil keeps the old way: the error stops the
	// catch-up. Store errors always stop it, to be retried.
	Skip func(kind triage.SkipKind, id string, err error)

	mu      sync.Mutex // one catch-up at a time
	applied int64
	loaded  bool
	poke    chan struct{}
	// vecDocs remembers which vector documents each owner has in the
	// in-memory vector index, so a shrunk article drops its old chunks.
	vecDocs map[string][]string
}

// Cursor persists a change-log position.
type Cursor interface {
	Load() (int64, error)
	Save(seq int64) error
}

func (ix *Indexer) log() *slog.Logger {
	if ix.Log != nil {
		return ix.Log
	}
	return slog.Default()
}

// DocText is the text embedded for a search document: the title, the
// paragraph and, for a ticket, the reply that solved it.
func DocText(d triage.SearchDoc) string {
	parts := []string{d.Title, d.Body}
	if d.Resolution != "" {
		parts = append(parts, d.Resolution)
	}
	return strings.TrimSpace(strings.Join(parts, "\n"))
}

// Resolved reports whether a ticket belongs in the similar-ticket index.
func Resolved(t *triage.Ticket) bool {
	return t.Status == triage.StatusSolved || t.Status == triage.StatusClosed
}

// Resolution is the reply that solved a ticket: its last public reply by an
// agent.
func Resolution(comments []*triage.Comment) string {
	for i := len(comments) - 1; i >= 0; i-- {
		if c := comments[i]; c.Public && !c.FromRequester {
			return c.Body
		}
	}
	return ""
}

// TicketDoc is the search document of a resolved ticket.
func TicketDoc(t *triage.Ticket, comments []*triage.Comment) triage.SearchDoc {
	return triage.SearchDoc{ID: DocID(triage.DocTicket, t.ID, 0), Kind: triage.DocTicket, OwnerID: t.ID, Title: t.Title, Body: t.Body, Category: t.Category, Resolution: Resolution(comments)}
}

// docs returns the search documents an owner should have now: nothing for
// an unpublished article or an unresolved ticket.
func (ix *Indexer) docs(ctx context.Context, kind, id string) ([]triage.SearchDoc, error) {
	return docsFrom(ctx, ix.Store, kind, id)
}

// docsFrom reads an owner's searchable documents from r: the store, or a
// transaction that must see the same text it writes vectors for.
func docsFrom(ctx context.Context, r triage.Reader, kind, id string) ([]triage.SearchDoc, error) {
	switch kind {
	case triage.DocArticle:
		a, err := r.Article(ctx, id)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		if a.Status != triage.ArticlePublished {
			return nil, nil
		}
		return Chunks(a), nil
	case triage.DocTicket:
		t, err := r.Ticket(ctx, id)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		if !Resolved(t) {
			return nil, nil
		}
		comments, err := r.Comments(ctx, id)
		if err != nil {
			return nil, err
		}
		return []triage.SearchDoc{TicketDoc(t, comments)}, nil
	}
	return nil, triage.Invalid("kind", "unknown document kind %q", kind)
}

// Poke asks the follower to catch up now rather than at its next poll.
func (ix *Indexer) Poke() {
	ix.mu.Lock()
	if ix.poke == nil {
		ix.poke = make(chan struct{}, 1)
	}
	p := ix.poke
	ix.mu.Unlock()
	select {
	case p <- struct{}{}:
	default:
	}
}

// Run follows the change log until ctx ends, catching up every poll
// interval or when poked.
func (ix *Indexer) Run(ctx context.Context, poll time.Duration) {
	ix.mu.Lock()
	if ix.poke == nil {
		ix.poke = make(chan struct{}, 1)
	}
	p := ix.poke
	ix.mu.Unlock()
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := ix.CatchUp(ctx); err != nil && ctx.Err() == nil {
			ix.log().Warn("index catch-up failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p:
		}
	}
}

// Applied is the last change-log position applied.
func (ix *Indexer) Applied() int64 {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.applied
}

// Lag is how many change-log entries this process has not applied yet.
func (ix *Indexer) Lag(ctx context.Context) (int64, error) {
	applied := ix.Applied()
	var n int64
	for {
		changes, err := ix.Store.Changes(ctx, applied, 10000)
		if err != nil {
			return 0, err
		}
		n += int64(len(changes))
		if len(changes) < 10000 {
			return n, nil
		}
		applied = changes[len(changes)-1].Seq
	}
}

// Start loads the cursor and the vectors, so the follower can resume.
func (ix *Indexer) Start(ctx context.Context) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.Cursor != nil {
		seq, err := ix.Cursor.Load()
		if err != nil {
			return err
		}
		ix.applied = seq
	}
	return ix.loadVectors(ctx, nil)
}

// loadVectors fills the vector index with the store's vectors of the
// current model. Vectors of another model are skipped: they are never
// compared with this model's.
func (ix *Indexer) loadVectors(ctx context.Context, progress func(done, total int)) error {
	if ix.Vectors == nil || ix.Embedder == nil {
		return nil
	}
	model := ix.Embedder().Model()
	if ix.vecDocs == nil {
		ix.vecDocs = map[string][]string{}
	}
	after, n := "", 0
	for {
		page, next, err := ix.Store.Vectors(ctx, model, after, 1000)
		if err != nil {
			return err
		}
		for _, v := range page {
			if err := ix.Vectors.Put(ctx, v.DocID, v.Vec); err != nil {
				if err := ix.skip(triage.SkipVectorIndex, v.DocID, err); err != nil {
					return err
				}
				continue
			}
			key := v.Kind + ":" + v.OwnerID
			if !slices.Contains(ix.vecDocs[key], v.DocID) {
				ix.vecDocs[key] = append(ix.vecDocs[key], v.DocID)
			}
		}
		n += len(page)
		if progress != nil {
			progress(n, n)
		}
		if next == "" {
			ix.loaded = true
			return nil
		}
		after = next
	}
}

// CatchUp applies every change after the last one applied, and returns how
// many it read.
func (ix *Indexer) CatchUp(ctx context.Context) (int, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	total := 0
	for {
		changes, err := ix.Store.Changes(ctx, ix.applied, 500)
		if err != nil {
			return total, err
		}
		if len(changes) == 0 {
			return total, nil
		}
		// Each owner is refreshed once per page, from its current state:
		// ten edits of one article cost one re-index.
		var text, vecs []owner
		for _, c := range changes {
			switch c.Entity {
			case "article", "ticket":
				o := owner{c.Entity, c.ID}
				if !slices.Contains(text, o) {
					text = append(text, o)
				}
			case "vector":
				kind, id, _ := strings.Cut(c.ID, ":")
				o := owner{kind, id}
				if !slices.Contains(vecs, o) {
					vecs = append(vecs, o)
				}
			default:
				if ix.OnChange != nil {
					if err := ix.OnChange(ctx, c); err != nil {
						return total, err
					}
				}
			}
		}
		if err := ix.refreshTexts(ctx, text); err != nil {
			return total, err
		}
		for _, o := range vecs {
			if err := ix.refreshVectors(ctx, o.kind, o.id); err != nil {
				return total, err
			}
		}
		ix.applied = changes[len(changes)-1].Seq
		if ix.Cursor != nil {
			if err := ix.Cursor.Save(ix.applied); err != nil {
				return total, err
			}
		}
		total += len(changes)
	}
}

// owner is one searchable thing: an article or a ticket.
type owner struct{ kind, id string }

// refreshTexts brings the text index up to date for a page of owners. Their
// documents go to the index in one call: each call is a bleve batch that
// waits for its segment to be on disk, so a start that catches up the
// demo's 174 owners one by one spent seconds in fsync, not in indexing.
// When the shared call fails, each owner is indexed on its own, so one
// document the index refuses is skipped alone, as before.
func (ix *Indexer) refreshTexts(ctx context.Context, owners []owner) error {
	if ix.Text == nil {
		return nil
	}
	if len(owners) == 1 {
		return ix.refreshText(ctx, owners[0].kind, owners[0].id)
	}
	var all []triage.SearchDoc
	for _, o := range owners {
		docs, err := ix.docs(ctx, o.kind, o.id)
		if err != nil {
			return err
		}
		// An owner keeps no chunk it no longer has: a shorter article
		// has fewer.
		if err := ix.Text.DeleteOwner(ctx, o.kind, o.id); err != nil {
			if err := ix.skip(triage.SkipTextIndex, o.kind+":"+o.id, err); err != nil {
				return err
			}
			continue
		}
		all = append(all, docs...)
	}
	if len(all) == 0 || ix.Text.Index(ctx, all...) == nil {
		return nil
	}
	for _, o := range owners {
		if err := ix.refreshText(ctx, o.kind, o.id); err != nil {
			return err
		}
	}
	return nil
}

func (ix *Indexer) refreshText(ctx context.Context, kind, id string) error {
	if ix.Text == nil {
		return nil
	}
	docs, err := ix.docs(ctx, kind, id)
	if err != nil {
		return err
	}
	if err := ix.Text.DeleteOwner(ctx, kind, id); err != nil {
		return ix.skip(triage.SkipTextIndex, kind+":"+id, err)
	}
	if len(docs) == 0 {
		return nil
	}
	if err := ix.Text.Index(ctx, docs...); err != nil {
		return ix.skip(triage.SkipTextIndex, kind+":"+id, err)
	}
	return nil
}

// skip reports a value an index refused and returns nil, or returns err
// when no one listens for skips.
func (ix *Indexer) skip(kind triage.SkipKind, id string, err error) error {
	if ix.Skip == nil {
		return err
	}
	ix.Skip(kind, id, err)
	return nil
}

func (ix *Indexer) refreshVectors(ctx context.Context, kind, id string) error {
	if ix.Vectors == nil || ix.Embedder == nil {
		return nil
	}
	vecs, err := ix.Store.OwnerVectors(ctx, kind, id, ix.Embedder().Model())
	if err != nil {
		return err
	}
	if ix.vecDocs == nil {
		ix.vecDocs = map[string][]string{}
	}
	key := kind + ":" + id
	var now []string
	for _, v := range vecs {
		if err := ix.Vectors.Put(ctx, v.DocID, v.Vec); err != nil {
			if err := ix.skip(triage.SkipVectorIndex, v.DocID, err); err != nil {
				return err
			}
			continue
		}
		now = append(now, v.DocID)
	}
	for _, old := range ix.vecDocs[key] {
		if !slices.Contains(now, old) {
			if err := ix.Vectors.Delete(ctx, old); err != nil {
				return err
			}
		}
	}
	if len(now) == 0 {
		delete(ix.vecDocs, key)
	} else {
		ix.vecDocs[key] = now
	}
	return nil
}

// Subscriptions: a resolved ticket joins the similar-ticket vectors, a
// reopened one leaves them, an update may change the reply that solved
// it; an article's vectors follow each save. A new ticket has nothing to
// embed until it is resolved.
func (ix *Indexer) Subscriptions() []triage.Subscription {
	ticket := func(ctx context.Context, e triage.Event[triage.TicketEvent]) error {
		return ix.Embed(ctx, triage.DocTicket, e.Payload.TicketID)
	}
	return []triage.Subscription{
		triage.EventTicketSolved.On(ticket),
		triage.EventTicketClosed.On(ticket),
		triage.EventTicketReopened.On(ticket),
		triage.EventTicketUpdated.On(ticket),
		triage.EventArticleChanged.On(func(ctx context.Context, e triage.Event[triage.ArticleEvent]) error {
			return ix.Embed(ctx, triage.DocArticle, e.Payload.ArticleID)
		}),
	}
}

// Embed computes and stores the vectors of one owner with the current
// embedder, or removes them when it should not be searchable. It is the
// body of the durable embedding job: it reads the owner's state now, not
// the state when the job was queued.
func (ix *Indexer) Embed(ctx context.Context, kind, id string) error {
	var err error
	for range embedAttempts {
		var docs []triage.SearchDoc
		if docs, err = ix.docs(ctx, kind, id); err != nil {
			return err
		}
		if err = ix.embedDocs(ctx, kind, id, docs); !errors.Is(err, errTextChanged) {
			return err
		}
	}
	return err
}

// embedAttempts bounds Embed's rounds when the text keeps changing under
// it; the job then fails and river retries it later.
const embedAttempts = 3

// errTextChanged says an owner's text changed between embedding it and
// saving its vectors.
var errTextChanged = triage.Errorf(triage.ESTALE, "the text changed while it was being embedded")

func (ix *Indexer) embedDocs(ctx context.Context, kind, id string, docs []triage.SearchDoc) error {
	if len(docs) == 0 {
		// Most ticket updates are of open tickets that never had vectors:
		// look before writing, so they leave no trace in the change log.
		have, err := ix.Store.OwnerVectors(ctx, kind, id, ix.Embedder().Model())
		if err != nil || len(have) == 0 {
			return err
		}
		return ix.Store.Update(ctx, func(tx triage.Tx) error { return tx.DeleteVectors(ctx, kind, id) })
	}
	emb := ix.Embedder()
	texts := make([]string, len(docs))
	for i, d := range docs {
		texts[i] = DocText(d)
	}
	vecs, err := emb.Embed(ctx, texts)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	out := make([]*triage.Vector, len(docs))
	for i, d := range docs {
		out[i] = &triage.Vector{DocID: d.ID, Kind: kind, OwnerID: id, Model: emb.Model(), Vec: vecs[i], UpdatedAt: now}
	}
	return ix.Store.Update(ctx, func(tx triage.Tx) error {
		// Embedding takes time outside the transaction: a newer text saved
		// meanwhile must not be covered by vectors of the older one, which
		// a slower job would otherwise commit last.
		cur, err := docsFrom(ctx, tx, kind, id)
		if err != nil {
			return err
		}
		if !slices.EqualFunc(cur, docs, func(a, b triage.SearchDoc) bool { return a.ID == b.ID && DocText(a) == DocText(b) }) {
			return errTextChanged
		}
		if err := tx.DeleteVectors(ctx, kind, id); err != nil {
			return err
		}
		return tx.PutVectors(ctx, kind, id, out)
	})
}

// Owners lists every owner that should be searchable: published articles
// and resolved tickets, oldest first.
func (ix *Indexer) Owners(ctx context.Context) (articles, tickets []string, err error) {
	af := triage.ArticleFilter{Status: []triage.ArticleStatus{triage.ArticlePublished}, Limit: triage.MaxPageSize}
	for {
		page, next, err := ix.Store.Articles(ctx, af)
		if err != nil {
			return nil, nil, err
		}
		for _, a := range page {
			articles = append(articles, a.ID)
		}
		if next == "" {
			break
		}
		af.Cursor = next
	}
	tf := triage.TicketFilter{Status: []triage.Status{triage.StatusSolved, triage.StatusClosed}, Limit: triage.MaxPageSize}
	for {
		page, next, err := ix.Store.Tickets(ctx, tf)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range page {
			tickets = append(tickets, t.ID)
		}
		if next == "" {
			break
		}
		tf.Cursor = next
	}
	slices.Reverse(articles)
	slices.Reverse(tickets)
	return articles, tickets, nil
}

// Corpus returns the texts of every searchable document, for training the
// local embedder on the service's own knowledge.
func (ix *Indexer) Corpus(ctx context.Context) ([]string, error) {
	articles, tickets, err := ix.Owners(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	err = eachOwner(articles, tickets, "", nil, func(kind, id string) error {
		docs, err := ix.docs(ctx, kind, id)
		for _, d := range docs {
			out = append(out, DocText(d))
		}
		return err
	})
	return out, err
}

// SwitchModel empties the vector index and reloads it with the vectors of
// the current embedder's model: after the embedder changed, old vectors
// must not be compared with new queries. Missing vectors are for the
// caller to have embedded (see Missing).
func (ix *Indexer) SwitchModel(ctx context.Context) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for key, docs := range ix.vecDocs {
		for _, d := range docs {
			if err := ix.Vectors.Delete(ctx, d); err != nil {
				return err
			}
		}
		delete(ix.vecDocs, key)
	}
	return ix.loadVectors(ctx, nil)
}

// Rebuild re-creates this process's text index and vector index from the
// store, and (with embed) recomputes every vector: what `triage reindex`
// and a missing or corrupt index directory need. The follower resumes from
// the change-log position taken before the rebuild began, so nothing
// written during it is missed. Owners reach the text index a page at a
// time (see rebuildPage), each page in one call.
func (ix *Indexer) Rebuild(ctx context.Context, embed bool, progress func(stage string, done, total int)) error {
	if progress == nil {
		progress = func(string, int, int) {}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	head, err := ix.head(ctx)
	if err != nil {
		return err
	}
	articles, tickets, err := ix.Owners(ctx)
	if err != nil {
		return err
	}
	err = eachPage(articles, tickets, rebuildPage, "index", progress, func(page []owner, done func()) error {
		var err error
		docs := make([][]triage.SearchDoc, len(page))
		var all []triage.SearchDoc
		for i, o := range page {
			if docs[i], err = ix.docs(ctx, o.kind, o.id); err != nil {
				return err
			}
			if ix.Text != nil {
				if err := ix.Text.DeleteOwner(ctx, o.kind, o.id); err != nil {
					return err
				}
			}
			all = append(all, docs[i]...)
		}
		if ix.Text != nil && len(all) > 0 {
			if err := ix.Text.Index(ctx, all...); err != nil {
				return err
			}
		}
		for i, o := range page {
			if embed {
				err := ix.embedDocs(ctx, o.kind, o.id, docs[i])
				if errors.Is(err, errTextChanged) {
					// Changed since it was read: the change log brings the
					// new text to the text index; the vectors follow it now.
					err = ix.Embed(ctx, o.kind, o.id)
				}
				if err != nil {
					return err
				}
			}
			done()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := ix.loadVectors(ctx, func(d, t int) { progress("vectors", d, t) }); err != nil {
		return err
	}
	ix.applied = head
	if ix.Cursor != nil {
		return ix.Cursor.Save(head)
	}
	return nil
}

// eachOwner calls fn for every article, then every ticket, and tells
// progress (when there is one) of the stage every 20 owners and at the
// end.
func eachOwner(articles, tickets []string, stage string, progress Progress, fn func(kind, id string) error) error {
	total, done := len(articles)+len(tickets), 0
	for _, pass := range []struct {
		kind string
		ids  []string
	}{{triage.DocArticle, articles}, {triage.DocTicket, tickets}} {
		for _, id := range pass.ids {
			if err := fn(pass.kind, id); err != nil {
				return err
			}
			done++
			if progress != nil && (done%20 == 0 || done == total) {
				progress(stage, done, total)
			}
		}
	}
	return nil
}

// rebuildPage is how many owners Rebuild gives the text index in one
// call: each call is at least one bleve batch that waits for the disk,
// and a rebuild that indexed owner by owner wrote a tiny segment (and
// waited for an fsync) per ticket, for the merger to merge again.
const rebuildPage = 500

// eachPage calls fn for pages of up to size owners, every article, then
// every ticket; fn calls done once for each owner of its page as it
// finishes with it, and progress (when there is one) hears of the stage
// every 20 owners and at the end.
func eachPage(articles, tickets []string, size int, stage string, progress Progress, fn func(page []owner, done func()) error) error {
	all := make([]owner, 0, len(articles)+len(tickets))
	for _, id := range articles {
		all = append(all, owner{triage.DocArticle, id})
	}
	for _, id := range tickets {
		all = append(all, owner{triage.DocTicket, id})
	}
	total, finished := len(all), 0
	done := func() {
		finished++
		if progress != nil && (finished%20 == 0 || finished == total) {
			progress(stage, finished, total)
		}
	}
	for lo := 0; lo < total; lo += size {
		if err := fn(all[lo:min(lo+size, total)], done); err != nil {
			return err
		}
	}
	return nil
}

// head returns the newest change-log position.
func (ix *Indexer) head(ctx context.Context) (int64, error) {
	seq := int64(0)
	for {
		changes, err := ix.Store.Changes(ctx, seq, 10000)
		if err != nil {
			return 0, err
		}
		if len(changes) == 0 {
			return seq, nil
		}
		seq = changes[len(changes)-1].Seq
	}
}

// Missing lists owners that should be searchable but have no vectors of the
// current model, e.g. after the embedding model changed.
func (ix *Indexer) Missing(ctx context.Context) (articles, tickets []string, err error) {
	if ix.Embedder == nil {
		return nil, nil, errors.New("no embedder")
	}
	model := ix.Embedder().Model()
	all, allT, err := ix.Owners(ctx)
	if err != nil {
		return nil, nil, err
	}
	haveA, err := ix.Store.VectorOwners(ctx, triage.DocArticle, model)
	if err != nil {
		return nil, nil, err
	}
	haveT, err := ix.Store.VectorOwners(ctx, triage.DocTicket, model)
	if err != nil {
		return nil, nil, err
	}
	has := func(ids []string) map[string]bool {
		m := make(map[string]bool, len(ids))
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	ha, ht := has(haveA), has(haveT)
	for _, id := range all {
		if !ha[id] {
			articles = append(articles, id)
		}
	}
	for _, id := range allT {
		if !ht[id] {
			tickets = append(tickets, id)
		}
	}
	return articles, tickets, nil
}
