package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var ruleTests = []test{
	{"rules create read update delete", testRuleCRUD},
	{"rules order", testRuleOrder},
	{"rules are stored as given", testRuleAsGiven},
	{"rules errors", testRuleErrors},
	{"dictionary put read delete", testDictWords},
	{"dictionary put keeps the first CreatedAt", testDictReplace},
	{"dictionary errors", testDictErrors},
}

// newRule is a minimal rule at position pos, with nil lists.
func newRule(id string, pos int) *triage.Rule {
	return &triage.Rule{ID: id, Name: "rule " + id, Position: pos, Enabled: true, Any: []string{"退款"},
		SetCategory: "退款", Mode: triage.RuleOverride, CreatedAt: base, UpdatedAt: base}
}

// fullRule sets every field, with times in another zone and with
// nanoseconds, so that the store has to convert and truncate them.
func fullRule(id string) *triage.Rule {
	created := time.Date(2026, 11, 22, 18, 30, 15, 123456789, cst)
	return &triage.Rule{
		ID:           id,
		Name:         "投诉升级",
		Position:     3,
		Enabled:      true,
		Any:          []string{"投诉", "12315", "媒体曝光"},
		All:          []string{"退款"},
		None:         []string{"测试"},
		Regex:        `订单号?\s*[A-Z]-\d+`,
		Channels:     []triage.Channel{triage.ChannelWechat, triage.ChannelPhone},
		Tiers:        []string{"vip", "svip"},
		SetCategory:  "投诉",
		SetPriority:  triage.P1,
		AddTags:      []string{"complaint", "escalated"},
		Mode:         triage.RuleBias,
		Weight:       1.0 / 3, // not exact in decimal: the store must keep all 64 bits
		Stop:         true,
		MatchNegated: true,
		CreatedAt:    created,
		UpdatedAt:    created.Add(time.Hour + 999),
	}
}

// wantRule is r as a store returns it at version.
func wantRule(r *triage.Rule, version int) *triage.Rule {
	w := *r
	orEmpty := func(s []string) []string { return append([]string{}, s...) }
	w.Any, w.All, w.None = orEmpty(r.Any), orEmpty(r.All), orEmpty(r.None)
	w.Tiers, w.AddTags = orEmpty(r.Tiers), orEmpty(r.AddTags)
	w.Channels = append([]triage.Channel{}, r.Channels...)
	w.CreatedAt, w.UpdatedAt = stored(r.CreatedAt), stored(r.UpdatedAt)
	w.Version = version
	return &w
}

func testRuleCRUD(t *testing.T, s triage.Store) {
	ctx := t.Context()
	full := fullRule("r-1")
	bare := newRule("r-2", 5) // nil lists read back []
	wFull, wBare := wantRule(full, 1), wantRule(bare, 1)
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateRule(ctx, full); err != nil {
			return err
		}
		if err := tx.CreateRule(ctx, bare); err != nil {
			return err
		}
		got, err := tx.Rule(ctx, "r-1")
		if err != nil {
			return err
		}
		sameJSON(t, "tx.Rule", got, wFull)
		return nil
	})
	sameJSON(t, "created struct", full, wFull)
	sameJSON(t, "created struct with nil lists", bare, wBare)

	got, err := s.Rule(ctx, "r-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Rule", got, wFull)
	if got.Weight != 1.0/3 {
		t.Errorf("Weight = %v, want exactly 1/3 (%v)", got.Weight, 1.0/3)
	}
	wantUTC(t, "Rule", got.CreatedAt, got.UpdatedAt)
	list, err := s.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Rules", list, []*triage.Rule{wFull, wBare})

	// Update every field from the copy that was read; clear the lists.
	got.Name, got.Position, got.Enabled = "投诉", 1, false
	got.Any, got.All, got.None, got.Regex = []string{"差评"}, nil, []string{}, ""
	got.Channels, got.Tiers = nil, []string{"gold"}
	got.SetCategory, got.SetPriority, got.AddTags = "", triage.P2, nil
	got.Mode, got.Weight, got.Stop, got.MatchNegated = triage.RuleOverride, 0, false, false
	got.UpdatedAt = time.Date(2026, 11, 23, 1, 2, 3, 456789999, cst)
	wUp := wantRule(got, 2)
	update(t, s, func(tx triage.Tx) error { return tx.UpdateRule(ctx, got) })
	if got.Version != 2 {
		t.Errorf("Version after update = %d, want 2", got.Version)
	}
	sameJSON(t, "updated struct", got, wUp)
	again, err := s.Rule(ctx, "r-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Rule after update", again, wUp)

	// A stale copy can neither update nor delete, and keeps its version.
	stale := wantRule(full, 1)
	stale.Name = "stale"
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateRule(ctx, stale) })
	wantCode(t, err, triage.ESTALE)
	if stale.Version != 1 {
		t.Errorf("a stale update changed the caller's Version to %d", stale.Version)
	}
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteRule(ctx, "r-1", 1) })
	wantCode(t, err, triage.ESTALE)

	update(t, s, func(tx triage.Tx) error { return tx.DeleteRule(ctx, "r-1", 2) })
	_, err = s.Rule(ctx, "r-1")
	wantCode(t, err, triage.ENOTFOUND)
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteRule(ctx, "r-1", 2) })
	wantCode(t, err, triage.ENOTFOUND)
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateRule(ctx, again) })
	wantCode(t, err, triage.ENOTFOUND)
	list, err = s.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Rules after delete", list, []*triage.Rule{wBare})
}

