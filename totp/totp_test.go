package totp

import (
	"bytes"
	"encoding/base32"
	"errors"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/triagehq/triage"
)

// The test vectors of RFC 6238 appendix B: the seeds are the ASCII strings
// below (20, 32 and 64 bytes for SHA-1, SHA-256 and SHA-512), codes are
// eight digits, steps 30 s from T0 = 0. The expected codes are the RFC's.
func TestRFC6238Vectors(t *testing.T) {
	seeds := map[otp.Algorithm]string{
		otp.AlgorithmSHA1:   "12345678901234567890",
		otp.AlgorithmSHA256: "12345678901234567890123456789012",
		otp.AlgorithmSHA512: "1234567890123456789012345678901234567890123456789012345678901234",
	}
	for _, v := range []struct {
		unix int64
		alg  otp.Algorithm
		want string
	}{
		{59, otp.AlgorithmSHA1, "94287082"},
		{59, otp.AlgorithmSHA256, "46119246"},
		{59, otp.AlgorithmSHA512, "90693936"},
		{1111111109, otp.AlgorithmSHA1, "07081804"},
		{1111111109, otp.AlgorithmSHA256, "68084774"},
		{1111111109, otp.AlgorithmSHA512, "25091201"},
		{1111111111, otp.AlgorithmSHA1, "14050471"},
		{1111111111, otp.AlgorithmSHA256, "67062674"},
		{1111111111, otp.AlgorithmSHA512, "99943326"},
		{1234567890, otp.AlgorithmSHA1, "89005924"},
		{1234567890, otp.AlgorithmSHA256, "91819424"},
		{1234567890, otp.AlgorithmSHA512, "93441116"},
		{2000000000, otp.AlgorithmSHA1, "69279037"},
		{2000000000, otp.AlgorithmSHA256, "90698825"},
		{2000000000, otp.AlgorithmSHA512, "38618901"},
		{20000000000, otp.AlgorithmSHA1, "65353130"},
		{20000000000, otp.AlgorithmSHA256, "77737706"},
		{20000000000, otp.AlgorithmSHA512, "47863826"},
	} {
		t.Run(v.alg.String()+"@"+time.Unix(v.unix, 0).UTC().Format(time.RFC3339), func(t *testing.T) {
			secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte(seeds[v.alg]))
			at := time.Unix(v.unix, 0)
			got, err := generate(secret, Step(at), v.alg, otp.DigitsEight)
			if err != nil || got != v.want {
				t.Fatalf("code = %q, %v; RFC 6238 says %s", got, err, v.want)
			}
			if v.alg != otp.AlgorithmSHA1 {
				return
			}
			// The six-digit code is the eight-digit one's last six digits
			// (both are the truncated value modulo a power of ten), so the
			// SHA-1 vectors check Verify and Code too.
			if c, _ := Code(secret, at); c != v.want[2:] {
				t.Fatalf("Code = %s, want %s", c, v.want[2:])
			}
			step, err := Verify(secret, v.want[2:], 0, at)
			if err != nil || step != Step(at) {
				t.Fatalf("Verify(RFC code) = %d, %v", step, err)
			}
		})
	}
}

func TestVerifySkewAndReuse(t *testing.T) {
	e, err := Enrol("", "zhang.wei@example.cn")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 8, 9, 30, 10, 0, time.UTC)
	step := Step(now)
	codeAt := func(s int64) string {
		c, err := generate(e.Secret, s, otp.AlgorithmSHA1, otp.DigitsSix)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name     string
		code     string
		last     int64
		wantStep int64
		wantErr  string
	}{
		{"current", codeAt(step), 0, step, ""},
		{"previous step", codeAt(step - 1), 0, step - 1, ""},
		{"next step", codeAt(step + 1), 0, step + 1, ""},
		{"spaced as apps show it", codeAt(step)[:3] + " " + codeAt(step)[3:], 0, step, ""},
		{"two steps old", codeAt(step - 2), 0, 0, triage.EUNAUTHORIZED},
		{"two steps ahead", codeAt(step + 2), 0, 0, triage.EUNAUTHORIZED},
		{"reused", codeAt(step), step, 0, triage.EUNAUTHORIZED},
		{"older than the last used", codeAt(step - 1), step, 0, triage.EUNAUTHORIZED},
		{"newer than the last used", codeAt(step + 1), step, step + 1, ""},
		{"letters", "12a456", 0, 0, triage.EINVALID},
		{"too short", "12345", 0, 0, triage.EINVALID},
		{"empty", "", 0, 0, triage.EINVALID},
		{"full-width digits", "１２３４５６", 0, 0, triage.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Verify(e.Secret, tc.code, tc.last, now)
			if tc.wantErr == "" {
				if err != nil || got != tc.wantStep {
					t.Fatalf("Verify = %d, %v; want step %d", got, err, tc.wantStep)
				}
				return
			}
			var te *triage.Error
			if !errors.As(err, &te) || te.Code != tc.wantErr || te.Field != "code" {
				t.Fatalf("Verify = %d, %v; want %s on field code", got, err, tc.wantErr)
			}
		})
	}
	// The flow a caller runs: accept, store the step, refuse the replay.
	last := int64(0)
	c := codeAt(step)
	if last, err = Verify(e.Secret, c, last, now); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(e.Secret, c, last, now.Add(5*time.Second)); !triage.IsCode(err, triage.EUNAUTHORIZED) {
		t.Fatalf("a replayed code was accepted: %v", err)
	}
}

func TestVerifyUnreadableSecret(t *testing.T) {
	for _, s := range []string{"", "not base32!", "0189"} {
		_, err := Verify(s, "123456", 0, time.Now())
		if !triage.IsCode(err, triage.EINTERNAL) || strings.Contains(err.Error(), s+"\"") {
			t.Fatalf("Verify with secret %q = %v", s, err)
		}
	}
}

func TestEnrol(t *testing.T) {
	e, err := Enrol("", "李娜@example.cn")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e.Secret)
	if err != nil || len(raw) != secretSize {
		t.Fatalf("secret %q decodes to %d bytes, %v", e.Secret, len(raw), err)
	}
	u, err := url.Parse(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || q.Get("issuer") != "triage" || q.Get("secret") != e.Secret ||
		q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Fatalf("URL %s is not a standard TOTP key URI for issuer triage", e.URL)
	}
	if label, _ := url.PathUnescape(strings.TrimPrefix(u.EscapedPath(), "/")); label != "triage:李娜@example.cn" {
		t.Fatalf("label %q", label)
	}
	other, _ := Enrol("", "李娜@example.cn")
	if other.Secret == e.Secret {
		t.Fatal("two enrolments share a secret")
	}
	if _, err := Enrol("", " "); !triage.IsCode(err, triage.EINVALID) {
		t.Fatalf("Enrol with no account = %v", err)
	}
	if c, _ := Enrol("客服中心", "a@b.cn"); !strings.Contains(c.URL, "issuer=%E5%AE%A2") {
		t.Fatalf("issuer not used: %s", c.URL)
	}
	pngBytes, err := e.QRCodePNG(200)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil || img.Bounds().Dx() != 200 {
		t.Fatalf("QR code: %v, %v", img.Bounds(), err)
	}
	if _, err := e.QRCodePNG(10); !triage.IsCode(err, triage.EINVALID) {
		t.Fatalf("QRCodePNG(10) = %v", err)
	}
}
