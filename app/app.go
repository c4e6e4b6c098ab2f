// Package app builds the whole triage application from one Config: the
// store and its job queue, the segmenter, the text and vector indexes, the
// embedder, every service, the background jobs and the event
// subscriptions, and the HTTP server over them. It is the one place that
// knows every concrete type; cmd/triage turns flags into a Config and
// prints, and tests build the same App the binary runs.
//
// What follows what lives in the services that own it: each declares its
// jobs (Jobs) and the events it follows (Subscriptions), and App only
// registers them (jobs.go).
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/account"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/automate"
	"github.com/triagehq/triage/bleve"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/email"
	"github.com/triagehq/triage/eval"
	"github.com/triagehq/triage/helpcentre"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/kefu"
	"github.com/triagehq/triage/limit"
	"github.com/triagehq/triage/metrics"
	"github.com/triagehq/triage/notify"
	"github.com/triagehq/triage/otel"
	"github.com/triagehq/triage/report"
	"github.com/triagehq/triage/river"
	"github.com/triagehq/triage/seal"
	"github.com/triagehq/triage/segment"
	"github.com/triagehq/triage/sla"
	"github.com/triagehq/triage/suggest"
	"github.com/triagehq/triage/web"
)

// Config is everything the application is built from. The zero value of
// a field is its default unless its comment says otherwise.
type Config struct {
	// DataDir holds the embedded store, the text index and saved
	// evaluation reports; DB, a postgres:// URL, replaces the embedded
	// store (the text index stays in DataDir, as this replica's cache).
	DataDir string
	DB      string
	// Addr is where the server listens; survey links point to it unless
	// SurveyURL is set.
	Addr string
	// Demo loads the demo data set into an empty store at Start.
	Demo bool
	// AdminToken, when set, is the first admin token instead of a random
	// one.
	AdminToken string
	// AdminEmail is the first admin's sign-in address (TRIAGE_ADMIN_EMAIL);
	// "" means DefaultAdminEmail.
	AdminEmail string
	// BodyLimit caps request bodies; 0 means api.DefaultBodyLimit.
	BodyLimit int64
	// Version is reported by /healthz, metrics and webhook deliveries.
	Version string
	Log     *slog.Logger

	// Threshold is the confidence under which triage leaves the category
	// to a person; 0 means classify.DefaultThreshold.
	Threshold float64
	// RetrainEvery is how many newly closed tickets trigger retraining;
	// 0 means classify.DefaultMinNew.
	RetrainEvery int
	// VectorWeight weighs the vector list against the lexical one in
	// hybrid search; 0 means 1.
	VectorWeight float64
	// PairedVectorWeight replaces VectorWeight while the local embedder
	// is fine-tuned on accepted suggestions; 0 means
	// kb.DefaultPairedVectorWeight.
	PairedVectorWeight float64
	// An OpenAI-compatible embeddings endpoint replaces the local
	// embedder when EmbedModel is set.
	EmbedBaseURL, EmbedModel, EmbedAPIKey string
	EmbedDim                              int
	// EmbedBudget is how long a search or a suggestion waits for the
	// embeddings endpoint before answering from the words alone
	// (degraded); 0 means DefaultEmbedBudget. The local embedder has none.
	EmbedBudget time.Duration
	// An OpenAI-compatible chat endpoint writes drafts when LLMModel is
	// set; without one, drafts are extractive.
	LLMBaseURL, LLMModel, LLMAPIKey string

	// PublicURL is the address customers reach this server at (e.g.
	// https://help.example.com): the help centre's canonical links and
	// sitemap start with it. Default: http://Addr.
	PublicURL string
	// SurveyURL starts every survey link; the token follows it. Default:
	// this server's survey page.
	SurveyURL string
	// BackupEvery, when above zero, makes the service back up the
	// embedded store that often into a new directory under BackupDir,
	// keeping the newest BackupKeep (0 means DefaultBackupKeep).
	BackupDir   string
	BackupEvery time.Duration
	BackupKeep  int
	// CloseSolvedAfter is how long a ticket stays solved before it is
	// closed, in business time of the default calendar ("4d", "36h"), or
	// "off"; empty means sla.DefaultCloseSolved.
	CloseSolvedAfter string
	// KBReviewOff lets editors change published articles in place; by
	// default a person's edit of a published article is a revision that
	// another editor approves (kb.Service.RequireReview).
	KBReviewOff bool
	// WebhookAllow lists the internal destinations webhooks may reach
	// (CIDR prefixes, addresses or host names).
	WebhookAllow []string
	// DuplicateWindow is how far back an open ticket of the same
	// requester counts as the original of a new one; 0 means
	// desk.DefaultDuplicateWindow.
	DuplicateWindow time.Duration
	// MetricsToken is a bearer secret that may read /metrics and nothing
	// else.
	MetricsToken string
	// RateLimits are the request quotas of the API (api.RateLimits; `triage
	// serve` starts from api.DefaultRateLimits); the zero value limits
	// nothing. TrustedProxies (CIDR prefixes or addresses) are the reverse
	// proxies whose X-Forwarded-For names the client the quotas count.
	RateLimits     api.RateLimits
	TrustedProxies []string

	// OIDC configures single sign-on (app/sso.go); no issuer, none.
	OIDC OIDCConfig

	// SecretKey (TRIAGE_SECRET_KEY) seals mailbox passwords;
	// OldSecretKeys (TRIAGE_SECRET_KEYS_OLD) still open what they sealed.
	// Without a key the embedded store generates one in DataDir (see
	// openKeys).
	SecretKey, OldSecretKeys string
	// SMTPURL (smtp://user:pass@host:587 or smtps://…:465) sends the
	// service's mail from MailFrom; SMTPPassword, when set, replaces the
	// URL's password. Without SMTPURL no mail goes out.
	SMTPURL, SMTPPassword, MailFrom string
	// MailCA is a PEM file of certificates to trust, beside the system's,
	// for the IMAP and SMTP servers (a company's own CA).
	MailCA string
	// SenderLimit is how many mails a minute one sender may write before
	// the rest are throttled; 0 means email.DefaultSenderLimit.
	SenderLimit int
	// MailPoll, when set, is how often mailboxes without IDLE are polled,
	// mailbox settings re-read and a mailbox another replica holds tried
	// again (tests set it short).
	MailPoll time.Duration

	// WeChatAPI replaces 企业微信's API address (a forwarding proxy with
	// the fixed IP the corp trusts, or a test's fake); WeChatNow is the
	// WeChat channel's clock (tests move it past the 48-hour window).
	WeChatAPI string
	WeChatNow func() time.Time

	// MemIndex keeps the text index in memory: a one-off command must not
	// take the index a running server holds (what it writes reaches that
	// index through the change log), and tests need no directory.
	MemIndex bool
	// Segmenter, when set, is used instead of loading one (loading takes
	// seconds; tests share one); the store's dictionary is added to it.
	Segmenter *segment.Segmenter
	// Tracing records spans (package otel, app/trace.go); nil is off. The
	// caller that built it shuts it down.
	Tracing *otel.Tracing
}

