package sla

import (
	"context"
	"time"
)

// Automations ask the default calendar two questions: whether it is
// business hours now (a condition), and how much working time a ticket
// has spent (a time rule's business age).

// Open reports whether at is inside the default calendar's hours.
func (s *Service) Open(ctx context.Context, at time.Time) (bool, error) {
	h, err := s.defaultHours(ctx)
	if err != nil {
		return false, err
	}
	return h.Open(at), nil
}

// Elapsed is the working time of the default calendar between from and
// to, and the length of its working day (what a "d" of business time
// is).
func (s *Service) Elapsed(ctx context.Context, from, to time.Time) (elapsed, day time.Duration, err error) {
	h, err := s.defaultHours(ctx)
	if err != nil {
		return 0, 0, err
	}
	return h.Elapsed(from, to), h.Day(), nil
}

func (s *Service) defaultHours(ctx context.Context) (*Hours, error) {
	cal, err := calendarOf(ctx, s.Store, "")
	if err != nil {
		return nil, err
	}
	return Compile(cal)
}
