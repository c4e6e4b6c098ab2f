package triage

import "context"

// Tracing. A span is one named step of a request or a job (a store
// transaction, a search, a call to an outside endpoint) that a tracer
// records with its duration, its parent and its outcome. The packages that
// do the steps take a Trace and stay ignorant of the tracer (package otel
// in production); a nil Trace records nothing and costs a nil check.
//
// Span names and attribute keys are the constants below, declared once:
// what a span may carry is decided here, never from the text of a
// ticket, so a trace cannot leak a customer's words, address or phone.

// Trace starts a span named name, a child of the span in ctx, and returns
// the context that carries it and the function that ends it with the
// step's error (nil for success) and any attributes learnt on the way.
type Trace func(ctx context.Context, name SpanName, attrs ...SpanAttr) (context.Context, EndSpan)

// EndSpan ends a span, recording err's code (never its message, which may
// quote a customer) when err is not nil.
type EndSpan func(err error, attrs ...SpanAttr)

// Start starts a span with t, or returns ctx and a no-op end when t is nil.
func (t Trace) Start(ctx context.Context, name SpanName, attrs ...SpanAttr) (context.Context, EndSpan) {
	if t == nil {
		return ctx, func(error, ...SpanAttr) {}
	}
	return t(ctx, name, attrs...)
}

// SpanName names a kind of span.
type SpanName string

// The spans the service records (besides one per HTTP request, named by
// its method and route template, and one per job, named job.<kind>).
const (
	SpanTriage         SpanName = "triage"
	SpanTriagePrepare  SpanName = "triage.prepare"
	SpanTriageClassify SpanName = "triage.classify"
	SpanTriageRoute    SpanName = "triage.route"
	SpanStoreTx        SpanName = "store.tx"
	SpanSearchLexical  SpanName = "search.lexical"
	SpanSearchVector   SpanName = "search.vector"
	SpanOutbound       SpanName = "outbound"
)

// SpanKey is the key of a span attribute.
type SpanKey string

// The attributes spans may carry: labels, codes, counts and durations,
// never text a customer or an agent wrote.
const (
	AttrDBSystem       SpanKey = "db.system.name"    // sqlite or postgresql
	AttrTriageCategory SpanKey = "triage.category"   // the category decided ("" when left to a person)
	AttrTriagePriority SpanKey = "triage.priority"   // P1..P4
	AttrConfidence     SpanKey = "triage.confidence" // the category's confidence
	AttrNeedsReview    SpanKey = "triage.needs_review"
	AttrAssigned       SpanKey = "triage.assigned" // whether an agent was chosen
	AttrSearchKind     SpanKey = "search.kind"     // the document kind searched (article, ticket…)
	AttrSearchLimit    SpanKey = "search.limit"
	AttrSearchHits     SpanKey = "search.hits"
	AttrJobKind        SpanKey = "job.kind"
	AttrJobAttempt     SpanKey = "job.attempt"
	AttrOutboundKind   SpanKey = "outbound.kind" // chat, embeddings, smtp, webhook
	AttrErrorCode      SpanKey = "error.type"    // the triage error code of a failed step
)

// SpanKeys lists every attribute key a span of this service may carry.
func SpanKeys() []SpanKey {
	return []SpanKey{AttrDBSystem, AttrTriageCategory, AttrTriagePriority, AttrConfidence, AttrNeedsReview, AttrAssigned,
		AttrSearchKind, AttrSearchLimit, AttrSearchHits, AttrJobKind, AttrJobAttempt, AttrOutboundKind, AttrErrorCode}
}

// SpanAttr is one attribute of a span; Value is a string, bool, int,
// int64 or float64.
type SpanAttr struct {
	Key   SpanKey
	Value any
}

// Attr makes a span attribute.
func Attr(k SpanKey, v any) SpanAttr { return SpanAttr{Key: k, Value: v} }

// Outbound kinds: the outside endpoints the service calls, as spans and
// metrics name them.
type OutboundKind string

// The outbound kinds.
const (
	OutboundChat       OutboundKind = "chat"
	OutboundEmbeddings OutboundKind = "embeddings"
	OutboundSMTP       OutboundKind = "smtp"
	OutboundWebhook    OutboundKind = "webhook"
	OutboundWeChat     OutboundKind = "wechat"
)

// OutboundKinds lists the outbound kinds.
func OutboundKinds() []OutboundKind {
	return []OutboundKind{OutboundChat, OutboundEmbeddings, OutboundSMTP, OutboundWebhook, OutboundWeChat}
}
