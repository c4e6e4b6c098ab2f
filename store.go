package triage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"
)

// Store is the system of record. Everything else (text index, vectors in
// memory, trained models in memory) is derived from it and can be rebuilt.
//
// Rules every implementation keeps (package storetest checks them):
//   - After a successful write the caller's struct is normalised in place
//     (times UTC at microsecond precision, nil lists and maps made empty), so
//     it equals what a later read returns. Updates never change CreatedAt.
//   - List methods never return nil slices.
//   - Agent e-mail uniqueness and the requester filter ignore case.
//   - Agents and teams list by name then id; tokens oldest first.
//   - AgentLoads has an entry for every agent, zeros included, and
//     ByPriority always holds P1 to P4.
//   - Changes treats a limit of 0 or less as 1000 and caps it at 10000, and
//     its order is commit order, so a follower never skips an entry.
//   - Calling Update from inside Update deadlocks an embedded store with
//     one writer; never nest them.
type Store interface {
	Reader
	// Update runs fn in one write transaction: all of fn's writes commit
	// together or none do. fn must not keep tx after it returns.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// Ready reports whether the store is reachable and its schema is the
	// one this binary expects.
	Ready(ctx context.Context) error
	Close() error
}

// Reader is every read the service makes of the store. The operations
// areas (SLA and satisfaction; webhooks, reports and merges) declare their
// reads in their own files and are embedded here.
type Reader interface {
	SLAReader
	OpsReader
	MailReader
	WeChatReader
	MacroReader
	HelpReader
	AccountReader
	PortalReader
	AutomationReader
	RevisionReader
	ImportReader
	ShadowReader
	ViewerReader
	NotificationReader
	SavedViewReader
	SettingsReader

	Ticket(ctx context.Context, id string) (*Ticket, error)
	// Tickets lists tickets newest first and returns the cursor of the next
	// page, or "" on the last page.
	Tickets(ctx context.Context, f TicketFilter) ([]*Ticket, string, error)
	Comments(ctx context.Context, ticketID string) ([]*Comment, error)
	History(ctx context.Context, ticketID string) ([]*HistoryEntry, error)
	TriageRecord(ctx context.Context, ticketID string) (*TriageRecord, error)

	Agent(ctx context.Context, id string) (*Agent, error)
	Agents(ctx context.Context) ([]*Agent, error)
	// AgentLoads counts every agent's active tickets.
	AgentLoads(ctx context.Context) (map[string]AgentLoad, error)
	Team(ctx context.Context, id string) (*Team, error)
	Teams(ctx context.Context) ([]*Team, error)

	Token(ctx context.Context, id string) (*Token, error)
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	Tokens(ctx context.Context) ([]*Token, error)

	Idempotency(ctx context.Context, scope, key string) (*Idempotency, error)

	// CountTickets counts the tickets a filter selects (Cursor and Limit
	// are ignored).
	CountTickets(ctx context.Context, f TicketFilter) (int, error)
	// WaitingTickets lists active unassigned tickets that have a category
	// and do not wait for a review, most urgent first and, within a
	// priority, oldest first: the order in which routing drains its
	// queues. Non-empty categories keeps only tickets of those categories,
	// so a queue full of tickets nobody can take does not hide the ones
	// somebody can. A limit of 0 or less means 200.
	WaitingTickets(ctx context.Context, categories []string, limit int) ([]*Ticket, error)

	// Rules lists keyword rules in evaluation order (Position, then ID).
	Rules(ctx context.Context) ([]*Rule, error)
	Rule(ctx context.Context, id string) (*Rule, error)
	// DictWords lists the user dictionary in word order.
	DictWords(ctx context.Context) ([]*DictWord, error)
	// ActiveModel returns the active model of a kind, with its blob.
	ActiveModel(ctx context.Context, kind string) (*Model, error)
	// Model returns one model, with its blob.
	Model(ctx context.Context, id string) (*Model, error)
	// Models lists the models of a kind, newest first, without blobs.
	Models(ctx context.Context, kind string) ([]*Model, error)

	Article(ctx context.Context, id string) (*Article, error)
	// Articles lists articles, most recently updated first.
	Articles(ctx context.Context, f ArticleFilter) ([]*Article, string, error)
	// ArticleVersions lists an article's versions, oldest first.
	ArticleVersions(ctx context.Context, articleID string) ([]*ArticleVersion, error)
	ArticleVersion(ctx context.Context, articleID string, version int) (*ArticleVersion, error)

	// Vectors pages through the stored vectors of a model in DocID order,
	// after the given DocID; it returns the DocID to continue from, or ""
	// at the end.
	Vectors(ctx context.Context, model string, after string, limit int) ([]*Vector, string, error)
	// VectorOwners lists which owners of a kind have vectors of a model,
	// so a re-embed can find what is missing.
	VectorOwners(ctx context.Context, kind, model string) ([]string, error)
	// OwnerVectors returns one owner's vectors of a model in DocID order:
	// what a change-log follower needs to apply a "vector" change.
	OwnerVectors(ctx context.Context, kind, ownerID, model string) ([]*Vector, error)

	Suggestion(ctx context.Context, id string) (*Suggestions, error)
	// LatestSuggestion returns a ticket's newest stored suggestions.
	LatestSuggestion(ctx context.Context, ticketID string) (*Suggestions, error)
	Suggestions(ctx context.Context, f SuggestionFilter) ([]*Suggestions, error)
	// FeedbackCounts sums the verdicts per source since a time.
	FeedbackCounts(ctx context.Context, since time.Time) ([]FeedbackCount, error)
	// Feedback lists the verdicts on one suggestion set, oldest first.
	Feedback(ctx context.Context, suggestionID string) ([]*Feedback, error)
	// AcceptedFeedback lists the accepted verdicts on suggested articles,
	// tickets and drafts, newest first, at most limit: where the
	// (ticket, source) pairs the local embedder is fine-tuned on come
	// from.
	AcceptedFeedback(ctx context.Context, limit int) ([]*Feedback, error)

	// Changes returns entries of the change log after seq, oldest first.
	Changes(ctx context.Context, after int64, limit int) ([]Change, error)
}

