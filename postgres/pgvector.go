package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
	"github.com/triagehq/triage"
)

// maxHNSWDim is the most dimensions pgvector's HNSW index takes for the
// vector type; a larger embedding is searched exactly in memory instead.
const maxHNSWDim = 2000

// vectorLock is the advisory lock key under which replicas add the
// embedding column, so that two starting together do not both try.
const vectorLock = 0x7472_6961_6765_7631 // "triagev1"

// codeInsufficientPrivilege is the SQLSTATE of a refused CREATE EXTENSION.
const codeInsufficientPrivilege = "42501"

// errNoExtension says the extension could not be installed for want of
// rights: not a failure, the in-memory index serves instead.
var errNoExtension = errors.New("may not create the vector extension")

// VectorSearch is the vector index of a store with the pgvector extension:
// the vectors table itself, searched in SQL through an HNSW index, so no
// replica holds every vector in memory. Put and Delete do nothing: vectors
// reach the table through Tx.PutVectors, in the transaction that made them.
type VectorSearch struct {
	db    *DB
	model func() (string, int) // the current embedder's model and dimension

	mu      sync.Mutex
	indexed map[string]bool // models whose HNSW index exists or is being built
}

var _ triage.VectorIndex = (*VectorSearch)(nil)

// VectorAvailable reports whether the server offers the pgvector extension
// (installed or installable).
func (db *DB) VectorAvailable(ctx context.Context) (bool, error) {
	var ok bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')`).Scan(&ok)
	return ok, dbError("probe pg_available_extensions", err)
}

// VectorSearch prepares searching the vectors in SQL with pgvector and
// returns the index, or nil without an error when the extension is not
// available (the caller then searches in memory). It installs the
// extension when it may, adds the embedding column (vec as a pgvector
// vector, generated, so it never disagrees with vec), and checks that the
// stored vectors of the current model have the embedder's dimension:
// vectors of another dimension under the same model name would be compared
// with queries they do not fit.
func (db *DB) VectorSearch(ctx context.Context, model func() (string, int)) (*VectorSearch, error) {
	ok, err := db.VectorAvailable(ctx)
	if err != nil || !ok {
		return nil, err
	}
	name, dim := model()
	if dim > maxHNSWDim {
		db.opts.Log.Warn("the embedder's dimension is more than pgvector's HNSW index takes; vectors are searched exactly in memory", "dim", dim, "max", maxHNSWDim)
		return nil, nil
	}
	installed := false
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(vectorLock)); err != nil {
			return err
		}
		var have bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector')`).Scan(&have); err != nil {
			return err
		}
		if !have {
			// Needs CREATE on the database (pgvector is a trusted
			// extension from 0.5) or a superuser.
			if _, err := tx.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS vector`); err != nil {
				if pgCode(err) == codeInsufficientPrivilege {
					return errNoExtension
				}
				return err
			}
			installed = true
		}
		// A dimensionless vector column holds every model's vectors; the
		// HNSW indexes cast it to each model's vector(N).
		_, err := tx.Exec(ctx, `ALTER TABLE vectors ADD COLUMN IF NOT EXISTS embedding vector GENERATED ALWAYS AS (vec::vector) STORED`)
		return err
	})
	if errors.Is(err, errNoExtension) {
		db.opts.Log.Warn("the pgvector extension is available but this user may not create it; vectors are searched exactly in memory (CREATE EXTENSION vector as a superuser to use it)")
		return nil, nil
	} else if err != nil {
		return nil, dbError("prepare pgvector", err)
	}
	if installed {
		// Connections opened before the extension existed have not
		// registered its types; new ones do, in afterConnect.
		db.pool.Reset()
	}
	var stored int
	err = db.pool.QueryRow(ctx, `SELECT dim FROM vectors WHERE model = $1 LIMIT 1`, name).Scan(&stored)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return nil, dbError("check the vector dimension", err)
	case stored != dim:
		return nil, triage.Errorf(triage.ECONFLICT,
			"the stored vectors of model %s have %d dimensions but the configured embedder gives %d; configure the embedder they were made with, or name a new model so everything is re-embedded", name, stored, dim)
	}
	vs := &VectorSearch{db: db, model: model, indexed: map[string]bool{}}
	if err := vs.ensureIndex(ctx, name, dim); err != nil {
		return nil, err
	}
	return vs, nil
}

// hnswIndexName names the HNSW index of one model and dimension.
func hnswIndexName(model string, dim int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d", model, dim)))
	return "vectors_hnsw_" + hex.EncodeToString(sum[:8])
}

// literal quotes s as an SQL string literal (standard_conforming_strings,
// on by default since PostgreSQL 9.1, makes backslashes plain).
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ensureIndex creates the HNSW index of a model once. The index is partial
// (one model, one dimension) over the embedding cast to the model's
// vector(N), which is how pgvector indexes a column of mixed dimensions.
// The dimension is in the predicate as well as the cast: a row outside the
// predicate is never cast, so vectors of the model at another dimension
// (allowed once the old ones are gone) do not fail the cast on insert.
// The first search of a new model waits for the build (quick then: its
// vectors are only beginning to arrive); searches meanwhile scan exactly.
func (vs *VectorSearch) ensureIndex(ctx context.Context, model string, dim int) error {
	key := fmt.Sprintf("%s\x00%d", model, dim)
	vs.mu.Lock()
	done := vs.indexed[key]
	vs.indexed[key] = true
	vs.mu.Unlock()
	if done {
		return nil
	}
	if strings.ContainsRune(model, 0) {
		return triage.Invalid("model", "a model name may not contain NUL")
	}
	// m = 16: links per node, pgvector's default; recall above 0.95 at
	// ef_search 40 on embeddings of a few hundred dimensions.
	// ef_construction = 64: the candidate list while building, the
	// default; higher builds slower for little recall at helpdesk sizes.
	// CREATE INDEX IF NOT EXISTS looks for the name before it builds, so
	// replicas that start (or meet a new model) together would both build
	// and the second would fail on pg_class's unique name; under the lock
	// they take turns and the second finds the index.
	err := pgx.BeginFunc(ctx, vs.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(vectorLock)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON vectors
			USING hnsw ((embedding::vector(%d)) vector_cosine_ops) WITH (m = 16, ef_construction = 64)
			WHERE model = %s AND dim = %[2]d`, hnswIndexName(model, dim), dim, literal(model)))
		return err
	})
	if err != nil {
		vs.mu.Lock()
		delete(vs.indexed, key)
		vs.mu.Unlock()
		return dbError("create the HNSW index", err)
	}
	return nil
}

