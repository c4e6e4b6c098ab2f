// Package otel traces the service with OpenTelemetry: a span for each
// HTTP request (otelhttp around the server, named by the route template),
// for triage, store transactions, searches, background jobs (linked to the
// request that queued them through a W3C trace context carried in the
// job) and every call to an outside endpoint.
//
// It is configured by the standard OTEL_* environment variables and is off
// unless they ask for an exporter: then every hook is nil or a pass-through
// and tracing costs nothing.
//
// Whatever is exported passes Redact first, the one point where spans
// leave the process: only the attribute keys the service declares
// (triage.SpanKeys) and a few HTTP ones (method, route, status) survive;
// events (which carry error messages), status descriptions and link
// attributes are dropped. A library that adds the client's address, the
// URL or a user agent to its spans therefore cannot leak them.
package otel

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/triagehq/triage"
)

// Tracing is the service's tracer, or its absence. The zero value and a
// nil *Tracing are off.
type Tracing struct {
	tp     *sdktrace.TracerProvider
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
}

// instrumentation names the tracer.
const instrumentation = "github.com/triagehq/triage"

// Env reads one environment variable; os.Getenv in production.
type Env func(key string) string

// FromEnv builds the tracer the OTEL_* environment variables describe:
//
//   - OTEL_TRACES_EXPORTER: otlp (OTLP over HTTP/protobuf), console (JSON
//     on standard error) or none. Unset means none, unless an OTLP
//     endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or
//     OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), which means otlp.
//   - OTEL_SDK_DISABLED=true turns tracing off whatever else is set.
//   - OTEL_EXPORTER_OTLP_*: the exporter's endpoint, headers, timeout,
//     certificate and compression, read by the OTLP exporter itself.
//   - OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES name the service
//     (default service.name "triage").
//   - OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG choose the sampler
//     (default parentbased_always_on), OTEL_BSP_* tune the batching.
//
// A value it does not know is an EINVALID error naming the variable. env
// decides whether tracing is on, the exporter and the sampler; the OTLP
// exporter and the resource read their own variables from the process
// environment.
func FromEnv(ctx context.Context, version string, env Env) (*Tracing, error) {
	if env == nil {
		env = os.Getenv
	}
	if strings.EqualFold(strings.TrimSpace(env("OTEL_SDK_DISABLED")), "true") {
		return Off(), nil
	}
	name := strings.ToLower(strings.TrimSpace(env("OTEL_TRACES_EXPORTER")))
	if name == "" && (env("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "") {
		name = "otlp"
	}
	if name == "" || name == "none" {
		return Off(), nil
	}
	smp, err := sampler(env)
	if err != nil {
		return nil, err
	}
	var exp sdktrace.SpanExporter
	switch name {
	case "otlp":
		proto := env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
		if proto == "" {
			proto = env("OTEL_EXPORTER_OTLP_PROTOCOL")
		}
		if proto != "" && proto != "http/protobuf" {
			return nil, triage.Invalid("OTEL_EXPORTER_OTLP_PROTOCOL", "OTLP protocol %q is not supported; use http/protobuf", proto)
		}
		exp, err = otlptracehttp.New(ctx)
	case "console":
		exp, err = stdouttrace.New(stdouttrace.WithWriter(os.Stderr))
	default:
		return nil, triage.Invalid("OTEL_TRACES_EXPORTER", "trace exporter %q is not supported; use otlp, console or none", name)
	}
	if err != nil {
		return nil, fmt.Errorf("trace exporter %s: %w", name, err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "triage"), attribute.String("service.version", version)),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES win
	)
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithBatcher(Redact(exp)), sdktrace.WithResource(res)}
	if smp != nil {
		opts = append(opts, sdktrace.WithSampler(smp))
	}
	return newTracing(sdktrace.NewTracerProvider(opts...)), nil
}

// New traces into exp synchronously, every span sampled, through Redact:
// for tests, with an in-memory exporter (sdk/trace/tracetest).
func New(exp sdktrace.SpanExporter) *Tracing {
	return newTracing(sdktrace.NewTracerProvider(sdktrace.WithSyncer(Redact(exp)), sdktrace.WithSampler(sdktrace.AlwaysSample())))
}

