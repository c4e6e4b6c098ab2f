package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/otel"
)

// serve runs `triage serve`: build the application, start it, listen,
// print where, and serve until ctx is done.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	var level string
	fs := newFlags("serve", "[flags]", "Run the service: the API, the web UI and the background jobs.")
	serveFlags(fs, &cfg, &level)
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	secrets(&cfg)
	log, err := app.NewLogger(stderr, level)
	if err != nil {
		return err
	}
	cfg.Log, cfg.Version = log, version
	// Tracing follows the OTEL_* variables and is off without them.
	if cfg.Tracing, err = otel.FromEnv(ctx, version, os.Getenv); err != nil {
		return err
	}
	defer func() {
		// What is still buffered is exported before the process ends.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := cfg.Tracing.Shutdown(sctx); err != nil {
			log.Warn("exporting the last spans failed", "err", err)
		}
	}()
	if cfg.Tracing.Enabled() {
		log.Info("tracing is on (OTEL_* environment variables)")
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	return runApp(ctx, a, nil, stdout, stderr)
}

// runApp starts a and serves on ln (nil: listen on the configured
// address), printing the URL and, at the first start, the admin token.
func runApp(ctx context.Context, a *app.App, ln net.Listener, stdout, stderr io.Writer) error {
	tok, err := a.Start(ctx, progress(stderr))
	if err != nil {
		return err
	}
	admin, err := a.SignInHint(ctx)
	if err != nil {
		return err
	}
	if ln == nil {
		if ln, err = net.Listen("tcp", a.Config.Addr); err != nil {
			return err
		}
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "triage %s listening on %s (store: %s)\n", version, url, a.StoreName())
	if tok != nil {
		fmt.Fprintf(stdout, "\n  Admin token (shown only this once; keep it):\n\n    %s\n\n  Try: curl -H 'Authorization: Bearer %s' %s/v1/tickets\n\n", tok.Secret, tok.Secret, url)
	} else {
		signInHint(stdout, a.Config)
	}
	passwordHint(stdout, url, admin.Email, admin.Password)
	return a.Serve(ctx, ln)
}

// passwordHint tells, at every start, how a person signs in in the
// browser: the first admin's e-mail and a password made up at this start,
// until that admin sets their own (which is never shown).
func passwordHint(w io.Writer, url, email, password string) {
	if password == "" {
		fmt.Fprintf(w, "  登录 Sign in: %s/  管理员邮箱 admin e-mail: %s, with the password you set\n\n", url, email)
		return
	}
	fmt.Fprintf(w, "  登录 Sign in: %s/\n    邮箱 e-mail:    %s\n    密码 password:  %s\n"+
		"  (made up at this start; it changes at every start until you set your own password)\n\n", url, email, password)
}

// signInHint tells, at every start after the first, how to sign in: the
// first admin token was printed once and is stored hashed, so it cannot be
// shown again, but a new admin credential is one command away.
func signInHint(w io.Writer, cfg app.Config) {
	if cfg.AdminToken != "" {
		fmt.Fprint(w, "\n  Sign in with the admin token in TRIAGE_ADMIN_TOKEN.\n\n")
		return
	}
	store := "--data " + cfg.DataDir
	if cfg.DB != "" {
		store = "--db \"$TRIAGE_DB\""
	}
	fmt.Fprintf(w, `
  Sign in with an API token. The first admin token was shown once and is stored hashed, so it is
  not shown again. For a new admin token (it works at once, also while this server runs):

    %s token create --role admin %s

  or restart with TRIAGE_ADMIN_TOKEN=trg_<20 or more characters> to make that secret an admin token.

`, os.Args[0], store)
}
