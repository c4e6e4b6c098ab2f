package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var modelTests = []test{
	{"save and read", testModelSave},
	{"one active model per kind", testModelActive},
	{"list newest first without blobs", testModelList},
	{"empty info reads back empty", testModelEmptyInfo},
	{"errors", testModelErrors},
}

// newModel is a model of kind created at created, with a blob that names it.
func newModel(id, kind string, created time.Time) *triage.Model {
	return &triage.Model{ID: id, Kind: kind, Version: "v-" + id,
		Info: triage.ModelInfo{Examples: 10, Classes: []string{"退款", "物流"}, Sources: []string{"store"}},
		Blob: []byte("blob of " + id), CreatedAt: created}
}

// wantModel is m as a store returns it (with its blob, unless blob is
// false).
func wantModel(m *triage.Model, active, blob bool) *triage.Model {
	w := *m
	w.Active = active
	w.Info.Classes = append([]string{}, m.Info.Classes...)
	w.Info.Sources = append([]string{}, m.Info.Sources...)
	w.Info.Metrics = map[string]float64{}
	for k, v := range m.Info.Metrics {
		w.Info.Metrics[k] = v
	}
	if !m.Info.TrainedFrom.IsZero() {
		w.Info.TrainedFrom = stored(m.Info.TrainedFrom)
	}
	w.CreatedAt = stored(m.CreatedAt)
	w.Blob = nil
	if blob {
		w.Blob = slices.Clone(m.Blob)
	}
	return &w
}

// sameModel is sameJSON plus the blob, which JSON leaves out.
func sameModel(t *testing.T, what string, got, want *triage.Model) {
	t.Helper()
	sameJSON(t, what, got, want)
	switch {
	case want.Blob == nil && got.Blob != nil:
		t.Errorf("%s: Blob has %d bytes, want nil", what, len(got.Blob))
	case want.Blob != nil && !bytes.Equal(got.Blob, want.Blob):
		t.Errorf("%s: Blob = %q, want %q", what, got.Blob, want.Blob)
	}
	if got.Info.Metrics == nil {
		t.Errorf("%s: Info.Metrics is nil, want an empty map", what)
	}
}

// activeIDs returns, for each kind, the ids of its active models, as
// Models reports them.
func activeIDs(t *testing.T, s triage.Reader, kinds ...string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, k := range kinds {
		list, err := s.Models(t.Context(), k)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = []string{}
		for _, m := range list {
			if m.Active {
				out[k] = append(out[k], m.ID)
			}
		}
	}
	return out
}

func testModelSave(t *testing.T, s triage.Store) {
	ctx := t.Context()
	created := time.Date(2026, 11, 22, 18, 0, 0, 123456789, cst)
	m := newModel("m-1", triage.ModelCategory, created)
	m.Info = triage.ModelInfo{
		Examples: 1234, Classes: []string{"退款", "物流", "账户"}, Sources: []string{"train.jsonl", "store"},
		FitSeconds: 1.0 / 3, Metrics: map[string]float64{"accuracy": 0.875, "macro_f1": 0.8125},
		TrainedFrom: created.Add(-24*time.Hour + 1), ClosedTickets: 987,
	}
	// Every byte value, so that no text encoding gets in the way.
	m.Blob = make([]byte, 512)
	for i := range m.Blob {
		m.Blob[i] = byte(i)
	}
	m.Active = false // SaveModel sets it
	w := wantModel(m, true, true)
	update(t, s, func(tx triage.Tx) error {
		if err := tx.SaveModel(ctx, m); err != nil {
			return err
		}
		// A transaction reads its own writes.
		got, err := tx.ActiveModel(ctx, triage.ModelCategory)
		if err != nil {
			return err
		}
		sameModel(t, "tx.ActiveModel", got, w)
		return nil
	})
	sameModel(t, "saved struct", m, w)

	for _, tc := range []struct {
		name string
		get  func() (*triage.Model, error)
	}{
		{"Model", func() (*triage.Model, error) { return s.Model(ctx, "m-1") }},
		{"ActiveModel", func() (*triage.Model, error) { return s.ActiveModel(ctx, triage.ModelCategory) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.get()
			if err != nil {
				t.Fatal(err)
			}
			sameModel(t, tc.name, got, w)
			wantUTC(t, tc.name, got.CreatedAt, got.Info.TrainedFrom)
		})
	}
	t.Run("other kinds have none", func(t *testing.T) {
		_, err := s.ActiveModel(ctx, triage.ModelPriority)
		wantCode(t, err, triage.ENOTFOUND)
	})
}

