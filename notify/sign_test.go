package notify

import (
	"strconv"
	"testing"
	"time"
)

func TestSignAndVerify(t *testing.T) {
	const secret = "whsec_test_secret_0123456789"
	body := []byte(`{"id":"e1","event":"ticket.created","data":{"title":"退款没到账"}}`)
	now := time.Unix(1795000000, 0)
	ts := now.Unix()
	sig := Sign(secret, ts, body)
	// A fixed vector, so a receiver in another language can check its
	// implementation: printf '%s.%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$secret".
	if want := "sha256=7c88c626adc5155b530a881c5f4e4554ce750dfd51410ac771276a31bac78987"; sig != want {
		t.Fatalf("Sign = %q, want %q", sig, want)
	}
	stamp := strconv.FormatInt(ts, 10)
	cases := []struct {
		name           string
		secret, ts, sg string
		body           []byte
		at             time.Time
		ok             bool
	}{
		{"good", secret, stamp, sig, body, now, true},
		{"four minutes late", secret, stamp, sig, body, now.Add(4 * time.Minute), true},
		{"replayed an hour later", secret, stamp, sig, body, now.Add(time.Hour), false},
		{"from the future", secret, stamp, sig, body, now.Add(-time.Hour), false},
		{"body changed", secret, stamp, sig, append([]byte(" "), body...), now, false},
		{"timestamp changed", secret, strconv.FormatInt(ts+1, 10), sig, body, now.Add(time.Second), false},
		{"other secret", "whsec_other_secret_000000", stamp, sig, body, now, false},
		{"no prefix", secret, stamp, sig[len("sha256="):], body, now, false},
		{"timestamp not a number", secret, "yesterday", sig, body, now, false},
		{"empty signature", secret, stamp, "", body, now, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Verify(c.secret, c.ts, c.sg, c.body, c.at, DefaultTolerance)
			if (err == nil) != c.ok {
				t.Fatalf("Verify = %v, want ok %v", err, c.ok)
			}
		})
	}
}
