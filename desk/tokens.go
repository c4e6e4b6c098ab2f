package desk

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// TokenPrefix starts every secret, so a leaked token is easy to grep for
// and to tell apart from other credentials.
const TokenPrefix = "trg_"

// HashToken returns the stored form of a secret. Secrets are 32 random
// bytes, so a plain SHA-256 is enough: there is nothing to brute-force.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewSecret returns a fresh random token secret.
func NewSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return TokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// CreateToken issues a token. The secret is in the returned token only; a
// replay of the same request returns the token without it, since storing
// the secret for replays would defeat storing it hashed.
func (s *Service) CreateToken(ctx context.Context, in triage.NewToken, idem *triage.Idempotency) (*triage.Token, error) {
	return s.createToken(ctx, in, NewSecret(), idem)
}

func (s *Service) createToken(ctx context.Context, in triage.NewToken, secret string, idem *triage.Idempotency) (*triage.Token, error) {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		return nil, triage.Invalid("name", "name is required")
	case utf8.RuneCountInString(in.Name) > triage.MaxNameRunes:
		return nil, triage.Invalid("name", "name is longer than %d characters", triage.MaxNameRunes)
	case !in.Role.Valid():
		return nil, triage.Invalid("role", "role %q is not one of %s", in.Role, join(triage.Roles()))
	}
	t := &triage.Token{ID: triage.NewID(), Name: in.Name, Role: in.Role, AgentID: strings.TrimSpace(in.AgentID), Prefix: secret[:min(len(secret), 12)], Hash: HashToken(secret), CreatedAt: s.now(), Secret: secret}
	hide := func(t *triage.Token) any { c := *t; c.Secret = ""; return &c }
	return write(ctx, s, idem, hide, func(tx triage.Tx) (*triage.Token, error) {
		if t.AgentID != "" {
			if _, err := tx.Agent(ctx, t.AgentID); triage.IsCode(err, triage.ENOTFOUND) {
				return nil, triage.Invalid("agent_id", "agent_id %q names no agent", t.AgentID)
			} else if err != nil {
				return nil, err
			}
			// A deactivated person gets no new way in: deactivation
			// revoked their tokens, and a token made afterwards must not
			// undo it.
			if acc, err := tx.Account(ctx, t.AgentID); err == nil && !acc.Active() {
				return nil, &triage.Error{Code: triage.ECONFLICT, Field: "agent_id", Message: "agent " + t.AgentID + " is deactivated; reactivate the account before giving it a token"}
			} else if err != nil && !triage.IsCode(err, triage.ENOTFOUND) {
				return nil, err
			}
		}
		return t, tx.CreateToken(ctx, t)
	})
}

// Tokens lists every token, revoked ones included, without secrets.
func (s *Service) Tokens(ctx context.Context) ([]*triage.Token, error) { return s.Store.Tokens(ctx) }

// Token returns one token without its secret.
func (s *Service) Token(ctx context.Context, id string) (*triage.Token, error) {
	return s.Store.Token(ctx, id)
}

// TokenVersion is a token's ETag version: 1 while active, 2 once revoked,
// the only change a token ever goes through.
func TokenVersion(t *triage.Token) int {
	if t.RevokedAt != nil {
		return 2
	}
	return 1
}

// RevokeToken revokes a token; its next use fails. The last active admin
// token cannot be revoked, so nobody locks the service out of itself.
func (s *Service) RevokeToken(ctx context.Context, id string, version int) (*triage.Token, error) {
	return write(ctx, s, nil, nil, func(tx triage.Tx) (*triage.Token, error) {
		t, err := tx.Token(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := checkVersion("token "+id, TokenVersion(t), version); err != nil {
			return nil, err
		}
		if t.RevokedAt != nil {
			return t, nil
		}
		if t.Role == triage.RoleAdmin {
			all, err := tx.Tokens(ctx)
			if err != nil {
				return nil, err
			}
			admins := 0
			for _, o := range all {
				if o.Role == triage.RoleAdmin && o.RevokedAt == nil {
					admins++
				}
			}
			if admins <= 1 {
				return nil, triage.Errorf(triage.ECONFLICT, "token %s is the last active admin token; create another admin token first", t.Name)
			}
		}
		now := s.now()
		if err := tx.RevokeToken(ctx, id, now); err != nil {
			return nil, err
		}
		t.RevokedAt = &now
		return t, nil
	})
}

// Authenticate returns the principal a secret stands for.
func (s *Service) Authenticate(ctx context.Context, secret string) (*triage.Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, triage.Errorf(triage.EUNAUTHORIZED, "the bearer token is not a triage token")
	}
	t, err := s.Store.TokenByHash(ctx, HashToken(secret))
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil, triage.Errorf(triage.EUNAUTHORIZED, "the bearer token is unknown")
	} else if err != nil {
		return nil, err
	}
	if t.RevokedAt != nil {
		return nil, triage.Errorf(triage.EUNAUTHORIZED, "the bearer token was revoked")
	}
	// A token of a deactivated account never authenticates, whenever and
	// however it was made (a store written before deactivation revoked
	// tokens, or a token row restored from a backup).
	if t.AgentID != "" {
		if acc, err := s.Store.Account(ctx, t.AgentID); err == nil && !acc.Active() {
			return nil, triage.Errorf(triage.EUNAUTHORIZED, "the bearer token belongs to a deactivated account")
		} else if err != nil && !triage.IsCode(err, triage.ENOTFOUND) {
			return nil, err
		}
	}
	return &triage.Principal{TokenID: t.ID, Name: t.Name, Role: t.Role, AgentID: t.AgentID}, nil
}

// BootstrapTokenName is the name of the admin token of TRIAGE_ADMIN_TOKEN:
// named after the variable, for operators. The web app shows it in the
// reader's language (api.js tokenName, which web_test.go holds to it).
const BootstrapTokenName = "admin (TRIAGE_ADMIN_TOKEN)"

// Bootstrap makes sure an admin can get in. With a secret (from
// TRIAGE_ADMIN_TOKEN) it makes sure that secret is a valid admin token
// and returns nil: the operator already holds that secret, and one given
// through the environment must never be printed. Without one it creates a
// random admin token when the store has no token at all, and returns it
// with its secret (to be shown once), or nil.
func (s *Service) Bootstrap(ctx context.Context, secret string) (*triage.Token, error) {
	if secret != "" {
		if !strings.HasPrefix(secret, TokenPrefix) || len(secret) < len(TokenPrefix)+20 {
			return nil, triage.Invalid("TRIAGE_ADMIN_TOKEN", "TRIAGE_ADMIN_TOKEN must start with %q and hold at least 20 more characters", TokenPrefix)
		}
		if _, err := s.Store.TokenByHash(ctx, HashToken(secret)); err == nil {
			return nil, nil
		} else if !triage.IsCode(err, triage.ENOTFOUND) {
			return nil, err
		}
		_, err := s.createToken(ctx, triage.NewToken{Name: BootstrapTokenName, Role: triage.RoleAdmin}, secret, nil)
		return nil, err
	}
	all, err := s.Store.Tokens(ctx)
	if err != nil || len(all) > 0 {
		return nil, err
	}
	return s.createToken(ctx, triage.NewToken{Name: "first admin", Role: triage.RoleAdmin}, NewSecret(), nil)
}

// Idempotency returns the stored response of an earlier request with the
// same key, or ENOTFOUND.
func (s *Service) Idempotency(ctx context.Context, scope, key string) (*triage.Idempotency, error) {
	return s.Store.Idempotency(ctx, scope, key)
}
