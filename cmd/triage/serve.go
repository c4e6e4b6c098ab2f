package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/bleve"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/embed"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/postgres"
	"github.com/triagehq/triage/river"
	"github.com/triagehq/triage/segment"
	"github.com/triagehq/triage/sla"
	"github.com/triagehq/triage/sqlite"
	"github.com/triagehq/triage/suggest"
	"github.com/triagehq/triage/web"
)

// Main is the running service: every concrete part, wired. Tests build one
// the same way the binary does.
type Main struct {
	Config Config
	Log    *slog.Logger
	Stdout io.Writer

	Store     store
	Jobs      jobQueue
	Segmenter *segment.Segmenter
	Triager   *classify.Triager
	Trainer   *classify.Trainer
	Desk      *desk.Service
	Server    *api.Server

	Text     *bleve.Index
	Vectors  triage.VectorIndex
	Embedder *swapEmbedder
	Indexer  *kb.Indexer
	Searcher *kb.Searcher
	KB       *kb.Service
	Suggest  *suggest.Service
	SLA      *sla.Service
	// ops are webhooks, reports and metrics (ops.go).
	ops opsParts
	// rebuild says the text index was missing or damaged at start.
	rebuild bool
	// memIndex keeps the text index in memory, for one-off commands.
	memIndex bool

	ln net.Listener
}

// store is what the service needs of either store: triage.Store, and the
// schema version it migrated to, for messages.
type store interface {
	triage.Store
	SchemaVersion() int64
}

