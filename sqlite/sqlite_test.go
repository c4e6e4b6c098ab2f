package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/segment"
	"github.com/triagehq/triage/sqlite"
	"github.com/triagehq/triage/storetest"
)

// open opens a new database in a temporary directory; the caller closes it.
func open(t testing.TB, opts sqlite.Options) (*sqlite.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "triage.db")
	db, err := sqlite.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return db, path
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) triage.Store {
		db, _ := open(t, sqlite.Options{Normalize: segment.Normalize})
		return db
	})
}

func newTicket(id string) *triage.Ticket {
	now := time.Now()
	return &triage.Ticket{ID: id, Title: "无法登录", Body: "登录时提示密码错误。", Channel: triage.ChannelWeb,
		Status: triage.StatusNew, Priority: triage.P3, Tags: []string{"login"}, CreatedAt: now, UpdatedAt: now}
}

func createTicket(ctx context.Context, db *sqlite.DB, id string) error {
	return db.Update(ctx, func(tx triage.Tx) error {
		tk := newTicket(id)
		if err := tx.CreateTicket(ctx, tk); err != nil {
			return err
		}
		return tx.AddHistory(ctx, &triage.HistoryEntry{ID: "h-" + id, TicketID: id, Actor: "system",
			At: tk.CreatedAt, Field: "status", New: string(tk.Status)})
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	db, path := open(t, sqlite.Options{})
	if err := createTicket(ctx, db, "t-1"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tk, err := db.Ticket(ctx, "t-1")
	if err != nil {
		t.Fatal(err)
	}
	if tk.Title != "无法登录" || tk.Version != 1 {
		t.Errorf("reopened ticket = %+v", tk)
	}
	if h, err := db.History(ctx, "t-1"); err != nil || len(h) != 1 {
		t.Errorf("reopened history = %v, %v", h, err)
	}
}

func TestMigrationsAppliedOnOpen(t *testing.T) {
	ctx := t.Context()
	db, path := open(t, sqlite.Options{})
	defer db.Close()
	if db.SchemaVersion() < 1 {
		t.Fatalf("SchemaVersion = %d", db.SchemaVersion())
	}
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	w := db.WriterDB()
	for _, table := range []string{"tickets", "comments", "history", "triage_records", "agents", "teams",
		"tokens", "idempotency_keys", "changes", "rules", "dict_words", "models",
		"articles", "article_versions", "vectors", "suggestions", "feedback"} {
		var n int
		if err := w.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`,
			table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: count %d, err %v", table, n, err)
		}
	}
	applied := func() (n int, max int64) {
		t.Helper()
		if err := w.QueryRowContext(ctx, `SELECT COUNT(*), MAX(version_id) FROM goose_db_version`).Scan(&n, &max); err != nil {
			t.Fatal(err)
		}
		return n, max
	}
	n1, v1 := applied()
	if v1 != db.SchemaVersion() {
		t.Errorf("applied version %d, want %d", v1, db.SchemaVersion())
	}
	db.Close()

	// Opening again applies nothing new.
	db2, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	w = db2.WriterDB()
	if n2, v2 := applied(); n2 != n1 || v2 != v1 {
		t.Errorf("reopen changed the version table: %d rows at %d, was %d at %d", n2, v2, n1, v1)
	}
}

func TestRefuseNewerSchema(t *testing.T) {
	ctx := t.Context()
	db, path := open(t, sqlite.Options{})
	newer := db.SchemaVersion() + 1
	if _, err := db.WriterDB().ExecContext(ctx,
		`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, newer); err != nil {
		t.Fatal(err)
	}
	// A binary that finds a newer schema under it is not ready.
	if err := db.Ready(ctx); !triage.IsCode(err, triage.EUNAVAILABLE) {
		t.Errorf("Ready with a newer schema: %v, want EUNAVAILABLE", err)
	}
	db.Close()

	_, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", newer)) {
		t.Fatalf("Open of a newer schema: %v, want a refusal naming version %d", err, newer)
	}
}

func TestOpenRejectsBadPaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", filepath.Join(t.TempDir(), "a?mode=ro")} {
		if db, err := sqlite.Open(t.Context(), path, sqlite.Options{}); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}

func TestPragmas(t *testing.T) {
	ctx := t.Context()
	db, _ := open(t, sqlite.Options{})
	defer db.Close()
	for _, tc := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
		{"cache_size", "-16384"},
		{"temp_store", "2"}, // MEMORY
	} {
		var got string
		if err := db.WriterDB().QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("writer PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
		}
	}
	if n := db.WriterDB().Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer pool allows %d connections, want 1", n)
	}
}

