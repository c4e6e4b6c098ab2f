package account

import (
	"context"
	"encoding/base64"
	"slices"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/onetime"
	"github.com/triagehq/triage/totp"
)

// RecoveryCodeCount is how many recovery codes an enrolment makes.
const RecoveryCodeCount = 10

// Enrolment is a new second-factor secret for a person to add to an
// authenticator app: the otpauth:// URL and its QR code, and the secret
// for typing in by hand.
type Enrolment struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
	// QR is the URL as a PNG QR code, in a data: URL for an <img>.
	QR string `json:"qr"`
}

func totpAAD(agentID string) string { return "account:" + agentID + ":totp" }

// newEnrolment makes a secret for a person and seals it for the store.
func (s *Service) newEnrolment(email, agentID string) (*Enrolment, string, error) {
	if !s.Keys.Configured() {
		return nil, "", triage.Errorf(triage.EUNAVAILABLE, "two-factor sign-in needs a sealing key on the server (TRIAGE_SECRET_KEY)")
	}
	e, err := totp.Enrol(totp.Issuer, email)
	if err != nil {
		return nil, "", err
	}
	png, err := e.QRCodePNG(200)
	if err != nil {
		return nil, "", err
	}
	sealed, err := s.Keys.SealString(e.Secret, totpAAD(agentID))
	if err != nil {
		return nil, "", err
	}
	return &Enrolment{Secret: e.Secret, URL: e.URL, QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)}, sealed, nil
}

func (s *Service) secret(acc *triage.Account) (string, error) {
	if acc.TOTPSecret == "" {
		return "", triage.Invalid("code", "no authenticator app is enrolled; start the enrolment first")
	}
	return s.Keys.OpenString(acc.TOTPSecret, totpAAD(acc.AgentID))
}

// AuthSettings returns the sign-in settings.
func (s *Service) AuthSettings(ctx context.Context) (*triage.AuthSettings, error) {
	return s.Store.AuthSettings(ctx)
}

// SetAuthSettings changes the sign-in settings at version.
func (s *Service) SetAuthSettings(ctx context.Context, version int, in triage.AuthSettingsChange) (*triage.AuthSettings, error) {
	if in.RequireTOTP.Set && in.RequireTOTP.Null {
		return nil, triage.Invalid("require_totp", "require_totp must be true or false")
	}
	var out *triage.AuthSettings
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		cur, err := tx.AuthSettings(ctx)
		if err != nil {
			return err
		}
		if err := triage.CheckVersion("auth settings", cur.Version, version); err != nil {
			return err
		}
		if in.RequireTOTP.Set {
			cur.RequireTOTP = in.RequireTOTP.V
		}
		cur.UpdatedAt = s.now()
		if err := tx.PutAuthSettings(ctx, cur); err != nil {
			return err
		}
		out = cur
		return nil
	})
	return out, err
}

