// Package metrics exposes the service's own health to Prometheus: request
// latency by route, the job queue's depth and failures, how far the search
// index lags the store, which model versions are serving, and ticket and
// webhook counts. It keeps its own registry (nothing global), so tests and
// several services in one process never collide.
//
// Figures that live in the store (tickets, jobs, index lag) are read when
// Prometheus scrapes, under a deadline, rather than counted in memory:
// they are then right after a restart and the same on every replica.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/triagehq/triage"
)

// JobCount is the jobs of one kind in one state, and the failed attempts
// they carry.
type JobCount struct {
	Kind, State    string
	Jobs, Failures int
}

// Sources are where the scraped figures come from; a nil source leaves
// its metrics out.
type Sources struct {
	// Jobs counts the job queue's jobs by kind and state.
	Jobs func(ctx context.Context) ([]JobCount, error)
	// IndexLag is how many change-log entries the search index has not
	// applied yet.
	IndexLag func(ctx context.Context) (int64, error)
	// Models names the model version serving each kind ("" for none).
	Models func() map[string]string
	// Tickets counts all tickets ever created and the active ones by status.
	Tickets func(ctx context.Context) (created int, active map[triage.Status]int, err error)
	// Skipped counts the stored values derived state left out since the
	// process started, by kind.
	Skipped func() map[triage.SkipKind]int
	// Backup is how the scheduled backups stand; nil when there are none.
	Backup func() triage.BackupStatus
	// Waiting counts the jobs due and not done by kind, with the wait of
	// the oldest (metrics_ops.go).
	Waiting func(ctx context.Context) ([]Waiting, error)
	// VectorMissing counts the searchable documents without a vector of
	// the embedder in use, by document kind (article, ticket).
	VectorMissing func(ctx context.Context) (map[string]int, error)
}

// ScrapeTimeout bounds the store reads of one scrape.
const ScrapeTimeout = 5 * time.Second

// Metrics is the service's registry and the instruments the code feeds.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.HistogramVec
	deliveries *prometheus.HistogramVec
	// outbound and outboundErrors count the calls to outside endpoints
	// by kind (metrics_ops.go).
	outbound, outboundErrors *prometheus.CounterVec
}

// New builds the registry: Go runtime and process metrics, build info,
// the instruments, and a collector that reads src at scrape time.
func New(version string, src Sources) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "triage_http_request_duration_seconds",
			Help:    "HTTP request latency by route template (not URL), method and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "code"}),
		deliveries: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "triage_webhook_delivery_duration_seconds",
			Help:    "Webhook delivery attempts by event and outcome (succeeded, retrying, failed), with their duration.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"event", "outcome"}),
	}
	m.outbound, m.outboundErrors = newOutbound()
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "triage_build_info", Help: "The running version; always 1."}, []string{"version"})
	build.WithLabelValues(version).Set(1)
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		build, m.requests, m.deliveries, newScraped(src),
	)
	reg.MustRegister(m.outbound, m.outboundErrors, newOpsScraped(src))
	return m
}

// Registry is the registry, for tests and for adding instruments.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in Prometheus' text format. Errors of one
// source are reported in the scrape (the figure is missing) rather than
// failing it.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, Timeout: ScrapeTimeout + time.Second})
}

// ObserveRequest records one request. route must be the route template
// (/v1/tickets/:id): a URL would make a series per ticket.
func (m *Metrics) ObserveRequest(method, route string, status int, took time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Observe(took.Seconds())
}

// ObserveDelivery records one webhook delivery attempt.
func (m *Metrics) ObserveDelivery(event, outcome string, took time.Duration) {
	m.deliveries.WithLabelValues(event, outcome).Observe(took.Seconds())
}

// scraped reads the store-backed figures when the registry is collected.
type scraped struct {
	src                                                  Sources
	jobs, failures, lag, model, created, active, skipped *prometheus.Desc
	backupAt, backupFailures, backupStale                *prometheus.Desc
}

