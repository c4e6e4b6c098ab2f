package kefu_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/otel"
)

// TestCallsAreTraced: every call to 企业微信 (gettoken, sync_msg,
// send_msg) goes through the application's outbound wrapper, so a reply's
// send shows as a span "outbound wechat" carrying none of the customer's
// id, the text or the access_token in its query.
func TestCallsAreTraced(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tr := otel.New(exp)
	t.Cleanup(func() { tr.Shutdown(context.Background()) })
	e := newEnv(t, opts{start: true, tracing: tr})
	const user = "wmTrace-customer-PII-0042"
	if _, err := e.fake.Text(e.ctx, e.kf, user, "快递单号 SF1234567890 三天没更新了"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the ticket", 20*time.Second, func() bool { return len(e.customer(user)) == 1 && e.customer(user)[0].TicketID != "" })
	const reply = "您好，已联系快递加急处理。"
	if _, err := e.app.Desk.AddComment(e.ctx, e.customer(user)[0].TicketID, triage.NewComment{Body: reply, Public: true}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reply at the fake", 20*time.Second, func() bool { return len(e.fake.Sent(e.kf, user)) == 1 })
	// The exporter is synchronous: a span is there once its exchange ends.
	var spans tracetest.SpanStubs
	waitFor(t, "three outbound wechat spans", 20*time.Second, func() bool {
		spans = nil
		for _, s := range exp.GetSpans() {
			if s.Name == "outbound wechat" {
				spans = append(spans, s)
			}
		}
		return len(spans) >= 3 // gettoken, kf/sync_msg, kf/send_msg at least
	})
	t.Logf("%d spans named %q", len(spans), spans[0].Name)
	for _, s := range spans {
		for _, a := range s.Attributes {
			v := a.Value.String()
			if string(a.Key) == string(triage.AttrOutboundKind) && v != "wechat" {
				t.Errorf("outbound.kind %q", v)
			}
			if !otel.Allowed(string(a.Key)) {
				t.Errorf("attribute %s is not allowed out", a.Key)
			}
			for _, pii := range []string{user, reply, "SF1234567890", e.fake.Secret, "access_token"} {
				if pii != "" && strings.Contains(v, pii) {
					t.Errorf("span attribute %s=%q carries %q", a.Key, v, pii)
				}
			}
		}
	}
}
