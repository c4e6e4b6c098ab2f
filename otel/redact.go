package otel

import (
	"context"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/triagehq/triage"
)

// httpKeys are the attributes of otelhttp's server spans that may leave:
// the method, the route template and the status. Its others (url.path,
// client.address, user_agent.original, server.address, the peer's
// address and port) name or locate a person, or repeat the URL.
var httpKeys = []string{"http.request.method", "http.route", "http.response.status_code", "url.scheme", "network.protocol.version"}

// Allowed reports whether a span attribute with key k may be exported.
func Allowed(k string) bool {
	return slices.Contains(httpKeys, k) || slices.Contains(triage.SpanKeys(), triage.SpanKey(k))
}

// Redact wraps exp so that every span it exports keeps only the allowed
// attributes (Allowed), loses its events (an error event carries the
// error's message, which may quote a customer), its status description,
// its links' attributes, and any query string in its name.
func Redact(exp sdktrace.SpanExporter) sdktrace.SpanExporter { return redactor{exp} }

type redactor struct{ next sdktrace.SpanExporter }

func (r redactor) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	out := make([]sdktrace.ReadOnlySpan, len(spans))
	for i, s := range spans {
		out[i] = redact(s)
	}
	return r.next.ExportSpans(ctx, out)
}

func (r redactor) Shutdown(ctx context.Context) error { return r.next.Shutdown(ctx) }

func redact(s sdktrace.ReadOnlySpan) sdktrace.ReadOnlySpan {
	stub := tracetest.SpanStubFromReadOnlySpan(s)
	if name, _, cut := strings.Cut(stub.Name, "?"); cut {
		stub.Name = name
	}
	stub.Attributes = keep(stub.Attributes)
	stub.DroppedAttributes = 0
	stub.Events, stub.DroppedEvents = nil, 0
	stub.Status.Description = ""
	for i := range stub.Links {
		stub.Links[i].Attributes, stub.Links[i].DroppedAttributeCount = nil, 0
	}
	return stub.Snapshot()
}

func keep(attrs []attribute.KeyValue) []attribute.KeyValue {
	out := attrs[:0:0]
	for _, a := range attrs {
		if Allowed(string(a.Key)) {
			out = append(out, a)
		}
	}
	return out
}
