package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/classify"
)

// TestHelp asks every command and every sub-command of a group for its
// usage, with -h and with --help (and through triage help): each answers
// on stdout with its own usage line, writes nothing on stderr, and exits
// 0. The list comes from the command table, so a new command is covered
// the day it is added.
func TestHelp(t *testing.T) {
	var paths [][]string
	for _, c := range commands() {
		paths = append(paths, []string{c.name})
		for _, s := range c.subs {
			paths = append(paths, []string{c.name, s.name})
		}
	}
	if len(paths) < 15 {
		t.Fatalf("only %d commands in the table", len(paths))
	}
	for _, p := range paths {
		for _, asks := range [][]string{append(p[:len(p):len(p)], "-h"), append(p[:len(p):len(p)], "--help"), append([]string{"help"}, p...)} {
			if asks[0] == "help" && len(p) > 1 {
				continue // triage help takes one command
			}
			t.Run(strings.Join(asks, " "), func(t *testing.T) {
				var out, errOut syncBuffer
				code := run(context.Background(), asks, &out, &errOut)
				want := "Usage: triage " + strings.Join(p, " ")
				if code != 0 || !strings.HasPrefix(out.String(), want) || errOut.String() != "" {
					t.Errorf("exit %d, want 0; stdout %q, want it to start with %q; stderr %q", code, out.String(), want, errOut.String())
				}
			})
		}
	}
	for _, asks := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		var out syncBuffer
		if code := run(context.Background(), asks, &out, io.Discard); code != 0 || !strings.Contains(out.String(), "Commands:") {
			t.Errorf("%v: exit %d, output %q", asks, code, out.String())
		}
	}
}

// TestUsageMistakes: a group without its sub-command, or with an unknown
// one, and an unknown flag are mistakes: exit 2, the usage on stderr and
// nothing on stdout.
func TestUsageMistakes(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"eval"}, "eval needs a command: classify, sentiment, retrieve, live, drafts, compare, merge or deflect"},
		{[]string{"eval", "--bogus"}, `unknown eval kind "--bogus"`},
		{[]string{"import", "words"}, `unknown import kind "words"`},
		{[]string{"token"}, "token needs a command: create"},
		{[]string{"eval", "classify", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"token", "create", "--role", "boss"}, `--role "boss" is not one of`},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errOut syncBuffer
			code := run(context.Background(), c.args, &out, &errOut)
			if code != 2 || out.String() != "" || !strings.Contains(errOut.String(), c.want) {
				t.Errorf("exit %d, want 2; stdout %q; stderr %q, want %q", code, out.String(), errOut.String(), c.want)
			}
		})
	}
}

// TestTokenCreate is the journey of a second start: the server says how
// to get a new admin credential, the command it names makes one while the
// server runs, and that token signs in at once.
func TestTokenCreate(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var first syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, &first, io.Discard)
	}()
	waitFor(t, &first, "url")
	cancel()
	<-done

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	var second syncBuffer
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, &second, io.Discard)
	}()
	url := waitFor(t, &second, "url")
	defer func() { cancel(); <-done }()
	if secretRE.MatchString(second.String()) || !strings.Contains(second.String(), "token create --role admin --data "+dir) {
		t.Fatalf("the second start says nothing of how to sign in:\n%s", second.String())
	}

	var out, errOut syncBuffer
	if code := run(context.Background(), []string{"token", "create", "--role", "admin", "--name", "值班管理员", "--data", dir}, &out, &errOut); code != 0 {
		t.Fatalf("token create: exit %d\n%s", code, errOut.String())
	}
	secret := strings.TrimSpace(out.String())
	if !strings.HasPrefix(secret, "trg_") || strings.Contains(secret, "\n") {
		t.Fatalf("token create printed %q on stdout, want the secret alone", secret)
	}
	req, _ := http.NewRequest("GET", url+"/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"role":"admin"`) || !strings.Contains(string(b), "值班管理员") {
		t.Errorf("the new token: %d %s", resp.StatusCode, b)
	}
}

// TestEvalThresholdIsTheServices: eval classify abstains where the service
// does by default, one constant for both, so a report's abstain rate is
// the service's.
func TestEvalThresholdIsTheServices(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cfg app.Config
	var level string
	serveFlags(fs, &cfg, &level)
	if got := fs.Lookup("abstain-threshold").DefValue; got != fmt.Sprint(classify.DefaultThreshold) {
		t.Fatalf("serve --abstain-threshold defaults to %s, want classify.DefaultThreshold", got)
	}
	var out, errOut syncBuffer
	if code := run(context.Background(), []string{"eval", "classify", "--train", "../../testdata/eval/train.jsonl", "--test", "../../testdata/eval/dev.jsonl", "--examples", "0"}, &out, &errOut); code != 0 {
		t.Fatalf("eval classify: exit %d: %s", code, errOut.String())
	}
	var r struct{ Threshold float64 }
	if err := json.Unmarshal([]byte(out.String()), &r); err != nil {
		t.Fatal(err)
	}
	if r.Threshold != classify.DefaultThreshold {
		t.Errorf("eval classify abstains below %v, the service below %v", r.Threshold, classify.DefaultThreshold)
	}
}
