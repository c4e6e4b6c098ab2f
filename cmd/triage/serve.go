package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"

	"github.com/triagehq/triage/app"
)

// serve runs `triage serve`: build the application, start it, listen,
// print where, and serve until ctx is done.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	var level string
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	serveFlags(fs, &cfg, &level)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	secrets(&cfg)
	log, err := app.NewLogger(stderr, level)
	if err != nil {
		return err
	}
	cfg.Log, cfg.Version = log, version
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
	if ln == nil {
		if ln, err = net.Listen("tcp", a.Config.Addr); err != nil {
			return err
		}
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "triage %s listening on %s (store: %s)\n", version, url, a.StoreName())
	if tok != nil {
		fmt.Fprintf(stdout, "\n  Admin token (shown only this once; keep it):\n\n    %s\n\n  Try: curl -H 'Authorization: Bearer %s' %s/v1/tickets\n\n", tok.Secret, tok.Secret, url)
	}
	return a.Serve(ctx, ln)
}
