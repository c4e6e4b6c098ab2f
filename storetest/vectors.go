package storetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var vectorTests = []test{
	{"bit-exact round trip", testVectorRoundTrip},
	{"a zero UpdatedAt gets the time of the write", testVectorStamp},
	{"put replaces the owner's vectors of one model", testVectorReplace},
	{"delete removes every model", testVectorDelete},
	{"paging", testVectorPaging},
	{"page size limits", testVectorLimits},
	{"owners", testVectorOwners},
	{"errors", testVectorErrors},
}

// Models of the fixtures.
const (
	modelA = "local-lsa-v1"
	modelB = "text-embedding-3-small"
)

// articleVecs returns one vector per chunk of article owner, of model, each
// of dim values derived from seed.
func articleVecs(owner, model string, chunks, dim int, seed uint64, updated time.Time) []*triage.Vector {
	r := rand.New(rand.NewPCG(seed, uint64(chunks)))
	var out []*triage.Vector
	for c := range chunks {
		v := make([]float32, dim)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		out = append(out, &triage.Vector{DocID: fmt.Sprintf("article:%s#%d", owner, c), Kind: triage.DocArticle,
			OwnerID: owner, Model: model, Vec: v, UpdatedAt: updated})
	}
	return out
}

// putVectors stores vecs of one owner in one transaction.
func putVectors(t *testing.T, s triage.Store, kind, owner string, vecs []*triage.Vector) {
	t.Helper()
	update(t, s, func(tx triage.Tx) error { return tx.PutVectors(t.Context(), kind, owner, vecs) })
}

// allVectors reads every vector of model, one page at a time.
func allVectors(t *testing.T, s triage.Reader, model string) []*triage.Vector {
	t.Helper()
	out := []*triage.Vector{}
	for after := ""; ; {
		page, next, err := s.Vectors(t.Context(), model, after, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if next == "" {
			return out
		}
		after = next
	}
}

// wantVector is v as a store returns it.
func wantVector(v *triage.Vector) *triage.Vector {
	w := *v
	w.Vec = slices.Clone(v.Vec)
	w.UpdatedAt = stored(v.UpdatedAt)
	return &w
}

// sameVectors compares vectors field by field, and their values bit for bit:
// JSON would not tell a float32 read back through a float64 from the
// original in every case, and -0 == 0 in Go.
func sameVectors(t *testing.T, what string, got, want []*triage.Vector) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: nil slice, want an empty one", what)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d vectors %v, want %d %v", what, len(got), vectorDocs(got), len(want), vectorDocs(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.DocID != w.DocID || g.Kind != w.Kind || g.OwnerID != w.OwnerID || g.Model != w.Model {
			t.Fatalf("%s[%d] = %s %s/%s %s, want %s %s/%s %s", what, i,
				g.DocID, g.Kind, g.OwnerID, g.Model, w.DocID, w.Kind, w.OwnerID, w.Model)
		}
		if !g.UpdatedAt.Equal(w.UpdatedAt) || g.UpdatedAt.Location() != time.UTC {
			t.Errorf("%s[%d] (%s): UpdatedAt = %v, want %v in UTC", what, i, g.DocID, g.UpdatedAt, w.UpdatedAt)
		}
		if len(g.Vec) != len(w.Vec) {
			t.Fatalf("%s[%d] (%s): %d dimensions, want %d", what, i, g.DocID, len(g.Vec), len(w.Vec))
		}
		for j := range w.Vec {
			if math.Float32bits(g.Vec[j]) != math.Float32bits(w.Vec[j]) {
				t.Fatalf("%s[%d] (%s): value %d = %v (%#08x), want %v (%#08x)", what, i, g.DocID, j,
					g.Vec[j], math.Float32bits(g.Vec[j]), w.Vec[j], math.Float32bits(w.Vec[j]))
			}
		}
	}
}

// vectorDocs returns the DocIDs of vecs, in order.
func vectorDocs(vecs []*triage.Vector) []string {
	out := make([]string, len(vecs))
	for i, v := range vecs {
		out[i] = v.DocID
	}
	return out
}

