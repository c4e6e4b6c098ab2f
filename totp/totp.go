package totp

import (
	"bytes"
	"crypto/subtle"
	"encoding/base32"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
	"github.com/triagehq/triage"
)

const (
	// Issuer is the name authenticator apps show above the code.
	Issuer = "triage"
	// Period is the length of a step, in seconds.
	Period = 30
	// Digits is the length of a code.
	Digits = 6
	// Skew is how many steps before and after the current one are
	// accepted.
	Skew = 1
	// secretSize is 160 bits, the size RFC 4226 recommends for HMAC-SHA1.
	secretSize = 20
)

// Enrolment is what a person needs to add triage to an authenticator app.
// Secret is to be sealed and stored by the caller once the person has
// proved, with a first code, that the app has it.
type Enrolment struct {
	// Secret is the shared key, base32 without padding, as apps expect.
	Secret string
	// URL is the otpauth://totp/... key URI to show as a QR code.
	URL string
}

// Enrol makes a new secret for account (the person's e-mail, shown in the
// app under the issuer). issuer "" means Issuer.
func Enrol(issuer, account string) (Enrolment, error) {
	if issuer == "" {
		issuer = Issuer
	}
	if strings.TrimSpace(account) == "" {
		return Enrolment{}, triage.Invalid("account", "account must name the person enrolling")
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Period: Period, SecretSize: secretSize,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// QRCodePNG renders the enrolment URL as a size × size PNG QR code.
func (e Enrolment) QRCodePNG(size int) ([]byte, error) {
	if size < 64 || size > 1024 {
		return nil, triage.Invalid("size", "size must be between 64 and 1024 pixels")
	}
	key, err := otp.NewKeyFromURL(e.URL)
	if err != nil {
		return nil, err
	}
	img, err := key.Image(size, size)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Step returns the RFC 6238 time step of t.
func Step(t time.Time) int64 { return t.Unix() / Period }

// Code returns the code of secret for the step that contains t; for tests
// and for showing an administrator that enrolment worked.
func Code(secret string, t time.Time) (string, error) {
	return generate(secret, Step(t), otp.AlgorithmSHA1, otp.DigitsSix)
}

func generate(secret string, step int64, alg otp.Algorithm, digits otp.Digits) (string, error) {
	if step < 0 {
		return "", triage.Invalid("time", "time is before 1970")
	}
	return hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: digits, Algorithm: alg})
}

// Verify checks code against secret at now. lastStep is the step of the
// last code this person had accepted (0 if none). On success it returns
// the step the code matched, which the caller must store as the new
// lastStep in the same write that lets the person in; a code of that step
// or an earlier one is refused from then on.
//
// Errors are *triage.Error: EINVALID (field "code") for a code that is not
// six digits, EUNAUTHORIZED for a wrong, expired or already used code.
func Verify(secret, code string, lastStep int64, now time.Time) (int64, error) {
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, code)
	if len(code) != Digits || strings.Trim(code, "0123456789") != "" {
		return 0, triage.Invalid("code", "code must be the %d digits the authenticator app shows", Digits)
	}
	if _, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "="))); err != nil || secret == "" {
		// A stored secret that cannot be read is the service's fault, not
		// the person's; say so without echoing it.
		return 0, triage.Errorf(triage.EINTERNAL, "the stored two-factor secret is unreadable")
	}
	now0 := Step(now)
	matched, found := int64(0), 0
	// Look at every step in the window, whatever matched first, so that
	// the time taken does not say which step matched.
	for s := now0 - Skew; s <= now0+Skew; s++ {
		want, err := generate(secret, s, otp.AlgorithmSHA1, otp.DigitsSix)
		if err != nil {
			return 0, triage.Errorf(triage.EINTERNAL, "the stored two-factor secret is unreadable")
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && found == 0 {
			matched, found = s, 1
		}
	}
	if found == 0 {
		return 0, &triage.Error{Code: triage.EUNAUTHORIZED, Field: "code", Message: "the code is wrong or has expired"}
	}
	if matched <= lastStep {
		return 0, &triage.Error{Code: triage.EUNAUTHORIZED, Field: "code", Message: "this code was already used; wait for the next one"}
	}
	return matched, nil
}