// Put does nothing: the vector is already in the table.
func (vs *VectorSearch) Put(context.Context, string, []float32) error { return nil }

// Delete does nothing: Tx.DeleteVectors removed it from the table.
func (vs *VectorSearch) Delete(context.Context, string) error { return nil }

// maxEfSearch is the largest candidate list asked of the HNSW index.
const maxEfSearch = 1000

// searchSQL is the nearest-neighbour query of one model and dimension, $1
// the query vector and $2 the limit. Its WHERE and ORDER BY are the HNSW
// index's predicate and expression, which is what lets the planner use it.
func searchSQL(model string, dim int) string {
	return fmt.Sprintf(`
		SELECT doc_id, 1 - (embedding::vector(%[1]d) <=> $1::vector(%[1]d))
		FROM vectors
		WHERE model = %[2]s AND dim = %[1]d
		ORDER BY embedding::vector(%[1]d) <=> $1::vector(%[1]d)
		LIMIT $2`, dim, literal(model))
}

// Search returns the k vectors of the current model nearest to vec by
// cosine, among those keep accepts. keep is Go code, so the query fetches
// more than k and filters; when too few pass it asks again for more. The
// model and dimension are written into the SQL, not bound, so that the
// planner can match the partial expression index.
func (vs *VectorSearch) Search(ctx context.Context, vec []float32, k int, keep func(string) bool) ([]triage.VectorHit, error) {
	model, dim := vs.model()
	if k <= 0 {
		return []triage.VectorHit{}, nil
	}
	if len(vec) != dim {
		return nil, triage.Invalid("vector", "the query has %d dimensions, the model %s %d", len(vec), model, dim)
	}
	if err := vs.ensureIndex(ctx, model, dim); err != nil {
		return nil, err
	}
	q := searchSQL(model, dim)
	query := pgvector.NewVector(vec)
	for limit := max(4*k, 40); ; limit *= 4 {
		var out []triage.VectorHit
		n := 0
		err := pgx.BeginFunc(ctx, vs.db.pool, func(tx pgx.Tx) error {
			// The HNSW scan returns at most ef_search rows; ask for as
			// many candidates as the filter may need.
			if _, err := tx.Exec(ctx, `SELECT set_config('hnsw.ef_search', $1, true)`, fmt.Sprint(min(limit, maxEfSearch))); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, q, query, limit)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var h triage.VectorHit
				if err := rows.Scan(&h.DocID, &h.Score); err != nil {
					return err
				}
				// A zero vector has no direction: its cosine is NaN
				// in SQL, 0 (no evidence) in the in-memory index.
				if math.IsNaN(h.Score) {
					h.Score = 0
				}
				n++
				if (keep == nil || keep(h.DocID)) && len(out) < k {
					out = append(out, h)
				}
			}
			return rows.Err()
		})
		if err != nil {
			return nil, dbError("vector search", err)
		}
		if len(out) == k || n < limit || limit >= maxEfSearch {
			if out == nil {
				out = []triage.VectorHit{}
			}
			return out, nil
		}
	}
}
