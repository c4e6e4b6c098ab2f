package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/triagehq/triage"
)

// What an operator alerts on beyond the request latency: jobs that wait
// too long, outside endpoints that fail, and documents the vector index
// lacks.

// Waiting is the jobs of one kind that are due and not done, and how long
// the oldest has waited, in seconds.
type Waiting struct {
	Kind          string
	Jobs          int
	OldestSeconds float64
}

func newOutbound() (calls, errs *prometheus.CounterVec) {
	calls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "triage_outbound_requests_total",
		Help: "Calls to outside endpoints by kind (chat, embeddings, smtp, webhook, wechat), every attempt counted, since the start.",
	}, []string{"kind"})
	errs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "triage_outbound_errors_total",
		Help: "Failed calls to outside endpoints by kind: no answer, a 5xx or 429 status, or the client's error; divide by triage_outbound_requests_total for the error rate.",
	}, []string{"kind"})
	// Every kind is present from the start, so a rate is defined before
	// the first failure.
	for _, k := range triage.OutboundKinds() {
		calls.WithLabelValues(string(k))
		errs.WithLabelValues(string(k))
	}
	return calls, errs
}

// ObserveOutbound records one call to an outside endpoint of the given
// kind; err is nil on success.
func (m *Metrics) ObserveOutbound(kind triage.OutboundKind, err error) {
	m.outbound.WithLabelValues(string(kind)).Inc()
	if err != nil {
		m.outboundErrors.WithLabelValues(string(kind)).Inc()
	}
}

// opsScraped reads the job waits and the vector index's gap at scrape
// time.
type opsScraped struct {
	src                  Sources
	depth, oldest, noVec *prometheus.Desc
}

func newOpsScraped(src Sources) *opsScraped {
	return &opsScraped{
		src:    src,
		depth:  prometheus.NewDesc("triage_job_queue_depth", "Jobs due and not done by kind: waiting for a worker, running, or failed and waiting to be tried again (jobs scheduled for later are not counted).", []string{"kind"}, nil),
		oldest: prometheus.NewDesc("triage_job_oldest_age_seconds", "How long the oldest job of the kind that is due and not done has waited: since it became due, or since it was queued when it has failed before; absent when none waits.", []string{"kind"}, nil),
		noVec:  prometheus.NewDesc("triage_index_vector_missing", "Searchable documents without a vector of the embedder in use, by kind (article, ticket): the vector index's lag.", []string{"kind"}, nil),
	}
}

func (c *opsScraped) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depth
	ch <- c.oldest
	ch <- c.noVec
}

func (c *opsScraped) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), ScrapeTimeout)
	defer cancel()
	if c.src.Waiting != nil {
		ws, err := c.src.Waiting(ctx)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.depth, err)
		}
		for _, w := range ws {
			ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(w.Jobs), w.Kind)
			ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, w.OldestSeconds, w.Kind)
		}
	}
	if c.src.VectorMissing != nil {
		missing, err := c.src.VectorMissing(ctx)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.noVec, err)
		}
		for _, kind := range []string{triage.DocArticle, triage.DocTicket} {
			if missing != nil {
				ch <- prometheus.MustNewConstMetric(c.noVec, prometheus.GaugeValue, float64(missing[kind]), kind)
			}
		}
	}
}
