package otel

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/triagehq/triage"
)

// Observe hears the outcome of one call to an outside endpoint, for the
// outbound metrics; err is nil on success.
type Observe func(kind triage.OutboundKind, err error)

// Transport wraps base (an outside endpoint's transport) so that each
// request is a client span "outbound" of the given kind, with the status
// code and nothing of the URL, and its outcome reaches observe (nil: none).
// A response of 500 or more counts as a failure, and so does 429; other
// 4xx are the caller's to judge. It returns base when there is nothing to
// do.
func (t *Tracing) Transport(kind triage.OutboundKind, base http.RoundTripper, observe Observe) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if !t.Enabled() && observe == nil {
		return base
	}
	return &transport{t: t, kind: kind, base: base, observe: observe}
}

type transport struct {
	t       *Tracing
	kind    triage.OutboundKind
	base    http.RoundTripper
	observe Observe
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, end := tr.t.Outbound(req.Context(), tr.kind)
	resp, err := tr.base.RoundTrip(req.WithContext(ctx))
	failure := err
	if err == nil {
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			failure = triage.Errorf(triage.EUNAVAILABLE, "status %d", resp.StatusCode)
		}
		if span := trace.SpanFromContext(ctx); span.IsRecording() {
			span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
		}
	}
	end(failure)
	if tr.observe != nil {
		tr.observe(tr.kind, failure)
	}
	return resp, err
}

// Outbound starts a client span for one call to an outside endpoint of
// the given kind; the returned end takes the call's error.
func (t *Tracing) Outbound(ctx context.Context, kind triage.OutboundKind) (context.Context, triage.EndSpan) {
	if !t.Enabled() {
		return ctx, func(error, ...triage.SpanAttr) {}
	}
	ctx, span := t.tracer.Start(ctx, string(triage.SpanOutbound)+" "+string(kind), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String(string(triage.AttrOutboundKind), string(kind))))
	return ctx, func(err error, attrs ...triage.SpanAttr) { end(span, err, attrs) }
}
