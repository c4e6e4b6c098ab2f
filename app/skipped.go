package app

import (
	"log/slog"
	"sync"
	"time"

	"github.com/triagehq/triage"
)

// maxSkipped bounds the list of skipped values kept for admins; the
// counters go on counting past it.
const maxSkipped = 1000

// skips records the stored values derived state left out: a log line, a
// count per kind for /metrics and the latest list for GET /v1/skipped. It
// lives as long as the process: the values are met again, and reported
// again, at the next start, until an admin fixes or deletes them.
type skips struct {
	log    *slog.Logger
	mu     sync.Mutex
	list   []triage.Skipped
	counts map[triage.SkipKind]int
}

// skip reports one value left out.
func (s *skips) skip(kind triage.SkipKind, id string, err error) {
	s.log.Warn("a stored value was left out of derived state; fix or delete it through the API", "kind", kind, "id", id, "err", err)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts == nil {
		s.counts = map[triage.SkipKind]int{}
	}
	s.counts[kind]++
	e := triage.Skipped{Kind: kind, ID: id, Error: err.Error(), At: time.Now().UTC()}
	for i, old := range s.list {
		if old.Kind == kind && old.ID == id {
			s.list[i] = e
			return
		}
	}
	if len(s.list) == maxSkipped {
		s.list = s.list[1:]
	}
	s.list = append(s.list, e)
}

// forget drops a value from the list once it is fixed or deleted.
func (s *skips) forget(kind triage.SkipKind, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, old := range s.list {
		if old.Kind == kind && old.ID == id {
			s.list = append(s.list[:i], s.list[i+1:]...)
			return
		}
	}
}

// Skipped lists the values left out, oldest first.
func (s *skips) Skipped() []triage.Skipped {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]triage.Skipped{}, s.list...)
}

// Counts is how many values of each kind were left out since the start.
func (s *skips) Counts() map[triage.SkipKind]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[triage.SkipKind]int, len(s.counts))
	for k, n := range s.counts {
		out[k] = n
	}
	return out
}