// Tx is a write transaction. Every write appends to the change log in the
// same transaction, so derived indexes can follow the store exactly.
type Tx interface {
	Reader
	SLAWriter
	OpsWriter
	MailWriter
	WeChatWriter
	MacroWriter
	HelpWriter
	AccountWriter
	PortalWriter
	AutomationWriter
	RevisionWriter
	ImportWriter
	ShadowWriter
	ViewerWriter
	NotificationWriter
	SavedViewWriter
	SettingsWriter
	PresenceWriter

	CreateTicket(ctx context.Context, t *Ticket) error
	// UpdateTicket stores t if the stored version is still t.Version and
	// then increments t.Version; ESTALE otherwise.
	UpdateTicket(ctx context.Context, t *Ticket) error
	AddComment(ctx context.Context, c *Comment) error
	AddHistory(ctx context.Context, h ...*HistoryEntry) error
	SaveTriageRecord(ctx context.Context, r *TriageRecord) error

	CreateAgent(ctx context.Context, a *Agent) error
	UpdateAgent(ctx context.Context, a *Agent) error // versioned like UpdateTicket
	DeleteAgent(ctx context.Context, id string, version int) error
	CreateTeam(ctx context.Context, t *Team) error
	UpdateTeam(ctx context.Context, t *Team) error // versioned like UpdateTicket
	DeleteTeam(ctx context.Context, id string, version int) error

	CreateToken(ctx context.Context, t *Token) error
	RevokeToken(ctx context.Context, id string, at time.Time) error

	CreateRule(ctx context.Context, r *Rule) error
	UpdateRule(ctx context.Context, r *Rule) error // versioned like UpdateTicket
	DeleteRule(ctx context.Context, id string, version int) error
	// PutDictWord adds a word or replaces its frequency and tag.
	PutDictWord(ctx context.Context, w *DictWord) error
	DeleteDictWord(ctx context.Context, word string) error // ENOTFOUND when absent
	// SaveModel stores a new model and makes it the active one of its
	// kind.
	SaveModel(ctx context.Context, m *Model) error
	// ActivateModel makes a stored model the active one of its kind, to
	// roll back to an earlier version.
	ActivateModel(ctx context.Context, id string) error
	// MarkAssigned records when an agent last got a ticket, for round
	// robin between equally loaded agents. It does not change the agent's
	// version: routing must not invalidate an admin's If-Match.
	MarkAssigned(ctx context.Context, agentID string, at time.Time) error

	// CreateArticle stores a new article (Version 1); UpdateArticle is
	// versioned like UpdateTicket. Neither writes the version history:
	// AddArticleVersion does, in the same transaction.
	CreateArticle(ctx context.Context, a *Article) error
	UpdateArticle(ctx context.Context, a *Article) error
	AddArticleVersion(ctx context.Context, v *ArticleVersion) error

	// PutVectors replaces every vector of one owner (all chunks of an
	// article) of the vectors' model.
	PutVectors(ctx context.Context, kind, ownerID string, vecs []*Vector) error
	// DeleteVectors removes an owner's vectors of every model.
	DeleteVectors(ctx context.Context, kind, ownerID string) error

	SaveSuggestions(ctx context.Context, s *Suggestions) error
	AddFeedback(ctx context.Context, f *Feedback) error

	// SaveIdempotency stores a key; ECONFLICT when the scope already holds it.
	SaveIdempotency(ctx context.Context, i *Idempotency) error

	// LockRouting serialises routing decisions across concurrent
	// transactions (and replicas), so that two tickets created at once can
	// never both take an agent's last free slot.
	LockRouting(ctx context.Context) error

	// Enqueue schedules background work that commits or rolls back with
	// the transaction.
	Enqueue(ctx context.Context, j Job) error
}