func testVectorRoundTrip(t *testing.T, s triage.Store) {
	ctx := t.Context()
	special := []float32{
		0, float32(math.Copysign(0, -1)), 1, -1, 0.1, 1.0 / 3,
		math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, // subnormal
		math.Float32frombits(0x007fffff), // largest subnormal
		math.Float32frombits(0x00800000), // smallest normal
		1e-30, math.MaxFloat32, -math.MaxFloat32, -2.5e-7,
	}
	if math.Float32bits(special[1]) != 0x80000000 {
		t.Fatalf("fixture problem: special[1] is not negative zero")
	}
	updated := time.Date(2026, 11, 22, 18, 0, 0, 123456789, cst)
	vecs := []*triage.Vector{
		{DocID: "article:a-1#0", Kind: triage.DocArticle, OwnerID: "a-1", Model: modelA, Vec: special, UpdatedAt: updated},
		{DocID: "article:a-1#1", Kind: triage.DocArticle, OwnerID: "a-1", Model: modelA, Vec: make([]float32, len(special)), UpdatedAt: updated},
	}
	big := articleVecs("a-2", modelB, 3, 384, 1, updated)
	var want []*triage.Vector
	for _, v := range vecs {
		want = append(want, wantVector(v))
	}
	var wantBig []*triage.Vector
	for _, v := range big {
		wantBig = append(wantBig, wantVector(v))
	}
	update(t, s, func(tx triage.Tx) error {
		if err := tx.PutVectors(ctx, triage.DocArticle, "a-1", vecs); err != nil {
			return err
		}
		if err := tx.PutVectors(ctx, triage.DocArticle, "a-2", big); err != nil {
			return err
		}
		// A transaction reads its own writes.
		got, _, err := tx.Vectors(ctx, modelA, "", 0)
		if err != nil {
			return err
		}
		sameVectors(t, "tx.Vectors", got, want)
		return nil
	})
	// The caller's structs are normalised; their values are left alone.
	sameVectors(t, "put structs", vecs, want)

	got, next, err := s.Vectors(ctx, modelA, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	sameVectors(t, "Vectors", got, want)
	if next != "" {
		t.Errorf("next = %q on the only page", next)
	}
	sameVectors(t, "Vectors of 384 dimensions", allVectors(t, s, modelB), wantBig)
	// What comes back is the caller's to keep: changing it changes nothing
	// stored.
	got[0].Vec[0] = 42
	again, _, err := s.Vectors(ctx, modelA, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	sameVectors(t, "Vectors after changing a read copy", again, want)
}

func testVectorStamp(t *testing.T, s triage.Store) {
	before := time.Now()
	vecs := articleVecs("a-1", modelA, 2, 8, 1, time.Time{})
	putVectors(t, s, triage.DocArticle, "a-1", vecs)
	after := time.Now()
	for _, v := range vecs {
		if v.UpdatedAt.Before(before.Add(-time.Minute)) || v.UpdatedAt.After(after.Add(time.Minute)) {
			t.Errorf("%s: UpdatedAt = %v, want about now (%v)", v.DocID, v.UpdatedAt, after)
		}
		wantUTC(t, "put struct", v.UpdatedAt)
		if !v.UpdatedAt.Equal(stored(v.UpdatedAt)) {
			t.Errorf("UpdatedAt %v is not at microsecond precision", v.UpdatedAt)
		}
	}
	var want []*triage.Vector
	for _, v := range vecs {
		want = append(want, wantVector(v))
	}
	sameVectors(t, "Vectors", allVectors(t, s, modelA), want)
}

func testVectorReplace(t *testing.T, s triage.Store) {
	ctx := t.Context()
	a1A := articleVecs("a-1", modelA, 3, 8, 1, base)
	a1B := articleVecs("a-1", modelB, 2, 16, 2, base)
	a2A := articleVecs("a-2", modelA, 2, 8, 3, base)
	// A ticket whose id is an article's: owners are per kind.
	tkA := []*triage.Vector{{DocID: "ticket:a-1", Kind: triage.DocTicket, OwnerID: "a-1", Model: modelA,
		Vec: []float32{1, 2, 3, 4, 5, 6, 7, 8}, UpdatedAt: base}}
	update(t, s, func(tx triage.Tx) error {
		for _, p := range []struct {
			kind, owner string
			vecs        []*triage.Vector
		}{
			{triage.DocArticle, "a-1", a1A}, {triage.DocArticle, "a-1", a1B},
			{triage.DocArticle, "a-2", a2A}, {triage.DocTicket, "a-1", tkA},
		} {
			if err := tx.PutVectors(ctx, p.kind, p.owner, p.vecs); err != nil {
				return err
			}
		}
		return nil
	})

	// a-1 is re-embedded with model A: now one chunk instead of three.
	fresh := articleVecs("a-1", modelA, 1, 8, 9, base.Add(time.Hour))
	putVectors(t, s, triage.DocArticle, "a-1", fresh)

	wantOf := func(vs ...[]*triage.Vector) []*triage.Vector {
		var out []*triage.Vector
		for _, v := range slices.Concat(vs...) {
			out = append(out, wantVector(v))
		}
		slices.SortFunc(out, func(a, b *triage.Vector) int {
			switch {
			case a.DocID < b.DocID:
				return -1
			case a.DocID > b.DocID:
				return 1
			}
			return 0
		})
		return out
	}
	sameVectors(t, "model A after the re-embed", allVectors(t, s, modelA), wantOf(fresh, a2A, tkA))
	sameVectors(t, "model B, untouched", allVectors(t, s, modelB), wantOf(a1B))

	// Putting the same vectors again changes nothing but the log.
	putVectors(t, s, triage.DocArticle, "a-1", fresh)
	sameVectors(t, "model A after the same put", allVectors(t, s, modelA), wantOf(fresh, a2A, tkA))
}

func testVectorDelete(t *testing.T, s triage.Store) {
	ctx := t.Context()
	a1A := articleVecs("a-1", modelA, 2, 8, 1, base)
	a1B := articleVecs("a-1", modelB, 2, 16, 2, base)
	a2A := articleVecs("a-2", modelA, 1, 8, 3, base)
	tkA := []*triage.Vector{{DocID: "ticket:a-1", Kind: triage.DocTicket, OwnerID: "a-1", Model: modelA,
		Vec: []float32{1, 2, 3, 4, 5, 6, 7, 8}, UpdatedAt: base}}
	putVectors(t, s, triage.DocArticle, "a-1", a1A)
	putVectors(t, s, triage.DocArticle, "a-1", a1B)
	putVectors(t, s, triage.DocArticle, "a-2", a2A)
	putVectors(t, s, triage.DocTicket, "a-1", tkA)

	update(t, s, func(tx triage.Tx) error { return tx.DeleteVectors(ctx, triage.DocArticle, "a-1") })
	sameVectors(t, "model A after the delete", allVectors(t, s, modelA), []*triage.Vector{wantVector(a2A[0]), wantVector(tkA[0])})
	sameVectors(t, "model B after the delete", allVectors(t, s, modelB), []*triage.Vector{})

	// Deleting what is not there succeeds: embedding runs in the
	// background and may not have reached the owner yet.
	update(t, s, func(tx triage.Tx) error { return tx.DeleteVectors(ctx, triage.DocArticle, "a-1") })
	update(t, s, func(tx triage.Tx) error { return tx.DeleteVectors(ctx, triage.DocArticle, "never-embedded") })
	sameVectors(t, "model A after deleting nothing", allVectors(t, s, modelA), []*triage.Vector{wantVector(a2A[0]), wantVector(tkA[0])})

	// The owner can be embedded again.
	putVectors(t, s, triage.DocArticle, "a-1", a1B)
	sameVectors(t, "model B after a new put", allVectors(t, s, modelB), []*triage.Vector{wantVector(a1B[0]), wantVector(a1B[1])})
}

// testVectorPaging walks a model's vectors page by page, with another
// model's vectors interleaved by DocID.
func testVectorPaging(t *testing.T, s triage.Store) {
	ctx := t.Context()
	var want []string
	update(t, s, func(tx triage.Tx) error {
		for i := range 25 {
			owner := fmt.Sprintf("a-%02d", (i*7)%25) // not put in DocID order
			vecs := articleVecs(owner, modelA, 1, 4, uint64(i), base)
			if err := tx.PutVectors(ctx, triage.DocArticle, owner, vecs); err != nil {
				return err
			}
			want = append(want, vecs[0].DocID)
			if i%3 == 0 {
				if err := tx.PutVectors(ctx, triage.DocArticle, owner, articleVecs(owner, modelB, 2, 4, uint64(i), base)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	slices.Sort(want) // byte order

	for _, limit := range []int{1, 7, 5, 25, 100} {
		t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
			var got []string
			after := ""
			for page := 0; ; page++ {
				if page > len(want) {
					t.Fatalf("more than %d pages: the cursor does not advance", len(want))
				}
				vecs, next, err := s.Vectors(ctx, modelA, after, limit)
				if err != nil {
					t.Fatal(err)
				}
				if vecs == nil {
					t.Fatalf("page %d: nil slice", page)
				}
				if len(vecs) == 0 && page > 0 {
					t.Fatalf("page %d is empty: the cursor before it promised more", page)
				}
				if len(vecs) > limit {
					t.Fatalf("page %d has %d vectors, limit %d", page, len(vecs), limit)
				}
				for _, v := range vecs {
					if v.Model != modelA {
						t.Fatalf("page %d holds a vector of %s", page, v.Model)
					}
					got = append(got, v.DocID)
				}
				if next == "" {
					break
				}
				if len(vecs) != limit || next != vecs[len(vecs)-1].DocID {
					t.Fatalf("page %d: %d vectors and next %q; want a full page and its last DocID", page, len(vecs), next)
				}
				after = next
			}
			if !slices.Equal(got, want) {
				t.Errorf("pages gave\n%v\nwant\n%v", got, want)
			}
		})
	}
	t.Run("after a DocID that is not stored", func(t *testing.T) {
		vecs, _, err := s.Vectors(ctx, modelA, "article:a-10#5", 3)
		if err != nil {
			t.Fatal(err)
		}
		i, _ := slices.BinarySearch(want, "article:a-10#5")
		if got := vectorDocs(vecs); !slices.Equal(got, want[i:i+3]) {
			t.Errorf("Vectors after article:a-10#5 = %v, want %v", got, want[i:i+3])
		}
	})
	t.Run("after the last", func(t *testing.T) {
		vecs, next, err := s.Vectors(ctx, modelA, want[len(want)-1], 0)
		if err != nil {
			t.Fatal(err)
		}
		if vecs == nil || len(vecs) != 0 || next != "" {
			t.Errorf("Vectors after the last = %v, %q; want an empty slice and no cursor", vectorDocs(vecs), next)
		}
	})
	t.Run("unknown model", func(t *testing.T) {
		vecs, next, err := s.Vectors(ctx, "no-such-model", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if vecs == nil || len(vecs) != 0 || next != "" {
			t.Errorf("Vectors of an unknown model = %v, %q; want an empty slice and no cursor", vectorDocs(vecs), next)
		}
	})
}

func testVectorLimits(t *testing.T, s triage.Store) {
	ctx := t.Context()
	const n = 1005
	update(t, s, func(tx triage.Tx) error {
		for i := range n {
			owner := fmt.Sprintf("t-%04d", i)
			v := &triage.Vector{DocID: "ticket:" + owner, Kind: triage.DocTicket, OwnerID: owner, Model: modelA,
				Vec: []float32{float32(i), 1}, UpdatedAt: base}
			if err := tx.PutVectors(ctx, triage.DocTicket, owner, []*triage.Vector{v}); err != nil {
				return err
			}
		}
		return nil
	})
	for _, tc := range []struct {
		name     string
		limit    int
		want     int
		wantNext bool
	}{
		{"zero means 1000", 0, 1000, true},
		{"negative means 1000", -1, 1000, true},
		{"a larger limit is honoured", 5000, n, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vecs, next, err := s.Vectors(ctx, modelA, "", tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(vecs) != tc.want || (next != "") != tc.wantNext {
				t.Errorf("limit %d gave %d vectors and next %q; want %d and a next cursor: %v", tc.limit, len(vecs), next, tc.want, tc.wantNext)
			}
		})
	}
}

func testVectorOwners(t *testing.T, s triage.Store) {
	ctx := t.Context()
	empty, err := s.VectorOwners(ctx, triage.DocArticle, modelA)
	if err != nil {
		t.Fatal(err)
	}
	if empty == nil || len(empty) != 0 {
		t.Errorf("VectorOwners on an empty store = %#v, want an empty slice", empty)
	}
	for _, p := range []struct {
		kind, owner, model string
		chunks             int
	}{
		{triage.DocArticle, "a-3", modelA, 3},
		{triage.DocArticle, "a-1", modelA, 1},
		{triage.DocArticle, "a-2", modelB, 2},
		{triage.DocArticle, "a-10", modelA, 2},
		{triage.DocArticle, "b-1", modelA, 1},
		{triage.DocTicket, "a-5", modelA, 1},
	} {
		vecs := articleVecs(p.owner, p.model, p.chunks, 4, 1, base)
		for _, v := range vecs {
			v.Kind = p.kind
			v.DocID = strings.Replace(v.DocID, triage.DocArticle+":", p.kind+":", 1)
		}
		putVectors(t, s, p.kind, p.owner, vecs)
	}
	for _, tc := range []struct {
		kind, model string
		want        []string
	}{
		{triage.DocArticle, modelA, []string{"a-1", "a-10", "a-3", "b-1"}}, // byte order, each once
		{triage.DocArticle, modelB, []string{"a-2"}},
		{triage.DocTicket, modelA, []string{"a-5"}},
		{triage.DocTicket, modelB, []string{}},
	} {
		got, err := s.VectorOwners(ctx, tc.kind, tc.model)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || !slices.Equal(got, tc.want) {
			t.Errorf("VectorOwners(%s, %s) = %#v, want %v", tc.kind, tc.model, got, tc.want)
		}
	}
	for _, tc := range []struct {
		kind, owner, model string
		want               int
	}{
		{triage.DocArticle, "a-3", modelA, 3},
		{triage.DocArticle, "a-2", modelA, 0}, // its vectors are of model B
		{triage.DocArticle, "a-2", modelB, 2},
		{triage.DocTicket, "a-3", modelA, 0}, // same owner id, other kind
		{triage.DocArticle, "nobody", modelA, 0},
	} {
		got, err := s.OwnerVectors(ctx, tc.kind, tc.owner, tc.model)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || len(got) != tc.want {
			t.Errorf("OwnerVectors(%s, %s, %s) = %d vectors (%v), want %d", tc.kind, tc.owner, tc.model, len(got), vectorDocs(got), tc.want)
		}
		for i := 1; i < len(got); i++ {
			if got[i-1].DocID >= got[i].DocID {
				t.Errorf("OwnerVectors not in DocID order: %v", vectorDocs(got))
			}
		}
	}
	update(t, s, func(tx triage.Tx) error { return tx.DeleteVectors(ctx, triage.DocArticle, "a-3") })
	got, err := s.VectorOwners(ctx, triage.DocArticle, modelA)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a-1", "a-10", "b-1"}; !slices.Equal(got, want) {
		t.Errorf("VectorOwners after deleting a-3 = %v, want %v", got, want)
	}
}

func testVectorErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	kept := articleVecs("a-1", modelA, 2, 4, 1, base)
	putVectors(t, s, triage.DocArticle, "a-1", kept)
	// good returns two valid vectors of a-2 for a case to spoil.
	good := func() []*triage.Vector { return articleVecs("a-2", modelA, 2, 4, 2, base) }
	spoil := func(f func(vs []*triage.Vector)) []*triage.Vector {
		vs := good()
		f(vs)
		return vs
	}
	for _, tc := range []struct {
		name        string
		kind, owner string
		vecs        []*triage.Vector
		code        string
	}{
		// The rules of a call's vectors are triage.CheckVectors, tested
		// in the root package; here, that the store applies them before
		// writing anything, and its own rules against what it holds.
		{"no vectors", triage.DocArticle, "a-2", nil, triage.EINVALID},
		{"NaN", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[1].Vec[2] = float32(math.NaN()) }), triage.EINVALID},
		{"another dimension than the model's", triage.DocArticle, "a-2",
			spoil(func(vs []*triage.Vector) { vs[0].Vec, vs[1].Vec = vs[0].Vec[:3], vs[1].Vec[:3] }), triage.EINVALID},
		{"a DocID of another owner", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[1].DocID = kept[0].DocID }), triage.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := updateErr(t, s, func(tx triage.Tx) error { return tx.PutVectors(ctx, tc.kind, tc.owner, tc.vecs) })
			wantCode(t, err, tc.code)
		})
	}
	t.Run("delete without kind or owner", func(t *testing.T) {
		wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteVectors(ctx, "", "a-1") }), triage.EINVALID)
		wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteVectors(ctx, triage.DocArticle, "") }), triage.EINVALID)
	})
	sameVectors(t, "Vectors after failed writes", allVectors(t, s, modelA), []*triage.Vector{wantVector(kept[0]), wantVector(kept[1])})

	// Another model may have another dimension.
	putVectors(t, s, triage.DocArticle, "a-2", articleVecs("a-2", modelB, 1, 7, 3, base))
}
