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
