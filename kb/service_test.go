package kb_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/sqlite"
)

// newService returns a service over a fresh embedded store.
func newService(t *testing.T) *kb.Service {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{
		Enqueue: func(context.Context, *sql.Tx, triage.Job) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return &kb.Service{Store: store, Now: func() time.Time {
		clock = clock.Add(time.Second)
		return clock
	}}
}

// as returns a context acting as a token of the role; agent tokens are tied
// to the agent id.
func as(role triage.Role, agentID string) context.Context {
	p := &triage.Principal{TokenID: "tok-" + string(role) + agentID, Name: string(role), Role: role, AgentID: agentID}
	return triage.NewContextWithPrincipal(context.Background(), p)
}

var system = context.Background()

func mustCreate(t *testing.T, s *kb.Service, ctx context.Context, in triage.NewArticle) *triage.Article {
	t.Helper()
	a, err := s.CreateArticle(ctx, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustUpdate(t *testing.T, s *kb.Service, ctx context.Context, a *triage.Article, u triage.ArticleUpdate) *triage.Article {
	t.Helper()
	got, err := s.UpdateArticle(ctx, a.ID, a.Version, u)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if triage.ErrorCode(err) != code {
		t.Fatalf("error %v, want code %q", err, code)
	}
}

func versions(t *testing.T, s *kb.Service, id string) []*triage.ArticleVersion {
	t.Helper()
	vs, err := s.Versions(system, id)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func status(st triage.ArticleStatus) triage.ArticleUpdate {
	return triage.ArticleUpdate{Status: triage.Some(st)}
}
