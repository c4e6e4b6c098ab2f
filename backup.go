package triage

import "time"

// BackupStatus is how the scheduled backups of a running service stand,
// for /metrics and /readyz: a failed or overdue backup is reported there
// rather than found out on the day it is needed.
type BackupStatus struct {
	// LastSuccess is when the newest good backup was made; nil before
	// the first.
	LastSuccess *time.Time `json:"last_success,omitempty"`
	// Dir is where the newest good backup is.
	Dir string `json:"dir,omitempty"`
	// Failures counts the backups that failed since the last good one;
	// LastError is the newest failure.
	Failures  int    `json:"failures"`
	LastError string `json:"error,omitempty"`
	// Stale is true when the newest good backup is older than twice the
	// interval (or there is none after twice the interval since start).
	Stale bool `json:"stale"`
}
