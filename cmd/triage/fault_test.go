package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage/postgres/pgtest"
)

// scratchCluster is a PostgreSQL cluster of the test's own, which it can
// stop and start: the shared server on 5432 must not be taken down.
type scratchCluster struct {
	bin, dir string
	port     int
	asUser   []string // runuser prefix when the test runs as root
}

// skipOrFail skips the test with why, or fails it when PostgreSQL tests
// are required (CI), so that CI cannot pass by skipping.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	msg := "SKIP: the database fault test needs a scratch PostgreSQL cluster: " + why
	if os.Getenv(pgtest.EnvRequired) == "1" {
		t.Fatal(msg + " (" + pgtest.EnvRequired + "=1 makes this a failure)")
	}
	t.Skip(msg)
}

// newScratchCluster runs initdb in a new directory and starts the cluster
// on a free port. initdb refuses to run as root, so as root the cluster
// belongs to the postgres user, through runuser.
func newScratchCluster(t *testing.T) *scratchCluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if p, err := exec.LookPath("initdb"); err == nil {
		bins = append(bins, p)
	}
	if len(bins) == 0 {
		skipOrFail(t, "no initdb in /usr/lib/postgresql/*/bin or PATH (install the postgresql package)")
	}
	slices.Sort(bins)
	c := &scratchCluster{bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "triage-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Logf("the scratch cluster's log:\n%s", log)
		}
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			skipOrFail(t, "running as root, and there is no postgres user to run initdb as")
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			skipOrFail(t, "running as root, and there is no runuser to run initdb as postgres")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			skipOrFail(t, "cannot give the cluster directory to postgres: "+err.Error())
		}
		c.asUser = []string{runuser, "-u", "postgres", "--"}
	}
	c.dir = dir
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	c.run(t, "initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
	c.start(t)
	t.Cleanup(func() { _ = c.cmd("pg_ctl", "-D", c.data(), "stop", "-m", "immediate").Run() })
	return c
}

func (c *scratchCluster) data() string { return filepath.Join(c.dir, "data") }

func (c *scratchCluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *scratchCluster) cmd(name string, args ...string) *exec.Cmd {
	argv := append(append(slices.Clone(c.asUser), filepath.Join(c.bin, name)), args...)
	return exec.Command(argv[0], argv[1:]...)
}

func (c *scratchCluster) run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := c.cmd(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// start starts the cluster and waits until it accepts connections. The
// socket directory is the cluster's own: /var/run/postgresql belongs to
// the machine's server.
func (c *scratchCluster) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=60", c.port, c.dir)
	c.run(t, "pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-o", opts, "-w", "-t", "60", "start")
}

// kill stops the cluster as a crash would: no checkpoint, clients cut.
func (c *scratchCluster) kill(t *testing.T) {
	t.Helper()
	c.run(t, "pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
}

// TestDatabaseOutage takes the database away in the middle of a load of
// creates and brings it back. While it is gone /readyz says so; afterwards
// the service serves again without a restart, and every create it
// acknowledged is in the database exactly once. Clients retry a failed
// create with the same Idempotency-Key, as they should.
func TestDatabaseOutage(t *testing.T) {
	c := newScratchCluster(t)
	r := startReplica(t, c.url(), t.TempDir())

	var (
		mu    sync.Mutex
		acked = map[string]int{} // title → 2xx answers
		stop  atomic.Bool
		after atomic.Int64 // 2xx answers after the database came back
		back  atomic.Bool
		wg    sync.WaitGroup
	)
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				title := fmt.Sprintf("断库测试 %d-%d", w, i)
				body := map[string]any{"title": title, "body": "数据库中途停机时提交的工单"}
				hdr := map[string]string{"Idempotency-Key": fmt.Sprintf("outage-%d-%d", w, i)}
				for !stop.Load() {
					code, out := r.call("POST", "/v1/tickets", body, hdr)
					if code >= 400 && code < 500 && code != http.StatusConflict && code != http.StatusTooManyRequests {
						t.Errorf("create %s: %d %s; a client error is not the outage", title, code, out)
						return
					}
					if code >= 200 && code < 300 {
						mu.Lock()
						acked[title]++
						mu.Unlock()
						if back.Load() {
							after.Add(1)
						}
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
		})
	}
	defer func() { stop.Store(true); wg.Wait() }()

	time.Sleep(3 * time.Second)
	c.kill(t)
	eventually(t, 20*time.Second, "/readyz to report the outage", func() bool {
		code, _ := r.call("GET", "/readyz", nil, nil)
		return code == 503
	})
	time.Sleep(2 * time.Second)
	if code, _ := r.call("GET", "/readyz", nil, nil); code != 503 {
		t.Errorf("/readyz answered %d with the database down", code)
	}
	c.start(t)
	eventually(t, 60*time.Second, "/readyz to recover by itself", func() bool {
		code, _ := r.call("GET", "/readyz", nil, nil)
		return code == 200
	})
	back.Store(true)
	eventually(t, 60*time.Second, "creates to succeed again", func() bool { return after.Load() >= 20 })
	stop.Store(true)
	wg.Wait()

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.url())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT title, count(*) FROM tickets WHERE title LIKE '断库测试 %' GROUP BY title`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for rows.Next() {
		var title string
		var n int
		if err := rows.Scan(&title, &n); err != nil {
			t.Fatal(err)
		}
		stored[title] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(acked) < 30 {
		t.Fatalf("only %d creates acknowledged: too little load to say anything", len(acked))
	}
	for title, n := range acked {
		if n != 1 || stored[title] != 1 {
			t.Errorf("%q: acknowledged %d times, stored %d times; want once and once", title, n, stored[title])
		}
	}
	for title, n := range stored {
		if n > 1 {
			t.Errorf("%q stored %d times", title, n)
		}
	}
	t.Logf("%d creates acknowledged (%d after the outage), %d tickets stored", len(acked), after.Load(), len(stored))
}
