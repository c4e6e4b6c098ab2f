package main

import "context"

// openSLA wires SLA clocks, business-hours calendars and satisfaction
// surveys, and subscribes them to ticket events.
func (m *Main) openSLA(ctx context.Context) error { return nil }
