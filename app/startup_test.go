package app_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a log destination that the background work may write to
// while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestStartLogsStages checks the line that says where a start's time went:
// "started" with the total and every stage of Open and Start as a
// duration, the stages the README names among them.
func TestStartLogsStages(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			var out lockedBuffer
			cfg := st.config(t)
			cfg.Log = slog.New(slog.NewJSONHandler(&out, nil))
			start(t, cfg)
			var line struct {
				Msg    string
				Took   string
				Stages map[string]string
			}
			for l := range strings.Lines(out.String()) {
				if err := json.Unmarshal([]byte(l), &line); err == nil && line.Msg == "started" {
					break
				}
				line.Msg = ""
			}
			if line.Msg == "" {
				t.Fatalf("no \"started\" line in the log:\n%s", out.String())
			}
			if _, err := time.ParseDuration(line.Took); err != nil {
				t.Errorf("took %q: %v", line.Took, err)
			}
			for _, stage := range []string{"store", "dictionary", "models", "shadow", "search", "segmenter", "bootstrap", "index"} {
				if _, err := time.ParseDuration(line.Stages[stage]); err != nil {
					t.Errorf("stage %s: %q (%v) in %v", stage, line.Stages[stage], err, line.Stages)
				}
			}
		})
	}
}
