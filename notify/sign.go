package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Delivery headers.
const (
	HeaderEvent     = "X-Triage-Event"
	HeaderDelivery  = "X-Triage-Delivery"
	HeaderTimestamp = "X-Triage-Timestamp"
	HeaderSignature = "X-Triage-Signature"
)

// Sign returns the X-Triage-Signature value of a body sent at ts (Unix
// seconds): "sha256=" and the hex HMAC-SHA256, keyed with the webhook's
// secret, of the timestamp, a dot and the body. Signing the timestamp
// lets a receiver refuse a captured delivery replayed later.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// DefaultTolerance is how old a delivery's timestamp may be when checked.
const DefaultTolerance = 5 * time.Minute

// Verify checks a delivery as a receiver should: the signature must match
// the body and the timestamp header, compared in constant time, and the
// timestamp must be within tolerance of now.
func Verify(secret, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errors.New("the timestamp header is not Unix seconds")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return errors.New("the timestamp is too far from now: a replay, or a clock off")
	}
	if !strings.HasPrefix(signature, "sha256=") {
		return errors.New("the signature header does not start with sha256=")
	}
	if !hmac.Equal([]byte(Sign(secret, ts, body)), []byte(signature)) {
		return errors.New("the signature does not match the body")
	}
	return nil
}
