package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var authTests = []test{
	{"tokens", testTokens},
	{"tokens errors", testTokenErrors},
	{"token revoke", testTokenRevoke},
	{"idempotency", testIdempotency},
}

func newToken(id, hash string, created time.Time) *triage.Token {
	return &triage.Token{ID: id, Name: "token " + id, Role: triage.RoleAgent, Prefix: "trg_" + id,
		Hash: hash, CreatedAt: created}
}

func testTokens(t *testing.T, s triage.Store) {
	ctx := t.Context()
	created := time.Date(2026, 11, 22, 18, 0, 0, 123456789, cst)
	admin := newToken("tk-2", "hash-admin", created)
	admin.Role, admin.Secret = triage.RoleAdmin, "trg_secret_shown_once"
	agent := newToken("tk-1", "hash-agent", created.Add(time.Second))
	agent.AgentID = "a1"
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateToken(ctx, admin); err != nil {
			return err
		}
		if err := tx.CreateToken(ctx, agent); err != nil {
			return err
		}
		got, err := tx.TokenByHash(ctx, "hash-agent")
		if err != nil {
			return err
		}
		if got.ID != "tk-1" {
			t.Errorf("tx.TokenByHash = %s, want tk-1", got.ID)
		}
		return nil
	})

	wAdmin := *admin
	wAdmin.Secret = "" // never stored
	wAdmin.CreatedAt = stored(created)
	wAgent := *agent
	wAgent.CreatedAt = stored(agent.CreatedAt)
	for _, tc := range []struct {
		name string
		get  func() (*triage.Token, error)
		want *triage.Token
	}{
		{"by id", func() (*triage.Token, error) { return s.Token(ctx, "tk-2") }, &wAdmin},
		{"by hash", func() (*triage.Token, error) { return s.TokenByHash(ctx, "hash-admin") }, &wAdmin},
		{"by hash, tied to an agent", func() (*triage.Token, error) { return s.TokenByHash(ctx, "hash-agent") }, &wAgent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.get()
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "token", got, tc.want)
			if got.Hash != tc.want.Hash || got.Secret != "" {
				t.Errorf("Hash %q Secret %q; want hash %q and no secret", got.Hash, got.Secret, tc.want.Hash)
			}
			wantUTC(t, "token", got.CreatedAt)
		})
	}

	list, err := s.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Tokens (oldest first)", list, []*triage.Token{&wAdmin, &wAgent})
}

func testTokenErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error { return tx.CreateToken(ctx, newToken("tk-1", "h1", base)) })
	_, err := s.Token(ctx, "nope")
	wantCode(t, err, triage.ENOTFOUND)
	_, err = s.TokenByHash(ctx, "nope")
	wantCode(t, err, triage.ENOTFOUND)
	for _, tc := range []struct {
		name string
		fn   func(tx triage.Tx) error
		code string
	}{
		{"duplicate hash", func(tx triage.Tx) error { return tx.CreateToken(ctx, newToken("tk-2", "h1", base)) }, triage.ECONFLICT},
		{"duplicate id", func(tx triage.Tx) error { return tx.CreateToken(ctx, newToken("tk-1", "h2", base)) }, triage.ECONFLICT},
		{"empty id", func(tx triage.Tx) error { return tx.CreateToken(ctx, newToken("", "h3", base)) }, triage.EINVALID},
		{"empty hash", func(tx triage.Tx) error { return tx.CreateToken(ctx, newToken("tk-3", "", base)) }, triage.EINVALID},
		{"revoke missing", func(tx triage.Tx) error { return tx.RevokeToken(ctx, "nope", base) }, triage.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, updateErr(t, s, tc.fn), tc.code)
		})
	}
}

func testTokenRevoke(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateToken(ctx, newToken("tk-1", "h1", base)); err != nil {
			return err
		}
		return tx.CreateToken(ctx, newToken("tk-2", "h2", base))
	})
	at := time.Date(2026, 11, 23, 8, 0, 0, 123456789, cst)
	update(t, s, func(tx triage.Tx) error { return tx.RevokeToken(ctx, "tk-1", at) })
	// Revoking again keeps the time the token stopped working.
	update(t, s, func(tx triage.Tx) error { return tx.RevokeToken(ctx, "tk-1", at.Add(time.Hour)) })
	for _, get := range []func() (*triage.Token, error){
		func() (*triage.Token, error) { return s.Token(ctx, "tk-1") },
		func() (*triage.Token, error) { return s.TokenByHash(ctx, "h1") },
	} {
		got, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if got.RevokedAt == nil || !got.RevokedAt.Equal(stored(at)) {
			t.Errorf("RevokedAt = %v, want %v", got.RevokedAt, stored(at))
		} else {
			wantUTC(t, "RevokedAt", *got.RevokedAt)
		}
	}
	other, err := s.Token(ctx, "tk-2")
	if err != nil {
		t.Fatal(err)
	}
	if other.RevokedAt != nil {
		t.Errorf("revoking tk-1 revoked tk-2 too")
	}
}

func testIdempotency(t *testing.T, s triage.Store) {
	ctx := t.Context()
	created := time.Date(2026, 11, 22, 18, 0, 0, 123456789, cst)
	first := &triage.Idempotency{Scope: "token:tk-1", Key: "k-1", RequestHash: "sha256:abc", Status: 201,
		Body: []byte(`{"id":"t-1","title":"退款"}`), CreatedAt: created}
	update(t, s, func(tx triage.Tx) error {
		if err := tx.SaveIdempotency(ctx, first); err != nil {
			return err
		}
		got, err := tx.Idempotency(ctx, "token:tk-1", "k-1")
		if err != nil {
			return err
		}
		if !bytes.Equal(got.Body, first.Body) {
			t.Errorf("tx.Idempotency body = %q", got.Body)
		}
		return nil
	})
	want := *first
	want.CreatedAt = stored(created)
	got, err := s.Idempotency(ctx, "token:tk-1", "k-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Idempotency", got, &want)
	wantUTC(t, "Idempotency", got.CreatedAt)

	t.Run("duplicate in the same scope", func(t *testing.T) {
		dup := *first
		dup.Status, dup.Body = 500, []byte("other")
		err := updateErr(t, s, func(tx triage.Tx) error { return tx.SaveIdempotency(ctx, &dup) })
		wantCode(t, err, triage.ECONFLICT)
		got, err := s.Idempotency(ctx, "token:tk-1", "k-1")
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "Idempotency after the duplicate", got, &want)
	})
	t.Run("scopes are independent", func(t *testing.T) {
		other := &triage.Idempotency{Scope: "token:tk-2", Key: "k-1", Status: 204, CreatedAt: base}
		update(t, s, func(tx triage.Tx) error { return tx.SaveIdempotency(ctx, other) })
		got, err := s.Idempotency(ctx, "token:tk-2", "k-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != 204 || got.Body == nil || len(got.Body) != 0 {
			t.Errorf("got status %d body %#v; want 204 and an empty, non-nil body", got.Status, got.Body)
		}
		if _, err := s.Idempotency(ctx, "token:tk-1", "k-1"); err != nil {
			t.Errorf("the first scope's key is gone: %v", err)
		}
	})
	t.Run("not found", func(t *testing.T) {
		_, err := s.Idempotency(ctx, "token:tk-3", "k-1")
		wantCode(t, err, triage.ENOTFOUND)
		_, err = s.Idempotency(ctx, "token:tk-1", "k-2")
		wantCode(t, err, triage.ENOTFOUND)
	})
}
