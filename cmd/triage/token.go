package main

import (
	"context"
	"fmt"
	"io"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
)

// tokenCmd runs `triage token create`: a new API token straight in the
// store, for whoever runs the service and lost the first admin token,
// which is stored hashed and never shown again. The secret goes to stdout
// alone, so a script can keep it (TOKEN=$(triage token create …)).
func tokenCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, _ := lookup("token")
	if _, rest, err := group(c, args, stdout, stderr); err != nil {
		return err
	} else {
		args = rest
	}
	var cfg app.Config
	fs := newFlags("token create", "[flags]",
		"Create an API token in the store and print its secret once (it is stored hashed). Works\nwhile the service runs; the token signs in at once.")
	storeFlags(fs, &cfg)
	role := fs.String("role", string(triage.RoleAdmin), "admin, agent, editor, viewer, or mail (an MTA pipe's token for triage mail deliver)")
	name := fs.String("name", "admin (triage token create)", "what the token is for, shown in the token list")
	agent := fs.String("agent", "", "the agent id the token acts as (agents' tokens)")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if !triage.Role(*role).Valid() {
		return triage.Invalid("role", "--role %q is not one of admin, agent, editor, viewer, mail", *role)
	}
	m, err := openTools(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	ctx = triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "cli", Name: "triage token create", Role: triage.RoleAdmin})
	tok, err := m.Desk.CreateToken(ctx, triage.NewToken{Name: *name, Role: triage.Role(*role), AgentID: *agent}, nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok.Secret)
	fmt.Fprintf(stderr, "created %s token %s (%s); keep the secret above: it is stored hashed and never shown again\n", tok.Role, tok.ID, tok.Name)
	return nil
}
