package otel

import "go.opentelemetry.io/otel/trace"

// TracerForTest exposes the provider's tracer to the tests, as a library
// instrumenting the server would get it.
func TracerForTest(t *Tracing) trace.Tracer { return t.tp.Tracer("library") }