func TestEnqueue(t *testing.T) {
	ctx := t.Context()
	t.Run("not configured", func(t *testing.T) {
		db, _ := open(t, sqlite.Options{})
		defer db.Close()
		err := db.Update(ctx, func(tx triage.Tx) error { return tx.Enqueue(ctx, triage.Job{Kind: "embed"}) })
		if !triage.IsCode(err, triage.EUNAVAILABLE) {
			t.Errorf("Enqueue without a job system: %v, want EUNAVAILABLE", err)
		}
	})
	t.Run("inside the transaction", func(t *testing.T) {
		var jobs []triage.Job
		var seen int
		db, _ := open(t, sqlite.Options{Enqueue: func(ctx context.Context, tx *sql.Tx, j triage.Job) error {
			// The job system gets the open transaction: it sees the
			// ticket created just before, which is not committed yet.
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&seen); err != nil {
				return err
			}
			jobs = append(jobs, j)
			return nil
		}})
		defer db.Close()
		job := triage.Job{Kind: "embed", Args: []byte(`{"ticket_id":"t-1"}`), UniqueKey: "t-1"}
		err := db.Update(ctx, func(tx triage.Tx) error {
			if err := tx.CreateTicket(ctx, newTicket("t-1")); err != nil {
				return err
			}
			return tx.Enqueue(ctx, job)
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 1 || jobs[0].Kind != "embed" || seen != 1 {
			t.Errorf("jobs %+v, tickets seen by the job system %d; want the one job and 1", jobs, seen)
		}
	})
}

// TestWritesAreSerialised holds the writer in one Update and checks that a
// second one waits for it rather than running alongside.
func TestWritesAreSerialised(t *testing.T) {
	ctx := t.Context()
	db, _ := open(t, sqlite.Options{})
	defer db.Close()
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Update(ctx, func(tx triage.Tx) error {
			close(holding)
			<-release
			return tx.CreateTicket(ctx, newTicket("t-1"))
		})
	}()
	<-holding
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	err := db.Update(short, func(tx triage.Tx) error { return tx.CreateTicket(ctx, newTicket("t-2")) })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second Update while the first holds the writer: %v, want a deadline error", err)
	}
	// Reads do not wait for the writer.
	readCtx, cancelRead := context.WithTimeout(ctx, 2*time.Second)
	defer cancelRead()
	if _, _, err := db.Tickets(readCtx, triage.TicketFilter{}); err != nil {
		t.Errorf("read while the writer is held: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestGroupCommit sends writes while another holds the writer, so that
// they wait and are committed together, and checks that each caller gets
// its own outcome: the writes that succeeded are all there, one that
// failed or panicked left nothing, and a panic reaches its own caller.
func TestGroupCommit(t *testing.T) {
	ctx := t.Context()
	db, _ := open(t, sqlite.Options{})
	defer db.Close()
	holding, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.Update(ctx, func(tx triage.Tx) error {
			close(holding)
			<-release
			return tx.CreateTicket(ctx, newTicket("g-first"))
		})
	}()
	<-holding
	const n = 24
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			errs[i] = db.Update(ctx, func(tx triage.Tx) error {
				id := fmt.Sprintf("g-%02d", i)
				tk := newTicket(id)
				if err := tx.CreateTicket(ctx, tk); err != nil {
					return err
				}
				if err := tx.AddHistory(ctx, &triage.HistoryEntry{ID: "h-" + id, TicketID: id, Actor: "system",
					At: tk.CreatedAt, Field: "status", New: string(tk.Status)}); err != nil {
					return err
				}
				switch i % 4 {
				case 1:
					return triage.Errorf(triage.ECONFLICT, "write %d gives up after writing", i)
				case 2:
					if i == 2 {
						panic(fmt.Sprintf("write %d panics", i))
					}
				}
				return nil
			})
		}()
	}
	time.Sleep(100 * time.Millisecond) // the writes queue behind the first
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i := range n {
		_, err := db.Ticket(ctx, fmt.Sprintf("g-%02d", i))
		switch {
		case i == 2:
			if panics[i] != "write 2 panics" || !triage.IsCode(err, triage.ENOTFOUND) {
				t.Errorf("write 2: panic %v, its ticket %v; want its own panic and no ticket", panics[i], err)
			}
		case i%4 == 1:
			if !triage.IsCode(errs[i], triage.ECONFLICT) || !triage.IsCode(err, triage.ENOTFOUND) {
				t.Errorf("write %d: %v, its ticket %v; want its own conflict and no ticket", i, errs[i], err)
			}
		default:
			if errs[i] != nil || panics[i] != nil || err != nil {
				t.Errorf("write %d: %v %v, its ticket %v; want it committed", i, errs[i], panics[i], err)
			}
		}
	}
	if _, err := db.Ticket(ctx, "g-first"); err != nil {
		t.Errorf("the first write: %v", err)
	}
	// The history a committed write added came with it.
	if h, err := db.History(ctx, "g-00"); err != nil || len(h) != 1 {
		t.Errorf("history of g-00: %d entries, %v; want 1", len(h), err)
	}
}

