package app_test

import (
	"context"
	"slices"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
)

// TestTicketSearchFindsWhatKBSearchFinds: on the demo data, the inbox's
// search (GET /v1/tickets?q=) finds every resolved ticket the knowledge
// base's lexical search finds for the same words, since both cut the query
// with one segmenter and match normalised text, and the inbox also finds
// the open ones; a query in traditional characters finds what its
// simplified form finds.
func TestTicketSearchFindsWhatKBSearchFinds(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo data; skipped with -short")
	}
	m := openDemo(t, t.TempDir())
	ctx := context.Background()
	inbox := func(q string) []string {
		t.Helper()
		var out []string
		f := triage.TicketFilter{Query: q, Limit: triage.MaxPageSize}
		for {
			page, next, err := m.Desk.Tickets(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range page {
				out = append(out, tk.ID)
			}
			if next == "" {
				return out
			}
			f.Cursor = next
		}
	}
	for _, q := range []string{"退货", "手环蓝牙", "发票抬头", "快递没收到", "退款到账", "登录验证码", "优惠券", "耳机没声音", "会员积分", "扫地机器人", "充电"} {
		t.Run(q, func(t *testing.T) {
			hits, err := m.Searcher.Search(ctx, kb.Query{Text: q, Kind: triage.DocTicket, Mode: kb.ModeLexical, K: kb.MaxK})
			if err != nil {
				t.Fatal(err)
			}
			found := inbox(q)
			if len(hits) == 0 {
				t.Fatalf("the KB search finds nothing for %s", q)
			}
			for _, h := range hits {
				if !slices.Contains(found, h.OwnerID) {
					t.Errorf("the KB search finds ticket %s, the inbox search does not", h.OwnerID)
				}
			}
		})
	}
	for simplified, traditional := range map[string]string{"退货": "退貨", "手环": "手環", "蓝牙连接": "藍牙連接"} {
		a, b := inbox(simplified), inbox(traditional)
		slices.Sort(a)
		slices.Sort(b)
		if len(a) == 0 || !slices.Equal(a, b) {
			t.Errorf("%s finds %d tickets, %s %d: want the same ones", simplified, len(a), traditional, len(b))
		}
	}
}