func newScraped(src Sources) *scraped {
	return &scraped{
		src:      src,
		jobs:     prometheus.NewDesc("triage_jobs", "Jobs in the queue by kind and state (available, scheduled, running, retryable; completed, cancelled and discarded until pruned, about a day).", []string{"kind", "state"}, nil),
		failures: prometheus.NewDesc("triage_job_failures", "Failed attempts carried by the jobs in the queue, by kind and state: a retryable job has failed and waits for another try, a discarded one gave up.", []string{"kind", "state"}, nil),
		lag:      prometheus.NewDesc("triage_index_lag", "Change-log entries the search index has not applied yet.", nil, nil),
		model:    prometheus.NewDesc("triage_model_info", "The model version serving each kind; always 1.", []string{"kind", "version"}, nil),
		created:  prometheus.NewDesc("triage_tickets_created_total", "Tickets created, counted in the store (so it survives restarts).", nil, nil),
		active:   prometheus.NewDesc("triage_tickets_active", "Active tickets by status.", []string{"status"}, nil),
		skipped:  prometheus.NewDesc("triage_derived_skipped_total", "Stored values left out of derived state (dictionary, text and vector index, models, rules) since the start, by kind; GET /v1/skipped lists them.", []string{"kind"}, nil),

		backupAt:       prometheus.NewDesc("triage_backup_last_success_timestamp_seconds", "When the newest good scheduled backup was made (Unix time); absent before the first.", nil, nil),
		backupFailures: prometheus.NewDesc("triage_backup_failures", "Scheduled backups that failed since the last good one.", nil, nil),
		backupStale:    prometheus.NewDesc("triage_backup_stale", "1 when the newest good scheduled backup is older than twice the interval.", nil, nil),
	}
}

func (c *scraped) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.jobs, c.failures, c.lag, c.model, c.created, c.active, c.skipped, c.backupAt, c.backupFailures, c.backupStale} {
		ch <- d
	}
}

func (c *scraped) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), ScrapeTimeout)
	defer cancel()
	if c.src.Jobs != nil {
		jobs, err := c.src.Jobs(ctx)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.jobs, err)
		}
		for _, j := range jobs {
			ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(j.Jobs), j.Kind, j.State)
			ch <- prometheus.MustNewConstMetric(c.failures, prometheus.GaugeValue, float64(j.Failures), j.Kind, j.State)
		}
	}
	if c.src.IndexLag != nil {
		if lag, err := c.src.IndexLag(ctx); err != nil {
			ch <- prometheus.NewInvalidMetric(c.lag, err)
		} else {
			ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(lag))
		}
	}
	if c.src.Models != nil {
		for kind, v := range c.src.Models() {
			if v != "" {
				ch <- prometheus.MustNewConstMetric(c.model, prometheus.GaugeValue, 1, kind, v)
			}
		}
	}
	if c.src.Skipped != nil {
		counts := c.src.Skipped()
		for _, k := range triage.SkipKinds() {
			ch <- prometheus.MustNewConstMetric(c.skipped, prometheus.CounterValue, float64(counts[k]), string(k))
		}
	}
	if c.src.Backup != nil {
		b := c.src.Backup()
		if b.LastSuccess != nil {
			ch <- prometheus.MustNewConstMetric(c.backupAt, prometheus.GaugeValue, float64(b.LastSuccess.Unix()))
		}
		ch <- prometheus.MustNewConstMetric(c.backupFailures, prometheus.GaugeValue, float64(b.Failures))
		stale := 0.0
		if b.Stale {
			stale = 1
		}
		ch <- prometheus.MustNewConstMetric(c.backupStale, prometheus.GaugeValue, stale)
	}
	if c.src.Tickets != nil {
		created, active, err := c.src.Tickets(ctx)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.created, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(c.created, prometheus.CounterValue, float64(created))
		for _, st := range triage.Statuses() {
			if st.Active() {
				ch <- prometheus.MustNewConstMetric(c.active, prometheus.GaugeValue, float64(active[st]), string(st))
			}
		}
	}
}
