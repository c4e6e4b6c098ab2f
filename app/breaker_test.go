package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// TestSearchReportsTheOpenBreaker: once the embeddings endpoint has failed
// often enough to open the client's circuit breaker, search and
// suggestions say so with their own reason, search.vector_breaker_open
// and the seconds until the endpoint is tried again, instead of the
// generic "the embedding service failed". Before, the open breaker was
// reported as search.vector_failed with its English message.
func TestSearchReportsTheOpenBreaker(t *testing.T) {
	f, base := newFaultyOpenAI(t, faultServer)
	m := openFaultApp(t, base, false)
	solved := m.solvedTicket("退款一周了还没到账", "退款申请已通过，钱还没到银行卡。", "退款已原路退回，请查收。")
	// Five background embeddings that fail after all their retries open
	// the breaker (a search that gives up at its budget does not count:
	// it never saw the endpoint's last word).
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := m.Embedding.Embed(context.Background(), []string{"退款"}); err == nil {
				t.Error("an embedding through the failing endpoint succeeded")
			}
		})
	}
	wg.Wait()
	r := m.within(time.Second, "GET", "/v1/search?kind=ticket&mode=hybrid&q=退款", "")
	if r.code != http.StatusOK {
		t.Fatalf("search: %d %s", r.code, r.body)
	}
	var got searchAnswer
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	if !got.Degraded || got.Reason == nil || got.Reason.Code != triage.ReasonSearchVectorBreakerOpen {
		t.Fatalf("search with the breaker open: %s", r.body)
	}
	if s, ok := got.Reason.Args["seconds"].(float64); !ok || s <= 0 || s > 30 {
		t.Errorf("the reason should give the seconds until the next try (at most the 30 s cool-down): %+v", got.Reason)
	}
	if len(got.Items) != 1 || got.Items[0].ID != solved.ID {
		t.Errorf("the words should still find the solved ticket: %+v", got.Items)
	}
	before := f.calls.Load()
	tk := m.createTicket("退款还没到账", "退款什么时候到账？")
	r = m.within(time.Second, "GET", "/v1/tickets/"+tk.ID+"/suggestions", "")
	if r.code != http.StatusOK {
		t.Fatalf("suggestions: %d %s", r.code, r.body)
	}
	var sg triage.Suggestions
	if err := json.Unmarshal(r.body, &sg); err != nil {
		t.Fatal(err)
	}
	if !sg.Degraded || sg.Reason == nil || sg.Reason.Code != triage.ReasonSearchVectorBreakerOpen {
		t.Errorf("suggestions with the breaker open: degraded %v, reason %+v", sg.Degraded, sg.Reason)
	}
	if n := f.calls.Load() - before; n != 0 {
		t.Errorf("the open breaker let %d requests through", n)
	}
}
