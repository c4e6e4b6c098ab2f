package triage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"
)

// Store is the system of record. Everything else (text index, vectors in
// memory, trained models in memory) is derived from it and can be rebuilt.
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

// Reader is every read the service makes of the store.
type Reader interface {
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

	// Changes returns entries of the change log after seq, oldest first.
	Changes(ctx context.Context, after int64, limit int) ([]Change, error)
}

// Tx is a write transaction. Every write appends to the change log in the
// same transaction, so derived indexes can follow the store exactly.
type Tx interface {
	Reader

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

// Change is one entry of the ordered change log.
type Change struct {
	Seq    int64     `json:"seq"`
	Entity string    `json:"entity"` // "ticket", "agent", "team", "token", ...
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
