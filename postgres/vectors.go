package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const vectorColumns = `doc_id, kind, owner_id, model, vec, updated_at`

// scanVector reads one row selected with vectorColumns. real[] travels in
// the binary protocol as the IEEE 754 bits of each float32, so a vector
// reads back bit for bit (negative zero and subnormals included).
func scanVector(row pgx.Rows) (*triage.Vector, error) {
	var v triage.Vector
	if err := row.Scan(&v.DocID, &v.Kind, &v.OwnerID, &v.Model, &v.Vec, &v.UpdatedAt); err != nil {
		return nil, err
	}
	return &v, nil
}

// Vectors returns up to limit vectors of model whose DocID sorts after
// after (byte order), in DocID order, and the DocID to continue from: the
// page's last one when more follow, "" when the page ends the list. A limit
// of 0 or less means 1000; more than 10000 means 10000. It reads the
// primary key (model, doc_id) from after on, in order.
func (s queries) Vectors(ctx context.Context, model, after string, limit int) ([]*triage.Vector, string, error) {
	limit = triage.Limit(limit, triage.DefaultVectorsPage, triage.MaxVectorsPage)
	// One row more than the page tells whether there is a next page.
	rows, err := s.q.Query(ctx, `
		SELECT `+vectorColumns+`
		FROM vectors
		WHERE model = $1 AND doc_id > $2
		ORDER BY doc_id
		LIMIT $3`, model, after, limit+1)
	out, err := collect(rows, err, "vectors", scanVector)
	if err != nil {
		return nil, "", err
	}
	out, next := triage.Page(out, limit, func(x *triage.Vector) string { return x.DocID })
	return out, next, nil
}

// OwnerVectors returns the owner's vectors of model in DocID order, empty
// when it has none: what a follower of the change log needs to apply a
// (vector, "<kind>:<owner>") entry without reading every vector.
func (s queries) OwnerVectors(ctx context.Context, kind, ownerID, model string) ([]*triage.Vector, error) {
	rows, err := s.q.Query(ctx, `
		SELECT `+vectorColumns+`
		FROM vectors
		WHERE model = $1 AND kind = $2 AND owner_id = $3
		ORDER BY doc_id`, model, kind, ownerID)
	return collect(rows, err, "owner vectors", scanVector)
}

// VectorOwners lists the owners of kind that have vectors of model, each
// once, in byte order.
func (s queries) VectorOwners(ctx context.Context, kind, model string) ([]string, error) {
	rows, err := s.q.Query(ctx, `
		SELECT DISTINCT owner_id
		FROM vectors
		WHERE model = $1 AND kind = $2
		ORDER BY owner_id`, model, kind)
	return collect(rows, err, "vector owners", func(r pgx.Rows) (string, error) {
		var id string
		err := r.Scan(&id)
		return id, err
	})
}

// lockOwnerVectors makes writers of one owner's vectors take turns, until
// commit. Without it two transactions re-embedding the same owner both
// delete what they see (neither sees the other's uncommitted rows), both
// insert, and the later one fails on the primary key as if another owner
// held the document. After the lock, under READ COMMITTED, the DELETE sees
// the first one's committed rows and replaces them.
func lockOwnerVectors(ctx context.Context, tx *Tx, kind, ownerID string) error {
	_, err := tx.tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('triage.vectors.' || $1 || ':' || $2, 0))`, kind, ownerID)
	return err
}

// PutVectors replaces the owner's vectors of the vectors' model with vecs,
// leaving its vectors of other models alone, and logs (vector,
// "<kind>:<owner>", update). It refuses what sqlite's PutVectors refuses,
// with the same codes, before writing anything. A zero UpdatedAt is stamped
// with the transaction's time; every UpdatedAt is normalised in place.
func (tx *Tx) PutVectors(ctx context.Context, kind, ownerID string, vecs []*triage.Vector) error {
	model, dim, err := triage.CheckVectors(kind, ownerID, vecs)
	if err != nil {
		return err
	}
	if err := lockOwnerVectors(ctx, tx, kind, ownerID); err != nil {
		return dbError("put vectors", err)
	}

	// A model is one embedding space: every vector of it has one
	// dimension. The first vector of another owner stands for them all.
	var stored int
	err = tx.tx.QueryRow(ctx, `
		SELECT dim FROM vectors
		WHERE model = $1 AND NOT (kind = $2 AND owner_id = $3)
		LIMIT 1`, model, kind, ownerID).Scan(&stored)
	switch {
	case err == nil && stored != dim:
		return triage.Invalid("vectors", "model %s has %d-dimensional vectors; these have %d", model, stored, dim)
	case err != nil && !errors.Is(err, pgx.ErrNoRows):
		return dbError("put vectors", err)
	}

	docs := make([]string, len(vecs))
	for i, v := range vecs {
		docs[i] = v.DocID
	}
	var doc, otherKind, otherOwner string
	err = tx.tx.QueryRow(ctx, `
		SELECT doc_id, kind, owner_id FROM vectors
		WHERE model = $1 AND doc_id = ANY($2) AND NOT (kind = $3 AND owner_id = $4)
		LIMIT 1`, model, docs, kind, ownerID).Scan(&doc, &otherKind, &otherOwner)
	switch {
	case err == nil:
		return triage.Errorf(triage.ECONFLICT, "document %s already has a %s vector of %s %s", doc, model, otherKind, otherOwner)
	case !errors.Is(err, pgx.ErrNoRows):
		return dbError("put vectors", err)
	}

	if _, err := tx.tx.Exec(ctx, `
		DELETE FROM vectors WHERE model = $1 AND kind = $2 AND owner_id = $3`, model, kind, ownerID); err != nil {
		return dbError("put vectors", err)
	}
	// One batch for every chunk of the owner: one round trip.
	batch := &pgx.Batch{}
	for _, v := range vecs {
		if v.UpdatedAt.IsZero() {
			v.UpdatedAt = tx.now
		}
		v.UpdatedAt = triage.StoreTime(v.UpdatedAt)
		batch.Queue(`INSERT INTO vectors (doc_id, kind, owner_id, model, dim, vec, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			v.DocID, v.Kind, v.OwnerID, v.Model, len(v.Vec), v.Vec, v.UpdatedAt)
	}
	if err := tx.tx.SendBatch(ctx, batch).Close(); err != nil {
		if isDuplicate(err) {
			// Another owner's vector of one of these documents committed
			// after the check above.
			return triage.Errorf(triage.ECONFLICT, "a document of %s %s already has a %s vector of another owner", kind, ownerID, model)
		}
		return dbError("put vectors", err)
	}
	return tx.logChange(ctx, "vector", kind+":"+ownerID, "update")
}

// DeleteVectors removes the owner's vectors of every model and logs
// (vector, "<kind>:<owner>", delete), also when it had none: deleting what
// is not there is not an error, since embedding runs in the background and
// may not have reached the owner yet.
func (tx *Tx) DeleteVectors(ctx context.Context, kind, ownerID string) error {
	if err := triage.Required("kind", kind); err != nil {
		return err
	}
	if err := triage.Required("owner_id", ownerID); err != nil {
		return err
	}
	if err := lockOwnerVectors(ctx, tx, kind, ownerID); err != nil {
		return dbError("delete vectors", err)
	}
	if _, err := tx.tx.Exec(ctx, `DELETE FROM vectors WHERE kind = $1 AND owner_id = $2`, kind, ownerID); err != nil {
		return dbError("delete vectors", err)
	}
	return tx.logChange(ctx, "vector", kind+":"+ownerID, "delete")
}
