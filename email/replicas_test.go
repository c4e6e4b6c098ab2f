package email_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/mail/mailtest"
	"github.com/triagehq/triage/postgres/pgtest"
	"github.com/triagehq/triage/seal"
)

// TestReplicasFetchOnce: two replicas on one PostgreSQL database both run
// fetchers for the same mailbox; the advisory lock lets one read it at a
// time, so every mail is one ticket; when that replica stops, the other
// takes the mailbox over and imports what arrives next.
func TestReplicasFetchOnce(t *testing.T) {
	db := pgtest.NewDatabase(t)
	dove := mailtest.Start(t)
	dove.AddUser(supportAddr, supportPass)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, dove.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := seal.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	type replica struct {
		a    *app.App
		stop func()
	}
	start := func() replica {
		a, err := app.Open(context.Background(), app.Config{DB: db, DataDir: t.TempDir(), MemIndex: true, Segmenter: sharedSegmenter(t),
			Log: slog.New(slog.DiscardHandler), SecretKey: key, MailCA: ca, MailPoll: 300 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		if _, err := a.Start(ctx, nil); err != nil {
			t.Fatal(err)
		}
		stopped := false
		stop := func() {
			if stopped {
				return
			}
			stopped = true
			cancel()
			sctx, c2 := context.WithTimeout(context.Background(), 10*time.Second)
			defer c2()
			_ = a.Jobs.Stop(sctx)
			a.Close()
		}
		t.Cleanup(stop)
		return replica{a, stop}
	}
	r1, r2 := start(), start()
	ctx := context.Background()
	if _, err := r1.a.Mail.CreateMailbox(ctx, triage.NewMailbox{Name: "客服", Address: supportAddr, Host: dove.Host, Port: dove.IMAPSPort,
		Username: supportAddr, Password: supportPass}, nil); err != nil {
		t.Fatal(err)
	}
	deliver := func(from, n int) {
		raws := make([][]byte, n)
		for i := range raws {
			raws[i] = mailText(fmt.Sprintf("客户 <c%d@example.cn>", from+i), supportAddr, fmt.Sprintf("副本测试 %03d", from+i),
				fmt.Sprintf("replica-%d@example.cn", from+i), "订单退款还没到账")
		}
		dove.DeliverMany(supportAddr, raws)
	}
	count := func() int {
		n, err := r2.a.Store.CountTickets(ctx, triage.TicketFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	deliver(0, 40)
	waitFor(t, "40 tickets from two replicas", time.Minute, func() bool { return count() >= 40 })
	time.Sleep(time.Second) // a second fetcher, had it the mailbox too, would import a duplicate now
	if n := count(); n != 40 {
		t.Fatalf("%d tickets for 40 mails", n)
	}
	// The holder goes away (whichever it was); the other takes over.
	r1.stop()
	deliver(40, 5)
	waitFor(t, "the other replica to take the mailbox over", time.Minute, func() bool { return count() >= 45 })
	recs, _, err := r2.a.Store.MailMessages(ctx, triage.MailFilter{Direction: triage.MailIn, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 45 || count() != 45 {
		t.Errorf("%d records and %d tickets for 45 mails", len(recs), count())
	}
}