// testModelActive saves and activates models of two kinds and checks after
// every step that each kind has exactly the active model it should.
func testModelActive(t *testing.T, s triage.Store) {
	ctx := t.Context()
	cat, pri := triage.ModelCategory, triage.ModelPriority
	save := func(m *triage.Model) func(tx triage.Tx) error {
		return func(tx triage.Tx) error { return tx.SaveModel(ctx, m) }
	}
	activate := func(id string) func(tx triage.Tx) error {
		return func(tx triage.Tx) error { return tx.ActivateModel(ctx, id) }
	}
	steps := []struct {
		name   string
		fn     func(tx triage.Tx) error
		active map[string]string // kind → active id, "" for none
	}{
		{"first category model", save(newModel("c-1", cat, base)), map[string]string{cat: "c-1", pri: ""}},
		{"second category model replaces it", save(newModel("c-2", cat, base.Add(time.Hour))),
			map[string]string{cat: "c-2", pri: ""}},
		{"a priority model leaves category alone", save(newModel("p-1", pri, base)),
			map[string]string{cat: "c-2", pri: "p-1"}},
		{"roll back to the first", activate("c-1"), map[string]string{cat: "c-1", pri: "p-1"}},
		{"activating the active one changes nothing", activate("c-1"), map[string]string{cat: "c-1", pri: "p-1"}},
		{"an older model saved later is active", save(newModel("c-0", cat, base.Add(-time.Hour))),
			map[string]string{cat: "c-0", pri: "p-1"}},
		{"roll forward", activate("c-2"), map[string]string{cat: "c-2", pri: "p-1"}},
		{"several steps in one transaction", func(tx triage.Tx) error {
			for _, f := range []func(tx triage.Tx) error{
				save(newModel("p-2", pri, base.Add(time.Hour))), activate("c-1"), activate("p-1"), activate("c-0"),
			} {
				if err := f(tx); err != nil {
					return err
				}
			}
			return nil
		}, map[string]string{cat: "c-0", pri: "p-1"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			update(t, s, st.fn)
			got := activeIDs(t, s, cat, pri)
			for kind, id := range st.active {
				want := []string{}
				if id != "" {
					want = []string{id}
				}
				if !slices.Equal(got[kind], want) {
					t.Errorf("active %s models = %v, want %v", kind, got[kind], want)
				}
				am, err := s.ActiveModel(ctx, kind)
				if id == "" {
					wantCode(t, err, triage.ENOTFOUND)
					continue
				}
				if err != nil {
					t.Fatalf("ActiveModel(%s): %v", kind, err)
				}
				if am.ID != id || !am.Active || !bytes.Equal(am.Blob, []byte("blob of "+id)) {
					t.Errorf("ActiveModel(%s) = %s (active %v, blob %q), want %s with its blob",
						kind, am.ID, am.Active, am.Blob, id)
				}
				m, err := s.Model(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if !m.Active {
					t.Errorf("Model(%s).Active = false, but it is the active %s model", id, kind)
				}
			}
		})
	}
	t.Run("a model that is not active says so", func(t *testing.T) {
		m, err := s.Model(ctx, "c-2")
		if err != nil {
			t.Fatal(err)
		}
		if m.Active {
			t.Errorf("Model(c-2).Active = true after c-0 was activated")
		}
	})
}

func testModelList(t *testing.T, s triage.Store) {
	ctx := t.Context()
	empty, err := s.Models(ctx, triage.ModelCategory)
	if err != nil {
		t.Fatal(err)
	}
	if empty == nil || len(empty) != 0 {
		t.Errorf("Models on an empty store = %#v, want an empty slice", empty)
	}
	// Saved out of time order; m-b and m-c share a CreatedAt, so the id
	// (descending) decides between them.
	var ms []*triage.Model
	for i, c := range []struct {
		id   string
		kind string
		at   time.Duration
	}{
		{"m-b", triage.ModelCategory, time.Hour},
		{"m-a", triage.ModelCategory, 2 * time.Hour},
		{"m-d", triage.ModelCategory, 0},
		{"m-c", triage.ModelCategory, time.Hour},
		{"s-1", triage.ModelSentiment, 3 * time.Hour},
	} {
		m := newModel(c.id, c.kind, base.In(cst).Add(c.at))
		m.Info.Examples = i
		ms = append(ms, m)
	}
	update(t, s, func(tx triage.Tx) error {
		for _, m := range ms {
			if err := tx.SaveModel(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	byID := map[string]*triage.Model{}
	for _, m := range ms {
		byID[m.ID] = m
	}
	// m-c was saved last of its kind, so it is the active one.
	want := []*triage.Model{
		wantModel(byID["m-a"], false, false),
		wantModel(byID["m-c"], true, false),
		wantModel(byID["m-b"], false, false),
		wantModel(byID["m-d"], false, false),
	}
	got, err := s.Models(ctx, triage.ModelCategory)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("Models = %d models, want %d", len(got), len(want))
	}
	for i := range want {
		sameModel(t, fmt.Sprintf("Models[%d]", i), got[i], want[i])
	}
	if len(got) > 0 {
		wantUTC(t, "Models", got[0].CreatedAt)
	}
	other, err := s.Models(ctx, triage.ModelSentiment)
	if err != nil {
		t.Fatal(err)
	}
	if len(other) != 1 || other[0].ID != "s-1" {
		t.Errorf("Models(sentiment) = %v, want only s-1", other)
	}
	none, err := s.Models(ctx, triage.ModelPriority)
	if err != nil {
		t.Fatal(err)
	}
	if none == nil || len(none) != 0 {
		t.Errorf("Models of a kind with none = %#v, want an empty slice", none)
	}
}

func testModelEmptyInfo(t *testing.T, s triage.Store) {
	ctx := t.Context()
	m := &triage.Model{ID: "m-1", Kind: triage.ModelCategory, Blob: []byte{1}, CreatedAt: base}
	update(t, s, func(tx triage.Tx) error { return tx.SaveModel(ctx, m) })
	got, err := s.Model(ctx, "m-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Info.Classes == nil || got.Info.Sources == nil || got.Info.Metrics == nil {
		t.Errorf("Info = %#v, want empty rather than nil lists and metrics", got.Info)
	}
	if !got.Info.TrainedFrom.IsZero() {
		t.Errorf("Info.TrainedFrom = %v, want zero", got.Info.TrainedFrom)
	}
	sameModel(t, "saved struct", m, got)
}

func testModelErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error { return tx.SaveModel(ctx, newModel("m-1", triage.ModelCategory, base)) })
	_, err := s.Model(ctx, "nope")
	wantCode(t, err, triage.ENOTFOUND)
	for _, tc := range []struct {
		name string
		fn   func(tx triage.Tx) error
		code string
	}{
		{"duplicate id", func(tx triage.Tx) error { return tx.SaveModel(ctx, newModel("m-1", triage.ModelCategory, base)) }, triage.ECONFLICT},
		{"duplicate id of another kind", func(tx triage.Tx) error { return tx.SaveModel(ctx, newModel("m-1", triage.ModelPriority, base)) }, triage.ECONFLICT},
		{"empty id", func(tx triage.Tx) error { return tx.SaveModel(ctx, newModel("", triage.ModelCategory, base)) }, triage.EINVALID},
		{"empty kind", func(tx triage.Tx) error { return tx.SaveModel(ctx, newModel("m-2", "", base)) }, triage.EINVALID},
		{"activate missing", func(tx triage.Tx) error { return tx.ActivateModel(ctx, "nope") }, triage.ENOTFOUND},
		{"activate empty id", func(tx triage.Tx) error { return tx.ActivateModel(ctx, "") }, triage.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, updateErr(t, s, tc.fn), tc.code)
			// A failed save or activation leaves the active model alone.
			got := activeIDs(t, s, triage.ModelCategory, triage.ModelPriority)
			if !slices.Equal(got[triage.ModelCategory], []string{"m-1"}) || len(got[triage.ModelPriority]) != 0 {
				t.Errorf("active models after the error = %v, want only m-1 (category)", got)
			}
		})
	}
}
