package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"reflect"

	"modernc.org/sqlite"
)

// stmtCacheSize bounds the prepared statements a connection keeps. The
// store and the job queue use a few hundred distinct statements; the
// least recently used beyond that are closed.
const stmtCacheSize = 512

// connector opens driver connections that keep their prepared statements.
//
// database/sql prepares (parses and plans) every statement that is run
// with ExecContext or QueryContext anew and throws it away after: a fifth
// of the CPU of a ticket create went to SQLite's parser. A connection here
// keeps each statement by its text and runs it again with new arguments.
type connector struct {
	dsn string
	drv sqlite.Driver
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(cachingBase)
	if !ok {
		conn.Close()
		return nil, errors.New("sqlite: the driver's connection lacks the context methods")
	}
	return &cachedConn{cachingBase: inner, stmts: map[string]*cachedStmt{}}, nil
}

func (c *connector) Driver() driver.Driver { return &c.drv }

// cachingBase is what cachedConn needs of the driver's connection.
type cachingBase interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachedConn is a driver connection with a statement cache. database/sql
// uses a connection from one goroutine at a time, so it needs no lock.
type cachedConn struct {
	cachingBase
	stmts map[string]*cachedStmt
	tick  uint64 // use counter, for evicting the least recently used
}

type cachedStmt struct {
	stmt interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	used uint64
	// busy is set while rows of the statement are open: a query run again
	// while its earlier rows are still being read (a nested loop in one
	// transaction) gets a statement of its own.
	busy bool
}

// get returns the cached statement of query, preparing it on first use;
// nil means query is in use and should run uncached.
func (c *cachedConn) get(ctx context.Context, query string) (*cachedStmt, error) {
	c.tick++
	if s, ok := c.stmts[query]; ok {
		if s.busy {
			return nil, nil
		}
		s.used = c.tick
		return s, nil
	}
	ds, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st, ok := ds.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		ds.Close()
		return nil, nil
	}
	if len(c.stmts) >= stmtCacheSize {
		c.evict()
	}
	s := &cachedStmt{stmt: st, used: c.tick}
	c.stmts[query] = s
	return s, nil
}

// evict closes the least recently used statement that is not in use.
func (c *cachedConn) evict() {
	var oldest string
	var at uint64
	for q, s := range c.stmts {
		if !s.busy && (oldest == "" || s.used < at) {
			oldest, at = q, s.used
		}
	}
	if s, ok := c.stmts[oldest]; ok {
		s.stmt.Close()
		delete(c.stmts, oldest)
	}
}

func (c *cachedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.cachingBase.ExecContext(ctx, query, args)
	}
	return s.stmt.ExecContext(ctx, args)
}

func (c *cachedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.cachingBase.QueryContext(ctx, query, args)
	}
	rows, err := s.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &cachedRows{Rows: rows, s: s}, nil
}

// Close closes the cached statements before the connection: SQLite
// refuses to close a connection with statements left open.
func (c *cachedConn) Close() error {
	var errs []error
	for q, s := range c.stmts {
		errs = append(errs, s.stmt.Close())
		delete(c.stmts, q)
	}
	return errors.Join(append(errs, c.cachingBase.Close())...)
}

// cachedRows frees its statement for the next use when closed.
type cachedRows struct {
	driver.Rows
	s *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.s.busy = false
	return err
}

// The driver's rows describe their columns; so do these, for
// (*sql.Rows).ColumnTypes.
type columnTyper interface {
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

func (r *cachedRows) typer() columnTyper { t, _ := r.Rows.(columnTyper); return t }

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t := r.typer(); t != nil {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t := r.typer(); t != nil {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) {
	if t := r.typer(); t != nil {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t := r.typer(); t != nil {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t := r.typer(); t != nil {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
