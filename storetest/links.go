package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// Ticket links and merges. Beyond the interface's comments:
//
//   - TicketLinks lists the links from and to a ticket by CreatedAt, then
//     FromID, then ToID; Score reads back exactly.
//   - AddTicketLink is EINVALID for an empty id, a link of a ticket to
//     itself, an unknown kind or a non-finite score; ENOTFOUND for an
//     unknown ticket; ECONFLICT for a second link of one kind between the
//     same two tickets (the other direction is a different link). It logs
//     (link, "<from>:<to>", create).
//   - MoveComments keeps each comment's id, author and time; the moved
//     comments sort among the target's by time. It logs (ticket, from,
//     update) and (ticket, to, update); an unknown ticket is ENOTFOUND.
//   - Ticket.MergedInto reads back as written by CreateTicket and
//     UpdateTicket.
var linkTests = []test{
	{"links", testLinks},
	{"link errors", testLinkErrors},
	{"move comments", testMoveComments},
	{"merged into", testMergedInto},
}

func testLinks(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base), newTicket("t-2", base), newTicket("t-3", base))
	_, start := changesAfter(t, s, 0)
	in := []*triage.TicketLink{
		{FromID: "t-2", ToID: "t-1", Kind: triage.LinkDuplicate, Score: 0.8125, Why: triage.Reasons{triage.NewReason(triage.ReasonDuplicateSimilar, "email", 3600, 0.8125, 0.6, 2, []string{"退款", "到账"})}, Actor: "system", CreatedAt: base.In(cst)},
		{FromID: "t-3", ToID: "t-2", Kind: triage.LinkMerged, Actor: "agent:a1", CreatedAt: base.Add(time.Hour)},
		{FromID: "t-2", ToID: "t-1", Kind: triage.LinkMerged, Actor: "agent:a1", CreatedAt: base.Add(time.Hour)},
	}
	update(t, s, func(tx triage.Tx) error {
		for _, l := range in {
			if err := tx.AddTicketLink(ctx, l); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.TicketLinks(ctx, "t-2")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "links of t-2", got, []*triage.TicketLink{in[0], in[2], in[1]})
	wantUTC(t, "links", got[0].CreatedAt)
	views := []string{}
	for _, l := range got {
		v := l.View("t-2")
		views = append(views, v.Relation+" "+v.TicketID)
	}
	if want := []string{"duplicate_of t-1", "merged_into t-1", "merged_from t-3"}; !slices.Equal(views, want) {
		t.Errorf("views = %v, want %v", views, want)
	}
	got, _ = s.TicketLinks(ctx, "t-1")
	if len(got) != 2 || got[0].View("t-1").Relation != triage.RelHasDuplicate {
		t.Errorf("links of t-1 = %v", got)
	}
	none, err := s.TicketLinks(ctx, "nope")
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("links of an unknown ticket = %v, %v; want an empty list", none, err)
	}
	changes, _ := changesAfter(t, s, start)
	want := []change{{"link", "t-2:t-1", "create"}, {"link", "t-3:t-2", "create"}, {"link", "t-2:t-1", "create"}}
	if !slices.Equal(changes, want) {
		t.Errorf("changes = %v, want %v", changes, want)
	}
}

func testLinkErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base), newTicket("t-2", base))
	link := func(from, to, kind string, score float64) *triage.TicketLink {
		return &triage.TicketLink{FromID: from, ToID: to, Kind: kind, Score: score, CreatedAt: base}
	}
	update(t, s, func(tx triage.Tx) error { return tx.AddTicketLink(ctx, link("t-2", "t-1", triage.LinkDuplicate, 0.7)) })
	// The other direction is another link.
	update(t, s, func(tx triage.Tx) error { return tx.AddTicketLink(ctx, link("t-1", "t-2", triage.LinkDuplicate, 0.7)) })
	nan := 0.0
	nan /= nan
	for _, tc := range []struct {
		name string
		l    *triage.TicketLink
		code string
	}{
		{"same link twice", link("t-2", "t-1", triage.LinkDuplicate, 0.9), triage.ECONFLICT},
		{"to itself", link("t-1", "t-1", triage.LinkDuplicate, 1), triage.EINVALID},
		{"unknown kind", link("t-1", "t-2", "related", 0), triage.EINVALID},
		{"empty from", link("", "t-2", triage.LinkMerged, 0), triage.EINVALID},
		{"NaN score", link("t-1", "t-2", triage.LinkMerged, nan), triage.EINVALID},
		{"unknown ticket", link("t-1", "nope", triage.LinkMerged, 0), triage.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.AddTicketLink(ctx, tc.l) }), tc.code)
		})
	}
}

