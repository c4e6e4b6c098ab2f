package embed

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/egress"
)

// OpenAIConfig configures an embedder for any OpenAI-compatible endpoint
// (OpenAI, Azure's compatible mode, DeepSeek, Qwen, Ollama, vLLM).
type OpenAIConfig struct {
	// BaseURL of the API, path prefix included (".../v1"); default OpenAI's.
	BaseURL string
	APIKey  string
	Model   string // required
	// Dimensions is sent to the API when set (text-embedding-3 and later
	// can shorten their vectors); older models and many local servers
	// reject the field, so leave it zero for them and set Dim instead.
	Dimensions int
	// Dim is the vector length to expect and check; default Dimensions.
	// One of the two is required: the store sizes its vector columns by it.
	Dim int
	// BatchSize is how many texts go in one request (default 64).
	BatchSize int
	// Resilience defaults to a 30 s attempt, 4 retries, backoff of 500 ms
	// to 20 s and a Retry-After of at most a minute: embedding runs as a
	// background job that can wait.
	Resilience
}

// OpenAI embeds through an OpenAI-compatible embeddings API.
type OpenAI struct {
	cfg     OpenAIConfig
	client  *openai.Client
	breaker *breaker
}

var _ triage.Embedder = (*OpenAI)(nil)

// NewOpenAI checks cfg and returns the embedder; it makes no request.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, triage.Invalid("model", "the embedding model is required")
	}
	if cfg.Dimensions < 0 || cfg.Dim < 0 {
		return nil, triage.Invalid("dimensions", "dimensions must not be negative")
	}
	if cfg.Dim == 0 {
		cfg.Dim = cfg.Dimensions
	}
	if cfg.Dim == 0 {
		return nil, triage.Invalid("dimensions", "set the vector length of model %s (dimensions or dim)", cfg.Model)
	}
	if cfg.Dimensions > 0 && cfg.Dim != cfg.Dimensions {
		return nil, triage.Invalid("dim", "dim %d differs from the dimensions %d asked of the API", cfg.Dim, cfg.Dimensions)
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 64
	}
	cfg.Resilience = cfg.Resilience.withDefaults(Resilience{Timeout: 30 * time.Second, MaxRetries: 4, MaxBackoff: 20 * time.Second, MaxRetryAfter: time.Minute})
	client, br, err := cfg.client(cfg.APIKey, cfg.BaseURL, "")
	if err != nil {
		return nil, err
	}
	return &OpenAI{cfg: cfg, client: client, breaker: br}, nil
}

// Model returns "openai:<model>@<dim>", so that a change of model or of
// dimensions shows in the name stored with every vector.
func (e *OpenAI) Model() string { return fmt.Sprintf("openai:%s@%d", e.cfg.Model, e.cfg.Dim) }

// Dim returns the vector length.
func (e *OpenAI) Dim() int { return e.cfg.Dim }

// Embed masks texts, sends them in batches and returns unit vectors in
// input order. Empty texts get a zero vector without a request (the API
// rejects them).
func (e *OpenAI) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var batch []egress.Text
	var where []int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		vecs, err := e.embedBatch(ctx, batch)
		if err != nil {
			return err
		}
		for i, v := range vecs {
			out[where[i]] = v
		}
		batch, where = batch[:0], where[:0]
		return nil
	}
	for i, t := range egress.MaskAll(texts) {
		if strings.TrimSpace(t.String()) == "" {
			out[i] = make([]float32, e.cfg.Dim)
			continue
		}
		batch = append(batch, t)
		where = append(where, i)
		if len(batch) == e.cfg.BatchSize {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// embedBatch takes masked texts only; the client's transport masks
// again, for any request this package may add later.
func (e *OpenAI) embedBatch(ctx context.Context, batch []egress.Text) ([][]float32, error) {
	if !e.breaker.allow() {
		err := triage.Errorf(triage.EUNAVAILABLE, "embedding service %s is failing; not calling it for up to %s", e.cfg.Model, e.cfg.BreakerCooldown)
		r := triage.NewReason(triage.ReasonSearchVectorBreakerOpen, e.breaker.retryIn().Seconds())
		err.Reason = &r
		return nil, err
	}
	resp, err := e.client.CreateEmbeddings(ctx, openai.EmbeddingRequest{
		Input:      egress.Strings(batch),
		Model:      openai.EmbeddingModel(e.cfg.Model),
		Dimensions: e.cfg.Dimensions,
	})
	if err != nil {
		o, terr := e.classify(ctx, err)
		e.breaker.record(o)
		return nil, terr
	}
	vecs, err := e.check(resp.Data, len(batch))
	// A malformed answer is the endpoint's fault but not an outage: the
	// breaker would not help, retrying gives the same answer.
	e.breaker.record(healthy)
	return vecs, err
}

// check puts the vectors in input order by their index and verifies there
// is exactly one of the expected length per input.
func (e *OpenAI) check(data []openai.Embedding, n int) ([][]float32, error) {
	bad := func(format string, args ...any) error {
		return &triage.Error{Code: triage.EUNAVAILABLE, Message: fmt.Sprintf("embedding service %s: ", e.cfg.Model) + fmt.Sprintf(format, args...)}
	}
	if len(data) != n {
		return nil, bad("sent %d texts, got %d vectors", n, len(data))
	}
	out := make([][]float32, n)
	for _, d := range data {
		if d.Index < 0 || d.Index >= n {
			return nil, bad("vector index %d out of range for %d texts", d.Index, n)
		}
		if out[d.Index] != nil {
			return nil, bad("two vectors for index %d", d.Index)
		}
		if len(d.Embedding) != e.cfg.Dim {
			return nil, &triage.Error{Code: triage.EINVALID, Field: "dimensions", Message: fmt.Sprintf(
				"embedding model %s returned %d dimensions, expected %d: check the configured dimensions", e.cfg.Model, len(d.Embedding), e.cfg.Dim)}
		}
		v := make([]float32, len(d.Embedding))
		copy(v, d.Embedding)
		normalize(v)
		out[d.Index] = v
	}
	return out, nil
}

// classify maps a go-openai error to the service's codes and tells the
// breaker whether it was an outage.
func (e *OpenAI) classify(ctx context.Context, err error) (outcome, error) {
	if ctx.Err() != nil {
		return unknown, &triage.Error{Code: triage.EUNAVAILABLE, Message: "embedding cancelled", Err: err}
	}
	status := 0
	var ae *openai.APIError
	var re *openai.RequestError
	switch {
	case errors.As(err, &ae):
		status = ae.HTTPStatusCode
	case errors.As(err, &re):
		status = re.HTTPStatusCode
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return healthy, &triage.Error{Code: triage.EINVALID, Field: "api_key", Message: fmt.Sprintf("embedding service refused the credentials (HTTP %d)", status), Err: err}
	case status == http.StatusNotFound:
		return healthy, &triage.Error{Code: triage.EINVALID, Field: "base_url", Message: fmt.Sprintf("embedding service has no model %s at the configured base URL (HTTP 404)", e.cfg.Model), Err: err}
	case status >= 400 && status < 500 && status != http.StatusTooManyRequests && status != http.StatusRequestTimeout:
		return healthy, &triage.Error{Code: triage.EINVALID, Message: fmt.Sprintf("embedding service rejected the request (HTTP %d)", status), Err: err}
	case status != 0:
		return outage, &triage.Error{Code: triage.EUNAVAILABLE, Message: fmt.Sprintf("embedding service unavailable (HTTP %d)", status), Err: err}
	}
	return outage, &triage.Error{Code: triage.EUNAVAILABLE, Message: "embedding service unreachable", Err: err}
}
