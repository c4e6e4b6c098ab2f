package postgres_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/postgres"
	"github.com/triagehq/triage/postgres/pgtest"
	"github.com/triagehq/triage/storetest"
)

// TestVectorSearchWithoutExtension: on a server without pgvector the store
// offers no SQL vector index, and the service falls back to the in-memory
// one, instead of failing to start.
func TestVectorSearchWithoutExtension(t *testing.T) {
	url := pgtest.NewDatabase(t)
	if pgtest.VectorAvailable(t, url) {
		t.Skip("SKIP: this server offers pgvector; TestVectorSearch covers it")
	}
	db, err := postgres.Open(t.Context(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	vs, err := db.VectorSearch(t.Context(), func() (string, int) { return "m", 8 })
	if err != nil || vs != nil {
		t.Fatalf("VectorSearch without the extension = %v, %v; want nil, nil", vs, err)
	}
}

// TestVectorSearch compares the HNSW search with an exact cosine top-k over
// the same vectors, and checks the dimension guard and the keep filter. At
// 300 vectors the planner would rightly scan them all, which would say
// nothing about HNSW, so the store's connections may not sort: the only
// plan left reads the HNSW index in distance order, and the test checks
// with EXPLAIN that the query Search sends gets it.
func TestVectorSearch(t *testing.T) {
	url := pgtest.NewDatabase(t)
	pgtest.RequireVector(t, url)
	ctx := t.Context()
	plain := url
	url = pgtest.WithParam(t, url, "enable_sort", "off")
	db, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const dim, n, k = 16, 300, 10
	rng := rand.New(rand.NewPCG(1, 2))
	vecs := map[string][]float32{}
	err = db.Update(ctx, func(tx triage.Tx) error {
		for i := range n {
			v := make([]float32, dim)
			for j := range v {
				v[j] = float32(rng.NormFloat64())
			}
			id := fmt.Sprintf("article:a%03d:0", i)
			vecs[id] = v
			if err := tx.PutVectors(ctx, triage.DocArticle, fmt.Sprintf("a%03d", i), []*triage.Vector{{DocID: id, Kind: triage.DocArticle, OwnerID: fmt.Sprintf("a%03d", i), Model: "m", Vec: v}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.VectorSearch(ctx, func() (string, int) { return "m", dim + 1 }); !triage.IsCode(err, triage.ECONFLICT) {
		t.Errorf("an embedder of another dimension was accepted: %v", err)
	}
	vs, err := db.VectorSearch(ctx, func() (string, int) { return "m", dim })
	if err != nil || vs == nil {
		t.Fatalf("VectorSearch: %v, %v", vs, err)
	}

	t.Run("the query uses the HNSW index", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
			t.Fatal(err)
		}
		rows, err := conn.Query(ctx, "EXPLAIN "+postgres.SearchSQL("m", dim), pgvector.NewVector(vecs["article:a007:0"]), 40)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan[0]+plan[1], "Index Scan using vectors_hnsw_") {
			t.Errorf("the search does not read the HNSW index:\n%s", strings.Join(plan, "\n"))
		}
	})

	cos := func(a, b []float32) float64 {
		var d, na, nb float64
		for i := range a {
			d += float64(a[i]) * float64(b[i])
			na += float64(a[i]) * float64(a[i])
			nb += float64(b[i]) * float64(b[i])
		}
		return d / math.Sqrt(na*nb)
	}
	even := func(id string) bool { return (id[len("article:a")+2]-'0')%2 == 0 }
	cases := []struct {
		name string
		keep func(string) bool
	}{{"all", nil}, {"even owners only", even}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ids []string
			for id := range vecs {
				if c.keep == nil || c.keep(id) {
					ids = append(ids, id)
				}
			}
			// Every vector in turn is the query: recall over 300 searches.
			found, total := 0, 0
			var slowest time.Duration
			for q := range vecs {
				byCos := slices.Clone(ids)
				slices.SortFunc(byCos, func(a, b string) int { return -cmpFloat(cos(vecs[q], vecs[a]), cos(vecs[q], vecs[b])) })
				want := byCos[:k]
				start := time.Now()
				hits, err := vs.Search(ctx, vecs[q], k, c.keep)
				if err != nil {
					t.Fatal(err)
				}
				slowest = max(slowest, time.Since(start))
				if len(hits) != k {
					t.Errorf("query %s: %d hits, want %d", q, len(hits), k)
				}
				for _, h := range hits {
					if c.keep != nil && !c.keep(h.DocID) {
						t.Errorf("%s passed the filter", h.DocID)
					}
					if slices.Contains(want, h.DocID) {
						found++
					}
					if math.Abs(h.Score-cos(vecs[q], vecs[h.DocID])) > 1e-4 {
						t.Errorf("%s: score %v, cosine %v", h.DocID, h.Score, cos(vecs[q], vecs[h.DocID]))
					}
				}
				total += k
			}
			recall := float64(found) / float64(total)
			t.Logf("HNSW recall@%d against the exact top %d: %.4f (%d of %d) over %d queries; slowest search %v", k, k, recall, found, total, len(vecs), slowest)
			// HNSW is approximate: 9 of the true top 10 at least, on average.
			if recall < 0.9 {
				t.Errorf("recall %.4f, want 0.9 at least", recall)
			}
		})
	}

	t.Run("zero vectors score 0, not NaN", func(t *testing.T) {
		zero := make([]float32, dim)
		err := db.Update(ctx, func(tx triage.Tx) error {
			return tx.PutVectors(ctx, triage.DocArticle, "zero", []*triage.Vector{{DocID: "article:zero:0", Kind: triage.DocArticle, OwnerID: "zero", Model: "m", Vec: zero}})
		})
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := db.Update(ctx, func(tx triage.Tx) error { return tx.DeleteVectors(ctx, triage.DocArticle, "zero") }); err != nil {
				t.Fatal(err)
			}
		}()
		// A zero query (a text of only punctuation embeds to one) is
		// NaN against everything in SQL.
		hits, err := vs.Search(ctx, zero, k, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if h.Score != 0 {
				t.Errorf("zero query: %s scores %v, want 0", h.DocID, h.Score)
			}
		}
		// The exact scan (what the planner does with few vectors; here
		// the index is off) meets the zero document, which HNSW leaves out.
		exact, err := postgres.Open(ctx, pgtest.WithParam(t, plain, "enable_indexscan", "off"), postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer exact.Close()
		evs, err := exact.VectorSearch(ctx, func() (string, int) { return "m", dim })
		if err != nil {
			t.Fatal(err)
		}
		hits, err = evs.Search(ctx, vecs["article:a007:0"], n+1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != n+1 {
			t.Errorf("exact scan: %d hits, want %d", len(hits), n+1)
		}
		for _, h := range hits {
			if math.IsNaN(h.Score) || h.DocID == "article:zero:0" && h.Score != 0 {
				t.Errorf("%s scores %v", h.DocID, h.Score)
			}
		}
	})

	t.Run("the model at another dimension once its vectors are gone", func(t *testing.T) {
		// Without pgvector a model's dimension binds only while it has
		// vectors; the index of m at 16 must not refuse m at 4 then.
		err := db.Update(ctx, func(tx triage.Tx) error {
			for id := range vecs {
				owner, _, _ := strings.Cut(strings.TrimPrefix(id, "article:"), ":")
				if err := tx.DeleteVectors(ctx, triage.DocArticle, owner); err != nil {
					return err
				}
			}
			return tx.PutVectors(ctx, triage.DocArticle, "a000", []*triage.Vector{{DocID: "article:a000:0", Kind: triage.DocArticle, OwnerID: "a000", Model: "m", Vec: []float32{1, 2, 3, 4}}})
		})
		if err != nil {
			t.Fatalf("m at 4 dimensions after m at %d: %v", dim, err)
		}
	})
}

// TestVectorSearchReplicas starts replicas together: each adds the column
// and creates the HNSW index only if no other has, and none fails because
// another did it at the same moment.
func TestVectorSearchReplicas(t *testing.T) {
	url := pgtest.NewDatabase(t)
	pgtest.RequireVector(t, url)
	ctx := t.Context()
	const replicas = 6
	dbs := make([]*postgres.DB, replicas)
	for i := range dbs {
		db, err := postgres.Open(ctx, url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
	}
	for round := range 4 {
		var wg sync.WaitGroup
		errs := make([]error, replicas)
		for i, db := range dbs {
			wg.Go(func() {
				_, errs[i] = db.VectorSearch(ctx, func() (string, int) { return fmt.Sprintf("m%d", round), 8 })
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("model m%d, replica %d: %v", round, i, err)
			}
		}
	}
}

// TestStoreWithPgvector runs the conformance suite with the embedding
// column and the HNSW indexes of the suite's models in place, as a store
// that has served with pgvector has them: the generated column and the
// partial indexes must not change what the store accepts.
func TestStoreWithPgvector(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	pgtest.RequireVector(t, dbURL)
	migrated := false
	storetest.Run(t, func(t *testing.T) triage.Store {
		if migrated {
			emptySchema(t, dbURL)
		}
		migrated = true
		db, err := postgres.Open(t.Context(), dbURL, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// storetest's models, at the first dimension each is used with.
		for _, m := range []struct {
			name string
			dim  int
		}{{"local-lsa-v1", 8}, {"text-embedding-3-small", 16}} {
			if _, err := db.VectorSearch(t.Context(), func() (string, int) { return m.name, m.dim }); err != nil {
				t.Fatal(err)
			}
		}
		return db
	})
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