func testMoveComments(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base), newTicket("t-2", base), newTicket("t-3", base))
	update(t, s, func(tx triage.Tx) error {
		for _, c := range []*triage.Comment{
			{ID: "c-1", TicketID: "t-1", AuthorID: "a1", Body: "第一条", Public: true, CreatedAt: base.Add(time.Minute)},
			{ID: "c-2", TicketID: "t-2", FromRequester: true, Body: "重复的问题", Public: true, CreatedAt: base.Add(2 * time.Minute)},
			{ID: "c-3", TicketID: "t-1", AuthorID: "a1", Body: "第三条", CreatedAt: base.Add(3 * time.Minute)},
		} {
			if err := tx.AddComment(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	_, start := changesAfter(t, s, 0)
	var n int
	update(t, s, func(tx triage.Tx) (err error) {
		n, err = tx.MoveComments(ctx, "t-2", "t-1")
		return err
	})
	if n != 1 {
		t.Errorf("moved %d, want 1", n)
	}
	got, _ := s.Comments(ctx, "t-1")
	var order []string
	for _, c := range got {
		order = append(order, c.ID+"@"+c.TicketID)
	}
	if want := []string{"c-1@t-1", "c-2@t-1", "c-3@t-1"}; !slices.Equal(order, want) {
		t.Errorf("comments of t-1 = %v, want %v", order, want)
	}
	if !got[1].FromRequester || !got[1].CreatedAt.Equal(base.Add(2*time.Minute)) {
		t.Errorf("moved comment changed: %+v", got[1])
	}
	left, _ := s.Comments(ctx, "t-2")
	if len(left) != 0 {
		t.Errorf("t-2 kept %d comments", len(left))
	}
	changes, _ := changesAfter(t, s, start)
	if want := []change{{"ticket", "t-2", "update"}, {"ticket", "t-1", "update"}}; !slices.Equal(changes, want) {
		t.Errorf("changes = %v, want %v", changes, want)
	}
	update(t, s, func(tx triage.Tx) (err error) {
		n, err = tx.MoveComments(ctx, "t-3", "t-1")
		return err
	})
	if n != 0 {
		t.Errorf("moving no comments moved %d", n)
	}
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { _, err := tx.MoveComments(ctx, "nope", "t-1"); return err }), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { _, err := tx.MoveComments(ctx, "t-1", "nope"); return err }), triage.ENOTFOUND)
}

func testMergedInto(t *testing.T, s triage.Store) {
	ctx := t.Context()
	a, b := newTicket("t-1", base), newTicket("t-2", base)
	b.MergedInto = "t-1"
	createTickets(t, s, a, b)
	got, _ := s.Ticket(ctx, "t-2")
	if got.MergedInto != "t-1" {
		t.Errorf("MergedInto after create = %q", got.MergedInto)
	}
	got.MergedInto = ""
	update(t, s, func(tx triage.Tx) error { return tx.UpdateTicket(ctx, got) })
	a.MergedInto = "t-2"
	update(t, s, func(tx triage.Tx) error { return tx.UpdateTicket(ctx, a) })
	for id, want := range map[string]string{"t-1": "t-2", "t-2": ""} {
		got, _ := s.Ticket(ctx, id)
		if got.MergedInto != want {
			t.Errorf("%s: MergedInto = %q, want %q", id, got.MergedInto, want)
		}
	}
}
