package app_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/kb"
)

// pairTopics are the knowledge base of TestRetrainEmbedderPairs: one
// published article each, and a ticket asking about it in other words.
var pairTopics = []struct{ article, ticket string }{
	{"退款多久到账 原路退回一般三个工作日到账", "钱什么时候退回来"},
	{"如何修改收货地址 在订单详情页修改地址", "地址填错了能改吗"},
	{"发票抬头开错了怎么办 联系客服重开发票", "发票名字写错了"},
	{"耳机一边没有声音 检查蓝牙配对并重置耳机", "耳机左边不响"},
	{"忘记密码怎么办 在登录页点击找回密码", "登不上去 密码想不起来"},
	{"快递几天能到 一般两到五天送达", "东西多久寄到"},
	{"如何申请退货 七天内在订单页申请退货", "不想要了能退吗"},
	{"会员积分怎么用 积分可以抵扣现金", "积分能干什么"},
	{"优惠券无法使用 检查有效期和使用门槛", "券用不了"},
	{"手机充电很慢 请使用原装充电器", "充电特别慢"},
	{"屏幕碎了能保修吗 人为损坏不在保修范围", "屏幕摔坏了修吗"},
	{"如何开具增值税专用发票 提交公司税号", "要专票"},
	{"订单显示已签收但没收到 联系快递核实", "显示签收了东西没到"},
	{"商品有质量问题 拍照上传申请售后", "收到的东西坏了"},
	{"怎么取消订单 未发货订单可直接取消", "下错单了想取消"},
	{"支付失败怎么办 更换支付方式重试", "付不了款"},
	{"如何绑定银行卡 在钱包页添加银行卡", "卡怎么加上去"},
	{"账号被冻结 提交身份证明解冻", "号被封了"},
	{"修改绑定手机号 验证旧手机后更换", "换了手机号码"},
	{"价格保护怎么申请 降价七天内可申请差价", "刚买就降价了"},
	{"如何联系人工客服 工作日九点到六点在线", "找真人"},
	{"预售商品什么时候发货 以商品页时间为准", "预定的什么时候发"},
	{"赠品没有收到 赠品随主商品发出", "送的东西没有"},
	{"如何修改发票信息 开票前可以修改", "发票信息要改"},
	{"退款被拒绝 查看拒绝原因后重新申请", "退款没通过"},
}

// TestRetrainEmbedderPairs runs the retrain.embedder job on a store where
// agents accepted suggested articles: from MinEmbedderPairs accepted
// (ticket, published article) pairs on, the new local embedder is
// fine-tuned on them, the stored model says how many, and hybrid search
// weighs the cosine by the paired weight; fewer, and it is trained on the
// corpus alone. Rejected verdicts and unpublished articles are no pairs.
func TestRetrainEmbedderPairs(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			for _, tc := range []struct {
				name      string
				accepted  int
				wantPairs int
			}{
				{"every suggestion accepted: fine-tuned", len(pairTopics), len(pairTopics) - 1},
				{"too few accepted: the corpus alone", kb.MinEmbedderPairs - 1, 0},
			} {
				t.Run(tc.name, func(t *testing.T) {
					cfg := st.config(t)
					cfg.Segmenter = sharedSegmenter(t)
					a := open(t, cfg)
					ctx := context.Background()
					seedAcceptedPairs(t, a.Store, tc.accepted)
					if err := a.Retrainer.Retrain(ctx, classify.RetrainArgs{Kind: triage.ModelEmbedder}); err != nil {
						t.Fatal(err)
					}
					rec, err := a.Store.ActiveModel(ctx, triage.ModelEmbedder)
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("model %s: %d documents, %d pairs", rec.Version, rec.Info.Examples, rec.Info.Pairs)
					if rec.Info.Pairs != tc.wantPairs || a.Embedding.PairTuned() != (tc.wantPairs > 0) || a.Embedding.Model() != rec.Version {
						t.Fatalf("model %s in use %s: pairs %d tuned %t, want %d pairs", rec.Version, a.Embedding.Model(), rec.Info.Pairs, a.Embedding.PairTuned(), tc.wantPairs)
					}
					// A document only the vectors found scores its cosine
					// times the weight in use.
					want := 1.0
					if tc.wantPairs > 0 {
						want = kb.DefaultPairedVectorWeight
					}
					res, err := a.Searcher.Find(ctx, kb.Query{Text: "钱什么时候退回来", Kind: triage.DocArticle, Mode: kb.ModeHybrid, K: len(pairTopics)})
					if err != nil {
						t.Fatal(err)
					}
					checked := 0
					for _, h := range res.Hits {
						if h.LexicalRank == 0 && h.VectorScore > 0 {
							checked++
							if math.Abs(h.Fused-want*h.VectorScore) > 1e-6 {
								t.Errorf("%s: fused %.4f, cosine %.4f, want weight %g", h.OwnerID, h.Fused, h.VectorScore, want)
							}
						}
					}
					if checked == 0 {
						t.Fatalf("no hit from the vectors alone among %d", len(res.Hits))
					}
					// The Embedding in use after a restart says the same.
					reopened := &kb.Embedding{Store: a.Store, Load: a.Embedding.Load}
					if err := reopened.Open(ctx, a.Embedding.Current()); err != nil || reopened.PairTuned() != (tc.wantPairs > 0) {
						t.Fatalf("reopened: tuned %t, err %v", reopened.PairTuned(), err)
					}
				})
			}
		})
	}
}

// seedAcceptedPairs stores every topic's article (published but the last)
// and ticket, a suggestion of the article beside each ticket, accepted for
// the first n tickets and rejected for the others; the last ticket's
// article is a draft, so at most len(pairTopics)-1 pairs count.
func seedAcceptedPairs(t *testing.T, s triage.Store, n int) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Add(-time.Hour)
	err := s.Update(ctx, func(tx triage.Tx) error {
		for i, tp := range pairTopics {
			art := &triage.Article{ID: fmt.Sprintf("a-%02d", i), Title: strings.Fields(tp.article)[0], Body: tp.article, Category: "售后",
				Status: triage.ArticlePublished, AuthorID: "editor-1", CreatedAt: now, UpdatedAt: now}
			if i == len(pairTopics)-1 {
				art.Status = triage.ArticleDraft
			}
			if err := tx.CreateArticle(ctx, art); err != nil {
				return err
			}
			tk := &triage.Ticket{ID: fmt.Sprintf("t-%02d", i), Title: tp.ticket, Body: tp.ticket + "，请帮忙看一下", Channel: triage.ChannelWeb,
				Status: triage.StatusNew, Priority: triage.P3, CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			sg := &triage.Suggestions{ID: "s-" + tk.ID, TicketID: tk.ID, Draft: triage.Draft{Mode: triage.DraftNone}, CreatedAt: now,
				Articles: []triage.Source{{N: 1, Kind: triage.DocArticle, ID: art.ID, Title: art.Title}}}
			if err := tx.SaveSuggestions(ctx, sg); err != nil {
				return err
			}
			action := triage.FeedbackRejected
			if i < n {
				action = triage.FeedbackAccepted
			}
			f := &triage.Feedback{ID: "f-" + tk.ID, SuggestionID: sg.ID, TicketID: tk.ID, SourceKind: triage.DocArticle, SourceID: art.ID,
				Action: action, Actor: "agent-1", CreatedAt: now.Add(time.Duration(i) * time.Second)}
			if err := tx.AddFeedback(ctx, f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
