package sla

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/triagehq/triage"
)

// TestSolvedTicketsClose: a solved ticket is closed by the service once it
// has stayed solved for the setting's business time, not a moment before;
// a reopening cancels it and the next solve starts again; holidays do not
// count; "off" leaves solved tickets alone.
func TestSolvedTicketsClose(t *testing.T) {
	fourDays := &Target{Days: 4}
	for _, tc := range []struct {
		name    string
		setting *Target
		start   time.Time
		// solve happens at start; reopen, when set, reopens the ticket
		// and solves it again an hour later.
		reopen   time.Time
		stillAt  time.Time // still solved at this instant
		closedAt time.Time // closed by then (zero: never, checked at stillAt)
	}{
		{name: "four working days after a Friday solve", setting: fourDays, start: cst(2026, 3, 20, 10, 0),
			stillAt: cst(2026, 3, 26, 9, 59), closedAt: cst(2026, 3, 26, 10, 0)},
		{name: "a reopening starts the wait again", setting: fourDays, start: cst(2026, 3, 16, 10, 0),
			reopen: cst(2026, 3, 18, 10, 0), stillAt: cst(2026, 3, 24, 10, 59), closedAt: cst(2026, 3, 24, 11, 0)},
		{name: "the National Day week does not count", setting: fourDays, start: cst(2026, 9, 30, 10, 0),
			stillAt: cst(2026, 10, 8, 9, 0), closedAt: cst(2026, 10, 20, 18, 0)},
		{name: "off", setting: nil, start: cst(2026, 3, 16, 10, 0), stillAt: cst(2026, 5, 16, 10, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := newSim(t, tc.start)
				s.svc.CloseSolved = tc.setting
				tk := s.ticket(triage.NewTicket{Title: "发票开错了", Body: "请重开发票"})
				s.update(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
				if !tc.reopen.IsZero() {
					s.sleepUntil(tc.reopen)
					s.comment(tk.ID, triage.NewComment{Body: "还是不对", FromRequester: true, Public: true})
					if got := s.status(tk.ID); got != triage.StatusOpen {
						t.Fatalf("after the requester's reply: %s", got)
					}
					s.sleepUntil(tc.reopen.Add(time.Hour))
					s.update(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
				}
				s.sleepUntil(tc.stillAt)
				if got := s.status(tk.ID); got != triage.StatusSolved {
					t.Fatalf("at %s: %s, want still solved", tc.stillAt, got)
				}
				if tc.closedAt.IsZero() {
					return
				}
				s.sleepUntil(tc.closedAt)
				got, err := s.db.Ticket(s.ctx, tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != triage.StatusClosed || got.ClosedAt == nil || got.ClosedAt.After(tc.closedAt) {
					t.Fatalf("at %s: %s closed at %v", tc.closedAt, got.Status, got.ClosedAt)
				}
				hist, err := s.db.History(s.ctx, tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				var why []triage.ReasonCode
				for _, h := range hist {
					if h.Field == "status" && h.New == string(triage.StatusClosed) {
						for _, r := range h.Why {
							why = append(why, r.Code)
						}
					}
				}
				if len(why) != 1 || why[0] != triage.ReasonSolvedClosed {
					t.Fatalf("the close's reasons: %v", why)
				}
			})
		})
	}
}

func (s *sim) status(id string) triage.Status {
	s.t.Helper()
	tk, err := s.db.Ticket(s.ctx, id)
	if err != nil {
		s.t.Fatal(err)
	}
	return tk.Status
}

func TestParseCloseSolved(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" for off; "error" for refused
	}{
		{"4d", "4d"}, {"36h", "36h"}, {"1d4h", "1d4h"}, {"off", ""}, {"0", ""}, {"4 days", "error"}, {"-1h", "error"}, {"", "error"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseCloseSolved(tc.in)
			switch {
			case tc.want == "error":
				if !triage.IsCode(err, triage.EINVALID) {
					t.Fatalf("%q: %v, want invalid", tc.in, err)
				}
			case err != nil:
				t.Fatal(err)
			case tc.want == "" && got != nil, tc.want != "" && (got == nil || got.String() != tc.want):
				t.Fatalf("%q: %v, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestCloseSweep: tickets solved while closing was off (or by an older
// version) are scheduled by the sweep, once however often it runs.
func TestCloseSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 10, 0))
		tk := s.ticket(triage.NewTicket{Title: "发票开错了", Body: "请重开发票"})
		open := s.ticket(triage.NewTicket{Title: "还没处理", Body: "等回复"})
		s.update(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
		s.sleepUntil(cst(2026, 3, 17, 10, 0))
		s.svc.CloseSolved = &Target{Days: 4}
		for range 2 {
			if err := s.svc.HandleCloseSweep(s.ctx, triage.NoArgs{}); err != nil {
				t.Fatal(err)
			}
		}
		s.sleepUntil(cst(2026, 3, 20, 9, 59))
		if got := s.status(tk.ID); got != triage.StatusSolved {
			t.Fatalf("before four working days: %s", got)
		}
		s.sleepUntil(cst(2026, 3, 20, 10, 0))
		if got := s.status(tk.ID); got != triage.StatusClosed {
			t.Fatalf("after four working days: %s", got)
		}
		if got := s.status(open.ID); got == triage.StatusClosed {
			t.Fatal("the sweep closed a ticket that was not solved")
		}
	})
}

// TestCloseSolvedSetting: the admins' saved time wins over the default
// the service started with, and shortening it (Settings, whose Changed
// runs the sweep) closes a ticket solved before at the new, earlier time;
// turning it off leaves the next solved ticket alone.
func TestCloseSolvedSetting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 10, 0)) // a Monday
		s.svc.CloseSolved = &Target{Days: 4}
		set := &Settings{Store: s.db, Defaults: triage.WorkflowSettings{KBReview: true, CloseSolvedAfter: "4d"}, Now: time.Now,
			Changed: func(ctx context.Context, _ triage.WorkflowSettings) error {
				return s.svc.HandleCloseSweep(ctx, triage.NoArgs{})
			}}
		tk := s.ticket(triage.NewTicket{Title: "发票开错了", Body: "请重开发票"})
		s.update(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
		s.sleepUntil(cst(2026, 3, 16, 12, 0))
		ctx := triage.NewContextWithPrincipal(s.ctx, &triage.Principal{TokenID: "t-admin", Name: "管理员", Role: triage.RoleAdmin})
		if _, err := set.Update(ctx, 0, triage.WorkflowSettingsUpdate{CloseSolvedAfter: triage.Some("1d")}); err != nil {
			t.Fatal(err)
		}
		s.sleepUntil(cst(2026, 3, 17, 9, 59))
		if got := s.status(tk.ID); got != triage.StatusSolved {
			t.Fatalf("before one working day: %s", got)
		}
		s.sleepUntil(cst(2026, 3, 17, 10, 0))
		if got := s.status(tk.ID); got != triage.StatusClosed {
			t.Fatalf("one working day after the solve, with the setting at 1d: %s", got)
		}
		if _, err := set.Update(ctx, 0, triage.WorkflowSettingsUpdate{CloseSolvedAfter: triage.Some("off")}); err != nil {
			t.Fatal(err)
		}
		other := s.ticket(triage.NewTicket{Title: "退款没到", Body: "一周了"})
		s.update(other.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
		s.sleepUntil(cst(2026, 4, 30, 10, 0))
		if got := s.status(other.ID); got != triage.StatusSolved {
			t.Fatalf("with closing off: %s", got)
		}
		_, changes, err := set.Get(s.ctx)
		if err != nil || len(changes) != 2 || changes[0].To != "off" || changes[1].From != "4d" || changes[1].To != "1d" || changes[0].Actor != "token:t-admin" {
			t.Fatalf("the audit trail: %+v %v", changes, err)
		}
	})
}
