package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
)

// Start makes the application ready to serve: the first admin token (nil
// when the store has one already: it is shown once, at the first start),
// the indexes brought up to date, the demo data loaded when asked for, and
// the background work begun: embedding whatever lacks vectors, following
// the change log, and working jobs. progress hears the long stages.
func (a *App) Start(ctx context.Context, progress kb.Progress) (*triage.Token, error) {
	var tok *triage.Token
	err := a.timed("bootstrap", func() (err error) {
		tok, err = a.Desk.Bootstrap(ctx, a.Config.AdminToken)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := a.timed("index", func() error { return a.StartIndex(ctx, progress) }); err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	if a.Config.Demo {
		if err := a.timed("demo", func() error { return a.LoadDemo(ctx) }); err != nil {
			return nil, fmt.Errorf("demo data: %w", err)
		}
		// The demo's articles are searchable before the first request,
		// so its first suggestions (stored for ten minutes) are not empty.
		err := a.timed("demo_index", func() error {
			_, err := a.Indexer.CatchUp(ctx)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("search index: %w", err)
		}
	}
	// In the background, so serving does not wait. Then the garbage of
	// loading goes back to the system (app/startup.go).
	go func() {
		if err := a.Embedding.Ensure(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("embedding the searchable documents failed; search falls back to words until it succeeds", "err", err)
		}
		a.releaseWhenSettled(ctx)
	}()
	go a.Indexer.Run(ctx, 300*time.Millisecond)
	if err := a.Jobs.Start(ctx); err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	// One fetcher per enabled mailbox, for as long as the app runs.
	go a.Mail.Run(ctx)
	if a.Backups != nil {
		go a.Backups.Run(ctx)
	}
	a.logStarted()
	return tok, nil
}

// StartIndex brings the text and vector indexes up to date: a rebuild
// from the store when the index directory was missing or damaged, else a
// catch-up from the change log.
func (a *App) StartIndex(ctx context.Context, progress kb.Progress) error {
	if a.rebuild {
		a.Log.Info("building the text index from the store", "dir", a.IndexDir())
		if err := a.Indexer.Rebuild(ctx, false, progress); err != nil {
			return err
		}
		a.rebuild = false
	} else if err := a.Indexer.Start(ctx); err != nil {
		return err
	}
	_, err := a.Indexer.CatchUp(ctx)
	return err
}

// Serve answers requests on ln until ctx is done, then shuts down
// gracefully: it stops accepting, finishes in-flight requests and running
// jobs. The store stays open for Close.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- a.Server.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := a.Server.Shutdown(sctx)
	return errors.Join(err, a.Jobs.Stop(sctx))
}
