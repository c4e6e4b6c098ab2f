package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var ticketTests = []test{
	{"round trip of every field", testTicketRoundTrip},
	{"empty tags and fields read back empty", testTicketEmptyCollections},
	{"update round trip", testTicketUpdate},
	{"stale version", testTicketStale},
	{"not found", testTicketNotFound},
	{"duplicate id", testTicketDuplicate},
	{"empty id", testTicketEmptyID},
}

// fullTicket sets every field, with times in another zone and with
// nanoseconds, so that the store has to convert and truncate them.
func fullTicket(id string) *triage.Ticket {
	created := time.Date(2026, 11, 22, 18, 30, 15, 123456789, cst)
	return &triage.Ticket{
		ID:    id,
		Title: "退款没有到账",
		Body:  "我在 11 月 20 日申请了退款，订单号 A-1001，至今未到账。\n请尽快处理！",
		Requester: triage.Requester{
			Name:  "张三",
			Email: "zhang.san@example.cn",
			Phone: "+86 138 0013 8000",
			Tier:  "vip",
		},
		Channel:         triage.ChannelWechat,
		Tags:            []string{"refund", "vip", "支付"},
		Fields:          map[string]string{"order": "A-1001", "sku": "X-2", "备注": "加急"},
		Status:          triage.StatusSolved,
		Priority:        triage.P2,
		Category:        "退款",
		AssigneeID:      "agent-1",
		TeamID:          "team-1",
		NeedsReview:     true,
		CreatedAt:       created,
		UpdatedAt:       created.Add(3*time.Hour + 999),
		FirstResponseAt: ptr(created.Add(90*time.Second + 1)),
		SolvedAt:        ptr(created.Add(2*time.Hour + 500)),
		ClosedAt:        nil,
	}
}

// want is tk as a store returns it after a create.
func want(tk *triage.Ticket, version int) *triage.Ticket {
	w := *tk
	w.CreatedAt = stored(tk.CreatedAt)
	w.UpdatedAt = stored(tk.UpdatedAt)
	w.FirstResponseAt = storedPtr(tk.FirstResponseAt)
	w.SolvedAt = storedPtr(tk.SolvedAt)
	w.ClosedAt = storedPtr(tk.ClosedAt)
	w.Tags = append([]string{}, tk.Tags...)
	w.Fields = map[string]string{}
	for k, v := range tk.Fields {
		w.Fields[k] = v
	}
	w.Version = version
	w.Triage = nil
	return &w
}

func testTicketRoundTrip(t *testing.T, s triage.Store) {
	ctx := t.Context()
	in := fullTicket("t-1")
	w := want(in, 1)
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateTicket(ctx, in); err != nil {
			return err
		}
		// A transaction reads its own writes.
		got, err := tx.Ticket(ctx, in.ID)
		if err != nil {
			return err
		}
		sameJSON(t, "tx.Ticket", got, w)
		return nil
	})
	if in.Version != 1 {
		t.Errorf("Version after create = %d, want 1", in.Version)
	}
	sameJSON(t, "created struct", in, w)

	got, err := s.Ticket(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Ticket", got, w)
	wantUTC(t, "Ticket", got.CreatedAt, got.UpdatedAt, *got.FirstResponseAt, *got.SolvedAt)
	if got.Triage != nil {
		t.Errorf("Ticket filled Triage; only TriageRecord reads it")
	}

	list, _, err := s.Tickets(ctx, triage.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("Tickets returned %d tickets, want 1", len(list))
	}
	sameJSON(t, "Tickets[0]", list[0], w)
}

func testTicketEmptyCollections(t *testing.T, s triage.Store) {
	ctx := t.Context()
	for _, tc := range []struct {
		name   string
		tags   []string
		fields map[string]string
	}{
		{"nil", nil, nil},
		{"empty", []string{}, map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := newTicket("t-"+tc.name, base)
			in.Tags, in.Fields = tc.tags, tc.fields
			createTickets(t, s, in)
			got, err := s.Ticket(ctx, in.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Tags == nil || len(got.Tags) != 0 {
				t.Errorf("Tags = %#v, want []string{}", got.Tags)
			}
			if got.Fields == nil || len(got.Fields) != 0 {
				t.Errorf("Fields = %#v, want map[string]string{}", got.Fields)
			}
			sameJSON(t, "created struct", in, got)
		})
	}
}

