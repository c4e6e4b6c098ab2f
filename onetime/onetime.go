package onetime

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// Purpose is what a token may be used for.
type Purpose string

const (
	Invite  Purpose = "invite"  // an admin invites a person, who sets a password
	Reset   Purpose = "reset"   // "forgot password"
	SignIn  Purpose = "signin"  // a requester's one-time sign-in link to the portal
	Confirm Purpose = "confirm" // confirm an e-mail address (the public form)
	// SecondFactor is the challenge between a right password and a right
	// authenticator code: it stands for the password step, for minutes.
	SecondFactor Purpose = "mfa"
)

// Purposes lists every purpose.
func Purposes() []Purpose { return []Purpose{Invite, Reset, SignIn, Confirm, SecondFactor} }

// Valid reports whether p is a known purpose.
func (p Purpose) Valid() bool { return slices.Contains(Purposes(), p) }

// DefaultTTL is how long a token of each purpose lives unless the caller
// says otherwise: sign-in and reset links are short because they are
// credentials sent by e-mail; an invitation waits for a person to come
// back from a weekend.
func (p Purpose) DefaultTTL() time.Duration {
	switch p {
	case Invite:
		return 7 * 24 * time.Hour
	case Confirm:
		return 24 * time.Hour
	case Reset:
		return time.Hour
	case SecondFactor:
		return 5 * time.Minute
	default:
		return 15 * time.Minute
	}
}

// Record is what is stored for a token: never the token itself.
type Record struct {
	// Hash identifies the record; the store looks tokens up by it.
	Hash    string
	Purpose Purpose
	// Subject is whom or what the token is for: an account id, a
	// requester's e-mail address, an invitation id.
	Subject   string
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is set when the token is redeemed.
	UsedAt *time.Time
}

// Store keeps Records. The next round's stores implement it.
type Store interface {
	// PutOneTime stores r. It must drop (or mark used) every earlier
	// unused record with the same Purpose and Subject, so that a new reset
	// or sign-in link voids the ones sent before it.
	PutOneTime(ctx context.Context, r Record) error
	// TakeOneTime finds the record with hash and returns it as it was;
	// when it was unused and not expired at now, it is marked used at now
	// in the same statement, so that of two concurrent redemptions one
	// wins. It returns an ENOTFOUND *triage.Error when no record has hash.
	TakeOneTime(ctx context.Context, hash string, now time.Time) (Record, error)
}

// tokenLen is the size of a token's secret, in bytes.
const tokenLen = 32

// encodedLen is the length of a token in a link: unpadded base64url.
var encodedLen = base64.RawURLEncoding.EncodedLen(tokenLen)

// Hash returns the stored form of token for purpose, or an error for a
// string that cannot be a token (so that no store is asked about it).
func Hash(purpose Purpose, token string) (string, error) {
	raw, err := decode(token)
	if err != nil {
		return "", err
	}
	return hash(purpose, raw), nil
}

func hash(purpose Purpose, raw []byte) string {
	h := sha256.New()
	h.Write([]byte("triage one-time token\x00" + string(purpose) + "\x00"))
	h.Write(raw)
	return hex.EncodeToString(h.Sum(nil))
}

func errBadToken() error {
	return &triage.Error{Code: triage.EUNAUTHORIZED, Field: "token", Message: "this link is not valid; ask for a new one"}
}

func decode(token string) ([]byte, error) {
	token = strings.TrimSpace(token)
	if len(token) != encodedLen {
		return nil, errBadToken()
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) != tokenLen {
		return nil, errBadToken()
	}
	return raw, nil
}

// New makes a token for purpose and subject, valid for ttl (0 means the
// purpose's DefaultTTL) from now. The token goes into the link and is
// never stored; the Record is stored.
func New(purpose Purpose, subject string, ttl time.Duration, now time.Time) (token string, r Record, err error) {
	if !purpose.Valid() {
		return "", Record{}, triage.Invalid("purpose", "purpose %q is not one of invite, reset, signin, confirm, mfa", purpose)
	}
	if subject == "" {
		return "", Record{}, triage.Invalid("subject", "subject must name whom the link is for")
	}
	if ttl == 0 {
		ttl = purpose.DefaultTTL()
	}
	if ttl < 0 || ttl > 30*24*time.Hour {
		return "", Record{}, triage.Invalid("ttl", "ttl must be positive and at most 30 days")
	}
	raw := make([]byte, tokenLen)
	if _, err := rand.Read(raw); err != nil {
		return "", Record{}, err
	}
	now = now.UTC()
	return base64.RawURLEncoding.EncodeToString(raw), Record{
		Hash: hash(purpose, raw), Purpose: purpose, Subject: subject, CreatedAt: now, ExpiresAt: now.Add(ttl),
	}, nil
}

// Check reports whether token, presented for purpose at now, is the one r
// was made for and may still be used: it does not look at a store, and
// Links.Redeem calls it on what TakeOneTime returned.
func Check(r Record, purpose Purpose, token string, now time.Time) error {
	raw, err := decode(token)
	if err != nil {
		return err
	}
	want := hash(purpose, raw)
	if subtle.ConstantTimeCompare([]byte(want), []byte(r.Hash)) != 1 || r.Purpose != purpose {
		return errBadToken()
	}
	if r.UsedAt != nil {
		return &triage.Error{Code: triage.EUNAUTHORIZED, Field: "token", Message: "this link was already used; ask for a new one"}
	}
	if !now.Before(r.ExpiresAt) {
		return &triage.Error{Code: triage.EUNAUTHORIZED, Field: "token", Message: "this link has expired; ask for a new one"}
	}
	return nil
}

// Links issues and redeems tokens through a Store.
type Links struct {
	Store Store
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (l *Links) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// Issue makes and stores a token; the caller puts the token in a link.
func (l *Links) Issue(ctx context.Context, purpose Purpose, subject string, ttl time.Duration) (string, Record, error) {
	token, r, err := New(purpose, subject, ttl, l.now())
	if err != nil {
		return "", Record{}, err
	}
	if err := l.Store.PutOneTime(ctx, r); err != nil {
		return "", Record{}, err
	}
	return token, r, nil
}

// Redeem uses token for purpose: on success it returns the record (whose
// Subject says for whom) and the token can never be used again. A token
// that is malformed, unknown, for another purpose, used or expired gets
// an EUNAUTHORIZED *triage.Error on field "token" that says which, without
// touching the store for a malformed one.
func (l *Links) Redeem(ctx context.Context, purpose Purpose, token string) (Record, error) {
	h, err := Hash(purpose, token)
	if err != nil {
		return Record{}, err
	}
	now := l.now()
	r, err := l.Store.TakeOneTime(ctx, h, now)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return Record{}, errBadToken()
	} else if err != nil {
		return Record{}, err
	}
	if err := Check(r, purpose, token, now); err != nil {
		return Record{}, err
	}
	used := now.UTC()
	r.UsedAt = &used
	return r, nil
}
