package app

import (
	"io"
	"log/slog"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/egress"
)

// NewLogger is the service's logger: JSON lines at the given level, with
// personal data masked in every message and attribute, so a ticket's text
// quoted in an error never puts a phone number in the log.
func NewLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, triage.Invalid("log-level", "--log-level must be debug, info, warn or error")
	}
	return slog.New(egress.LogHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))), nil
}