// App is the running application: every concrete part, wired. Open builds
// it, Start brings its indexes up and starts its jobs, Serve answers
// requests, Close releases it. Tests drive the same App the binary runs.
type App struct {
	Config Config
	Log    *slog.Logger

	Store     Store
	Jobs      Queue
	Segmenter *segment.Segmenter

	Triager   *classify.Triager
	Trainer   *classify.Trainer
	Retrainer *classify.Retrainer
	Desk      *desk.Service
	Dups      *desk.Duplicates
	// Notifier fills the in-app notification centres from the events.
	Notifier *desk.Notifier
	// Accounts signs staff in with e-mail and password (app/accounts.go).
	Accounts *account.Service

	Text      *bleve.Index
	Vectors   triage.VectorIndex
	Embedding *kb.Embedding
	Indexer   *kb.Indexer
	Searcher  *kb.Searcher
	KB        *kb.Service
	Suggest   *suggest.Service

	SLA      *sla.Service
	Mail     *email.Service
	WeChat   *kefu.Service
	Keys     *seal.Keyring
	Webhooks *notify.Service
	Reports  *report.Service
	Metrics  *metrics.Metrics
	// Backups is the scheduled backup; nil unless BackupEvery is set.
	Backups *Backups

	// Help is the public help centre; helpPages serves its pages.
	Help      *helpcentre.Service
	helpPages *helpcentre.Handler

	// Automations runs triggers and time rules; closeSolved is the
	// built-in time rule's default setting (--close-solved-after), until
	// an admin saves the workflow settings (Settings).
	Automations *automate.Service
	closeSolved string
	Settings    *sla.Settings

	Server *api.Server
	// Tracing is Config.Tracing, or tracing off.
	Tracing *otel.Tracing

	// skipped reports the stored values derived state left out.
	skipped *skips
	// rebuild says the text index was missing or damaged at Open.
	rebuild bool
	// keySource says where Keys came from; mailSettings is what the
	// admin page shows of the mail configuration.
	keySource    string
	mailSettings api.MailSettings
	// sso is single sign-on when configured, ssoName its button's label.
	sso     api.SSO
	ssoName string
	// phases times the stages of Open and Start (app/startup.go).
	phases phases
	// registered lists the job kinds given a handler, in order, and
	// subscriptions every service's event subscriptions.
	registered    []string
	subscriptions []triage.Subscription
}

