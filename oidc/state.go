package oidc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// CookieName is the name of the login cookie.
const CookieName = "triage_oidc"

// pending is what the login cookie carries from Begin to Finish.
type pending struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	ReturnTo string `json:"r"`
	Expires  int64  `json:"e"`
}

// stateAEAD derives the cookie's cipher from the configured key, so the
// key given may be shared with nothing else and still be used directly.
func stateAEAD(key []byte) (cipher.AEAD, error) {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("triage oidc login cookie"))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// binding is the cookie's associated data: a cookie made for one
// provider's configuration does not open for another's.
func (rp *RP) binding() []byte {
	return []byte("triage oidc\x00" + rp.cfg.Issuer + "\x00" + rp.cfg.ClientID + "\x00" + rp.cfg.RedirectURL)
}

func (rp *RP) sealPending(p pending) (string, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, rp.aead.NonceSize(), rp.aead.NonceSize()+len(plain)+rp.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(rp.aead.Seal(nonce, nonce, plain, rp.binding())), nil
}

func errState(msg string) error {
	return &triage.Error{Code: triage.EUNAUTHORIZED, Field: "state", Message: msg}
}

func (rp *RP) openPending(value string) (pending, error) {
	const restart = "the sign-in did not start in this browser or has expired; start it again"
	if value == "" || len(value) > 4096 {
		return pending{}, errState(restart)
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < rp.aead.NonceSize()+rp.aead.Overhead() {
		return pending{}, errState(restart)
	}
	plain, err := rp.aead.Open(nil, raw[:rp.aead.NonceSize()], raw[rp.aead.NonceSize():], rp.binding())
	if err != nil {
		return pending{}, errState(restart)
	}
	var p pending
	if err := json.Unmarshal(plain, &p); err != nil || p.State == "" || p.Nonce == "" || p.Verifier == "" {
		return pending{}, errState(restart)
	}
	if !rp.now().Before(time.Unix(p.Expires, 0)) {
		return pending{}, errState(restart)
	}
	return p, nil
}

// Cookie returns the login cookie to set with Begin's value: HttpOnly,
// SameSite=Lax (the provider sends the browser back with a top-level GET
// from another site, which Strict would strip), Secure when the callback
// is https, scoped to the callback's path and living as long as a login
// may take. An empty value returns the cookie that deletes it, for
// Finish's caller to send.
func (rp *RP) Cookie(value string) *http.Cookie {
	path := "/"
	if i := strings.LastIndex(rp.redirect.Path, "/"); i > 0 {
		path = rp.redirect.Path[:i]
	}
	c := &http.Cookie{
		Name: CookieName, Value: value, Path: path, HttpOnly: true,
		Secure: rp.redirect.Scheme == "https", SameSite: http.SameSiteLaxMode,
		MaxAge: int(rp.ttl().Seconds()),
	}
	if value == "" {
		c.MaxAge = -1
	}
	return c
}

// SafeReturn returns where to send a person after signing in: to path if
// it is a path on this site, else "/". It refuses absolute URLs,
// protocol-relative ones (//evil.example) and backslash tricks that
// browsers read as such, so the login cannot be an open redirect.
func SafeReturn(path string) string {
	if path == "" || path[0] != '/' || len(path) > 2048 ||
		strings.HasPrefix(path, "//") || strings.HasPrefix(path, "/\\") || strings.ContainsAny(path, "\r\n\t\x00\\") {
		return "/"
	}
	return path
}