func newTracing(tp *sdktrace.TracerProvider) *Tracing {
	return &Tracing{tp: tp, tracer: tp.Tracer(instrumentation), prop: propagation.TraceContext{}}
}

// Off is tracing switched off.
func Off() *Tracing { return &Tracing{} }

// Enabled reports whether spans are recorded.
func (t *Tracing) Enabled() bool { return t != nil && t.tp != nil }

// Shutdown exports what is buffered and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	return t.tp.Shutdown(ctx)
}

// Trace is the hook the service's packages start spans with; nil when
// tracing is off, so they skip it at the cost of a nil check.
func (t *Tracing) Trace() triage.Trace {
	if !t.Enabled() {
		return nil
	}
	return t.start
}

func (t *Tracing) start(ctx context.Context, name triage.SpanName, attrs ...triage.SpanAttr) (context.Context, triage.EndSpan) {
	ctx, span := t.tracer.Start(ctx, string(name), trace.WithAttributes(convert(attrs)...))
	return ctx, func(err error, attrs ...triage.SpanAttr) { end(span, err, attrs) }
}

// end records the outcome of a span: the error's code, never its message.
func end(span trace.Span, err error, attrs []triage.SpanAttr) {
	if len(attrs) > 0 {
		span.SetAttributes(convert(attrs)...)
	}
	if err != nil {
		code := triage.ErrorCode(err)
		span.SetAttributes(attribute.String(string(triage.AttrErrorCode), code))
		span.SetStatus(codes.Error, code)
	}
	span.End()
}

func convert(attrs []triage.SpanAttr) []attribute.KeyValue {
	out := make([]attribute.KeyValue, 0, len(attrs))
	for _, a := range attrs {
		k := string(a.Key)
		switch v := a.Value.(type) {
		case string:
			out = append(out, attribute.String(k, v))
		case bool:
			out = append(out, attribute.Bool(k, v))
		case int:
			out = append(out, attribute.Int(k, v))
		case int64:
			out = append(out, attribute.Int64(k, v))
		case float64:
			out = append(out, attribute.Float64(k, v))
		default:
			out = append(out, attribute.String(k, fmt.Sprintf("%T", v))) // the type, never the value
		}
	}
	return out
}

// Handler wraps the HTTP server's handler in otelhttp: a server span for
// every request, continuing a W3C traceparent the client sent. Its name is
// the method until Route names the route; h itself when tracing is off.
func (t *Tracing) Handler(h http.Handler) http.Handler {
	if !t.Enabled() {
		return h
	}
	return otelhttp.NewHandler(h, "http",
		otelhttp.WithTracerProvider(t.tp),
		otelhttp.WithPropagators(t.prop),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
	)
}

// Route names the request's server span by its method and route template
// (never the URL, which holds ids and queries) once the router knows it.
func (t *Tracing) Route(ctx context.Context, method, route string) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.SetName(method + " " + route)
	span.SetAttributes(attribute.String("http.route", route))
}

// Carry returns the trace context of ctx as W3C headers (traceparent,
// tracestate), to travel with a job; nil when there is none.
func (t *Tracing) Carry(ctx context.Context) map[string]string {
	if !t.Enabled() || !trace.SpanContextFromContext(ctx).IsValid() {
		return nil
	}
	c := propagation.MapCarrier{}
	t.prop.Inject(ctx, c)
	return c
}

// Job runs one attempt of a job in a span named job.<kind>. The span
// starts a trace of its own, linked to the span that queued the job when
// the job carried one: a job may run long after, or many times.
func (t *Tracing) Job(ctx context.Context, kind string, attempt int, carried map[string]string, run func(context.Context) error) error {
	if !t.Enabled() {
		return run(ctx)
	}
	opts := []trace.SpanStartOption{trace.WithNewRoot(), trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String(string(triage.AttrJobKind), kind), attribute.Int(string(triage.AttrJobAttempt), attempt))}
	if len(carried) > 0 {
		if sc := trace.SpanContextFromContext(t.prop.Extract(context.Background(), propagation.MapCarrier(carried))); sc.IsValid() {
			opts = append(opts, trace.WithLinks(trace.Link{SpanContext: sc}))
		}
	}
	ctx, span := t.tracer.Start(ctx, "job."+kind, opts...)
	err := run(ctx)
	end(span, err, nil)
	return err
}
