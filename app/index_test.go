package app_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/kb"
)

// openDemo opens an App on dir the way serve does, without listening: the
// index is brought up to date (rebuilt when missing), the demo data is
// loaded into an empty store, and every searchable document is embedded.
func openDemo(t *testing.T, dir string) *app.App {
	t.Helper()
	return openDemoWith(t, app.Config{DataDir: dir})
}

// openDemoWith is openDemo on the store cfg names (a PostgreSQL database,
// say), with the demo's settings filled in.
func openDemoWith(t *testing.T, cfg app.Config) *app.App {
	t.Helper()
	ctx := context.Background()
	cfg.Demo, cfg.Threshold, cfg.VectorWeight = true, 0.35, 1
	m := open(t, cfg)
	if err := m.StartIndex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := m.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Embedding.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Indexer.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	return m
}

func topTen(t *testing.T, m *app.App, q kb.Query) []string {
	t.Helper()
	hits, err := m.Searcher.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.OwnerID)
	}
	return ids
}

// TestIndexRebuiltAfterDeletion deletes the text index directory of a
// stopped service and starts it again: the index is rebuilt from the store
// and every query returns the same top ten as before, in every mode.
func TestIndexRebuiltAfterDeletion(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo data twice; skipped with -short")
	}
	dir := t.TempDir()
	queries := []kb.Query{
		{Text: "耳机一边没有声音", Kind: triage.DocArticle, Mode: kb.ModeHybrid, K: 10},
		{Text: "退款多久到账", Kind: triage.DocArticle, Mode: kb.ModeLexical, K: 10},
		{Text: "发票抬头开错了怎么办", Kind: triage.DocArticle, Mode: kb.ModeVector, K: 10},
		{Text: "快递显示签收但是没收到", Kind: triage.DocTicket, Mode: kb.ModeHybrid, K: 10},
		{Text: "手机号", Kind: triage.DocTicket, Mode: kb.ModeLexical, K: 10},
	}
	first := openDemo(t, dir)
	before := make([][]string, len(queries))
	for i, q := range queries {
		before[i] = topTen(t, first, q)
		if len(before[i]) == 0 {
			t.Fatalf("%q found nothing before the rebuild", q.Text)
		}
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "index")); err != nil {
		t.Fatal(err)
	}
	second := openDemo(t, dir)
	if n, err := second.Text.Count(context.Background(), triage.DocArticle); err != nil || n == 0 {
		t.Fatalf("rebuilt index holds %d article chunks (%v)", n, err)
	}
	for i, q := range queries {
		t.Run(q.Mode+" "+q.Text, func(t *testing.T) {
			if after := topTen(t, second, q); !slices.Equal(after, before[i]) {
				t.Errorf("top ten changed after the rebuild:\nbefore %v\nafter  %v", before[i], after)
			}
		})
	}
}
