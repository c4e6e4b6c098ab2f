package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	printedEmail    = regexp.MustCompile(`邮箱 e-mail:\s+(\S+)`)
	printedPassword = regexp.MustCompile(`密码 password:\s+(\S+)`)
)

// serveOnce starts `triage serve` on dir, waits for how to sign in, and
// returns the URL, the output and a function that stops the server.
func serveOnce(t *testing.T, dir string) (string, *syncBuffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--log-level", "error"}, out, out)
	}()
	url := waitFor(t, out, "url")
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(out.String(), "登录 Sign in:"); {
		if time.Now().After(deadline) {
			t.Fatalf("no sign-in hint:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return url, out, stop
}

// login signs in and returns the client holding the cookies.
func login(t *testing.T, url, email, password string) (*http.Client, int) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Post(url+"/v1/auth/login", "application/json", strings.NewReader(`{"email":"`+email+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return c, resp.StatusCode
}

// TestServePrintsSignIn: every start prints the first admin's e-mail and
// a password made up at that start, which signs in (and the one before
// no longer does), until the admin sets their own; then a start names
// the address only.
func TestServePrintsSignIn(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service three times; skipped with -short")
	}
	dir := t.TempDir()
	var passwords []string
	for i := range 2 {
		url, out, stop := serveOnce(t, dir)
		em, pw := printedEmail.FindStringSubmatch(out.String()), printedPassword.FindStringSubmatch(out.String())
		if em == nil || pw == nil || em[1] != "admin@triage.example" {
			t.Fatalf("start %d printed no admin e-mail and password:\n%s", i+1, out.String())
		}
		passwords = append(passwords, pw[1])
		if _, code := login(t, url, em[1], pw[1]); code != http.StatusOK {
			t.Fatalf("start %d: the printed password does not sign in: %d", i+1, code)
		}
		if i == 1 {
			if passwords[0] == passwords[1] {
				t.Fatal("the second start printed the same password")
			}
			if _, code := login(t, url, em[1], passwords[0]); code != http.StatusUnauthorized {
				t.Errorf("the first start's password still signs in: %d", code)
			}
			// The admin sets their own password.
			c, _ := login(t, url, em[1], pw[1])
			var csrf string
			for _, ck := range c.Jar.Cookies(mustURL(t, url)) {
				if ck.Name == "triage_csrf" {
					csrf = ck.Value
				}
			}
			req, _ := http.NewRequest("POST", url+"/v1/auth/password", strings.NewReader(`{"current_password":"`+pw[1]+`","new_password":"管理员自己的密码-2026"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", csrf)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("set own password: %d", resp.StatusCode)
			}
		}
		stop()
	}
	url, out, _ := serveOnce(t, dir)
	if printedPassword.MatchString(out.String()) || !strings.Contains(out.String(), "admin@triage.example, with the password you set") {
		t.Fatalf("after the admin set a password, the start printed:\n%s", out.String())
	}
	if _, code := login(t, url, "admin@triage.example", "管理员自己的密码-2026"); code != http.StatusOK {
		t.Errorf("the admin's own password: %d", code)
	}
}

func mustURL(t *testing.T, s string) *neturl.URL {
	t.Helper()
	u, err := neturl.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
