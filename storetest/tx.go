package storetest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var txTests = []test{
	{"change log", testChangeLog},
	{"change log paging", testChangePaging},
	{"rolled back writes leave no change", testChangeRollback},
	{"rollback undoes every write", testRollback},
	{"panic rolls back", testPanic},
	{"reads see own writes, others see commits", testIsolation},
	{"concurrent updates lose nothing", testConcurrentUpdates},
	{"lock routing", testLockRouting},
	{"ready", testReady},
}

// change is the part of a triage.Change a test can predict.
type change struct{ entity, id, op string }

// changesAfter returns the log after seq, checking what every entry must be.
func changesAfter(t *testing.T, s triage.Reader, after int64) ([]change, int64) {
	t.Helper()
	got, err := s.Changes(t.Context(), after, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil {
		t.Fatalf("Changes returned a nil slice")
	}
	var out []change
	last := after
	for _, c := range got {
		if c.Seq <= last {
			t.Fatalf("Changes not in increasing order: seq %d after %d", c.Seq, last)
		}
		last = c.Seq
		if c.At.IsZero() || c.At.Location() != time.UTC {
			t.Errorf("change %d: At = %v, want a time in UTC", c.Seq, c.At)
		}
		out = append(out, change{c.Entity, c.ID, c.Op})
	}
	return out, last
}

func testChangeLog(t *testing.T, s triage.Store) {
	ctx := t.Context()
	if got, _ := changesAfter(t, s, 0); len(got) != 0 {
		t.Fatalf("a new store has changes: %v", got)
	}
	tk := newTicket("t-1", base)
	agent := newAgent("a-1", "Alice", "")
	team := newTeam("tm-1", "Billing")
	steps := []struct {
		name string
		fn   func(tx triage.Tx) error
		want []change
	}{
		{"create ticket", func(tx triage.Tx) error { return tx.CreateTicket(ctx, tk) },
			[]change{{"ticket", "t-1", "create"}}},
		{"update ticket", func(tx triage.Tx) error { return tx.UpdateTicket(ctx, tk) },
			[]change{{"ticket", "t-1", "update"}}},
		{"comment", func(tx triage.Tx) error {
			return tx.AddComment(ctx, &triage.Comment{ID: "c-1", TicketID: "t-1", Body: "x", CreatedAt: base})
		}, []change{{"ticket", "t-1", "update"}}},
		{"history on two tickets", func(tx triage.Tx) error {
			if err := tx.CreateTicket(ctx, newTicket("t-2", base)); err != nil {
				return err
			}
			h := func(id, ticket string) *triage.HistoryEntry {
				return &triage.HistoryEntry{ID: id, TicketID: ticket, At: base, Field: "status"}
			}
			return tx.AddHistory(ctx, h("h-1", "t-1"), h("h-2", "t-2"), h("h-3", "t-1"))
		}, []change{{"ticket", "t-2", "create"}, {"ticket", "t-1", "update"}, {"ticket", "t-2", "update"}}},
		{"no history", func(tx triage.Tx) error { return tx.AddHistory(ctx) }, nil},
		{"triage record", func(tx triage.Tx) error { return tx.SaveTriageRecord(ctx, fullRecord("t-1")) },
			[]change{{"ticket", "t-1", "update"}}},
		{"agent", func(tx triage.Tx) error {
			if err := tx.CreateAgent(ctx, agent); err != nil {
				return err
			}
			if err := tx.UpdateAgent(ctx, agent); err != nil {
				return err
			}
			return tx.DeleteAgent(ctx, agent.ID, agent.Version)
		}, []change{{"agent", "a-1", "create"}, {"agent", "a-1", "update"}, {"agent", "a-1", "delete"}}},
		{"team", func(tx triage.Tx) error {
			if err := tx.CreateTeam(ctx, team); err != nil {
				return err
			}
			if err := tx.UpdateTeam(ctx, team); err != nil {
				return err
			}
			return tx.DeleteTeam(ctx, team.ID, team.Version)
		}, []change{{"team", "tm-1", "create"}, {"team", "tm-1", "update"}, {"team", "tm-1", "delete"}}},
		{"token", func(tx triage.Tx) error {
			if err := tx.CreateToken(ctx, newToken("tk-1", "h1", base)); err != nil {
				return err
			}
			return tx.RevokeToken(ctx, "tk-1", base)
		}, []change{{"token", "tk-1", "create"}, {"token", "tk-1", "update"}}},
		{"rule", func(tx triage.Tx) error {
			r := newRule("r-1", 0)
			if err := tx.CreateRule(ctx, r); err != nil {
				return err
			}
			if err := tx.UpdateRule(ctx, r); err != nil {
				return err
			}
			return tx.DeleteRule(ctx, r.ID, r.Version)
		}, []change{{"rule", "r-1", "create"}, {"rule", "r-1", "update"}, {"rule", "r-1", "delete"}}},
		{"dictionary", func(tx triage.Tx) error {
			for _, w := range []*triage.DictWord{{Word: "到账"}, {Word: "到账", Freq: 5}, {Word: "工单"}} {
				if err := tx.PutDictWord(ctx, w); err != nil {
					return err
				}
			}
			return tx.DeleteDictWord(ctx, "到账")
		}, []change{{"dict", "到账", "update"}, {"dict", "到账", "update"}, {"dict", "工单", "update"}, {"dict", "到账", "delete"}}},
		{"macro", func(tx triage.Tx) error {
			m := newMacro("mc-1", "问候")
			if err := tx.CreateMacro(ctx, m); err != nil {
				return err
			}
			// A version logs nothing of its own; a use changes the
			// macro as read (its counts).
			if err := tx.AddMacroVersion(ctx, &triage.MacroVersion{MacroID: "mc-1", Version: 1, CreatedAt: base}); err != nil {
				return err
			}
			if err := tx.AddMacroUse(ctx, &triage.MacroUse{ID: "u-1", MacroID: "mc-1", TicketID: "t-1", CreatedAt: base}); err != nil {
				return err
			}
			if err := tx.UpdateMacro(ctx, m); err != nil {
				return err
			}
			return tx.DeleteMacro(ctx, m.ID, m.Version)
		}, []change{{"macro", "mc-1", "create"}, {"macro", "mc-1", "update"}, {"macro", "mc-1", "update"}, {"macro", "mc-1", "delete"}}},
		{"model", func(tx triage.Tx) error {
			for _, id := range []string{"m-1", "m-2"} {
				if err := tx.SaveModel(ctx, newModel(id, triage.ModelCategory, base)); err != nil {
					return err
				}
			}
			return tx.ActivateModel(ctx, "m-1")
		}, []change{{"model", "m-1", "create"}, {"model", "m-2", "create"}, {"model", "m-1", "update"}}},
		{"mark assigned", func(tx triage.Tx) error {
			if err := tx.CreateAgent(ctx, newAgent("a-2", "Bob", "")); err != nil {
				return err
			}
			return tx.MarkAssigned(ctx, "a-2", base)
		}, []change{{"agent", "a-2", "create"}, {"agent", "a-2", "update"}}},
		{"article", func(tx triage.Tx) error {
			a := newArticle("a-1", base)
			if err := tx.CreateArticle(ctx, a); err != nil {
				return err
			}
			if err := tx.AddArticleVersion(ctx, versionOf(a, "editor-1", "created")); err != nil {
				return err
			}
			if err := tx.UpdateArticle(ctx, a); err != nil {
				return err
			}
			return tx.AddArticleVersion(ctx, versionOf(a, "editor-1", "edited"))
		}, []change{{"article", "a-1", "create"}, {"article", "a-1", "update"}}},
		{"vectors", func(tx triage.Tx) error {
			if err := tx.PutVectors(ctx, triage.DocArticle, "a-1", articleVecs("a-1", modelA, 2, 4, 1, base)); err != nil {
				return err
			}
			if err := tx.PutVectors(ctx, triage.DocArticle, "a-1", articleVecs("a-1", modelB, 1, 4, 1, base)); err != nil {
				return err
			}
			if err := tx.DeleteVectors(ctx, triage.DocArticle, "a-1"); err != nil {
				return err
			}
			return tx.DeleteVectors(ctx, triage.DocTicket, "t-1") // had none
		}, []change{{"vector", "article:a-1", "update"}, {"vector", "article:a-1", "update"},
			{"vector", "article:a-1", "delete"}, {"vector", "ticket:t-1", "delete"}}},
		{"suggestions and feedback", func(tx triage.Tx) error {
			if err := tx.SaveSuggestions(ctx, newSuggestions("s-1", "t-1", base, 0)); err != nil {
				return err
			}
			return tx.AddFeedback(ctx, newFeedback("f-1", "s-1", triage.DocArticle, "a-1", triage.FeedbackAccepted, base))
		}, []change{{"suggestion", "s-1", "create"}, {"feedback", "f-1", "create"}}},
		{"idempotency logs nothing", func(tx triage.Tx) error {
			return tx.SaveIdempotency(ctx, &triage.Idempotency{Scope: "s", Key: "k", Status: 201, CreatedAt: base})
		}, nil},
	}
	var seq int64
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			update(t, s, st.fn)
			var got []change
			got, seq = changesAfter(t, s, seq)
			if !slices.Equal(got, st.want) {
				t.Errorf("changes = %v, want %v", got, st.want)
			}
		})
	}
}

