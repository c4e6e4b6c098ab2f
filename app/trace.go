package app

import (
	"context"
	"net/http"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/email"
	"github.com/triagehq/triage/mail"
	"github.com/triagehq/triage/metrics"
	"github.com/triagehq/triage/otel"
	"github.com/triagehq/triage/river"
)

// Tracing wiring (package otel): every hook is nil when tracing is off,
// so the code it would wrap runs as it is. The outbound metrics are fed
// either way.

// trace is the span hook the packages take; nil when tracing is off.
func (a *App) trace() triage.Trace { return a.Tracing.Trace() }

// jobTracer carries traces across the job queue; nil when tracing is off.
func (a *App) jobTracer() river.Tracer {
	if !a.Tracing.Enabled() {
		return nil
	}
	return a.Tracing
}

// apiTrace hooks the HTTP server into the tracer.
func (a *App) apiTrace() api.Trace {
	if !a.Tracing.Enabled() {
		return api.Trace{}
	}
	return api.Trace{Handler: a.Tracing.Handler, Route: a.Tracing.Route}
}

// observeOutbound counts one call to an outside endpoint. The metrics are
// built after the clients (openOps follows openSearch), so it looks them
// up at call time.
func (a *App) observeOutbound(kind triage.OutboundKind, err error) {
	if a.Metrics != nil {
		a.Metrics.ObserveOutbound(kind, err)
	}
}

// outbound wraps the transport of an outside HTTP endpoint of the given
// kind: a span per attempt and the outbound metrics.
func (a *App) outbound(kind triage.OutboundKind) func(http.RoundTripper) http.RoundTripper {
	return func(base http.RoundTripper) http.RoundTripper {
		return a.Tracing.Transport(kind, base, a.observeOutbound)
	}
}

// tracedText records each lexical search as a span; writes pass through.
type tracedText struct {
	triage.TextIndex
	trace triage.Trace
}

func (t tracedText) Search(ctx context.Context, q triage.TextQuery) (hits []triage.TextHit, err error) {
	ctx, end := t.trace.Start(ctx, triage.SpanSearchLexical, triage.Attr(triage.AttrSearchKind, q.Kind), triage.Attr(triage.AttrSearchLimit, q.K))
	defer func() { end(err, triage.Attr(triage.AttrSearchHits, len(hits))) }()
	return t.TextIndex.Search(ctx, q)
}

// tracedVectors records each vector search as a span.
type tracedVectors struct {
	triage.VectorIndex
	trace triage.Trace
}

func (t tracedVectors) Search(ctx context.Context, vec []float32, k int, keep func(docID string) bool) (hits []triage.VectorHit, err error) {
	ctx, end := t.trace.Start(ctx, triage.SpanSearchVector, triage.Attr(triage.AttrSearchLimit, k))
	defer func() { end(err, triage.Attr(triage.AttrSearchHits, len(hits))) }()
	return t.VectorIndex.Search(ctx, vec, k, keep)
}

// searchIndexes are the indexes the searcher reads, traced when tracing
// is on.
func (a *App) searchIndexes() (triage.TextIndex, triage.VectorIndex) {
	if !a.Tracing.Enabled() {
		return a.Text, a.Vectors
	}
	return tracedText{a.Text, a.trace()}, tracedVectors{a.Vectors, a.trace()}
}

// tracedSender is the SMTP sender with a span per mail and the outbound
// metrics.
type tracedSender struct {
	email.Sender
	a *App
}

func (s tracedSender) Send(ctx context.Context, o *mail.Outgoing) (id string, err error) {
	ctx, end := s.a.Tracing.Outbound(ctx, triage.OutboundSMTP)
	defer func() { end(err); s.a.observeOutbound(triage.OutboundSMTP, err) }()
	return s.Sender.Send(ctx, o)
}

// waiting reads the queue's waiting jobs for the metrics.
func (a *App) waiting(ctx context.Context) ([]metrics.Waiting, error) {
	ws, err := a.Jobs.Waiting(ctx)
	out := make([]metrics.Waiting, len(ws))
	for i, w := range ws {
		out[i] = metrics.Waiting{Kind: w.Kind, Jobs: w.Jobs, OldestSeconds: w.Oldest.Seconds()}
	}
	return out, err
}

// vectorMissing counts the searchable documents without a vector of the
// embedder in use.
func (a *App) vectorMissing(ctx context.Context) (map[string]int, error) {
	articles, tickets, err := a.Indexer.Missing(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]int{triage.DocArticle: len(articles), triage.DocTicket: len(tickets)}, nil
}

var _ email.Sender = tracedSender{}

// tracing is the configured tracer, or tracing off.
func tracing(cfg Config) *otel.Tracing {
	if cfg.Tracing != nil {
		return cfg.Tracing
	}
	return otel.Off()
}
