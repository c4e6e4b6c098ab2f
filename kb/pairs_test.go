package kb_test

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
)

// TestEmbeddingPairs: an accepted published article or resolved ticket,
// and a source an accepted draft cites, is a pair with the ticket's text,
// once however often it was accepted; a rejected verdict, an edited draft,
// a source the draft did not cite, an unpublished article, an unresolved
// or missing ticket are not.
func TestEmbeddingPairs(t *testing.T) {
	s := newService(t)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	err := s.Store.Update(system, func(tx triage.Tx) error {
		for _, a := range []*triage.Article{
			{ID: "a-pub", Title: "退款多久到账", Body: "原路退回，三个工作日到账。", Status: triage.ArticlePublished},
			{ID: "a-draft", Title: "发票", Body: "开票说明。", Status: triage.ArticleDraft},
			{ID: "a-cited", Title: "改地址", Body: "订单详情页修改。", Status: triage.ArticlePublished},
		} {
			a.AuthorID, a.CreatedAt, a.UpdatedAt = "editor-1", at, at
			if err := tx.CreateArticle(system, a); err != nil {
				return err
			}
		}
		for _, tk := range []*triage.Ticket{
			{ID: "t-1", Title: "钱什么时候退", Body: "申请三天了", Status: triage.StatusNew},
			{ID: "t-old", Title: "退款没到", Body: "一周了", Status: triage.StatusSolved},
			{ID: "t-open", Title: "还在处理", Body: "没解决", Status: triage.StatusOpen},
			{ID: "t-2", Title: "地址填错了", Body: "能改吗", Status: triage.StatusNew},
		} {
			tk.Channel, tk.Priority, tk.CreatedAt, tk.UpdatedAt = triage.ChannelWeb, triage.P3, at, at
			if err := tx.CreateTicket(system, tk); err != nil {
				return err
			}
		}
		cited := []triage.Source{{N: 1, Kind: triage.DocArticle, ID: "a-cited"}, {N: 2, Kind: triage.DocArticle, ID: "a-pub"}}
		for _, sg := range []*triage.Suggestions{
			{ID: "s-1", TicketID: "t-1", Draft: triage.Draft{Mode: triage.DraftNone}},
			{ID: "s-2", TicketID: "t-2", Articles: cited, Draft: triage.Draft{Mode: triage.DraftExtractive, Text: "在订单详情页修改 [1]。", Citations: []int{1}}},
			{ID: "s-3", TicketID: "t-1", Articles: cited, Draft: triage.Draft{Mode: triage.DraftExtractive, Text: "在订单详情页修改 [1]。", Citations: []int{1}}},
		} {
			sg.CreatedAt = at
			if err := tx.SaveSuggestions(system, sg); err != nil {
				return err
			}
		}
		for i, v := range []struct{ sg, ticket, kind, id, action string }{
			{"s-1", "t-1", triage.DocArticle, "a-pub", triage.FeedbackAccepted},
			{"s-1", "t-1", triage.DocArticle, "a-pub", triage.FeedbackAccepted}, // twice: one pair
			{"s-1", "t-1", triage.DocTicket, "t-old", triage.FeedbackAccepted},
			{"s-1", "t-1", triage.DocArticle, "a-draft", triage.FeedbackAccepted},
			{"s-1", "t-1", triage.DocTicket, "t-open", triage.FeedbackAccepted},
			{"s-1", "t-1", triage.DocTicket, "t-gone", triage.FeedbackAccepted},
			{"s-1", "t-1", triage.DocTicket, "t-old", triage.FeedbackRejected},
			{"s-1", "t-1", triage.FeedbackDraft, "", triage.FeedbackAccepted},
			{"s-3", "t-1", triage.FeedbackDraft, "", triage.FeedbackEdited},   // edited: what it cites may be gone
			{"s-2", "t-2", triage.FeedbackDraft, "", triage.FeedbackAccepted}, // cites a-cited, not a-pub
		} {
			f := &triage.Feedback{ID: "f-" + string(rune('a'+i)), SuggestionID: v.sg, TicketID: v.ticket, SourceKind: v.kind, SourceID: v.id,
				Action: v.action, Actor: "agent-1", CreatedAt: at.Add(time.Duration(i) * time.Second)}
			if err := tx.AddFeedback(system, f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &kb.Embedding{Store: s.Store}
	got, err := e.Pairs(system)
	if err != nil {
		t.Fatal(err)
	}
	want := []kb.Pair{
		{A: "地址填错了\n能改吗", B: "改地址\n订单详情页修改。", Group: "article:a-cited"},
		{A: "钱什么时候退\n申请三天了", B: "退款没到\n一周了", Group: "ticket:t-old"},
		{A: "钱什么时候退\n申请三天了", B: "退款多久到账\n原路退回，三个工作日到账。", Group: "article:a-pub"},
	}
	if len(got) != len(want) {
		t.Fatalf("pairs %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pair %d: %q, want %q", i, got[i], want[i])
		}
	}
}
