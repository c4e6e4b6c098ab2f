package main

import (
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triagehq/triage/postgres/pgtest"
)

// BenchmarkStores measures the service through its API on each store, with
// the same data (the demo set) in the same run: creating and triaging a
// ticket (in parallel, as clients do) and a hybrid KB search. Run with
//
//	go test -run '^$' -bench BenchmarkStores -benchtime 400x ./cmd/triage
//
// and compare the two stores' lines; Postgres runs on the machine's server
// (TRIAGE_TEST_POSTGRES), so the figures include a TCP round trip per
// statement that the embedded store does not pay.
func BenchmarkStores(b *testing.B) {
	queries := []string{"退款多久到账", "发票抬头写错了怎么改", "快递一直不更新物流", "会员积分怎么兑换", "旧手机怎么折价"}
	for _, store := range []string{"sqlite", "postgres"} {
		b.Run(store, func(b *testing.B) {
			db := ""
			if store == "postgres" {
				db = pgtest.NewDatabase(b)
			}
			r := startReplica(b, db, b.TempDir(), "--demo", "--log-level", "warn")
			eventually(b, 60*time.Second, "the demo articles in the index", func() bool {
				var hits searchHits
				r.must(b, 200, "GET", "/v1/search?mode=lexical&q="+url.QueryEscape(queries[0]), nil, nil, &hits)
				return len(hits.Items) > 0
			})
			b.Run("create", func(b *testing.B) {
				var n atomic.Int64
				b.SetParallelism(4) // 8 clients on 2 cores
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						code, out := r.call("POST", "/v1/tickets", map[string]any{
							"title": fmt.Sprintf("申请退款后多久能到账 %d", i),
							"body":  "我上周在 App 里申请了退款，订单号 2026112300" + fmt.Sprint(i%97) + "，到现在还没有到账，请帮忙查一下。",
						}, nil)
						if code != 201 {
							b.Errorf("create: %d %s", code, out)
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
			})
			b.Run("search", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					r.must(b, 200, "GET", "/v1/search?mode=hybrid&q="+url.QueryEscape(queries[i%len(queries)]), nil, nil, nil)
				}
			})
		})
	}
}