// secondFactor decides, after a right password, whether a second factor
// is asked for: it returns the challenge to answer, or nil to sign in at
// once.
func (s *Service) secondFactor(ctx context.Context, acc *triage.Account) (*Started, error) {
	factor := ""
	if acc.TOTPEnabledAt != nil {
		factor = "totp"
	} else {
		set, err := s.Store.AuthSettings(ctx)
		if err != nil {
			return nil, err
		}
		if !set.RequireTOTP {
			return nil, nil
		}
		factor = "enrol"
	}
	out := &Started{Factor: factor}
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		if factor == "enrol" {
			agent, err := tx.Agent(ctx, acc.AgentID)
			if err != nil {
				return err
			}
			e, sealed, err := s.newEnrolment(agent.Email, acc.AgentID)
			if err != nil {
				return err
			}
			cur, err := tx.Account(ctx, acc.AgentID)
			if err != nil {
				return err
			}
			cur.TOTPSecret, cur.UpdatedAt = sealed, s.now()
			if err := tx.PutAccount(ctx, cur); err != nil {
				return err
			}
			out.Enrolment = e
		}
		token, r, err := onetime.New(onetime.SecondFactor, acc.AgentID, 0, s.now())
		if err != nil {
			return err
		}
		out.Challenge = token
		return tx.PutOneTime(ctx, oneTime(r))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ChallengeSubject returns whose sign-in a challenge continues, for the
// caller's lockout, without using it; "" for a challenge that is not
// valid.
func (s *Service) ChallengeSubject(ctx context.Context, challenge string) string {
	h, err := onetime.Hash(onetime.SecondFactor, challenge)
	if err != nil {
		return ""
	}
	r, err := s.Store.OneTime(ctx, h)
	if err != nil || onetime.Check(record(r), onetime.SecondFactor, challenge, s.now()) != nil {
		return ""
	}
	return r.Subject
}

func wrongCode() error {
	return &triage.Error{Code: triage.EUNAUTHORIZED, Field: "code", Message: "the code is wrong or has expired"}
}

// Verify completes a sign-in with the second factor: a code of the
// authenticator app (which also confirms an enrolment made at sign-in),
// or a recovery code, which then works no more. The challenge is used up
// by the sign-in it completes; a wrong code leaves it for another try
// (the caller counts the failures and locks out).
func (s *Service) Verify(ctx context.Context, in triage.SecondFactor, from Client) (*Started, error) {
	if in.Code == "" && in.RecoveryCode == "" {
		return nil, triage.Invalid("code", "code (or recovery_code) is required")
	}
	h, err := onetime.Hash(onetime.SecondFactor, in.Challenge)
	if err != nil {
		return nil, signInAgain()
	}
	r, err := s.Store.OneTime(ctx, h)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil, signInAgain()
	} else if err != nil {
		return nil, err
	}
	if onetime.Check(record(r), onetime.SecondFactor, in.Challenge, s.now()) != nil {
		return nil, signInAgain()
	}
	acc, err := s.Store.Account(ctx, r.Subject)
	if err != nil {
		return nil, err
	}
	enrolling := acc.TOTPEnabledAt == nil
	var step int64
	recovery := -1
	if in.RecoveryCode != "" {
		if enrolling {
			return nil, triage.Invalid("recovery_code", "recovery codes come after the enrolment; enter the app's code")
		}
		if recovery = totp.MatchRecoveryCode(acc.RecoveryHashes, in.RecoveryCode); recovery < 0 {
			return nil, &triage.Error{Code: triage.EUNAUTHORIZED, Field: "recovery_code", Message: "the recovery code is wrong or already used"}
		}
	} else {
		secret, err := s.secret(acc)
		if err != nil {
			return nil, err
		}
		if step, err = totp.Verify(secret, in.Code, acc.TOTPStep, s.now()); err != nil {
			return nil, err
		}
	}
	var codes, hashes []string
	if enrolling {
		if codes, hashes, err = totp.RecoveryCodes(RecoveryCodeCount); err != nil {
			return nil, err
		}
	}
	st, err := s.start(ctx, acc.AgentID, from, func(tx triage.Tx, cur *triage.Account) error {
		now := s.now()
		got, err := tx.TakeOneTime(ctx, h, now)
		if err != nil {
			return err
		}
		if onetime.Check(record(got), onetime.SecondFactor, in.Challenge, now) != nil {
			return signInAgain()
		}
		if cur.TOTPSecret != acc.TOTPSecret || !slices.Equal(cur.RecoveryHashes, acc.RecoveryHashes) || cur.TOTPStep != acc.TOTPStep {
			return wrongCode() // changed meanwhile (a code used twice at once)
		}
		if recovery >= 0 {
			cur.RecoveryHashes = slices.Delete(slices.Clone(cur.RecoveryHashes), recovery, recovery+1)
		} else {
			cur.TOTPStep = step
		}
		if enrolling {
			cur.TOTPEnabledAt, cur.RecoveryHashes = &now, hashes
		}
		cur.UpdatedAt = now
		return tx.PutAccount(ctx, cur)
	})
	if err != nil {
		return nil, err
	}
	st.RecoveryCodes = codes
	return st, nil
}

// fieldError makes a wrong code of a signed-in person a 400, not a 401:
// the session is fine, a field is wrong (and a 401 would sign the page
// out).
func fieldError(err error) error {
	if triage.IsCode(err, triage.EUNAUTHORIZED) {
		return triage.Invalid("code", "%s", triage.ErrorMessage(err))
	}
	return err
}

func signInAgain() error {
	return &triage.Error{Code: triage.EUNAUTHORIZED, Field: "challenge", Message: "the sign-in has expired; enter your password again"}
}