func testChangePaging(t *testing.T, s triage.Store) {
	ctx := t.Context()
	for i := range 7 {
		createTickets(t, s, newTicket(fmt.Sprintf("t-%d", i), base))
	}
	all, err := s.Changes(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 7 {
		t.Fatalf("%d changes, want 7", len(all))
	}
	var paged []triage.Change
	for after := int64(0); ; {
		page, err := s.Changes(ctx, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 3 {
			t.Fatalf("page of %d with limit 3", len(page))
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		after = page[len(page)-1].Seq
	}
	if !slices.Equal(paged, all) {
		t.Errorf("paged changes differ from one read:\n got  %v\n want %v", paged, all)
	}
	for i, c := range all {
		if want := fmt.Sprintf("t-%d", i); c.ID != want {
			t.Errorf("change %d is for %s, want %s: the log is not in commit order", i, c.ID, want)
		}
	}
	rest, err := s.Changes(ctx, all[len(all)-1].Seq, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 0 {
		t.Errorf("Changes after the last seq = %v", rest)
	}
}

func testChangeRollback(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base))
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateRule(ctx, newRule("r-1", 0)); err != nil {
			return err
		}
		if err := tx.CreateArticle(ctx, newArticle("a-1", base)); err != nil {
			return err
		}
		if err := tx.SaveSuggestions(ctx, newSuggestions("s-1", "t-1", base, 0)); err != nil {
			return err
		}
		return tx.SaveModel(ctx, newModel("m-1", triage.ModelCategory, base))
	})
	_, seq := changesAfter(t, s, 0)
	boom := errors.New("boom")
	err := updateErr(t, s, func(tx triage.Tx) error {
		if err := tx.CreateTicket(ctx, newTicket("t-2", base)); err != nil {
			return err
		}
		if err := tx.CreateAgent(ctx, newAgent("a-1", "Alice", "")); err != nil {
			return err
		}
		if err := tx.CreateArticle(ctx, newArticle("a-2", base)); err != nil {
			return err
		}
		if err := tx.PutVectors(ctx, triage.DocArticle, "a-1", articleVecs("a-1", modelA, 1, 4, 1, base)); err != nil {
			return err
		}
		if err := tx.AddFeedback(ctx, newFeedback("f-1", "s-1", "draft", "", triage.FeedbackEdited, base)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	// A failed write inside a transaction that commits logs nothing either.
	// None of these failures is an SQL error, so they leave a Postgres
	// transaction usable. (Failures that are, such as AddArticleVersion or
	// AddFeedback naming something missing, are left to the error tests,
	// which end their transactions.)
	stale := newTicket("t-1", base)
	stale.Version = 7
	staleRule := newRule("r-1", 0)
	staleRule.Version = 7
	staleArticle := newArticle("a-1", base)
	staleArticle.Version = 7
	nanVecs := articleVecs("a-1", modelA, 1, 4, 1, base)
	nanVecs[0].Vec[0] = float32(math.NaN())
	err = updateErr(t, s, func(tx triage.Tx) error {
		for _, f := range []struct {
			name string
			err  error
			code string
		}{
			{"UpdateTicket with a stale version", tx.UpdateTicket(ctx, stale), triage.ESTALE},
			{"UpdateRule with a stale version", tx.UpdateRule(ctx, staleRule), triage.ESTALE},
			{"DeleteRule with a stale version", tx.DeleteRule(ctx, "r-1", 7), triage.ESTALE},
			{"DeleteDictWord of a missing word", tx.DeleteDictWord(ctx, "没有"), triage.ENOTFOUND},
			{"ActivateModel of a missing model", tx.ActivateModel(ctx, "m-9"), triage.ENOTFOUND},
			{"MarkAssigned of a missing agent", tx.MarkAssigned(ctx, "a-9", base), triage.ENOTFOUND},
			{"UpdateArticle with a stale version", tx.UpdateArticle(ctx, staleArticle), triage.ESTALE},
			{"PutVectors with a NaN", tx.PutVectors(ctx, triage.DocArticle, "a-1", nanVecs), triage.EINVALID},
			{"AddFeedback with an unknown action", tx.AddFeedback(ctx,
				newFeedback("f-2", "s-1", "draft", "", "liked", base)), triage.EINVALID},
		} {
			if !triage.IsCode(f.err, f.code) {
				return fmt.Errorf("%s: %v, want %s", f.name, f.err, f.code)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := changesAfter(t, s, seq); len(got) != 0 {
		t.Errorf("rolled back or failed writes left changes: %v", got)
	}
}

func testRollback(t *testing.T, s triage.Store) {
	ctx := t.Context()
	keep := newTicket("t-1", base)
	createTickets(t, s, keep)
	boom := errors.New("boom")
	err := updateErr(t, s, func(tx triage.Tx) error {
		edited := *keep
		edited.Title = "changed"
		steps := []error{
			tx.UpdateTicket(ctx, &edited),
			tx.CreateTicket(ctx, newTicket("t-2", base)),
			tx.AddComment(ctx, &triage.Comment{ID: "c-1", TicketID: "t-1", Body: "x", CreatedAt: base}),
			tx.AddHistory(ctx, &triage.HistoryEntry{ID: "h-1", TicketID: "t-1", At: base, Field: "title"}),
			tx.SaveTriageRecord(ctx, fullRecord("t-1")),
			tx.CreateAgent(ctx, newAgent("a-1", "Alice", "")),
			tx.CreateTeam(ctx, newTeam("tm-1", "Billing")),
			tx.CreateToken(ctx, newToken("tk-1", "h1", base)),
			tx.SaveIdempotency(ctx, &triage.Idempotency{Scope: "s", Key: "k", Status: 201, CreatedAt: base}),
			tx.CreateRule(ctx, newRule("r-1", 0)),
			tx.PutDictWord(ctx, &triage.DictWord{Word: "到账", CreatedAt: base}),
			tx.SaveModel(ctx, newModel("m-1", triage.ModelCategory, base)),
			tx.MarkAssigned(ctx, "a-1", base),
			tx.CreateArticle(ctx, newArticle("ar-1", base)),
			tx.AddArticleVersion(ctx, versionOf(&triage.Article{ID: "ar-1", Version: 1, Title: "x"}, "", "")),
			tx.PutVectors(ctx, triage.DocArticle, "ar-1", articleVecs("ar-1", modelA, 2, 4, 1, base)),
			tx.SaveSuggestions(ctx, newSuggestions("s-1", keep.ID, base, 0)),
			tx.AddFeedback(ctx, newFeedback("f-1", "s-1", triage.DocArticle, "ar-1", triage.FeedbackRejected, base)),
		}
		if err := errors.Join(steps...); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	assertNothingButKeep(t, s, keep)
}

// assertNothingButKeep checks that the store holds only keep, unchanged.
func assertNothingButKeep(t *testing.T, s triage.Store, keep *triage.Ticket) {
	t.Helper()
	ctx := t.Context()
	got, err := s.Ticket(ctx, keep.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "kept ticket", got, keep)
	list, _, err := s.Tickets(ctx, triage.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Errorf("Tickets = %v, want only %s", ids(list), keep.ID)
	}
	counts := map[string]func() (int, error){
		"comments": func() (int, error) { c, err := s.Comments(ctx, keep.ID); return len(c), err },
		"history":  func() (int, error) { h, err := s.History(ctx, keep.ID); return len(h), err },
		"agents":   func() (int, error) { a, err := s.Agents(ctx); return len(a), err },
		"teams":    func() (int, error) { a, err := s.Teams(ctx); return len(a), err },
		"tokens":   func() (int, error) { a, err := s.Tokens(ctx); return len(a), err },
		"rules":    func() (int, error) { a, err := s.Rules(ctx); return len(a), err },
		"words":    func() (int, error) { a, err := s.DictWords(ctx); return len(a), err },
		"models":   func() (int, error) { a, err := s.Models(ctx, triage.ModelCategory); return len(a), err },
		"articles": func() (int, error) { a, _, err := s.Articles(ctx, triage.ArticleFilter{}); return len(a), err },
		"vectors":  func() (int, error) { a, _, err := s.Vectors(ctx, modelA, "", 0); return len(a), err },
		"vector owners": func() (int, error) {
			a, err := s.VectorOwners(ctx, triage.DocArticle, modelA)
			return len(a), err
		},
		"suggestions":     func() (int, error) { a, err := s.Suggestions(ctx, triage.SuggestionFilter{}); return len(a), err },
		"feedback":        func() (int, error) { a, err := s.Feedback(ctx, "s-1"); return len(a), err },
		"feedback counts": func() (int, error) { a, err := s.FeedbackCounts(ctx, time.Time{}); return len(a), err },
	}
	for name, count := range counts {
		if n, err := count(); err != nil || n != 0 {
			t.Errorf("%s: %d left (err %v), want 0", name, n, err)
		}
	}
	if _, err := s.TriageRecord(ctx, keep.ID); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("TriageRecord after rollback: %v, want ENOTFOUND", err)
	}
	if _, err := s.Idempotency(ctx, "s", "k"); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("Idempotency after rollback: %v, want ENOTFOUND", err)
	}
	if _, err := s.LatestSuggestion(ctx, keep.ID); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("LatestSuggestion after rollback: %v, want ENOTFOUND", err)
	}
	if _, err := s.ArticleVersions(ctx, "ar-1"); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("ArticleVersions after rollback: %v, want ENOTFOUND", err)
	}
	if _, err := s.ActiveModel(ctx, triage.ModelCategory); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("ActiveModel after rollback: %v, want ENOTFOUND", err)
	}
}

func testPanic(t *testing.T, s triage.Store) {
	ctx := t.Context()
	keep := newTicket("t-1", base)
	createTickets(t, s, keep)
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v, want the panic from fn", r)
			}
		}()
		_ = s.Update(ctx, func(tx triage.Tx) error {
			if err := tx.CreateTicket(ctx, newTicket("t-2", base)); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	assertNothingButKeep(t, s, keep)
	// The store is still usable: the panic released the transaction.
	createTickets(t, s, newTicket("t-3", base))
}

func testIsolation(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error {
		tk := newTicket("t-1", base)
		tk.Tags = []string{"vip"}
		if err := tx.CreateTicket(ctx, tk); err != nil {
			return err
		}
		if _, err := tx.Ticket(ctx, "t-1"); err != nil {
			t.Errorf("tx.Ticket does not see the transaction's own write: %v", err)
		}
		list, _, err := tx.Tickets(ctx, triage.TicketFilter{Tag: "vip"})
		if err != nil {
			return err
		}
		if !slices.Equal(ids(list), []string{"t-1"}) {
			t.Errorf("tx.Tickets = %v, want [t-1]", ids(list))
		}
		if c, _ := changesAfter(t, tx, 0); len(c) != 1 {
			t.Errorf("tx.Changes = %v, want the one create", c)
		}
		// Outside the transaction, nothing yet.
		if _, err := s.Ticket(ctx, "t-1"); !triage.IsCode(err, triage.ENOTFOUND) {
			t.Errorf("s.Ticket sees an uncommitted ticket (err %v)", err)
		}
		return nil
	})
	if _, err := s.Ticket(ctx, "t-1"); err != nil {
		t.Errorf("s.Ticket after commit: %v", err)
	}
}

// testConcurrentUpdates increments a counter in a ticket field from 20
// goroutines. Half read the ticket outside the transaction, as an API client
// with If-Match does, and half inside it; either way a lost update would
// show in the final count, and ESTALE is the signal to re-read and retry.
func testConcurrentUpdates(t *testing.T, s triage.Store) {
	ctx := t.Context()
	tk := newTicket("t-1", base)
	tk.Fields = map[string]string{"count": "0"}
	createTickets(t, s, tk)
	const workers, each = 20, 5
	increment := func(tk *triage.Ticket) error {
		n, err := strconv.Atoi(tk.Fields["count"])
		if err != nil {
			return err
		}
		tk.Fields["count"] = strconv.Itoa(n + 1)
		return nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		inside := w%2 == 0
		wg.Go(func() {
			for range each {
				for attempt := 0; ; attempt++ {
					if attempt == 1000 {
						errs <- fmt.Errorf("worker %d: no success in 1000 attempts", w)
						return
					}
					var cur *triage.Ticket
					if !inside {
						var err error
						if cur, err = s.Ticket(ctx, "t-1"); err != nil {
							errs <- err
							return
						}
					}
					err := s.Update(ctx, func(tx triage.Tx) error {
						if inside {
							var err error
							if cur, err = tx.Ticket(ctx, "t-1"); err != nil {
								return err
							}
						}
						if err := increment(cur); err != nil {
							return err
						}
						return tx.UpdateTicket(ctx, cur)
					})
					if triage.IsCode(err, triage.ESTALE) {
						continue
					} else if err != nil {
						errs <- fmt.Errorf("worker %d: %w", w, err)
						return
					}
					break
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := s.Ticket(ctx, "t-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := strconv.Itoa(workers * each); got.Fields["count"] != want || got.Version != workers*each+1 {
		t.Errorf("count %s at version %d, want %s at version %d", got.Fields["count"], got.Version, want, workers*each+1)
	}
	changes, _ := changesAfter(t, s, 0)
	if len(changes) != 1+workers*each {
		t.Errorf("%d changes, want %d", len(changes), 1+workers*each)
	}
}

func testLockRouting(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error {
		if err := tx.LockRouting(ctx); err != nil {
			return err
		}
		// Taking it twice in one transaction is allowed.
		return tx.LockRouting(ctx)
	})
}

func testReady(t *testing.T, s triage.Store) {
	if err := s.Ready(t.Context()); err != nil {
		t.Errorf("Ready: %v", err)
	}
}