// RoutingSnapshotter is a Tx that takes the routing lock and reads what
// routing decides from (the agents, their loads, the teams) in one step:
// LockRouting, Agents, AgentLoads and Teams, as one round trip to a
// database server instead of four, shortening the time the lock is held.
// Routing uses it when the store's Tx has it.
type RoutingSnapshotter interface {
	RoutingSnapshot(ctx context.Context) ([]*Agent, map[string]AgentLoad, []*Team, error)
}

// Change is one entry of the ordered change log.
type Change struct {
	Seq    int64     `json:"seq"`
	Entity string    `json:"entity"` // "ticket", "agent", "team", "token", "account", "session", "rule", "dict", "model", "article", "vector", "suggestion", "feedback"
	ID     string    `json:"id"`
	Op     string    `json:"op"` // "create", "update", "delete"
	At     time.Time `json:"at"`
}

// Job is durable background work.
type Job struct {
	Kind string
	Args json.RawMessage
	// RunAt delays the job; zero means now.
	RunAt time.Time
	// UniqueKey, when set, makes a second job with the same kind and key a
	// no-op while the first is waiting.
	UniqueKey string
}

// Cursor is a position in a newest-first list.
type Cursor struct {
	CreatedAt time.Time `json:"t"`
	ID        string    `json:"i"`
	// Score is the relevance of the last row of a ticket search's page
	// (which lists by relevance); nil in every other list.
	Score *float64 `json:"s,omitempty"`
	// Sort and Offset page a list in an order other than newest first
	// (TicketSort.Positional): the order, and how many rows came before.
	Sort   string `json:"o,omitempty"`
	Offset int    `json:"n,omitempty"`
}

// Encode returns the cursor as an opaque string.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a cursor made by Encode.
func DecodeCursor(s string) (Cursor, error) {
	var c Cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return Cursor{}, Invalid("cursor", "cursor is not one this service issued")
	}
	return c, nil
}

// Page limits.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Locker lets one process at a time do work that must not run twice at
// once, such as fetching one mailbox. Each store implements it: PostgreSQL
// with a session advisory lock, so one replica of several holds it; the
// embedded store within its one process.
type Locker interface {
	// TryLock takes the named lock if nobody holds it, and keeps it until
	// release is called. lost is closed when the lock is lost before
	// that (the database connection that held it went away): stop the
	// work. ok is false when another holder has it.
	TryLock(ctx context.Context, name string) (release func(), lost <-chan struct{}, ok bool, err error)
}