// TestStatementCacheNested runs a query again while the rows of its first
// run are still being read on the same connection: the cached statement is
// busy, so the second run must get its own and both must read every row.
func TestStatementCacheNested(t *testing.T) {
	ctx := t.Context()
	db, _ := open(t, sqlite.Options{})
	defer db.Close()
	for i := range 3 {
		if err := createTicket(ctx, db, fmt.Sprintf("n-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := db.WriterDB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT id FROM tickets ORDER BY id`
	for range 2 { // the second time from the cache
		outer, err := tx.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		pairs := 0
		for outer.Next() {
			inner, err := tx.QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for inner.Next() {
				pairs++
			}
			if err := inner.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if err := outer.Close(); err != nil {
			t.Fatal(err)
		}
		if pairs != 9 {
			t.Errorf("nested runs of one query read %d pairs of rows, want 9", pairs)
		}
	}
}

// The child process of TestCrash takes its database file and the prefix of
// its ticket ids from the environment.
const (
	crashEnv       = "TRIAGE_SQLITE_CRASH_DB"
	crashPrefixEnv = "TRIAGE_SQLITE_CRASH_PREFIX"
)

// TestCrashChild is the child process of TestCrash: it commits tickets as
// fast as it can and prints each id once its commit has returned.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("runs only as the child process of TestCrash")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// Eight writers at once, so that commits are grouped (Update's group
	// commit): an id is printed only after its own Update has returned.
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	for w := range 8 {
		go func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("%scrash-%d-%06d", os.Getenv(crashPrefixEnv), w, i)
				if err := createTicket(ctx, db, id); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintln(out, id)
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	select {}
}

// TestCrash kills a writing process with SIGKILL and checks that every
// write it acknowledged is in the file when it is opened again. It cannot
// simulate power loss (the kernel's page cache survives a process kill);
// synchronous(FULL) is what covers that.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "crash.db")
	for round := range 3 {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		prefix := fmt.Sprintf("r%d-", round)
		cmd.Env = append(os.Environ(), crashEnv+"="+path, crashPrefixEnv+"="+prefix)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var acked []string
		lines := bufio.NewScanner(stdout)
		deadline := time.Now().Add(10 * time.Second)
		for len(acked) < 150 && time.Now().Before(deadline) && lines.Scan() {
			if strings.HasPrefix(lines.Text(), prefix+"crash-") {
				acked = append(acked, lines.Text())
			}
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		// Lines already in the pipe were printed after their commits, so
		// they count as acknowledged too.
		for lines.Scan() {
			if strings.HasPrefix(lines.Text(), prefix+"crash-") {
				acked = append(acked, lines.Text())
			}
		}
		_ = cmd.Wait()
		if len(acked) == 0 {
			t.Fatalf("round %d: the child acknowledged nothing; stderr:\n%s", round, stderr.String())
		}

		db, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		for _, id := range acked {
			if _, err := db.Ticket(ctx, id); err != nil {
				t.Errorf("round %d: acknowledged ticket %s: %v", round, id, err)
			}
		}
		var check string
		if err := db.WriterDB().QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Errorf("round %d: integrity_check = %q, %v", round, check, err)
		}
		db.Close()
		t.Logf("round %d: %d acknowledged writes survived SIGKILL", round, len(acked))
	}
}

// BenchmarkCreateTicket measures one write transaction as intake makes it:
// a ticket and its first history entry, committed with a WAL fsync.
func BenchmarkCreateTicket(b *testing.B) {
	db, _ := open(b, sqlite.Options{})
	defer db.Close()
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if err := createTicket(ctx, db, fmt.Sprintf("bench-%08d", i)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestOneActiveModel checks what the conformance suite cannot: a caller
// that ignores SaveModel's ECONFLICT and commits still has its active
// model (SQLite, unlike Postgres, lets the transaction go on after a
// constraint error), and the schema itself refuses a second active model
// of a kind.
func TestOneActiveModel(t *testing.T) {
	ctx := t.Context()
	db, _ := open(t, sqlite.Options{})
	defer db.Close()
	save := func(id string) error {
		return db.Update(ctx, func(tx triage.Tx) error {
			return tx.SaveModel(ctx, &triage.Model{ID: id, Kind: triage.ModelCategory, Blob: []byte(id), CreatedAt: time.Now()})
		})
	}
	if err := save("m-1"); err != nil {
		t.Fatal(err)
	}
	if err := save("m-2"); err != nil {
		t.Fatal(err)
	}
	err := db.Update(ctx, func(tx triage.Tx) error {
		dup := &triage.Model{ID: "m-1", Kind: triage.ModelCategory, CreatedAt: time.Now()}
		if err := tx.SaveModel(ctx, dup); !triage.IsCode(err, triage.ECONFLICT) {
			t.Errorf("SaveModel of a used id: %v, want ECONFLICT", err)
		}
		return nil // and commit
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := db.ActiveModel(ctx, triage.ModelCategory)
	if err != nil || m.ID != "m-2" {
		t.Fatalf("ActiveModel after an ignored failed save = %v, %v; want m-2", m, err)
	}

	_, err = db.WriterDB().ExecContext(ctx, `UPDATE models SET active = 1 WHERE id = 'm-1'`)
	if err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Errorf("a second active model of a kind: %v, want a UNIQUE constraint error", err)
	}
}

// BenchmarkPutVectors measures embedding one article as the indexing job
// stores it: twelve 384-dimensional chunk vectors replacing the previous
// ones, in one committed transaction.
func BenchmarkPutVectors(b *testing.B) {
	db, _ := open(b, sqlite.Options{})
	defer db.Close()
	ctx := context.Background()
	vecs := make([]*triage.Vector, 12)
	for i := range vecs {
		v := make([]float32, 384)
		for j := range v {
			v[j] = float32(i*384+j) / 1e4
		}
		vecs[i] = &triage.Vector{DocID: fmt.Sprintf("article:a-1#%d", i), Kind: triage.DocArticle, OwnerID: "a-1",
			Model: "local-v1", Vec: v}
	}
	for b.Loop() {
		if err := db.Update(ctx, func(tx triage.Tx) error {
			return tx.PutVectors(ctx, triage.DocArticle, "a-1", vecs)
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadVectors measures reading every vector of a model, as the
// in-memory index does at start: 20,000 of 384 dimensions.
func BenchmarkLoadVectors(b *testing.B) {
	db, _ := open(b, sqlite.Options{})
	defer db.Close()
	ctx := context.Background()
	if err := db.Update(ctx, func(tx triage.Tx) error {
		for i := range 20000 {
			owner := fmt.Sprintf("t-%05d", i)
			v := make([]float32, 384)
			for j := range v {
				v[j] = float32((i+j)%97) / 97
			}
			if err := tx.PutVectors(ctx, triage.DocTicket, owner, []*triage.Vector{{DocID: "ticket:" + owner,
				Kind: triage.DocTicket, OwnerID: owner, Model: "local-v1", Vec: v}}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		n := 0
		for after := ""; ; {
			page, next, err := db.Vectors(ctx, "local-v1", after, 0)
			if err != nil {
				b.Fatal(err)
			}
			n += len(page)
			if next == "" {
				break
			}
			after = next
		}
		if n != 20000 {
			b.Fatalf("loaded %d vectors", n)
		}
	}
}

// TestOwnerVectors covers the one read that triage.Reader lacks so far:
// an owner's vectors of one model, in DocID order.
func TestOwnerVectors(t *testing.T) {
	ctx := t.Context()
	db, _ := open(t, sqlite.Options{})
	defer db.Close()
	vec := func(doc, kind, owner, model string, x float32) *triage.Vector {
		return &triage.Vector{DocID: doc, Kind: kind, OwnerID: owner, Model: model, Vec: []float32{x, float32(math.Copysign(0, -1)), x / 3}}
	}
	err := db.Update(ctx, func(tx triage.Tx) error {
		for _, p := range []struct {
			kind, owner string
			vecs        []*triage.Vector
		}{
			{triage.DocArticle, "a-1", []*triage.Vector{
				vec("article:a-1#10", triage.DocArticle, "a-1", "m1", 1),
				vec("article:a-1#2", triage.DocArticle, "a-1", "m1", 2),
			}},
			{triage.DocArticle, "a-1", []*triage.Vector{vec("article:a-1#0", triage.DocArticle, "a-1", "m2", 3)}},
			{triage.DocArticle, "a-10", []*triage.Vector{vec("article:a-10#0", triage.DocArticle, "a-10", "m1", 4)}},
			{triage.DocTicket, "a-1", []*triage.Vector{vec("ticket:a-1", triage.DocTicket, "a-1", "m1", 5)}},
		} {
			if err := tx.PutVectors(ctx, p.kind, p.owner, p.vecs); err != nil {
				return err
			}
		}
		// A transaction reads its own vectors.
		got, err := tx.(*sqlite.Tx).OwnerVectors(ctx, triage.DocArticle, "a-1", "m1")
		if err != nil || len(got) != 2 {
			t.Errorf("tx.OwnerVectors = %d vectors, %v; want 2", len(got), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind, owner, model string
		want               []string
	}{
		{triage.DocArticle, "a-1", "m1", []string{"article:a-1#10", "article:a-1#2"}}, // byte order
		{triage.DocArticle, "a-1", "m2", []string{"article:a-1#0"}},
		{triage.DocTicket, "a-1", "m1", []string{"ticket:a-1"}},
		{triage.DocArticle, "a-1", "m3", []string{}},
		{triage.DocArticle, "a-2", "m1", []string{}},
	} {
		got, err := db.OwnerVectors(ctx, tc.kind, tc.owner, tc.model)
		if err != nil {
			t.Fatal(err)
		}
		docs := []string{}
		for _, v := range got {
			docs = append(docs, v.DocID)
			if v.Kind != tc.kind || v.OwnerID != tc.owner || v.Model != tc.model || len(v.Vec) != 3 ||
				math.Float32bits(v.Vec[1]) != 0x80000000 {
				t.Errorf("OwnerVectors(%s, %s, %s) holds %+v", tc.kind, tc.owner, tc.model, v)
			}
		}
		if got == nil || !slices.Equal(docs, tc.want) {
			t.Errorf("OwnerVectors(%s, %s, %s) = %v, want %v", tc.kind, tc.owner, tc.model, docs, tc.want)
		}
	}
}

// TestSearchFilledAtOpen: tickets written by a store without a normaliser
// (or before the search columns existed) become searchable when the store
// is next opened with one.
func TestSearchFilledAtOpen(t *testing.T) {
	ctx := context.Background()
	db, path := open(t, sqlite.Options{})
	tk := newTicket("t-1")
	tk.Title = "手環連不上藍牙"
	if err := db.Update(ctx, func(tx triage.Tx) error {
		if err := tx.CreateTicket(ctx, tk); err != nil {
			return err
		}
		return tx.AddComment(ctx, &triage.Comment{ID: "c-1", TicketID: tk.ID, Body: "請重新配對", Public: true, CreatedAt: tk.CreatedAt})
	}); err != nil {
		t.Fatal(err)
	}
	if got, _, err := db.Tickets(ctx, triage.TicketFilter{Terms: []string{"手环"}}); err != nil || len(got) != 0 {
		t.Fatalf("found %d before normalising, %v", len(got), err)
	}
	db.Close()
	db, err := sqlite.Open(ctx, path, sqlite.Options{Normalize: segment.Normalize})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, term := range []string{"手环", "配对"} {
		if got, _, err := db.Tickets(ctx, triage.TicketFilter{Terms: []string{term}}); err != nil || len(got) != 1 {
			t.Fatalf("%s: found %d after opening with a normaliser, %v", term, len(got), err)
		}
	}
}

// TestGroupCommitFailureAfterCommit: a write that fails on what an earlier
// write of its group did (here the same ticket id; in the API the same
// Idempotency-Key) is answered only once that earlier write is committed,
// so its caller can read it, as the API reads the request that committed
// first to replay it. A slow write later in the group holds the commit
// back, which answered the failed write too early before.
func TestGroupCommitFailureAfterCommit(t *testing.T) {
	ctx := t.Context()
	db, _ := open(t, sqlite.Options{})
	defer db.Close()
	holding, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.Update(ctx, func(tx triage.Tx) error {
			close(holding)
			<-release
			return tx.CreateTicket(ctx, newTicket("f-first"))
		})
	}()
	<-holding
	results := make(chan error, 3)
	writes := []func(tx triage.Tx) error{
		func(tx triage.Tx) error { return tx.CreateTicket(ctx, newTicket("f-dup")) },
		func(tx triage.Tx) error { return tx.CreateTicket(ctx, newTicket("f-dup")) },
		func(tx triage.Tx) error {
			time.Sleep(300 * time.Millisecond)
			return tx.CreateTicket(ctx, newTicket("f-slow"))
		},
	}
	var seen error
	for i, fn := range writes {
		go func() {
			err := db.Update(ctx, fn)
			if i == 1 {
				// Read at once, as the API's replay does.
				_, seen = db.Ticket(ctx, "f-dup")
			}
			results <- err
		}()
		time.Sleep(30 * time.Millisecond) // queued in this order behind the first
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	failures := 0
	for range writes {
		if err := <-results; err != nil {
			failures++
		}
	}
	if failures != 1 {
		t.Fatalf("%d writes failed, want the second f-dup alone", failures)
	}
	if seen != nil {
		t.Fatalf("the failed write's caller could not read the write it failed on: %v", seen)
	}
}