// Enrol starts a person's own enrolment: a new secret, pending until
// ConfirmEnrolment gets a first code of it.
func (s *Service) Enrol(ctx context.Context, p *triage.Principal) (*Enrolment, error) {
	if p == nil || p.AgentID == "" {
		return nil, triage.Errorf(triage.EINVALID, "this credential is not a person's; sign in to enrol a second factor")
	}
	var out *Enrolment
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		acc, err := tx.Account(ctx, p.AgentID)
		if err != nil {
			return err
		}
		if acc.TOTPEnabledAt != nil {
			return triage.Errorf(triage.ECONFLICT, "an authenticator app is enrolled already; turn it off first to enrol another")
		}
		agent, err := tx.Agent(ctx, p.AgentID)
		if err != nil {
			return err
		}
		e, sealed, err := s.newEnrolment(agent.Email, acc.AgentID)
		if err != nil {
			return err
		}
		acc.TOTPSecret, acc.UpdatedAt = sealed, s.now()
		out = e
		return tx.PutAccount(ctx, acc)
	})
	return out, err
}

// ConfirmEnrolment turns the second factor on with a first code of the
// pending secret, and returns the recovery codes, shown this once.
func (s *Service) ConfirmEnrolment(ctx context.Context, p *triage.Principal, code string) ([]string, error) {
	if p == nil || p.AgentID == "" {
		return nil, triage.Errorf(triage.EINVALID, "this credential is not a person's")
	}
	acc, err := s.Store.Account(ctx, p.AgentID)
	if err != nil {
		return nil, err
	}
	if acc.TOTPEnabledAt != nil {
		return nil, triage.Errorf(triage.ECONFLICT, "the authenticator app is enrolled already")
	}
	secret, err := s.secret(acc)
	if err != nil {
		return nil, err
	}
	step, err := totp.Verify(secret, code, acc.TOTPStep, s.now())
	if err != nil {
		return nil, fieldError(err)
	}
	codes, hashes, err := totp.RecoveryCodes(RecoveryCodeCount)
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx triage.Tx) error {
		cur, err := tx.Account(ctx, p.AgentID)
		if err != nil {
			return err
		}
		if cur.TOTPSecret != acc.TOTPSecret || cur.TOTPEnabledAt != nil {
			return triage.Errorf(triage.ECONFLICT, "the enrolment changed meanwhile; start it again")
		}
		now := s.now()
		cur.TOTPEnabledAt, cur.TOTPStep, cur.RecoveryHashes, cur.UpdatedAt = &now, step, hashes, now
		return tx.PutAccount(ctx, cur)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableOwn turns a person's own second factor off, with a current code;
// refused while admins require one.
func (s *Service) DisableOwn(ctx context.Context, p *triage.Principal, code string) error {
	if p == nil || p.AgentID == "" {
		return triage.Errorf(triage.EINVALID, "this credential is not a person's")
	}
	set, err := s.Store.AuthSettings(ctx)
	if err != nil {
		return err
	}
	if set.RequireTOTP {
		return triage.Errorf(triage.EFORBIDDEN, "admins require two-factor sign-in; it cannot be turned off")
	}
	acc, err := s.Store.Account(ctx, p.AgentID)
	if err != nil {
		return err
	}
	if acc.TOTPEnabledAt == nil {
		return triage.Errorf(triage.ECONFLICT, "no authenticator app is enrolled")
	}
	secret, err := s.secret(acc)
	if err != nil {
		return err
	}
	if _, err := totp.Verify(secret, code, acc.TOTPStep, s.now()); err != nil {
		return fieldError(err)
	}
	return s.ResetFactor(ctx, p.AgentID)
}

// ResetFactor removes an account's second factor and recovery codes (an
// admin's help for a lost phone); where admins require one, the person
// enrols again at the next sign-in.
func (s *Service) ResetFactor(ctx context.Context, agentID string) error {
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		acc, err := tx.Account(ctx, agentID)
		if err != nil {
			return err
		}
		acc.TOTPSecret, acc.TOTPEnabledAt, acc.TOTPStep, acc.RecoveryHashes, acc.UpdatedAt = "", nil, 0, nil, s.now()
		return tx.PutAccount(ctx, acc)
	})
}
