package mail_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/triagehq/triage/mail"
	"github.com/triagehq/triage/mail/mailtest"
)

// benchMails returns n mails cycled from the corpus, each with its own
// Message-ID.
func benchMails(b *testing.B, n int) ([][]byte, int) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) == 0 {
		b.Fatal("no corpus", err)
	}
	var corpus [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		corpus = append(corpus, raw)
	}
	idRe := regexp.MustCompile(`(?im)^Message-I[dD]: <[^>]*>`)
	out := make([][]byte, n)
	total := 0
	for i := range out {
		raw := corpus[i%len(corpus)]
		out[i] = idRe.ReplaceAll(raw, fmt.Appendf(nil, "Message-ID: <bench-%d@example.com>", i))
		total += len(out[i])
	}
	return out, total
}

// BenchmarkParse parses the corpus: the CPU cost of a mail alone.
func BenchmarkParse(b *testing.B) {
	mails, total := benchMails(b, 1000)
	p := mail.NewParser(mail.Limits{})
	b.SetBytes(int64(total / len(mails)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Parse(mails[i%len(mails)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
}

// BenchmarkFetch1000 imports a Dovecot mailbox of 1,000 unseen mails over
// IMAPS: search, sizes, bodies in batches, parse, deliver (a no-op here:
// the store's commit is not part of this figure), \Seen after each batch.
func BenchmarkFetch1000(b *testing.B) {
	s := mailtest.Start(b)
	s.AddUser(user, pass)
	mails, total := benchMails(b, 1000)
	s.DeliverMany(user, mails)
	f := fetcher(b, mail.IMAPConfig{Host: s.Host, Port: s.IMAPSPort, TLS: mail.TLSImplicit, Username: user, Password: pass,
		TLSConfig: s.TLSConfig(), Timeout: time.Minute})
	ctx := context.Background()
	count := 0
	deliver := func(context.Context, *mail.Message, mail.Position) error { count++; return nil }
	// Let Dovecot index the new mail once, outside the timing.
	if _, err := f.Once(ctx, mail.Position{}, deliver); err != nil || count != len(mails) {
		b.Fatalf("warm-up imported %d of %d: %v", count, len(mails), err)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s.Doveadm("flags", "remove", "-u", user, `\Seen`, "mailbox", "INBOX", "all")
		count = 0
		b.StartTimer()
		if _, err := f.Once(ctx, mail.Position{}, deliver); err != nil {
			b.Fatal(err)
		}
		if count != len(mails) {
			b.Fatalf("imported %d of %d", count, len(mails))
		}
	}
	b.ReportMetric(float64(b.N*len(mails))/b.Elapsed().Seconds(), "mails/s")
}
