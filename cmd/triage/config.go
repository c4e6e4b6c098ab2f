package main

import (
	"flag"

	"fmt"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/kb"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Config is the service's configuration, from flags with environment
// fallbacks (TRIAGE_ADDR for --addr and so on).
type Config struct {
	Addr     string
	DataDir  string
	DB       string
	Demo     bool
	LogLevel string
	// AdminToken comes from TRIAGE_ADMIN_TOKEN only: a secret on the
	// command line would show in ps.
	AdminToken string
	BodyLimit  int64
	// Threshold is the confidence under which triage leaves the category
	// to a person.
	Threshold float64
	// RetrainEvery is how many newly closed tickets trigger retraining.
	RetrainEvery int
	// VectorWeight weighs the vector list against the lexical one in
	// hybrid search.
	VectorWeight float64
	// An OpenAI-compatible embeddings endpoint replaces the local
	// embedder when EmbedModel is set.
	EmbedBaseURL, EmbedModel, EmbedAPIKey string
	EmbedDim                              int
	// An OpenAI-compatible chat endpoint writes drafts when LLMModel is
	// set; without one, drafts are extractive.
	LLMBaseURL, LLMModel, LLMAPIKey string
	slaConfig
	opsConfig
}

// parseFlags parses args into fs and then fills every flag not given on
// the command line from TRIAGE_<NAME>.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		env := "TRIAGE_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if e := f.Value.Set(v); e != nil {
				err = &usageError{fmt.Sprintf("%s=%q: %v", env, v, e)}
			}
		}
	})
	return err
}

func (c *Config) storeFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", "./data", "data directory of the embedded store (database, indexes)")
	fs.StringVar(&c.DB, "db", "", "postgres://… URL to use PostgreSQL instead of the embedded store")
}

func (c *Config) serveFlags(fs *flag.FlagSet) {
	c.storeFlags(fs)
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.BoolVar(&c.Demo, "demo", false, "load the demo data set into an empty store")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.Int64Var(&c.BodyLimit, "body-limit", 1<<20, "largest request body in bytes")
	fs.Float64Var(&c.Threshold, "abstain-threshold", classify.DefaultThreshold, "confidence under which triage leaves the category to a person (needs_review)")
	fs.IntVar(&c.RetrainEvery, "retrain-every", classify.DefaultMinNew, "retrain the classifier after this many newly closed tickets")
	c.searchFlags(fs)
	c.slaFlags(fs)
	c.opsFlags(fs)
}

// searchFlags configure search, embeddings and drafts. API keys come from
// the environment only (TRIAGE_EMBED_API_KEY, TRIAGE_LLM_API_KEY), never
// from the command line, where ps would show them.
func (c *Config) searchFlags(fs *flag.FlagSet) {
	fs.Float64Var(&c.VectorWeight, "vector-weight", kb.DefaultVectorWeight, "weight of the vector list against the lexical one in hybrid search")
	fs.StringVar(&c.EmbedBaseURL, "embed-base-url", "", "OpenAI-compatible embeddings endpoint (e.g. https://api.openai.com/v1); default: the local embedder")
	fs.StringVar(&c.EmbedModel, "embed-model", "", "embedding model of that endpoint; setting it replaces the local embedder")
	fs.IntVar(&c.EmbedDim, "embed-dim", 0, "embedding dimensions to request (0: the model's)")
	fs.StringVar(&c.LLMBaseURL, "llm-base-url", "", "OpenAI-compatible chat endpoint for drafts (OpenAI, DeepSeek, Qwen, Ollama, vLLM …)")
	fs.StringVar(&c.LLMModel, "llm-model", "", "chat model for drafts; without one, drafts are extractive")
}

func (c *Config) dbPath() string { return filepath.Join(c.DataDir, "triage.db") }
