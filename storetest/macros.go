package storetest

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// Macros (快捷回复): the store keeps a macro as given but for Version and
// the use counts, which it counts from the uses; versions and uses go
// with a deleted macro.
var macroTests = []test{
	{"macros create read update delete", testMacroCRUD},
	{"macro versions", testMacroVersions},
	{"macro uses are counted and listed newest first", testMacroUses},
	{"macro errors", testMacroErrors},
}

func newMacro(id, title string) *triage.Macro {
	created := time.Date(2026, 11, 22, 18, 30, 15, 123456789, cst)
	return &triage.Macro{ID: id, Title: title, Body: "您好，{{requester.name}}", Scope: triage.MacroEveryone,
		AuthorID: "agent:a-1", CreatedAt: created, UpdatedAt: created}
}

func wantMacro(m *triage.Macro, version, uses, edited int) *triage.Macro {
	w := *m
	w.Actions.AddTags = append([]string{}, m.Actions.AddTags...)
	w.CreatedAt, w.UpdatedAt = stored(m.CreatedAt), stored(m.UpdatedAt)
	w.Version, w.Uses, w.EditedUses = version, uses, edited
	return &w
}

func testMacroCRUD(t *testing.T, s triage.Store) {
	ctx := t.Context()
	full := newMacro("mc-1", "退款进度")
	full.Scope, full.TeamID = triage.MacroTeam, "tm-1"
	full.Actions = triage.MacroActions{Status: triage.StatusPending, Priority: triage.P2, AddTags: []string{"refund"}, AssigneeID: "a-1", TeamID: "tm-1"}
	bare := newMacro("mc-2", "问候") // nil tags read back []
	wFull, wBare := wantMacro(full, 1, 0, 0), wantMacro(bare, 1, 0, 0)
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateMacro(ctx, bare); err != nil {
			return err
		}
		return tx.CreateMacro(ctx, full)
	})
	sameJSON(t, "created struct", full, wFull)
	sameJSON(t, "created struct with nil tags", bare, wBare)
	got, err := s.Macro(ctx, "mc-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Macro", got, wFull)
	wantUTC(t, "Macro", got.CreatedAt, got.UpdatedAt)
	list, err := s.Macros(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// By title in byte order: 退 (U+9000) before 问 (U+95EE).
	sameJSON(t, "Macros", list, []*triage.Macro{wFull, wBare})

	got.Title, got.Archived, got.Actions = "退款进度（新）", true, triage.MacroActions{}
	got.CreatedAt, got.AuthorID = base, "someone else" // neither is changed by an update
	got.UpdatedAt = time.Date(2026, 11, 23, 1, 2, 3, 456789999, cst)
	update(t, s, func(tx triage.Tx) error { return tx.UpdateMacro(ctx, got) })
	wUp := wantMacro(got, 2, 0, 0)
	wUp.CreatedAt, wUp.AuthorID = wFull.CreatedAt, wFull.AuthorID
	sameJSON(t, "updated struct", got, wUp)
	again, err := s.Macro(ctx, "mc-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Macro after update", again, wUp)

	stale := wantMacro(full, 1, 0, 0)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateMacro(ctx, stale) }), triage.ESTALE)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteMacro(ctx, "mc-1", 1) }), triage.ESTALE)
	update(t, s, func(tx triage.Tx) error { return tx.DeleteMacro(ctx, "mc-1", 2) })
	_, err = s.Macro(ctx, "mc-1")
	wantCode(t, err, triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteMacro(ctx, "mc-1", 2) }), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateMacro(ctx, again) }), triage.ENOTFOUND)
}

func testMacroVersions(t *testing.T, s triage.Store) {
	ctx := t.Context()
	m := newMacro("mc-1", "问候")
	v1 := &triage.MacroVersion{MacroID: "mc-1", Version: 1, Title: m.Title, Body: m.Body, Scope: m.Scope, Actor: "agent:a-1", CreatedAt: m.CreatedAt}
	v2 := &triage.MacroVersion{MacroID: "mc-1", Version: 2, Title: "问候2", Body: "hi", Scope: triage.MacroAgent, AgentID: "a-1",
		Actions: triage.MacroActions{AddTags: []string{"x"}}, Archived: true, Actor: "agent:a-1", Note: "改短", CreatedAt: base}
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateMacro(ctx, m); err != nil {
			return err
		}
		// Stored out of order: the list is by version.
		if err := tx.AddMacroVersion(ctx, v2); err != nil {
			return err
		}
		return tx.AddMacroVersion(ctx, v1)
	})
	w1, w2 := *v1, *v2
	w1.Actions.AddTags, w1.CreatedAt = []string{}, stored(v1.CreatedAt)
	sameJSON(t, "added struct", v1, &w1)
	vs, err := s.MacroVersions(ctx, "mc-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "MacroVersions", vs, []*triage.MacroVersion{&w1, &w2})
	one, err := s.MacroVersion(ctx, "mc-1", 2)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "MacroVersion", one, &w2)
	_, err = s.MacroVersion(ctx, "mc-1", 3)
	wantCode(t, err, triage.ENOTFOUND)
	_, err = s.MacroVersions(ctx, "nope")
	wantCode(t, err, triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.AddMacroVersion(ctx, v1) }), triage.ECONFLICT)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.AddMacroVersion(ctx, &triage.MacroVersion{MacroID: "nope", Version: 1, CreatedAt: base})
	}), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.AddMacroVersion(ctx, &triage.MacroVersion{MacroID: "mc-1", Version: 0, CreatedAt: base})
	}), triage.EINVALID)

	// An empty history of an existing macro is an empty list.
	update(t, s, func(tx triage.Tx) error { return tx.CreateMacro(ctx, newMacro("mc-2", "空")) })
	vs, err = s.MacroVersions(ctx, "mc-2")
	if err != nil || vs == nil || len(vs) != 0 {
		t.Errorf("MacroVersions of a macro without versions = %v, %v; want [], nil", vs, err)
	}
}

