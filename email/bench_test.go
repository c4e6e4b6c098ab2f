package email_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/mail"
)

// BenchmarkImportMailbox imports a real IMAP mailbox of 1,000 mails
// (Dovecot, over TLS) through the fetcher into the store, the way the
// service does: each mail parsed, threaded, triaged by the demo's trained
// models and rules, routed, and committed in its own transaction with its
// raw mail, its record and the mailbox's position (SQLite with
// synchronous=FULL), then marked seen. Every mail has its own sender (a
// thousand customers, so none is throttled). It reports mails imported
// per second. Profile it with -cpuprofile: see the README for the figure and
// what limits it.
func BenchmarkImportMailbox(b *testing.B) {
	e := newEnv(b, opts{dovecot: true})
	if err := e.app.LoadDemo(e.ctx); err != nil {
		b.Fatal(err)
	}
	mb, err := e.mail.CreateMailbox(e.ctx, triage.NewMailbox{Name: "基准", Address: supportAddr, Host: e.dove.Host, Port: e.dove.IMAPSPort,
		Username: supportAddr, Password: supportPass, Enabled: new(bool)}, nil)
	if err != nil {
		b.Fatal(err)
	}
	topics := []string{"退款一周了还没到账", "快递三天没有更新物流", "发票抬头开错了需要重开", "手环连不上蓝牙", "会员积分没有到账", "耳机左耳没有声音",
		"订单地址填错了想修改", "优惠券用不了", "扫地机器人一直没有发货", "再不处理我就打12315投诉"}
	const n = 1000
	fetcher, err := mail.NewFetcher(mail.IMAPConfig{Host: e.dove.Host, Port: e.dove.IMAPSPort, TLS: mail.TLSImplicit, Username: supportAddr,
		Password: supportPass, TLSConfig: e.dove.TLSConfig(), Timeout: time.Minute}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var imported int
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		raws := make([][]byte, n)
		for j := range raws {
			topic := topics[j%len(topics)]
			raws[j] = fmt.Appendf(nil, "From: 客户%d <c%d-%d@example.cn>\r\nTo: %s\r\nSubject: %s %d\r\nMessage-ID: <bench-%d-%d@example.cn>\r\n"+
				"Date: Mon, 07 Dec 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
				"您好，%s，订单号 20261207%06d，麻烦尽快帮我处理一下，谢谢！\r\n\r\n------------------ 原始邮件 ------------------\r\n发件人: 客服\r\n\r\n之前的回复\r\n",
				j, j, i, supportAddr, topic, j, i, j, topic, j)
		}
		e.dove.DeliverMany(supportAddr, raws)
		cur, err := e.app.Store.Mailbox(e.ctx, mb.ID)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		count := 0
		_, err = fetcher.Once(context.Background(), mail.Position{UIDValidity: cur.Position.UIDValidity, UID: cur.Position.UID},
			func(ctx context.Context, m *mail.Message, pos mail.Position) error {
				_, err := e.mail.Import(ctx, cur, m, &triage.MailPosition{UIDValidity: pos.UIDValidity, UID: pos.UID})
				count++
				return err
			})
		elapsed += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if count != n {
			b.Fatalf("imported %d of %d", count, n)
		}
		imported += count
	}
	b.ReportMetric(float64(imported)/elapsed.Seconds(), "mails/s")
}
