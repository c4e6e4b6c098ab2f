package app

import (
	"context"
	"strings"

	"github.com/triagehq/triage/account"
	"github.com/triagehq/triage/password"
)

// DefaultAdminEmail is the first admin's address when TRIAGE_ADMIN_EMAIL
// does not name one.
const DefaultAdminEmail = "admin@triage.example"

// openAccounts builds staff sign-in: argon2id with the recommended
// parameters, at most two hashes at once (each takes 19 MiB).
func (a *App) openAccounts() error {
	h, err := password.NewHasher(password.DefaultParams(), 2)
	if err != nil {
		return err
	}
	a.Accounts = &account.Service{Store: a.Store, Hasher: h, Keys: a.Keys, BaseURL: strings.TrimRight(a.Config.PublicURL, "/")}
	if a.Mail != nil {
		a.Accounts.Mailer = a.Mail
		// Notification mails link to tickets on the public URL; they go
		// only where an outbound server is configured.
		a.Mail.BaseURL = strings.TrimRight(a.Config.PublicURL, "/")
		if a.Mail.Outbound() {
			a.Notifier.Mail = a.Mail
		}
	}
	a.sso, a.ssoName, err = a.openSSO()
	return err
}

// SignInHint makes sure an admin can sign in and says how: the first
// admin's address with a password made up now, until that admin sets
// their own (account.Service.EnsureAdmin). `triage serve` prints it at
// every start.
func (a *App) SignInHint(ctx context.Context) (*account.FirstAdmin, error) {
	email := a.Config.AdminEmail
	if email == "" {
		email = DefaultAdminEmail
	}
	return a.Accounts.EnsureAdmin(ctx, email, "管理员")
}
