package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/email"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/limit"
	"github.com/triagehq/triage/sla"
)

// The flags of each command, bound to the fields of app.Config. Every flag
// can also be set in the environment as TRIAGE_<FLAG>; secrets come from
// the environment only (secrets), never from the command line, where ps
// would show them.

// parseFlags parses args into fs and then fills every flag not given on
// the command line from TRIAGE_<NAME>.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	if err := parse(fs, args, stdout, stderr); err != nil {
		return err
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

// secrets fills the configuration's secrets from the environment.
func secrets(c *app.Config) {
	c.AdminToken = os.Getenv("TRIAGE_ADMIN_TOKEN")
	c.AdminEmail = os.Getenv("TRIAGE_ADMIN_EMAIL")
	c.EmbedAPIKey, c.LLMAPIKey = os.Getenv("TRIAGE_EMBED_API_KEY"), os.Getenv("TRIAGE_LLM_API_KEY")
	c.MetricsToken = os.Getenv("TRIAGE_METRICS_TOKEN")
	c.SecretKey, c.OldSecretKeys = os.Getenv("TRIAGE_SECRET_KEY"), os.Getenv("TRIAGE_SECRET_KEYS_OLD")
	c.SMTPPassword = os.Getenv("TRIAGE_SMTP_PASSWORD")
	c.OIDC.ClientSecret = os.Getenv("TRIAGE_OIDC_CLIENT_SECRET")
}

func storeFlags(fs *flag.FlagSet, c *app.Config) {
	fs.StringVar(&c.DataDir, "data", "./data", "data directory of the embedded store (database, indexes)")
	fs.StringVar(&c.DB, "db", "", "postgres://… URL to use PostgreSQL instead of the embedded store")
}

// serveFlags are the flags of `triage serve`; logLevel receives
// --log-level.
func serveFlags(fs *flag.FlagSet, c *app.Config, logLevel *string) {
	storeFlags(fs, c)
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.BoolVar(&c.Demo, "demo", false, "load the demo data set into an empty store")
	fs.StringVar(logLevel, "log-level", "info", "debug, info, warn or error")
	fs.Int64Var(&c.BodyLimit, "body-limit", 1<<20, "largest request body in bytes")
	fs.Float64Var(&c.Threshold, "abstain-threshold", classify.DefaultThreshold, "confidence under which triage leaves the category to a person (needs_review)")
	fs.IntVar(&c.RetrainEvery, "retrain-every", classify.DefaultMinNew, "retrain the classifier after this many newly closed tickets")
	searchFlags(fs, c)
	fs.StringVar(&c.SurveyURL, "survey-url", "", "start of satisfaction survey links, the token follows (e.g. https://help.example.com/app/survey/); default: this server's survey page, /app/survey/")
	fs.StringVar(&c.PublicURL, "public-url", "", "the address customers reach this server at (e.g. https://help.example.com): the help centre's canonical links and sitemap start with it; default: http://<addr>")
	fs.StringVar(&c.BackupDir, "backup-dir", "", "where scheduled backups go (with --backup-every), each in a directory named by its UTC time; best on another disk")
	fs.DurationVar(&c.BackupEvery, "backup-every", 0, "back up the embedded store this often while serving (e.g. 6h); 0 for never")
	fs.IntVar(&c.BackupKeep, "backup-keep", app.DefaultBackupKeep, "how many scheduled backups to keep; older ones are removed")
	fs.StringVar(&c.CloseSolvedAfter, "close-solved-after", sla.DefaultCloseSolved, "close a ticket that has stayed solved this long in business time of the default calendar (4d, 36h), or off; a requester's reply reopens it before then. The default until an admin changes it on the automations page")
	fs.BoolFunc("kb-review", "require review of knowledge-base changes: a new article is published by someone other than its author, an edit of a published one becomes a revision another editor approves (default true; --kb-review=false publishes and edits in place). The default until an admin changes it on the review page", func(v string) error {
		on, err := strconv.ParseBool(v)
		c.KBReviewOff = !on
		return err
	})
	fs.Var((*list)(&c.WebhookAllow), "webhook-allow", "internal webhook destinations to allow, comma-separated CIDR prefixes, addresses or host names (e.g. 10.0.0.0/8,127.0.0.1); all others on loopback, private, link-local or metadata addresses are refused")
	rateFlags(fs, c)
	fs.DurationVar(&c.DuplicateWindow, "duplicate-window", desk.DefaultDuplicateWindow, "a new ticket is checked against the same requester's open tickets created this long before it")
	mailFlags(fs, c)
	oidcFlags(fs, c)
}

