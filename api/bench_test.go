package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/triagehq/triage"
)

// BenchmarkCreateTicketHTTP measures create-ticket throughput over real
// HTTP on the embedded store (SQLite, synchronous=FULL, one writer).
func BenchmarkCreateTicketHTTP(b *testing.B) {
	e := newEnv(b)
	ts := httptest.NewServer(e.h)
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	token := e.tokens[triage.RoleAgent]
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := fmt.Sprintf(`{"title":"退款第 %d 次还没到账","body":"%s","requester":{"name":"陈女士","tier":"vip"},"tags":["退款"]}`, i, strings.Repeat("订单退款申请三天了还没到账，请尽快处理。", 12))
			req, _ := http.NewRequest("POST", ts.URL+"/v1/tickets", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 201 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
}