func testTicketUpdate(t *testing.T, s triage.Store) {
	ctx := t.Context()
	in := fullTicket("t-1")
	createTickets(t, s, in)

	// Change every field that may change; clear optional ones.
	up := *in
	up.Title = "退款已到账，但金额不对"
	up.Body = "少退了 10 元。"
	up.Requester = triage.Requester{Name: "李四", Phone: "13800138000"}
	up.Channel = triage.ChannelEmail
	up.Tags = nil
	up.Fields = map[string]string{"order": "A-1002"}
	up.Status = triage.StatusOpen
	up.Priority = triage.P1
	up.Category = "账户"
	up.AssigneeID = ""
	up.TeamID = "team-2"
	up.NeedsReview = false
	up.UpdatedAt = time.Date(2026, 11, 23, 1, 2, 3, 456789999, cst)
	up.FirstResponseAt = nil
	up.SolvedAt = nil
	up.ClosedAt = ptr(time.Date(2026, 11, 23, 1, 2, 4, 0, time.UTC))
	w := want(&up, 2)
	w.Tags = []string{}

	update(t, s, func(tx triage.Tx) error { return tx.UpdateTicket(ctx, &up) })
	if up.Version != 2 {
		t.Errorf("Version after update = %d, want 2", up.Version)
	}
	sameJSON(t, "updated struct", &up, w)
	got, err := s.Ticket(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Ticket", got, w)

	// A second update from the returned copy needs no re-read.
	got.Status = triage.StatusSolved
	update(t, s, func(tx triage.Tx) error { return tx.UpdateTicket(ctx, got) })
	if got.Version != 3 {
		t.Errorf("Version after second update = %d, want 3", got.Version)
	}
}

func testTicketStale(t *testing.T, s triage.Store) {
	ctx := t.Context()
	in := newTicket("t-1", base)
	createTickets(t, s, in)
	a, b := *in, *in
	a.Title = "first writer"
	b.Title = "second writer"
	update(t, s, func(tx triage.Tx) error { return tx.UpdateTicket(ctx, &a) })
	err := updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateTicket(ctx, &b) })
	wantCode(t, err, triage.ESTALE)
	if b.Version != 1 {
		t.Errorf("a stale update changed the caller's Version to %d", b.Version)
	}
	got, err := s.Ticket(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "first writer" || got.Version != 2 {
		t.Errorf("stored %q at version %d, want the first writer's at version 2", got.Title, got.Version)
	}
}

func testTicketNotFound(t *testing.T, s triage.Store) {
	ctx := t.Context()
	_, err := s.Ticket(ctx, "missing-1")
	wantCode(t, err, triage.ENOTFOUND)
	if !strings.Contains(triage.ErrorMessage(err), "missing-1") {
		t.Errorf("message %q does not name the id", triage.ErrorMessage(err))
	}
	gone := newTicket("missing-2", base)
	gone.Version = 1
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateTicket(ctx, gone) })
	wantCode(t, err, triage.ENOTFOUND)
}

func testTicketDuplicate(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base))
	err := updateErr(t, s, func(tx triage.Tx) error { return tx.CreateTicket(ctx, newTicket("t-1", base)) })
	wantCode(t, err, triage.ECONFLICT)
}

func testTicketEmptyID(t *testing.T, s triage.Store) {
	ctx := t.Context()
	err := updateErr(t, s, func(tx triage.Tx) error { return tx.CreateTicket(ctx, newTicket("", base)) })
	wantCode(t, err, triage.EINVALID)
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateTicket(ctx, newTicket("", base)) })
	wantCode(t, err, triage.EINVALID)
}
