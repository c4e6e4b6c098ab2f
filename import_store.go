package triage

import (
	"context"
	"time"
)

// ImportReader reads what imports recorded: which ticket each imported
// record became. It is what makes an import idempotent and resumable.
type ImportReader interface {
	// ImportedTicket returns the id of the ticket an import made of key;
	// ENOTFOUND when no import has.
	ImportedTicket(ctx context.Context, key ImportKey) (string, error)
	// CountImported counts the tickets imported from a source.
	CountImported(ctx context.Context, source ImportSource) (int, error)
}

// ImportWriter records imports.
type ImportWriter interface {
	// SaveImportKey records that the import of key made ticket ticketID,
	// at the given time; ECONFLICT when key was imported before (two
	// imports of the same file at once: one batch rolls back).
	SaveImportKey(ctx context.Context, key ImportKey, ticketID string, at time.Time) error
}

// ImportSkip is one record an import left out, with where it was and why.
type ImportSkip struct {
	Record int          `json:"record"`
	Line   int          `json:"line"`
	ID     string       `json:"external_id,omitempty"`
	Reason ImportReason `json:"reason"`
}

// ImportSummary accounts for every record of an import: imported, already
// there from an earlier import, or skipped with its reason.
type ImportSummary struct {
	Source   ImportSource `json:"source"`
	Records  int          `json:"records"`
	Imported int          `json:"imported"`
	// Already counts tickets an earlier import made: importing twice
	// changes nothing.
	Already  int `json:"already_imported"`
	Comments int `json:"comments"`
	// Attachments were stored with their content; AttachmentLinks are
	// files the export names only by address, which the import does not
	// fetch (nothing outside the process is called on an import's way).
	Attachments     int `json:"attachments"`
	AttachmentLinks int `json:"attachment_links"`
	// AgentsCreated are agents made for e-mail addresses of agents the
	// store did not know; they are offline and have no skills, so
	// routing gives them nothing until an admin says so.
	AgentsCreated int          `json:"agents_created"`
	Skipped       []ImportSkip `json:"skipped"`
	// Notes counts, per code, what was changed on the way in on tickets
	// that were kept (a missing solve time estimated, a tag dropped).
	Notes map[ImportReasonCode]int `json:"notes"`
	// NextRecord is where a resumed import starts (--start-at).
	NextRecord int     `json:"next_record"`
	Seconds    float64 `json:"seconds"`
}
