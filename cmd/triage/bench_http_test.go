package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/triagehq/triage/postgres/pgtest"
)

// BenchmarkHTTP is the write path's load test (make bench-http): a server
// started with the flags of `triage serve --demo` on a temporary directory
// (and, when TRIAGE_TEST_POSTGRES is set, one on a fresh PostgreSQL
// database), and 8 clients, each on its own keep-alive connection, creating
// tickets over HTTP as fast as they are answered. The texts are the demo
// shop's tickets, so triage, similar-ticket search and the background jobs
// (embedding, indexing, events) do the work they do in use. It reports
//
//	creates/s  tickets acknowledged (201) a second
//	p50-ms, p90-ms, p99-ms  the latency of a create as a client sees it
//	cpu-ms/create  the CPU time the process (server and clients) spent a
//	           create, background work included: what the throughput of
//	           a machine with idle cores follows
//	drain-s    how long the background jobs and the search index took, after
//	           the last create, to catch up with what was created
//
// Run it for a fixed time with -benchtime 20s (or a number of creates with
// -benchtime 5000x); add -cpuprofile to see where a create's time goes.
func BenchmarkHTTP(b *testing.B) {
	texts := benchTexts(b)
	stores := []string{"sqlite"}
	if os.Getenv("TRIAGE_TEST_POSTGRES") != "" {
		stores = append(stores, "postgres")
	}
	for _, store := range stores {
		b.Run(store, func(b *testing.B) {
			db := ""
			if store == "postgres" {
				db = pgtest.NewDatabase(b)
			}
			r := startReplica(b, db, b.TempDir(), "--demo", "--log-level", "warn",
				"--rate-limit-token", "0", "--rate-limit-client", "0")
			r.waitIdle(b)
			var seq atomic.Int64
			b.Run("create", func(b *testing.B) {
				const conns = 8
				lat := make([][]time.Duration, conns)
				var next atomic.Int64
				var wg sync.WaitGroup
				cpu0 := cpuTime(b)
				b.ResetTimer()
				for c := range conns {
					wg.Add(1)
					go func() {
						defer wg.Done()
						// One transport per client: one connection each,
						// kept alive, as wrk -c 8 does.
						client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}}
						defer client.CloseIdleConnections()
						for next.Add(1) <= int64(b.N) {
							i := seq.Add(1)
							t := texts[int(i)%len(texts)]
							body, _ := json.Marshal(map[string]any{
								"title": t.Title,
								"body":  t.Body,
								// A few requesters come back, as customers do:
								// triage counts their recent tickets.
								"requester": map[string]string{"name": "压测客户", "email": fmt.Sprintf("load%d@example.com", i%500)},
								"channel":   "web",
							})
							req, _ := http.NewRequest("POST", r.url+"/v1/tickets", bytes.NewReader(body))
							req.Header.Set("Authorization", "Bearer "+testAdmin)
							req.Header.Set("Content-Type", "application/json")
							start := time.Now()
							resp, err := client.Do(req)
							if err != nil {
								b.Errorf("create: %v", err)
								return
							}
							out, _ := io.ReadAll(resp.Body)
							resp.Body.Close()
							lat[c] = append(lat[c], time.Since(start))
							if resp.StatusCode != 201 {
								b.Errorf("create: %d %s", resp.StatusCode, out)
								return
							}
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				all := slices.Concat(lat...)
				slices.Sort(all)
				q := func(p float64) float64 {
					if len(all) == 0 {
						return 0
					}
					return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
				}
				b.ReportMetric(float64(len(all))/b.Elapsed().Seconds(), "creates/s")
				b.ReportMetric(q(0.50), "p50-ms")
				b.ReportMetric(q(0.90), "p90-ms")
				b.ReportMetric(q(0.99), "p99-ms")
				start := time.Now()
				r.waitIdle(b)
				b.ReportMetric(time.Since(start).Seconds(), "drain-s")
				b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/1000/float64(len(all)), "cpu-ms/create")
			})
		})
	}
}

// waitIdle waits until the background jobs are done and the search index
// has applied every change.
func (r *replica) waitIdle(b *testing.B) {
	b.Helper()
	ctx := b.Context()
	eventually(b, 10*time.Minute, "the background jobs and the index to catch up", func() bool {
		lag, err := r.m.Indexer.Lag(ctx)
		if err != nil || lag > 0 {
			return false
		}
		// Jobs scheduled for later (SLA clocks, daily prunes) are not
		// owed to the creates: Waiting counts the due ones.
		waiting, err := r.m.Jobs.Waiting(ctx)
		if err != nil {
			return false
		}
		for _, w := range waiting {
			if w.Jobs > 0 {
				return false
			}
		}
		return true
	})
}

// cpuTime is the CPU time this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type benchText struct{ Title, Body string }

// benchTexts are the demo data set's ticket texts.
func benchTexts(b *testing.B) []benchText {
	raw, err := os.ReadFile("../../app/demodata/demo.json")
	if err != nil {
		b.Fatal(err)
	}
	var d struct{ Tickets []benchText }
	if err := json.Unmarshal(raw, &d); err != nil || len(d.Tickets) == 0 {
		b.Fatalf("demo tickets: %v (%d)", err, len(d.Tickets))
	}
	return d.Tickets
}