// rateFlags configure the API's rate limits (README "Rate limits").
func rateFlags(fs *flag.FlagSet, c *app.Config) {
	c.RateLimits = api.DefaultRateLimits()
	perMinute := func(q *limit.Rate, name, usage string) {
		fs.Func(name, fmt.Sprintf("%s (default %d; 0 turns it off)", usage, q.Limit), func(v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 0 {
				return fmt.Errorf("%q is not a number of requests a minute (0 or more)", v)
			}
			*q = limit.PerMinute(n)
			return nil
		})
	}
	perMinute(&c.RateLimits.Token, "rate-limit-token", "requests a minute one API token may make")
	perMinute(&c.RateLimits.Client, "rate-limit-client", "requests a minute one client address may make with any tokens")
	perMinute(&c.RateLimits.Public, "rate-limit-public", "requests a minute one client address may make to the routes without login (surveys)")
	perMinute(&c.RateLimits.AuthFailure, "rate-limit-auth-failures", "failed authentications a minute one client address may make before it is refused")
	fs.Var((*list)(&c.TrustedProxies), "trusted-proxies", "reverse proxies whose X-Forwarded-For names the client, comma-separated CIDR prefixes or addresses (e.g. 10.0.0.0/8); default none: the client is the connecting peer")
}

// mailFlags configure the e-mail channel.
func mailFlags(fs *flag.FlagSet, c *app.Config) {
	fs.StringVar(&c.SMTPURL, "smtp-url", "", "SMTP server for replies and surveys: smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465; the password may instead be in TRIAGE_SMTP_PASSWORD")
	fs.StringVar(&c.MailFrom, "mail-from", "", `who the service's mail is from, e.g. "极光商城客服 <support@aurora.example>" (default: the SMTP user name)`)
	fs.StringVar(&c.MailCA, "mail-ca", "", "PEM file of certificates to trust for the IMAP and SMTP servers, beside the system's (a company's own CA)")
	fs.IntVar(&c.SenderLimit, "mail-sender-limit", email.DefaultSenderLimit, "mails a minute one sender may write; more are kept but not imported (throttled)")
	fs.StringVar(&c.WeChatAPI, "wechat-api", "", "base URL of the 企业微信 API for the 微信客服 channel (default https://qyapi.weixin.qq.com; set it to reach it through a forwarding proxy with a fixed IP)")
}

// searchFlags configure search, embeddings and drafts.
func searchFlags(fs *flag.FlagSet, c *app.Config) {
	fs.Float64Var(&c.VectorWeight, "vector-weight", kb.DefaultVectorWeight, "weight of the vector list against the lexical one in hybrid search")
	fs.Float64Var(&c.PairedVectorWeight, "paired-vector-weight", kb.DefaultPairedVectorWeight, "weight of the vector list in hybrid search while the local embedder is fine-tuned on accepted suggestions")
	fs.StringVar(&c.EmbedBaseURL, "embed-base-url", "", "OpenAI-compatible embeddings endpoint (e.g. https://api.openai.com/v1); default: the local embedder")
	fs.StringVar(&c.EmbedModel, "embed-model", "", "embedding model of that endpoint; setting it replaces the local embedder")
	fs.IntVar(&c.EmbedDim, "embed-dim", 0, "embedding dimensions to request (0: the model's)")
	fs.DurationVar(&c.EmbedBudget, "embed-timeout", app.DefaultEmbedBudget, "how long search and suggestions wait for the embeddings endpoint of --embed-model before answering from the words alone (\"degraded\": true)")
	fs.StringVar(&c.LLMBaseURL, "llm-base-url", "", "OpenAI-compatible chat endpoint for drafts (OpenAI, DeepSeek, Qwen, Ollama, vLLM …)")
	fs.StringVar(&c.LLMModel, "llm-model", "", "chat model for drafts; without one, drafts are extractive")
}

// list is a comma-separated flag.
type list []string

func (l *list) String() string { return strings.Join(*l, ",") }
func (l *list) Set(v string) error {
	*l = strings.Split(v, ",")
	return nil
}
