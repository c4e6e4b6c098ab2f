package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/app"
)

// TestLockoutSurvivesRestart: failed sign-ins are counted in the store,
// so two instances on one store share a lockout, and an instance started
// after a restart keeps it (issue 18). Both stores.
func TestLockoutSurvivesRestart(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		e.withAccount(e.agent.ID, triage.RoleAgent)
		c := &clock{t: time.Now()}
		e.rebuild(func(cfg *api.Config) { cfg.Accounts.Now = c.now })
		// another opens a second instance on the same store, as a
		// restarted process or a second replica would.
		another := func() *env {
			t.Helper()
			a, err := app.Open(context.Background(), app.Config{DataDir: e.app.Config.DataDir, DB: e.app.Config.DB, SecretKey: e.app.Config.SecretKey,
				MemIndex: true, Segmenter: sharedSegmenter(t), Version: "test", Log: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			cfg := a.APIConfig()
			cfg.Accounts.Now = c.now
			o := *e
			o.app, o.srv = a, api.New(cfg)
			o.h = o.srv.Handler()
			return &o
		}
		b := another()
		wrong := "错误的密码错误的密码"
		// Six failures, half on each instance: the sixth locks.
		for i, inst := range []*env{e, b, e, b, e, b} {
			if r := inst.login(e.agent.Email, wrong); r.Code != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d %s, want 401", i+1, r.Code, r.Body)
			}
		}
		locked := func(inst *env, name string) {
			t.Helper()
			r := inst.login(e.agent.Email, testPassword)
			if r.Code != http.StatusTooManyRequests {
				t.Fatalf("%s: right password while locked: %d %s, want 429", name, r.Code, r.Body)
			}
			if after, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || after < 1 || after > 60 {
				t.Errorf("%s: Retry-After = %q, want 1-60 seconds", name, r.Header.Get("Retry-After"))
			}
		}
		locked(e, "first instance")
		locked(b, "second instance")
		if err := b.app.Close(); err != nil {
			t.Fatal(err)
		}
		restarted := another()
		defer restarted.app.Close()
		locked(restarted, "after a restart")
		c.add(61 * time.Second)
		if r := restarted.login(e.agent.Email, testPassword); r.Code != http.StatusOK {
			t.Fatalf("after the lockout: %d %s", r.Code, r.Body)
		}
		// The success cleared the count for every instance: five more
		// failures are free on the first.
		for i := range 5 {
			if r := e.login(e.agent.Email, wrong); r.Code != http.StatusUnauthorized {
				t.Fatalf("failure %d after a success: %d", i+1, r.Code)
			}
		}
	})
}
