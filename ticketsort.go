package triage

import "slices"

// TicketSort is the order of a ticket list (GET /v1/tickets?sort=). The
// default, SortCreated, pages by keyset on (created_at, id); the other
// orders change as tickets change (a priority raised, an SLA clock
// stopped), so they page by position, and their cursor carries the order
// it was issued for.
type TicketSort string

// The orders of a ticket list.
const (
	SortCreated  TicketSort = "created"  // newest first (the default)
	SortUpdated  TicketSort = "updated"  // most recently changed first
	SortPriority TicketSort = "priority" // P1 first, then newest first
	// SortSLADue lists the ticket whose earliest running SLA target is
	// due soonest first (a breached one, whose due time has passed, comes
	// before it); tickets with no running target come last, newest first.
	SortSLADue TicketSort = "sla_due"
)

// TicketSorts lists every order.
func TicketSorts() []TicketSort {
	return []TicketSort{SortCreated, SortUpdated, SortPriority, SortSLADue}
}

// Valid reports whether s is a known order; empty means SortCreated.
func (s TicketSort) Valid() bool { return s == "" || slices.Contains(TicketSorts(), s) }

// Positional reports whether a list in this order pages by position.
func (s TicketSort) Positional() bool { return s != "" && s != SortCreated }

// SortedCursor returns the cursor of the next page of a positional list:
// the row after offset rows, lastID the last row of this page.
func SortedCursor(s TicketSort, offset int, lastID string) string {
	return Cursor{ID: lastID, Sort: string(s), Offset: offset}.Encode()
}

// CheckSortCursor refuses a cursor issued for another order, which would
// page from the wrong place.
func CheckSortCursor(c Cursor, s TicketSort) error {
	if !s.Positional() {
		s = ""
	}
	if c.Sort != string(s) || c.Offset < 0 {
		return Invalid("cursor", "cursor is not one this list issued: a cursor goes with the sort it was issued for")
	}
	return nil
}
