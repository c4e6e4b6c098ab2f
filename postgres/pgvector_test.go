package postgres_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/postgres"
	"github.com/triagehq/triage/postgres/pgtest"
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
// the same vectors, and checks the dimension guard and the keep filter.
func TestVectorSearch(t *testing.T) {
	url := pgtest.NewDatabase(t)
	pgtest.RequireVector(t, url)
	ctx := t.Context()
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
			q := vecs["article:a007:0"]
			var ids []string
			for id := range vecs {
				if c.keep == nil || c.keep(id) {
					ids = append(ids, id)
				}
			}
			slices.SortFunc(ids, func(a, b string) int { return -cmpFloat(cos(q, vecs[a]), cos(q, vecs[b])) })
			want := ids[:k]
			hits, err := vs.Search(ctx, q, k, c.keep)
			if err != nil {
				t.Fatal(err)
			}
			found := 0
			for _, h := range hits {
				if c.keep != nil && !c.keep(h.DocID) {
					t.Errorf("%s passed the filter", h.DocID)
				}
				if slices.Contains(want, h.DocID) {
					found++
				}
				if math.Abs(h.Score-cos(q, vecs[h.DocID])) > 1e-4 {
					t.Errorf("%s: score %v, cosine %v", h.DocID, h.Score, cos(q, vecs[h.DocID]))
				}
			}
			// HNSW is approximate: 9 of the true top 10 at least.
			if len(hits) != k || found < k-1 {
				t.Errorf("%d hits, %d of the exact top %d: %s", len(hits), found, k, strings.Join(want, " "))
			}
		})
	}
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
