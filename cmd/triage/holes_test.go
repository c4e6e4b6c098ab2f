package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestEnvAdminTokenNeverPrinted: an admin token given in
// TRIAGE_ADMIN_TOKEN works from the first start on, and neither the
// start-up banner nor the logs (at debug level) ever show it.
func TestEnvAdminTokenNeverPrinted(t *testing.T) {
	const secret = "trg_envadmintokennevershown0123456789"
	t.Setenv("TRIAGE_ADMIN_TOKEN", secret)
	ctx, cancel := context.WithCancel(context.Background())
	var out, logs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-level", "debug"}, &out, &logs)
	}()
	url := waitFor(t, &out, "url")
	req, _ := http.NewRequest("GET", url+"/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("the TRIAGE_ADMIN_TOKEN secret does not sign in: %d", res.StatusCode)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d", code)
	}
	for name, s := range map[string]string{"stdout": out.String(), "stderr": logs.String()} {
		if strings.Contains(s, secret) || strings.Contains(s, secret[4:16]) {
			t.Errorf("%s shows the TRIAGE_ADMIN_TOKEN secret:\n%s", name, s)
		}
	}
	if !strings.Contains(out.String(), "TRIAGE_ADMIN_TOKEN") {
		t.Errorf("the banner does not say to sign in with TRIAGE_ADMIN_TOKEN:\n%s", out.String())
	}
}