func testMacroUses(t *testing.T, s triage.Store) {
	ctx := t.Context()
	a, b := newMacro("mc-1", "甲"), newMacro("mc-2", "乙")
	uses := []*triage.MacroUse{
		{ID: "u-1", MacroID: "mc-1", TicketID: "t-1", CommentID: "c-1", Actor: "agent:a-1", Terms: []string{"退款", "到账"}, CreatedAt: base},
		{ID: "u-2", MacroID: "mc-1", TicketID: "t-2", Edited: true, CreatedAt: base.Add(time.Minute)},
		{ID: "u-3", MacroID: "mc-2", TicketID: "t-3", Edited: true, CreatedAt: base.Add(2 * time.Minute)},
		{ID: "u-4", MacroID: "mc-1", TicketID: "t-4", CreatedAt: base.Add(3 * time.Minute)},
	}
	update(t, s, func(tx triage.Tx) error {
		for _, m := range []*triage.Macro{a, b} {
			if err := tx.CreateMacro(ctx, m); err != nil {
				return err
			}
		}
		for _, u := range uses {
			if err := tx.AddMacroUse(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
	if uses[1].Terms == nil {
		t.Error("AddMacroUse left nil Terms in the caller's struct")
	}
	got, err := s.Macro(ctx, "mc-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Uses != 3 || got.EditedUses != 1 || got.Version != 1 {
		t.Errorf("mc-1 uses, edited, version = %d, %d, %d; want 3, 1, 1 (a use does not change the version)", got.Uses, got.EditedUses, got.Version)
	}
	list, err := s.MacroUses(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "MacroUses(3)", list, []*triage.MacroUse{uses[3], uses[2], uses[1]})
	all, err := s.MacroUses(ctx, 0)
	if err != nil || len(all) != 4 {
		t.Fatalf("MacroUses(0) = %d uses, %v; want 4", len(all), err)
	}
	sameJSON(t, "oldest use", all[3], uses[0])

	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.AddMacroUse(ctx, &triage.MacroUse{ID: "u-9", MacroID: "nope", TicketID: "t-1", CreatedAt: base})
	}), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.AddMacroUse(ctx, uses[0]) }), triage.ECONFLICT)

	// Deleting a macro takes its uses with it.
	update(t, s, func(tx triage.Tx) error { return tx.DeleteMacro(ctx, "mc-1", 1) })
	left, err := s.MacroUses(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "uses after delete", left, []*triage.MacroUse{uses[2]})
}

func testMacroErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error { return tx.CreateMacro(ctx, newMacro("mc-1", "甲")) })
	for _, tc := range []struct {
		name string
		fn   func(tx triage.Tx) error
		code string
	}{
		{"duplicate id", func(tx triage.Tx) error { return tx.CreateMacro(ctx, newMacro("mc-1", "乙")) }, triage.ECONFLICT},
		{"empty id", func(tx triage.Tx) error { return tx.CreateMacro(ctx, newMacro("", "乙")) }, triage.EINVALID},
		{"update without id", func(tx triage.Tx) error { return tx.UpdateMacro(ctx, newMacro("", "乙")) }, triage.EINVALID},
		{"delete without id", func(tx triage.Tx) error { return tx.DeleteMacro(ctx, "", 1) }, triage.EINVALID},
		{"use without id", func(tx triage.Tx) error {
			return tx.AddMacroUse(ctx, &triage.MacroUse{MacroID: "mc-1", CreatedAt: base})
		}, triage.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, updateErr(t, s, tc.fn), tc.code)
		})
	}
	if _, err := s.Macro(ctx, "nope"); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("Macro(nope) = %v, want not_found", err)
	}
}
