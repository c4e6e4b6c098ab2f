package triage

import (
	"context"
	"slices"
	"time"
)

// Role is what a token may do.
type Role string

const (
	RoleAdmin  Role = "admin"  // everything, including agents, rules and tokens
	RoleAgent  Role = "agent"  // works tickets, proposes KB drafts
	RoleEditor Role = "editor" // curates the KB, reads tickets
	RoleViewer Role = "viewer" // reads
	// RoleMail delivers inbound mail (POST /v1/mail/inbound) and nothing
	// else: the token an MTA's pipe (`triage mail deliver`) holds.
	RoleMail Role = "mail"
	// RoleBot answers customers' questions from public articles (POST
	// /v1/answer) and nothing else: the token a company's own chat bot
	// holds.
	RoleBot Role = "bot"
)

// Roles lists every role, most powerful first.
func Roles() []Role { return []Role{RoleAdmin, RoleAgent, RoleEditor, RoleViewer, RoleMail, RoleBot} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// Token is an API credential. Only a hash of its secret is stored; the
// secret is shown once, when the token is created.
type Token struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	// AgentID ties the token to an agent, so that replies and assignments
	// made with it are the agent's.
	AgentID string `json:"agent_id"`
	// Prefix is the first characters of the secret, to recognise a token in
	// a list without revealing it.
	Prefix    string     `json:"prefix"`
	Hash      string     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	// Secret is set only in the response that creates the token.
	Secret string `json:"secret,omitempty"`
}

// Principal is who is making a request.
type Principal struct {
	TokenID string
	// SessionID is set instead of TokenID for a person signed in with a
	// session cookie.
	SessionID string
	Name      string
	Role      Role
	AgentID   string
}

// Credential names what authenticated the request: the token's id, or
// "session:" and the session's id. Idempotency keys are kept apart by it.
func (p *Principal) Credential() string {
	if p.SessionID != "" {
		return "session:" + p.SessionID
	}
	return p.TokenID
}

// Actor is how a principal appears in audit history.
func (p *Principal) Actor() string {
	switch {
	case p == nil:
		return "system"
	case p.AgentID != "":
		return "agent:" + p.AgentID
	default:
		return "token:" + p.TokenID
	}
}

type principalKey struct{}

// NewContextWithPrincipal returns ctx carrying p.
func NewContextWithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the principal in ctx, or nil for work the
// service does on its own behalf.
func PrincipalFromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Idempotency is a stored answer to a POST that carried an Idempotency-Key.
// It is written in the same transaction as the resource it created, so a
// replay can never disagree with what was committed.
type Idempotency struct {
	// Scope keeps keys of different tokens apart.
	Scope       string    `json:"scope"`
	Key         string    `json:"key"`
	RequestHash string    `json:"request_hash"`
	Status      int       `json:"status"`
	Body        []byte    `json:"body"`
	CreatedAt   time.Time `json:"created_at"`
}