// testRuleOrder checks evaluation order: position, then id, whatever the
// order of creation. Ids are chosen so that neither alone gives the order.
func testRuleOrder(t *testing.T, s triage.Store) {
	ctx := t.Context()
	rules := []*triage.Rule{
		newRule("r-b", 2), newRule("r-z", 0), newRule("r-a", 2),
		newRule("r-m", -1), newRule("r-c", 10), newRule("r-0", 2),
	}
	empty, err := s.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if empty == nil || len(empty) != 0 {
		t.Errorf("Rules on an empty store = %#v, want an empty slice", empty)
	}
	update(t, s, func(tx triage.Tx) error {
		for _, r := range rules {
			if err := tx.CreateRule(ctx, r); err != nil {
				return err
			}
		}
		// A transaction lists its own writes.
		list, err := tx.Rules(ctx)
		if err != nil {
			return err
		}
		if len(list) != len(rules) {
			t.Errorf("tx.Rules sees %d rules, want %d", len(list), len(rules))
		}
		return nil
	})
	list, err := s.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range list {
		got = append(got, r.ID)
	}
	if want := []string{"r-m", "r-z", "r-0", "r-a", "r-b", "r-c"}; !slices.Equal(got, want) {
		t.Errorf("Rules order = %v, want %v (position, then id)", got, want)
	}

	// Moving a rule moves it in the list.
	r, err := s.Rule(ctx, "r-c")
	if err != nil {
		t.Fatal(err)
	}
	r.Position = -5
	update(t, s, func(tx triage.Tx) error { return tx.UpdateRule(ctx, r) })
	list, err = s.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 || list[0].ID != "r-c" {
		t.Errorf("after moving r-c to position -5, Rules starts with %v", list)
	}
}

// testRuleAsGiven checks that the store keeps rules that Rule.Validate
// would reject or change: validation is the service's job, and a store that
// second-guessed it would make the two disagree.
func testRuleAsGiven(t *testing.T, s triage.Store) {
	ctx := t.Context()
	odd := &triage.Rule{ID: "r-odd", Name: "  untrimmed  ", Position: 0, Any: []string{"", "重复", "重复"},
		Regex: "([", Mode: "", Weight: 7.5, SetPriority: "P9", CreatedAt: base, UpdatedAt: base}
	w := wantRule(odd, 1)
	update(t, s, func(tx triage.Tx) error { return tx.CreateRule(ctx, odd) })
	got, err := s.Rule(ctx, "r-odd")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Rule", got, w)
}

func testRuleErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error { return tx.CreateRule(ctx, newRule("r-1", 0)) })
	_, err := s.Rule(ctx, "nope")
	wantCode(t, err, triage.ENOTFOUND)
	for _, tc := range []struct {
		name string
		fn   func(tx triage.Tx) error
		code string
	}{
		{"duplicate id", func(tx triage.Tx) error { return tx.CreateRule(ctx, newRule("r-1", 1)) }, triage.ECONFLICT},
		{"empty id", func(tx triage.Tx) error { return tx.CreateRule(ctx, newRule("", 1)) }, triage.EINVALID},
		{"update empty id", func(tx triage.Tx) error { return tx.UpdateRule(ctx, newRule("", 1)) }, triage.EINVALID},
		{"update missing", func(tx triage.Tx) error {
			r := newRule("nope", 0)
			r.Version = 1
			return tx.UpdateRule(ctx, r)
		}, triage.ENOTFOUND},
		{"delete missing", func(tx triage.Tx) error { return tx.DeleteRule(ctx, "nope", 1) }, triage.ENOTFOUND},
		{"update stale", func(tx triage.Tx) error {
			r := newRule("r-1", 0)
			r.Version = 2
			return tx.UpdateRule(ctx, r)
		}, triage.ESTALE},
		{"delete stale", func(tx triage.Tx) error { return tx.DeleteRule(ctx, "r-1", 0) }, triage.ESTALE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, updateErr(t, s, tc.fn), tc.code)
		})
	}
}

// dictOrder is the order DictWords lists words in: byte order of their
// UTF-8, which is Go's string order (and code point order), not a locale's.
func dictOrder(words []string) []string {
	out := slices.Clone(words)
	slices.Sort(out)
	return out
}