// Store is what the application needs of either store.
type Store interface {
	triage.Store
	// Locker lets one replica at a time fetch a mailbox.
	triage.Locker
	// SchemaVersion is the migration the store is at.
	SchemaVersion() int64
}

// Queue is river on either store. Jobs that follow a write are inserted by
// the store itself, in the write's transaction; Insert takes the rest.
type Queue interface {
	triage.Queue
	Handle(kind string, h triage.JobHandler)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	// Stats counts jobs by kind and state, for metrics.
	Stats(ctx context.Context) ([]river.Stat, error)
	// Queued lists the jobs not yet done, oldest first.
	Queued(ctx context.Context) ([]triage.Job, error)
	// Waiting counts the jobs due and not done by kind, for metrics.
	Waiting(ctx context.Context) ([]river.Waiting, error)
}

// Open opens the store and builds every part, without starting anything:
// the same for the server and for a one-off command.
func Open(ctx context.Context, cfg Config) (*App, error) {
	a := &App{Config: cfg, Log: cfg.Log, Tracing: tracing(cfg)}
	if a.Log == nil {
		a.Log = slog.Default()
	}
	a.skipped = &skips{log: a.Log}
	proxies, err := limit.ParseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	a.Config.RateLimits.Proxies = proxies
	if err := a.open(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) open(ctx context.Context) error {
	if err := os.MkdirAll(a.Config.DataDir, 0o750); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	// The dictionary loads on the other core while the store opens (and
	// migrates) and the rest is built; open waits for it at the end.
	a.Segmenter = a.Config.Segmenter
	loading := a.Segmenter == nil
	if loading {
		a.Segmenter = segment.Load(segment.Options{})
	}
	if err := a.timed("store", func() error { return a.openStore(ctx) }); err != nil {
		return err
	}
	if err := a.timed("dictionary", func() error { return a.openSegmenter(ctx, loading) }); err != nil {
		return err
	}
	router := &classify.Router{}
	a.Triager = &classify.Triager{Segmenter: a.Segmenter, Router: router, Threshold: a.Config.Threshold, Skip: a.skipped.skip}
	a.Triager.Trace = a.trace()
	if err := a.timed("models", func() error { return a.Triager.LoadModels(ctx, a.Store) }); err != nil {
		return fmt.Errorf("loading the active models: %w", err)
	}
	a.Trainer = &classify.Trainer{Store: a.Store, Segmenter: a.Segmenter, MinNew: a.Config.RetrainEvery}
	a.Desk = &desk.Service{Store: a.Store, Log: a.Log, Intake: a.Triager, Router: router, Normalize: a.Segmenter.Normalize, Segmenter: a.Segmenter, Dict: a.Segmenter, ModelSink: a.Triager}
	shadower := &classify.Shadower{Segmenter: a.Segmenter, Triager: a.Triager}
	if err := a.timed("shadow", func() error { return shadower.Load(ctx, a.Store, a.skipped.skip) }); err != nil {
		return fmt.Errorf("loading the shadow trials: %w", err)
	}
	a.Desk.Shadow = shadower
	a.Dups = &desk.Duplicates{Store: a.Store, Words: a.Segmenter.Words, Window: a.Config.DuplicateWindow}
	a.Notifier = &desk.Notifier{Store: a.Store}
	if err := a.timed("search", func() error { return a.openSearch(ctx) }); err != nil {
		return err
	}
	a.Retrainer = &classify.Retrainer{Trainer: a.Trainer, Triager: a.Triager, Queue: a.Jobs, Log: a.Log,
		TrainEmbedder: func(ctx context.Context) error { return a.Embedding.Retrain(ctx, nil) }}
	closeSolved := a.Config.CloseSolvedAfter
	if closeSolved == "" {
		closeSolved = sla.DefaultCloseSolved
	}
	closeAfter, err := sla.ParseCloseSolved(closeSolved)
	if err != nil {
		return err
	}
	a.SLA = &sla.Service{Store: a.Store, Tickets: a.Desk, SurveyURL: a.surveyURL(), CloseSolved: closeAfter, Queue: a.Jobs, Log: a.Log}
	if err := a.SLA.Seed(ctx); err != nil {
		return err
	}
	if err := a.SLA.ScheduleCloseSweep(ctx, time.Now().Add(time.Minute)); err != nil {
		return err
	}
	if err := a.openBackups(); err != nil {
		return err
	}
	if err := a.openOps(ctx); err != nil {
		return err
	}
	if err := a.openMail(ctx); err != nil {
		return err
	}
	if err := a.openWeChat(); err != nil {
		return err
	}
	if err := a.openHelp(); err != nil {
		return err
	}
	if err := a.openAccounts(); err != nil {
		return err
	}
	a.closeSolved = "off"
	if closeAfter != nil {
		a.closeSolved = closeAfter.String()
	}
	a.openSettings()
	if err := a.openAutomations(ctx); err != nil {
		return err
	}
	if err := a.registerJobs(); err != nil {
		return err
	}
	a.Server = api.New(a.APIConfig())
	// What is left of loading the dictionary: nothing above cuts text, so
	// this is the only wait (a method that cuts waits by itself).
	return a.timed("segmenter", a.Segmenter.Wait)
}

// openSegmenter adds the store's user dictionary to the segmenter: to
// the one Load is loading (loading), as its last words, else to the one
// Config gave. A stored word the segmenter refuses is left out and
// reported, never a reason not to start.
func (a *App) openSegmenter(ctx context.Context, loading bool) error {
	words, err := a.Store.DictWords(ctx)
	if err != nil {
		return err
	}
	dict := make([]triage.DictWord, len(words))
	for i, w := range words {
		dict[i] = *w
	}
	skip := func(w triage.DictWord, err error) {
		a.skipped.skip(triage.SkipDictionary, w.Word, err)
	}
	if loading {
		a.Segmenter.Finish(dict, skip)
		return nil
	}
	return a.Segmenter.AddEach(dict, skip)
}

// APIConfig is what the HTTP server is built from: every service the
// application built. A test may change a copy to build a server without
// one of them.
func (a *App) APIConfig() api.Config {
	var backup func() triage.BackupStatus
	if a.Backups != nil {
		backup = a.Backups.Status
	}
	return api.Config{Desk: a.Desk, Ready: a.Store.Ready, Backup: backup, Log: a.Log, BodyLimit: a.Config.BodyLimit, Version: a.Config.Version,
		Triager: a.Triager, Queue: a.Jobs, KB: a.KB, Suggest: a.Suggest, Segmenter: a.Segmenter, SLA: a.SLA, UI: web.FS(),
		Import: a.apiImport,
		Ops: api.Ops{Webhooks: a.Webhooks, Reports: a.Reports, Metrics: a.Metrics.Handler(), MetricsToken: a.Config.MetricsToken,
			ObserveRequest: a.Metrics.ObserveRequest, Skipped: a.skipped.Skipped},
		Eval: api.Eval{Reports: eval.Reports{Dir: a.ReportsDir()}},
		Mail: api.Mail{Service: a.Mail, Settings: a.mailSettings}, RateLimits: a.Config.RateLimits, Accounts: api.Accounts{Service: a.Accounts, SSO: a.sso, SSOName: a.ssoName},
		Help: a.helpConfig(), Trace: a.apiTrace(), WeChat: api.WeChat{Service: a.WeChat}, Automations: a.automationsConfig()}
}

// ReportsDir is where `triage eval --save` writes reports and the server
// lists them.
func (a *App) ReportsDir() string { return filepath.Join(a.Config.DataDir, "reports") }

// surveyURL is the configured start of survey links, or this server's own
// survey page: a customer opens the link in a browser, so it goes to the
// page that answers through /v1/csat/, not to that JSON route.
func (a *App) surveyURL() string {
	if a.Config.SurveyURL != "" {
		return a.Config.SurveyURL
	}
	addr := strings.TrimPrefix(a.Config.Addr, "http://")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	return "http://" + addr + "/app/survey/"
}

// Close releases the indexes and the store.
func (a *App) Close() error {
	var errs []error
	if a.Text != nil {
		errs = append(errs, a.Text.Close())
	}
	if a.Store != nil {
		errs = append(errs, a.Store.Close())
	}
	return errors.Join(errs...)
}
