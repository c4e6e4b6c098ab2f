package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// Vector page sizes: the in-memory index loads every vector at start, page
// by page; the cap bounds one page's memory.
const (
	defaultVectorsLimit = 1000
	maxVectorsLimit     = 10000
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
	switch {
	case limit <= 0:
		limit = defaultVectorsLimit
	case limit > maxVectorsLimit:
		limit = maxVectorsLimit
	}
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
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].DocID
	}
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

// checkVectors validates one PutVectors call and returns the vectors' model
// and dimension. Everything is checked before anything is written, so a
// refused call changes nothing (and, being no SQL error, leaves the
// transaction usable).
func checkVectors(kind, ownerID string, vecs []*triage.Vector) (model string, dim int, err error) {
	if err := requireID("kind", kind); err != nil {
		return "", 0, err
	}
	if err := requireID("owner_id", ownerID); err != nil {
		return "", 0, err
	}
	if len(vecs) == 0 {
		return "", 0, triage.Invalid("vectors", "no vectors to put for %s %s; DeleteVectors removes an owner's vectors", kind, ownerID)
	}
	seen := make(map[string]bool, len(vecs))
	for i, v := range vecs {
		field := func(name string) string { return fmt.Sprintf("vectors[%d].%s", i, name) }
		switch {
		case v == nil:
			return "", 0, triage.Invalid(fmt.Sprintf("vectors[%d]", i), "vector %d is nil", i)
		case v.DocID == "":
			return "", 0, triage.Invalid(field("doc_id"), "vector %d has no doc_id", i)
		case seen[v.DocID]:
			return "", 0, triage.Invalid(field("doc_id"), "document %s has two vectors in one call", v.DocID)
		case v.Kind != kind:
			return "", 0, triage.Invalid(field("kind"), "vector %s is of kind %q, not %q", v.DocID, v.Kind, kind)
		case v.OwnerID != ownerID:
			return "", 0, triage.Invalid(field("owner_id"), "vector %s belongs to %q, not %q", v.DocID, v.OwnerID, ownerID)
		case v.Model == "":
			return "", 0, triage.Invalid(field("model"), "vector %s names no model", v.DocID)
		case i > 0 && v.Model != model:
			return "", 0, triage.Invalid(field("model"), "vectors of one call must share a model: %q and %q", model, v.Model)
		case len(v.Vec) == 0:
			return "", 0, triage.Invalid(field("vec"), "vector %s is empty", v.DocID)
		case i > 0 && len(v.Vec) != dim:
			return "", 0, triage.Invalid(field("vec"), "vector %s has %d dimensions, the others %d", v.DocID, len(v.Vec), dim)
		}
		for j, f := range v.Vec {
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				return "", 0, triage.Invalid(field("vec"), "vector %s holds %v at %d", v.DocID, f, j)
			}
		}
		seen[v.DocID] = true
		model, dim = v.Model, len(v.Vec)
	}
	return model, dim, nil
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
	model, dim, err := checkVectors(kind, ownerID, vecs)
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
		v.UpdatedAt = utc(v.UpdatedAt)
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
	if err := requireID("kind", kind); err != nil {
		return err
	}
	if err := requireID("owner_id", ownerID); err != nil {
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
