package email

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/mail"
)

// Run keeps one fetcher per enabled mailbox until ctx ends: it reads the
// mailboxes' settings at start, whenever Reload is called, and every
// FetchOptions.Reload (to follow changes made on another replica), and
// starts, stops or restarts fetchers to match. Each fetcher first takes
// the mailbox's lock, so with several replicas one reads it at a time.
func (s *Service) Run(ctx context.Context) {
	s.init()
	every := s.Fetch.Reload
	if every <= 0 {
		every = 15 * time.Second
	}
	type running struct {
		version int
		cancel  context.CancelFunc
		done    chan struct{}
	}
	fetchers := map[string]*running{}
	stop := func(id string) {
		r := fetchers[id]
		r.cancel()
		<-r.done
		delete(fetchers, id)
	}
	defer func() {
		for id := range fetchers {
			stop(id)
		}
	}()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		mbs, err := s.Store.Mailboxes(ctx)
		if err != nil && ctx.Err() == nil {
			s.Log.Warn("mail: reading the mailboxes failed; fetchers keep their settings", "err", err)
		}
		if err == nil {
			want := map[string]*triage.Mailbox{}
			for _, m := range mbs {
				if m.Enabled {
					want[m.ID] = m
				}
			}
			for id, r := range fetchers {
				if m, ok := want[id]; !ok || m.Version != r.version {
					stop(id)
				}
			}
			for id, m := range want {
				if fetchers[id] != nil {
					continue
				}
				fctx, cancel := context.WithCancel(ctx)
				r := &running{version: m.Version, cancel: cancel, done: make(chan struct{})}
				fetchers[id] = r
				go func() {
					defer close(r.done)
					s.fetch(fctx, m)
				}()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.kick:
		}
	}
}

// fetch reads one mailbox until ctx ends: it takes the mailbox's lock
// (waiting while another process holds it), then runs the IMAP fetcher
// from the stored position, delivering each mail to Import.
func (s *Service) fetch(ctx context.Context, mb *triage.Mailbox) {
	retry := s.Fetch.LockRetry
	if retry <= 0 {
		retry = 15 * time.Second
	}
	log := s.Log.With("mailbox", mb.ID, "name", mb.Name)
	for ctx.Err() == nil {
		release, lost, ok := func() (func(), <-chan struct{}, bool) {
			if s.Locker == nil {
				return func() {}, nil, true
			}
			release, lost, ok, err := s.Locker.TryLock(ctx, "mailbox:"+mb.ID)
			if err != nil && ctx.Err() == nil {
				log.Warn("mail: cannot take the mailbox's lock", "err", err)
			}
			return release, lost, ok && err == nil
		}()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-time.After(retry):
				continue
			}
		}
		err := s.runFetcher(ctx, mb, lost, log)
		release()
		if err != nil && ctx.Err() == nil {
			s.report(ctx, mb.ID, err)
			log.Warn("mail: the mailbox cannot be fetched", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(retry):
			}
		}
	}
}

// runFetcher runs the fetcher while the lock holds.
func (s *Service) runFetcher(ctx context.Context, mb *triage.Mailbox, lost <-chan struct{}, log *slog.Logger) error {
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if lost != nil {
		go func() {
			select {
			case <-lost:
				cancel()
			case <-fctx.Done():
			}
		}()
	}
	// The position as committed now: another process may have moved it
	// while this one waited for the lock.
	cur, err := s.Store.Mailbox(ctx, mb.ID)
	if err != nil {
		return err
	}
	pw, err := s.password(cur)
	if err != nil {
		return err
	}
	cfg := s.imapConfig(cur, pw)
	var errMu sync.Mutex
	cfg.OnError = func(err error) {
		errMu.Lock()
		defer errMu.Unlock()
		s.report(fctx, mb.ID, err)
	}
	f, err := mail.NewFetcher(cfg, s.Parser)
	if err != nil {
		return err
	}
	log.Info("mail: fetching", "host", cur.Host, "folder", cur.Folder, "uid_validity", cur.Position.UIDValidity, "uid", cur.Position.UID)
	err = f.Run(fctx, mail.Position{UIDValidity: cur.Position.UIDValidity, UID: cur.Position.UID},
		func(ctx context.Context, m *mail.Message, pos mail.Position) error {
			_, err := s.Import(ctx, cur, m, &triage.MailPosition{UIDValidity: pos.UIDValidity, UID: pos.UID})
			if err == nil {
				s.clearError(ctx, cur)
			}
			return err
		})
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// report records a fetcher's error on its mailbox for the admin page:
// the kind (translated by the UI) and the server's answer.
func (s *Service) report(ctx context.Context, id string, err error) {
	text := triage.ErrorMessage(err)
	if kind := mail.ErrorKindOf(err); kind != "" {
		text = string(kind) + ": " + serverAnswer(err)
	}
	now := s.now()
	ctx = context.WithoutCancel(ctx)
	_ = s.Store.Update(ctx, func(tx triage.Tx) error {
		return tx.SetMailboxState(ctx, id, triage.MailboxState{Error: clip(text, 500), ErrorAt: &now})
	})
}

// clearError forgets the last error once mail flows again.
func (s *Service) clearError(ctx context.Context, mb *triage.Mailbox) {
	if mb.LastError == "" {
		return
	}
	mb.LastError = ""
	_ = s.Store.Update(ctx, func(tx triage.Tx) error {
		return tx.SetMailboxState(ctx, mb.ID, triage.MailboxState{})
	})
}
