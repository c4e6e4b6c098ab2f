package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/triagehq/triage"
)

const vectorColumns = `doc_id, kind, owner_id, model, dim, vec, updated_at`

// vecBlob is the stored form of a vector: its float32s in order, each as the
// four little-endian bytes of its IEEE 754 bits, so that it reads back bit
// for bit (negative zero and subnormals included).
func vecBlob(v []float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, f := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return b
}

// blobVec decodes a stored vector of dim float32s.
func blobVec(b []byte, dim int) ([]float32, error) {
	if dim <= 0 || len(b) != 4*dim {
		return nil, fmt.Errorf("sqlite: vector of %d bytes, want 4 × %d", len(b), dim)
	}
	v := make([]float32, dim)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// scanVector reads one row selected with vectorColumns.
func scanVector(row interface{ Scan(...any) error }) (*triage.Vector, error) {
	var v triage.Vector
	var dim int
	var blob []byte
	err := row.Scan(&v.DocID, &v.Kind, &v.OwnerID, &v.Model, &dim, &blob, timeCol{&v.UpdatedAt})
	if err != nil {
		return nil, err
	}
	if v.Vec, err = blobVec(blob, dim); err != nil {
		return nil, err
	}
	return &v, nil
}

// vectorsQuery reads the vectors_model_doc index from after on, in order.
const vectorsQuery = `
	SELECT ` + vectorColumns + `
	FROM vectors
	WHERE model = ? AND doc_id > ?
	ORDER BY doc_id
	LIMIT ?`

// Vectors returns up to limit vectors of model whose DocID sorts after
// after (byte order), in DocID order, and the DocID to continue from: the
// page's last one when more follow, "" when the page ends the list. A limit
// of 0 or less means 1000; more than 10000 means 10000.
func (s queries) Vectors(ctx context.Context, model, after string, limit int) ([]*triage.Vector, string, error) {
	limit = triage.Limit(limit, triage.DefaultVectorsPage, triage.MaxVectorsPage)
	// One row more than the page tells whether there is a next page.
	rows, err := s.q.QueryContext(ctx, vectorsQuery, model, after, limit+1)
	if err != nil {
		return nil, "", dbError("vectors", err)
	}
	defer rows.Close()
	out := []*triage.Vector{}
	for rows.Next() {
		v, err := scanVector(rows)
		if err != nil {
			return nil, "", dbError("vectors", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, "", dbError("vectors", err)
	}
	out, next := triage.Page(out, limit, func(x *triage.Vector) string { return x.DocID })
	return out, next, nil
}

// ownerVectorsQuery reads the owner's range of the vectors_model_owner
// index, in order.
const ownerVectorsQuery = `
	SELECT ` + vectorColumns + `
	FROM vectors
	WHERE model = ? AND kind = ? AND owner_id = ?
	ORDER BY doc_id`

// OwnerVectors returns the owner's vectors of model in DocID order, empty
// when it has none: what a follower of the change log needs to apply a
// (vector, "<kind>:<owner>") entry without reading every vector.
func (s queries) OwnerVectors(ctx context.Context, kind, ownerID, model string) ([]*triage.Vector, error) {
	rows, err := s.q.QueryContext(ctx, ownerVectorsQuery, model, kind, ownerID)
	if err != nil {
		return nil, dbError("owner vectors", err)
	}
	defer rows.Close()
	out := []*triage.Vector{}
	for rows.Next() {
		v, err := scanVector(rows)
		if err != nil {
			return nil, dbError("owner vectors", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("owner vectors", err)
	}
	return out, nil
}

// vectorOwnersQuery reads the vectors_model_owner index alone, in order.
const vectorOwnersQuery = `
	SELECT DISTINCT owner_id
	FROM vectors
	WHERE model = ? AND kind = ?
	ORDER BY owner_id`

// VectorOwners lists the owners of kind that have vectors of model, each
// once, in byte order.
func (s queries) VectorOwners(ctx context.Context, kind, model string) ([]string, error) {
	rows, err := s.q.QueryContext(ctx, vectorOwnersQuery, model, kind)
	if err != nil {
		return nil, dbError("vector owners", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, dbError("vector owners", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("vector owners", err)
	}
	return out, nil
}

// PutVectors replaces the owner's vectors of the vectors' model with vecs,
// leaving its vectors of other models alone, and logs (vector,
// "<kind>:<owner>", update). EINVALID, with nothing written, when vecs is
// empty, when a vector is nil, has no DocID, repeats one, disagrees with
// kind or ownerID, names another model than the others (or none), is empty,
// has another dimension than the others or than the model's stored vectors,
// or holds NaN or ±Inf. ECONFLICT when a DocID already has a vector of the
// model that belongs to another owner. A zero UpdatedAt is stamped with the
// transaction's time; every UpdatedAt is normalised in place.
func (tx *Tx) PutVectors(ctx context.Context, kind, ownerID string, vecs []*triage.Vector) error {
	model, dim, err := triage.CheckVectors(kind, ownerID, vecs)
	if err != nil {
		return err
	}

	// A model is one embedding space: every vector of it has one
	// dimension. The first vector of another owner stands for them all.
	var stored int
	err = tx.tx.QueryRowContext(ctx, `
		SELECT dim FROM vectors
		WHERE model = ? AND NOT (kind = ? AND owner_id = ?)
		LIMIT 1`, model, kind, ownerID).Scan(&stored)
	switch {
	case err == nil && stored != dim:
		return triage.Invalid("vectors", "model %s has %d-dimensional vectors; these have %d", model, stored, dim)
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return dbError("put vectors", err)
	}

	docs := make([]string, len(vecs))
	for i, v := range vecs {
		docs[i] = v.DocID
	}
	docsJSON, err := jsonText(docs)
	if err != nil {
		return err
	}
	var doc, otherKind, otherOwner string
	err = tx.tx.QueryRowContext(ctx, `
		SELECT doc_id, kind, owner_id FROM vectors
		WHERE model = ? AND doc_id IN (SELECT value FROM json_each(?)) AND NOT (kind = ? AND owner_id = ?)
		LIMIT 1`, model, docsJSON, kind, ownerID).Scan(&doc, &otherKind, &otherOwner)
	switch {
	case err == nil:
		return triage.Errorf(triage.ECONFLICT, "document %s already has a %s vector of %s %s", doc, model, otherKind, otherOwner)
	case !errors.Is(err, sql.ErrNoRows):
		return dbError("put vectors", err)
	}

	if _, err := tx.tx.ExecContext(ctx, `
		DELETE FROM vectors WHERE model = ? AND kind = ? AND owner_id = ?`, model, kind, ownerID); err != nil {
		return dbError("put vectors", err)
	}
	// One statement for every chunk of the owner, parsed once.
	insert, err := tx.tx.PrepareContext(ctx, `INSERT INTO vectors (`+vectorColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return dbError("put vectors", err)
	}
	defer insert.Close()
	for _, v := range vecs {
		if v.UpdatedAt.IsZero() {
			v.UpdatedAt = tx.now
		}
		v.UpdatedAt = triage.StoreTime(v.UpdatedAt)
		if _, err := insert.ExecContext(ctx,
			v.DocID, v.Kind, v.OwnerID, v.Model, len(v.Vec), vecBlob(v.Vec), micros(v.UpdatedAt)); err != nil {
			return dbError("put vectors", err)
		}
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
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM vectors WHERE kind = ? AND owner_id = ?`, kind, ownerID); err != nil {
		return dbError("delete vectors", err)
	}
	return tx.logChange(ctx, "vector", kind+":"+ownerID, "delete")
}