func testDictWords(t *testing.T, s triage.Store) {
	ctx := t.Context()
	empty, err := s.DictWords(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if empty == nil || len(empty) != 0 {
		t.Errorf("DictWords on an empty store = %#v, want an empty slice", empty)
	}
	created := time.Date(2026, 11, 22, 18, 0, 0, 123456789, cst)
	// Mixed scripts and cases, so that a locale collation, a case-folding
	// one or pinyin order would each list them differently.
	in := []*triage.DictWord{
		{Word: "退款单", Freq: 2000, Tag: "n", CreatedAt: created},
		{Word: "到账", Freq: 1000, CreatedAt: created.Add(time.Second)},
		{Word: "iPhone 16", Freq: 500, Tag: "nz", CreatedAt: created},
		{Word: "SKU-1001", CreatedAt: created},
		{Word: "工单", Freq: 800, Tag: "n", CreatedAt: created},
		{Word: "Apple", CreatedAt: created},
	}
	byWord := map[string]*triage.DictWord{}
	var words []string
	for _, w := range in {
		c := *w
		c.CreatedAt = stored(w.CreatedAt)
		byWord[w.Word] = &c
		words = append(words, w.Word)
	}
	update(t, s, func(tx triage.Tx) error {
		for _, w := range in {
			if err := tx.PutDictWord(ctx, w); err != nil {
				return err
			}
		}
		list, err := tx.DictWords(ctx)
		if err != nil {
			return err
		}
		if len(list) != len(in) {
			t.Errorf("tx.DictWords sees %d words, want %d", len(list), len(in))
		}
		return nil
	})
	var want []*triage.DictWord
	for _, w := range dictOrder(words) {
		want = append(want, byWord[w])
	}
	for _, w := range in {
		sameJSON(t, "put struct", w, byWord[w.Word])
	}
	got, err := s.DictWords(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "DictWords (byte order)", got, want)
	wantUTC(t, "DictWords", got[0].CreatedAt)

	update(t, s, func(tx triage.Tx) error { return tx.DeleteDictWord(ctx, "到账") })
	got, err = s.DictWords(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want = slices.DeleteFunc(want, func(w *triage.DictWord) bool { return w.Word == "到账" })
	sameJSON(t, "DictWords after delete", got, want)
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteDictWord(ctx, "到账") })
	wantCode(t, err, triage.ENOTFOUND)
}

func testDictReplace(t *testing.T, s triage.Store) {
	ctx := t.Context()
	first := time.Date(2026, 11, 22, 18, 0, 0, 123456789, cst)
	update(t, s, func(tx triage.Tx) error {
		return tx.PutDictWord(ctx, &triage.DictWord{Word: "到账", Freq: 10, Tag: "v", CreatedAt: first})
	})
	for _, tc := range []struct {
		name    string
		created time.Time
	}{
		{"with a later CreatedAt", first.Add(time.Hour)},
		{"with a zero CreatedAt", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &triage.DictWord{Word: "到账", Freq: 99, CreatedAt: tc.created} // tag cleared
			update(t, s, func(tx triage.Tx) error { return tx.PutDictWord(ctx, w) })
			want := &triage.DictWord{Word: "到账", Freq: 99, CreatedAt: stored(first)}
			sameJSON(t, "put struct", w, want)
			got, err := s.DictWords(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "DictWords", got, []*triage.DictWord{want})
		})
	}

	t.Run("a new word with a zero CreatedAt gets the time of the write", func(t *testing.T) {
		before := time.Now()
		w := &triage.DictWord{Word: "退款单"}
		update(t, s, func(tx triage.Tx) error { return tx.PutDictWord(ctx, w) })
		after := time.Now()
		if w.CreatedAt.Before(before.Add(-time.Minute)) || w.CreatedAt.After(after.Add(time.Minute)) {
			t.Errorf("CreatedAt = %v, want about now (%v)", w.CreatedAt, after)
		}
		wantUTC(t, "put struct", w.CreatedAt)
		if !w.CreatedAt.Equal(stored(w.CreatedAt)) {
			t.Errorf("CreatedAt %v is not at microsecond precision", w.CreatedAt)
		}
		got, err := s.DictWords(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(got, func(g *triage.DictWord) bool { return g.Word == "退款单" })
		if i < 0 {
			t.Fatalf("DictWords lacks 退款单: %v", got)
		}
		sameJSON(t, "DictWords entry", got[i], w)
	})
}

func testDictErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		fn   func(tx triage.Tx) error
		code string
	}{
		{"put empty word", func(tx triage.Tx) error { return tx.PutDictWord(ctx, &triage.DictWord{Freq: 1}) }, triage.EINVALID},
		{"delete empty word", func(tx triage.Tx) error { return tx.DeleteDictWord(ctx, "") }, triage.EINVALID},
		{"delete missing", func(tx triage.Tx) error { return tx.DeleteDictWord(ctx, "没有") }, triage.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, updateErr(t, s, tc.fn), tc.code)
		})
	}
}
