package triage

import "time"

// OneTime is the stored record of a single-use, expiring link (an
// invitation, a password reset, a second-factor challenge): a hash of its
// token, never the token.
type OneTime struct {
	Hash    string `json:"-"`
	Purpose string `json:"purpose"`
	// Subject is whom the link is for: an agent id.
	Subject   string     `json:"subject"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at"`
}

// AsStored makes r what a store returns for it.
func (r *OneTime) AsStored() {
	r.CreatedAt = StoreTime(r.CreatedAt)
	r.ExpiresAt = StoreTime(r.ExpiresAt)
	r.UsedAt = StoreTimePtr(r.UsedAt)
}

// AuthSettings are the sign-in settings an admin chooses.
type AuthSettings struct {
	// RequireTOTP makes every person who signs in with a password use a
	// second factor: one who has none enrols at their next sign-in.
	RequireTOTP bool      `json:"require_totp"`
	UpdatedAt   time.Time `json:"updated_at"`
	Version     int       `json:"version"`
}

// AuthSettingsChange is an admin's change of the sign-in settings.
type AuthSettingsChange struct {
	RequireTOTP Opt[bool] `json:"require_totp"`
}

// AccountMail is a mail to a person about their account: an invitation
// or a password reset, with the link they follow. The link is a
// credential: it travels in the job that sends the mail and is stored
// nowhere else.
type AccountMail struct {
	Kind      string    `json:"kind"` // "invite" or "reset"
	To        string    `json:"to"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
	// By is the name of the admin who invited, for an invitation.
	By string `json:"by,omitempty"`
}

// Invite is an admin inviting a person to sign in.
type Invite struct {
	Email  string `json:"email"`
	Name   string `json:"name"`
	Role   Role   `json:"role"`
	TeamID string `json:"team_id"`
}

// LinkPassword sets a password with an invitation or reset link.
type LinkPassword struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// LinkToken names a link's token, to look at it before using it.
type LinkToken struct {
	Token string `json:"token"`
}

// ForgotPassword asks for a reset link.
type ForgotPassword struct {
	Email string `json:"email"`
}

// SecondFactor completes a sign-in that asked for a second factor: the
// challenge the first step returned and a code of the authenticator app,
// or one of the recovery codes.
type SecondFactor struct {
	Challenge    string `json:"challenge"`
	Code         string `json:"code"`
	RecoveryCode string `json:"recovery_code"`
}

// TOTPCode is a code of the authenticator app.
type TOTPCode struct {
	Code string `json:"code"`
}

// SignInFailures counts the failed sign-ins in a row of one key (an
// account's e-mail address, a client address, a second-factor challenge's
// person): kept in the store, so that a restart, or another instance on
// the same store, does not forgive them.
type SignInFailures struct {
	Key   string    `json:"key"`
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
}
