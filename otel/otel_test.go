package otel_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/otel"
)

func env(vars map[string]string) otel.Env { return func(k string) string { return vars[k] } }

func TestFromEnv(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name    string
		vars    map[string]string
		enabled bool
		field   string // the variable an EINVALID error names
	}{
		{"nothing set is off", nil, false, ""},
		{"none", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, false, ""},
		{"an endpoint alone means otlp", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true, ""},
		{"otlp", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true, ""},
		{"console", map[string]string{"OTEL_TRACES_EXPORTER": "console", "OTEL_SERVICE_NAME": "triage-eu"}, true, ""},
		{"disabled wins", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"}, false, ""},
		{"unknown exporter", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, false, "OTEL_TRACES_EXPORTER"},
		{"unknown sampler", map[string]string{"OTEL_TRACES_EXPORTER": "console", "OTEL_TRACES_SAMPLER": "sometimes"}, false, "OTEL_TRACES_SAMPLER"},
		{"bad ratio", map[string]string{"OTEL_TRACES_EXPORTER": "console", "OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "2"}, false, "OTEL_TRACES_SAMPLER_ARG"},
		{"grpc is not built in", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, false, "OTEL_EXPORTER_OTLP_PROTOCOL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, err := otel.FromEnv(ctx, "test", env(c.vars))
			if c.field != "" {
				var te *triage.Error
				if !errors.As(err, &te) || te.Code != triage.EINVALID || te.Field != c.field {
					t.Fatalf("err %v, want EINVALID naming %s", err, c.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Shutdown(ctx)
			if tr.Enabled() != c.enabled {
				t.Fatalf("enabled %v, want %v", tr.Enabled(), c.enabled)
			}
			if !c.enabled && (tr.Trace() != nil || tr.Carry(ctx) != nil) {
				t.Fatal("tracing off still hands out hooks")
			}
		})
	}
}

// TestSamplerFromEnv: OTEL_TRACES_SAMPLER decides which spans are
// recorded (read by the SDK itself).
func TestSamplerFromEnv(t *testing.T) {
	ctx := context.Background()
	for sampler, recording := range map[string]bool{"always_off": false, "always_on": true, "": true, "parentbased_traceidratio": true} {
		tr, err := otel.FromEnv(ctx, "test", env(map[string]string{"OTEL_TRACES_EXPORTER": "console", "OTEL_TRACES_SAMPLER": sampler}))
		if err != nil {
			t.Fatal(err)
		}
		sctx, _ := tr.Trace().Start(ctx, triage.SpanStoreTx) // never ended: nothing is printed
		if got := trace.SpanFromContext(sctx).IsRecording(); got != recording {
			t.Errorf("sampler %q: recording %v, want %v", sampler, got, recording)
		}
		tr.Shutdown(ctx)
	}
}

// TestRedact: what a library or the code adds beyond the allowed keys,
// events with error messages and status descriptions never reach the
// exporter.
func TestRedact(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tr := otel.New(exp)
	ctx, span := otelTracer(tr).Start(context.Background(), "GET /v1/search?q=13912345678")
	span.SetAttributes(attribute.String("url.full", "http://x/v1/search?q=13912345678"), attribute.String("http.route", "/v1/search"),
		attribute.String("client.address", "203.0.113.9"))
	span.RecordError(errors.New("chen@example.com is not a customer"))
	span.SetStatus(codes.Error, "chen@example.com is not a customer")
	span.End()
	_, end := tr.Trace().Start(ctx, triage.SpanStoreTx, triage.Attr(triage.AttrDBSystem, "sqlite"))
	end(triage.Errorf(triage.ECONFLICT, "ticket of 13912345678 changed"))
	spans := exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}
	s := spans[0]
	if s.Name != "GET /v1/search" || len(s.Events) != 0 || s.Status.Description != "" || s.Status.Code != codes.Error {
		t.Errorf("redacted span: name %q, events %v, status %+v", s.Name, s.Events, s.Status)
	}
	if len(s.Attributes) != 1 || s.Attributes[0].Key != "http.route" {
		t.Errorf("attributes %v, want http.route alone", s.Attributes)
	}
	tx := spans[1]
	if tx.Parent.SpanID() != s.SpanContext.SpanID() {
		t.Error("the store span is not a child of the request span")
	}
	want := map[attribute.Key]string{"db.system.name": "sqlite", "error.type": "conflict"}
	for _, a := range tx.Attributes {
		if want[a.Key] != a.Value.String() {
			t.Errorf("store span attribute %s=%s", a.Key, a.Value.String())
		}
	}
	if len(tx.Attributes) != len(want) || tx.Status.Code != codes.Error {
		t.Errorf("store span %v %+v", tx.Attributes, tx.Status)
	}
}

// TestJobLinksToItsQueuer: the trace context carried in a job links the
// job's span, in a trace of its own, to the span that queued it.
func TestJobLinksToItsQueuer(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tr := otel.New(exp)
	ctx, end := tr.Trace().Start(context.Background(), triage.SpanStoreTx)
	carried := tr.Carry(ctx)
	end(nil)
	if carried["traceparent"] == "" {
		t.Fatalf("carried %v", carried)
	}
	var inJob trace.SpanContext
	err := tr.Job(context.Background(), "webhook.deliver", 2, carried, func(ctx context.Context) error {
		inJob = trace.SpanContextFromContext(ctx)
		return errors.New("receiver down")
	})
	if err == nil {
		t.Fatal("the job's error was lost")
	}
	spans := exp.GetSpans()
	job := spans[1]
	if job.Name != "job.webhook.deliver" || job.SpanContext.SpanID() != inJob.SpanID() || job.Parent.IsValid() {
		t.Fatalf("job span %q parent %v", job.Name, job.Parent)
	}
	if len(job.Links) != 1 || job.Links[0].SpanContext.SpanID() != spans[0].SpanContext.SpanID() || job.SpanContext.TraceID() == spans[0].SpanContext.TraceID() {
		t.Fatalf("job links %v, want one to the queuing span in its own trace", job.Links)
	}
	// A job queued outside any trace has no link.
	if err := tr.Job(context.Background(), "sla.sweep", 1, nil, func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if l := exp.GetSpans()[2].Links; len(l) != 0 {
		t.Fatalf("links %v", l)
	}
}

// TestTransport: each attempt is a client span of its kind with the
// status code, and 5xx, 429 and transport errors count as failures.
func TestTransport(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	defer srv.Close()
	for _, on := range []bool{true, false} {
		exp := tracetest.NewInMemoryExporter()
		tr := otel.Off()
		if on {
			tr = otel.New(exp)
		}
		var calls, failures int
		client := &http.Client{Transport: tr.Transport(triage.OutboundWebhook, nil, func(k triage.OutboundKind, err error) {
			calls++
			if err != nil {
				failures++
			}
		})}
		for _, status = range []int{200, 404, 429, 500} {
			resp, err := client.Get(srv.URL + "/hook?secret=1")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		if calls != 4 || failures != 2 {
			t.Errorf("tracing %v: %d calls, %d failures; want 4 and 2 (429, 500)", on, calls, failures)
		}
		if spans := exp.GetSpans(); on && (len(spans) != 4 || spans[3].Name != "outbound webhook" || spans[3].Status.Code != codes.Error) {
			t.Errorf("spans %v", spans)
		}
	}
}

// otelTracer is a raw tracer of tr's provider, as a library (otelhttp)
// would use it, to show what Redact removes.
func otelTracer(tr *otel.Tracing) trace.Tracer { return otel.TracerForTest(tr) }
