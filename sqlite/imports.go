package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/triagehq/triage"
)

// ImportedTicket returns the ticket an import made of key.
func (s queries) ImportedTicket(ctx context.Context, key triage.ImportKey) (string, error) {
	var id string
	err := s.q.QueryRowContext(ctx, `SELECT ticket_id FROM import_keys WHERE source = ? AND external_id = ?`,
		string(key.Source), key.ExternalID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", triage.Errorf(triage.ENOTFOUND, "%s was not imported", key)
	} else if err != nil {
		return "", dbError("imported ticket", err)
	}
	return id, nil
}

// CountImported counts the tickets imported from source.
func (s queries) CountImported(ctx context.Context, source triage.ImportSource) (int, error) {
	var n int
	if err := s.q.QueryRowContext(ctx, `SELECT count(*) FROM import_keys WHERE source = ?`, string(source)).Scan(&n); err != nil {
		return 0, dbError("count imported", err)
	}
	return n, nil
}

// SaveImportKey records the ticket an import made of key.
func (tx *Tx) SaveImportKey(ctx context.Context, key triage.ImportKey, ticketID string, at time.Time) error {
	if err := triage.Required("ticket_id", ticketID); err != nil {
		return err
	}
	if !key.Source.Valid() || key.ExternalID == "" {
		return triage.Invalid("key", "import key %q is not a source and an id", key)
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO import_keys (source, external_id, ticket_id, imported_at) VALUES (?, ?, ?, ?)`,
		string(key.Source), key.ExternalID, ticketID, micros(at))
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "%s was already imported", key)
	} else if err != nil {
		return dbError("save import key", err)
	}
	return nil
}
