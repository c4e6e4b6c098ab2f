package app_test

import (
	"compress/gzip"
	"context"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/postgres/pgtest"
)

// The upgrade fixtures are stores written by the oldest triage whose data
// we upgrade (schema 5), made by scripts/upgrade-fixture.sh through that
// version's own API.
const (
	sqliteFixture   = "../testdata/upgrade/schema5.sqlite.gz"
	postgresFixture = "../testdata/upgrade/schema5.postgres.sql.gz"
)

// fixtureTables are the tables of schema 5 the test reads back.
var fixtureTables = []string{"tickets", "comments", "history", "triage_records", "ticket_slas", "articles", "article_versions",
	"models", "surveys", "webhooks", "tokens", "agents", "teams", "rules", "dict_words"}

// TestUpgradeSQLite opens the schema-5 embedded store with this binary: it
// migrates, and every record is read back through the store, the models
// serve, the text index is built from it and search finds what it holds.
func TestUpgradeSQLite(t *testing.T) {
	dir := t.TempDir()
	gunzip(t, sqliteFixture, app.DBPath(dir))
	raw, err := sql.Open("sqlite", app.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	want := countRows(t, func(q string) (int, error) {
		var n int
		err := raw.QueryRow(q).Scan(&n)
		return n, err
	})
	raw.Close()
	m := open(t, app.Config{DataDir: dir, Segmenter: sharedSegmenter(t), Threshold: 0.35, VectorWeight: 1})
	readBack(t, m, want)
}

// TestUpgradePostgres does the same on PostgreSQL: the schema-5 dump is
// loaded into a new database with psql, and this binary migrates it.
func TestUpgradePostgres(t *testing.T) {
	db := pgtest.NewDatabase(t)
	if _, err := exec.LookPath("psql"); err != nil {
		if os.Getenv(pgtest.EnvRequired) == "1" {
			t.Fatal("psql is not installed (postgresql-client)")
		}
		t.Skip("psql is not installed (postgresql-client)")
	}
	dump := filepath.Join(t.TempDir(), "dump.sql")
	gunzip(t, postgresFixture, dump)
	if out, err := exec.Command("psql", "--quiet", "--no-psqlrc", "--set=ON_ERROR_STOP=1", "--file="+dump, db).CombinedOutput(); err != nil {
		t.Fatalf("loading the fixture: %v\n%s", err, out)
	}
	want := countRows(t, func(q string) (int, error) {
		out, err := exec.Command("psql", "--no-psqlrc", "-Atc", q, db).Output()
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(strings.TrimSpace(string(out)))
	})
	m := open(t, app.Config{DB: db, Segmenter: sharedSegmenter(t), Threshold: 0.35, VectorWeight: 1})
	readBack(t, m, want)
}

func gunzip(t *testing.T, from, to string) {
	t.Helper()
	f, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// countRows counts the fixture's rows before the upgrade, in its own SQL.
func countRows(t *testing.T, count func(q string) (int, error)) map[string]int {
	t.Helper()
	want := map[string]int{}
	for _, table := range fixtureTables {
		n, err := count("SELECT COUNT(*) FROM " + table)
		if err != nil {
			t.Fatalf("count %s in the fixture: %v", table, err)
		}
		want[table] = n
	}
	if want["tickets"] == 0 || want["surveys"] == 0 || want["webhooks"] == 0 || want["models"] == 0 || want["article_versions"] <= want["articles"] {
		t.Fatalf("the fixture lacks a kind of record: %v", want)
	}
	return want
}

// readBack reads every record of the upgraded store through the store's
// own methods and compares the counts with the fixture's.
func readBack(t *testing.T, m *app.App, want map[string]int) {
	t.Helper()
	ctx := context.Background()
	got := map[string]int{}
	f := triage.TicketFilter{Limit: triage.MaxPageSize}
	for {
		page, next, err := m.Store.Tickets(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range page {
			got["tickets"]++
			cs, err := m.Store.Comments(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			got["comments"] += len(cs)
			hs, err := m.Store.History(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			got["history"] += len(hs)
			if _, err := m.Store.TriageRecord(ctx, tk.ID); err == nil {
				got["triage_records"]++
			} else if !triage.IsCode(err, triage.ENOTFOUND) {
				t.Fatal(err)
			}
			if _, err := m.Store.TicketSLA(ctx, tk.ID); err == nil {
				got["ticket_slas"]++
			} else if !triage.IsCode(err, triage.ENOTFOUND) {
				t.Fatal(err)
			}
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	af := triage.ArticleFilter{Limit: triage.MaxPageSize}
	for {
		page, next, err := m.Store.Articles(ctx, af)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page {
			got["articles"]++
			vs, err := m.Store.ArticleVersions(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			got["article_versions"] += len(vs)
		}
		if next == "" {
			break
		}
		af.Cursor = next
	}
	for _, kind := range []string{triage.ModelCategory, triage.ModelPriority, triage.ModelEmbedder} {
		ms, err := m.Store.Models(ctx, kind)
		if err != nil {
			t.Fatal(err)
		}
		got["models"] += len(ms)
	}
	lists := map[string]func() (int, error){
		"surveys":    func() (int, error) { s, err := m.Store.Surveys(ctx, triage.SurveyFilter{}); return len(s), err },
		"webhooks":   func() (int, error) { s, err := m.Store.Webhooks(ctx); return len(s), err },
		"tokens":     func() (int, error) { s, err := m.Store.Tokens(ctx); return len(s), err },
		"agents":     func() (int, error) { s, err := m.Store.Agents(ctx); return len(s), err },
		"teams":      func() (int, error) { s, err := m.Store.Teams(ctx); return len(s), err },
		"rules":      func() (int, error) { s, err := m.Store.Rules(ctx); return len(s), err },
		"dict_words": func() (int, error) { s, err := m.Store.DictWords(ctx); return len(s), err },
	}
	for name, list := range lists {
		n, err := list()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got[name] = n
	}
	for _, table := range fixtureTables {
		t.Run(table, func(t *testing.T) {
			if got[table] != want[table] {
				t.Errorf("%s: %d read back after the upgrade, %d in the fixture", table, got[table], want[table])
			}
		})
	}
	if cat, pri := m.Triager.ModelVersions(); cat == "" || pri == "" {
		t.Errorf("the fixture's models do not serve after the upgrade: category %q, priority %q", cat, pri)
	}
	if err := m.StartIndex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if hits := topTen(t, m, kb.Query{Text: "退款多久到账", Kind: triage.DocArticle, Mode: kb.ModeLexical, K: 10}); len(hits) == 0 {
		t.Error("search finds no article in the upgraded store")
	}
}
