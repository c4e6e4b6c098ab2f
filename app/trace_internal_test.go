package app

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/triagehq/triage/mail"
	"github.com/triagehq/triage/metrics"
	"github.com/triagehq/triage/otel"
)

// fakeSender fails when told to, as an SMTP server that refuses would.
type fakeSender struct{ err error }

func (f fakeSender) Send(context.Context, *mail.Outgoing) (string, error) { return "<id@x>", f.err }
func (f fakeSender) Check(context.Context) error                          { return f.err }

// TestSMTPIsTracedAndCounted: each mail sent is an "outbound smtp" span
// and a call in the outbound metrics, a refused one an error too, and
// neither the address nor the subject nor the server's message (which
// quotes the address) is in the span.
func TestSMTPIsTracedAndCounted(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	a := &App{Tracing: otel.New(exp), Metrics: metrics.New("test", metrics.Sources{})}
	out := &mail.Outgoing{To: []mail.Address{{Name: "陈秀英", Email: "chen.xiuying@example.com"}}, Subject: "您的退款已到账", Text: "陈秀英您好"}
	if _, err := (tracedSender{fakeSender{}, a}).Send(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("550 5.1.1 <chen.xiuying@example.com>: mailbox unavailable")
	if _, err := (tracedSender{fakeSender{refused}, a}).Send(context.Background(), out); !errors.Is(err, refused) {
		t.Fatalf("the sender's error was lost: %v", err)
	}
	spans := exp.GetSpans()
	if len(spans) != 2 || spans[0].Name != "outbound smtp" || spans[1].Name != "outbound smtp" {
		t.Fatalf("spans %v", spans)
	}
	for _, s := range spans {
		for _, a := range s.Attributes {
			for _, bad := range []string{"chen.xiuying", "陈秀英", "退款", "mailbox"} {
				if strings.Contains(a.Value.String(), bad) {
					t.Errorf("span attribute %s=%s", a.Key, a.Value.String())
				}
			}
		}
	}
	rec := httptest.NewRecorder()
	a.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{`triage_outbound_requests_total{kind="smtp"} 2`, `triage_outbound_errors_total{kind="smtp"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