// jobQueue is river on either store. Jobs that follow a write are inserted
// by the store itself, in the write's transaction (the stores' Enqueue
// option); these are the rest.
type jobQueue interface {
	Handle(kind string, h river.Handler)
	Insert(ctx context.Context, j triage.Job) error
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Open opens the store and builds the services, without serving yet.
func (m *Main) Open(ctx context.Context) error {
	if err := os.MkdirAll(m.Config.DataDir, 0o750); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	var err error
	if m.Config.DB != "" {
		err = m.openPostgres(ctx)
	} else {
		err = m.openSQLite(ctx)
	}
	if err != nil {
		return err
	}
	store := m.Store
	words, err := store.DictWords(ctx)
	if err != nil {
		return err
	}
	dict := make([]triage.DictWord, len(words))
	for i, w := range words {
		dict[i] = *w
	}
	if m.Segmenter, err = segment.New(segment.Options{Words: dict}); err != nil {
		return err
	}
	router := &classify.Router{}
	m.Triager = &classify.Triager{Segmenter: m.Segmenter, Router: router, Threshold: m.Config.Threshold}
	if err := m.Triager.LoadModels(ctx, store); err != nil {
		return fmt.Errorf("loading the active models: %w", err)
	}
	m.Trainer = &classify.Trainer{Store: store, Segmenter: m.Segmenter, MinNew: m.Config.RetrainEvery}
	m.Desk = &desk.Service{Store: store, Log: m.Log, Intake: m.Triager, Router: router, Normalize: m.Segmenter.Normalize, Dict: m.Segmenter, ModelSink: m.Triager}
	if m.rebuild, err = m.openSearch(ctx); err != nil {
		return err
	}
	if err := m.markIndexOrigin(ctx); err != nil {
		return err
	}
	if err := m.openSLA(ctx); err != nil {
		return err
	}
	if err := m.openOps(ctx); err != nil {
		return err
	}
	if err := m.registerJobs(); err != nil {
		return err
	}
	m.Server = api.New(api.Config{Desk: m.Desk, Ready: m.ready, Log: m.Log, BodyLimit: m.Config.BodyLimit, Version: version, Triager: m.Triager, Queue: m.Jobs,
		KB: m.KB, Suggest: m.Suggest, Segmenter: m.Segmenter, SLA: m.SLA, UI: web.FS(), Ops: m.apiOps(), Eval: m.apiEval()})
	return nil
}

// openSQLite opens the embedded store in --data and river on its writer
// connection.
func (m *Main) openSQLite(ctx context.Context) error {
	var jobs *river.SQLite
	db, err := sqlite.Open(ctx, m.Config.dbPath(), sqlite.Options{
		Enqueue: func(ctx context.Context, tx *sql.Tx, j triage.Job) error { return jobs.InsertTx(ctx, tx, j) },
	})
	if err != nil {
		return err
	}
	m.Store = db
	if jobs, err = river.NewSQLite(ctx, db.WriterDB(), river.Handlers{}, river.Options{Log: m.Log}); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	m.Jobs = jobs
	return nil
}

// openPostgres opens the PostgreSQL store at --db and river on its pool.
// The text index stays on local disk under --data: each replica's own
// cache, built from the database and kept current from its change log.
func (m *Main) openPostgres(ctx context.Context) error {
	var jobs *river.Postgres
	db, err := postgres.Open(ctx, m.Config.DB, postgres.Options{
		Log:     m.Log,
		Enqueue: func(ctx context.Context, tx pgx.Tx, j triage.Job) error { return jobs.InsertTx(ctx, tx, j) },
	})
	if err != nil {
		return openError(m.Config.DB, err)
	}
	m.Store = db
	if jobs, err = river.NewPostgres(ctx, db.Pool(), river.Handlers{}, river.Options{Log: m.Log}); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	m.Jobs = jobs
	return m.checkIndexOrigin(ctx, db)
}

// checkIndexOrigin drops a text index on disk that was not built from
// this database (--data reused, or the database restored from elsewhere):
// its change-log cursor would mean nothing here. openSearch then finds no
// index and rebuilds it; markIndexOrigin records where it came from.
func (m *Main) checkIndexOrigin(ctx context.Context, db *postgres.DB) error {
	if m.memIndex {
		return nil // a one-off command leaves the server's index alone
	}
	id, err := db.StoreID(ctx)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(m.storeIDPath())
	if err == nil && strings.TrimSpace(string(b)) == id {
		return nil
	}
	if _, serr := os.Stat(m.indexDir()); serr == nil {
		m.Log.Warn("the text index on disk was not built from this database; rebuilding it", "dir", m.indexDir())
		return os.RemoveAll(m.indexDir())
	}
	return nil
}

// markIndexOrigin writes the database's identity beside the text index.
func (m *Main) markIndexOrigin(ctx context.Context) error {
	db, ok := m.Store.(*postgres.DB)
	if !ok || m.memIndex {
		return nil
	}
	id, err := db.StoreID(ctx)
	if err != nil {
		return err
	}
	return os.WriteFile(m.storeIDPath(), []byte(id+"\n"), 0o640)
}

func (m *Main) storeIDPath() string { return filepath.Join(m.indexDir(), "store.id") }

// vectorIndex is the vector index: pgvector's HNSW in SQL when the store
// is PostgreSQL with the extension, else the exact in-memory index filled
// from the store's vectors.
func (m *Main) vectorIndex(ctx context.Context, dim int) (triage.VectorIndex, error) {
	if db, ok := m.Store.(*postgres.DB); ok {
		vs, err := db.VectorSearch(ctx, func() (string, int) { e := m.Embedder.Current(); return e.Model(), e.Dim() })
		if err != nil {
			return nil, err
		}
		if vs != nil {
			m.Log.Info("vectors are searched in PostgreSQL with pgvector (HNSW, cosine)")
			return vs, nil
		}
		m.Log.Info("the pgvector extension is not available on this PostgreSQL server; vectors are searched exactly in memory, loaded from the database, as in embedded mode")
	}
	return embed.VectorIndex{Index: embed.NewIndex(dim)}, nil
}

// storeName names the store for the start-up line, without credentials.
func (m *Main) storeName() string {
	if m.Config.DB != "" {
		return redactURL(m.Config.DB)
	}
	return m.Config.dbPath()
}

// ready is /readyz: the store answers with the schema this binary knows.
func (m *Main) ready(ctx context.Context) error { return m.Store.Ready(ctx) }

// startIndex brings the text and vector indexes up to date before serving:
// a rebuild from the store when the index directory was missing or
// damaged, else a catch-up from the change log.
func (m *Main) startIndex(ctx context.Context) error {
	bar := progress(m.Stdout, os.Stderr)
	if m.rebuild {
		m.Log.Info("building the text index from the store", "dir", m.indexDir())
		if err := m.Indexer.Rebuild(ctx, false, bar); err != nil {
			return err
		}
		m.rebuild = false
	} else if err := m.Indexer.Start(ctx); err != nil {
		return err
	}
	_, err := m.Indexer.CatchUp(ctx)
	return err
}

// Run bootstraps the admin token and demo data, then serves until ctx is
// done, and shuts down gracefully: stop accepting, finish in-flight
// requests and running jobs, close the store.
func (m *Main) Run(ctx context.Context) error {
	tok, err := m.Desk.Bootstrap(ctx, m.Config.AdminToken)
	if err != nil {
		return err
	}
	if err := m.startIndex(ctx); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	if m.Config.Demo {
		if err := m.loadDemo(ctx); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		// The demo's articles are searchable before the first request,
		// so its first suggestions (stored for ten minutes) are not empty.
		if _, err := m.Indexer.CatchUp(ctx); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	// A store with documents but no trained embedder gets one now; in any
	// case whatever lacks vectors of the current model is embedded, in
	// the background so serving does not wait.
	go func() {
		var err error
		if _, terr := m.Store.ActiveModel(ctx, triage.ModelEmbedder); triage.IsCode(terr, triage.ENOTFOUND) {
			err = m.trainEmbedder(ctx, nil)
		}
		if err == nil {
			err = m.embedMissing(ctx, nil)
		}
		if err != nil && ctx.Err() == nil {
			m.Log.Warn("embedding the searchable documents failed; search falls back to words until it succeeds", "err", err)
		}
	}()
	go m.Indexer.Run(ctx, 300*time.Millisecond)
	if err := m.Jobs.Start(ctx); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	ln := m.ln
	if ln == nil {
		if ln, err = net.Listen("tcp", m.Config.Addr); err != nil {
			return err
		}
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(m.Stdout, "triage %s listening on %s (store: %s)\n", version, url, m.storeName())
	if tok != nil {
		fmt.Fprintf(m.Stdout, "\n  Admin token (shown only this once; keep it):\n\n    %s\n\n  Try: curl -H 'Authorization: Bearer %s' %s/v1/tickets\n\n", tok.Secret, tok.Secret, url)
	}
	errc := make(chan error, 1)
	go func() { errc <- m.Server.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	m.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = m.Server.Shutdown(sctx)
	return errors.Join(err, m.Jobs.Stop(sctx))
}

// Close releases the indexes and the store.
func (m *Main) Close() error {
	var errs []error
	if m.Text != nil {
		errs = append(errs, m.Text.Close())
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
	}
	return errors.Join(errs...)
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.serveFlags(fs)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	cfg.AdminToken = os.Getenv("TRIAGE_ADMIN_TOKEN")
	cfg.EmbedAPIKey, cfg.LLMAPIKey = os.Getenv("TRIAGE_EMBED_API_KEY"), os.Getenv("TRIAGE_LLM_API_KEY")
	log, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	m := &Main{Config: cfg, Log: log, Stdout: stdout}
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	return m.Run(ctx)
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, triage.Invalid("log-level", "--log-level must be debug, info, warn or error")
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// redactURL hides a password in a database URL before it is printed.
func redactURL(u string) string {
	if at := strings.LastIndex(u, "@"); at > 0 {
		if colon := strings.Index(u[:at], "://"); colon >= 0 {
			return u[:colon+3] + "…@" + u[at+1:]
		}
	}
	return u
}
