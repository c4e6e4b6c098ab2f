package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUIFormsAndSurveyResend drives, in Chromium, the admin forms that
// failed with "Cannot read properties of undefined (reading 'trim')"
// (issue 18: a token, a webhook) and the survey's "mail a new link"
// button (issue 13), and checks each effect through the API: the token
// exists with the chosen role and its secret works; the webhook exists
// with the chosen events; the new survey link went to the customer's
// mailbox, never onto the page, and the ticket's history has the entry,
// in Chinese on the page.
func TestUIFormsAndSurveyResend(t *testing.T) {
	u := startUI(t)
	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)

	t.Run("token form", func(t *testing.T) {
		const name = "只读报表脚本（界面创建）"
		step(t, ctx, "open the token form",
			chromedp.Navigate(u.url+"/app/admin/tokens"),
			chromedp.WaitVisible(chromedp.ID("add-token")),
			chromedp.Click(chromedp.ID("add-token")),
			chromedp.WaitVisible(chromedp.ID("tk-name")))
		step(t, ctx, "fill in and create",
			chromedp.SendKeys(chromedp.ID("tk-name"), "  "+name+" "),
			chromedp.SetValue(chromedp.ID("tk-role"), "viewer"),
			chromedp.Click(chromedp.CSS(`dialog.modal button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.ID("new-secret")))
		secret := jsEval[string](t, ctx, `document.getElementById('new-secret').value`)
		step(t, ctx, "close the secret", chromedp.Click(chromedp.CSS(`dialog.modal button[value="cancel"]`)))
		var toks struct {
			Items []struct {
				Name, Role string
				RevokedAt  *time.Time `json:"revoked_at"`
			}
		}
		if err := u.api("GET", "/v1/tokens", &toks); err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(toks.Items, func(tk struct {
			Name, Role string
			RevokedAt  *time.Time `json:"revoked_at"`
		}) bool {
			return tk.Name == name && tk.Role == "viewer" && tk.RevokedAt == nil
		}) {
			t.Fatalf("no active viewer token %q after the form: %+v", name, toks.Items)
		}
		if code := bearerStatus(t, u.url+"/v1/me", secret); code != http.StatusOK {
			t.Errorf("the secret the page showed: GET /v1/me answers %d", code)
		}
		if errs := u.errors(); len(errs) > 0 {
			t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
		}
	})

	t.Run("webhook form", func(t *testing.T) {
		const hookURL = "https://hooks.example.com/triage-ui-form"
		step(t, ctx, "open the webhook form",
			chromedp.Navigate(u.url+"/app/admin/webhooks"),
			chromedp.WaitVisible(chromedp.ID("add-webhook")),
			chromedp.Click(chromedp.ID("add-webhook")),
			chromedp.WaitVisible(chromedp.ID("wh-url")))
		step(t, ctx, "fill in and save",
			chromedp.SendKeys(chromedp.ID("wh-url"), hookURL),
			chromedp.SendKeys(chromedp.ID("wh-desc"), "工单同步（界面创建）"),
			chromedp.Click(chromedp.CSS(`input[name="ev.article.published"]`)),
			chromedp.Click(chromedp.CSS(`dialog.modal button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog.modal input[readonly]`)))
		step(t, ctx, "close the secret", chromedp.Click(chromedp.CSS(`dialog.modal button[value="cancel"]`)))
		var hooks struct {
			Items []struct {
				URL, Description string
				Events           []string
				Active           bool
			}
		}
		if err := u.api("GET", "/v1/webhooks", &hooks); err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(hooks.Items, func(h struct {
			URL, Description string
			Events           []string
			Active           bool
		}) bool {
			return h.URL == hookURL
		})
		if i < 0 {
			t.Fatalf("no webhook %s after the form: %+v", hookURL, hooks.Items)
		}
		h := hooks.Items[i]
		if h.Description != "工单同步（界面创建）" || !h.Active || len(h.Events) != 6 || slices.Contains(h.Events, "article.published") {
			t.Errorf("the webhook the form made: %+v", h)
		}
		if errs := u.errors(); len(errs) > 0 {
			t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
		}
	})

	t.Run("survey link mailed again", func(t *testing.T) {
		to := fmt.Sprintf("kehu-resend-%d@example.com", time.Now().UnixNano())
		var tk struct{ ID string }
		if err := u.send("POST", "/v1/tickets", map[string]any{"title": "发票还没收到", "body": "开票申请一周了",
			"requester": map[string]any{"name": "陈女士", "email": to}}, &tk); err != nil {
			t.Fatal(err)
		}
		if err := u.send("PATCH", "/v1/tickets/"+tk.ID, map[string]any{"status": "solved"}, nil, "If-Match: *"); err != nil {
			t.Fatal(err)
		}
		first := u.mailedSurvey(t, to, 1)
		step(t, ctx, "open the solved ticket",
			chromedp.Navigate(u.url+"/app/tickets/"+tk.ID),
			chromedp.WaitVisible(chromedp.CSS(`.csat .csat-resend`)))
		step(t, ctx, "mail a new link",
			chromedp.Click(chromedp.CSS(`.csat .csat-resend`)),
			chromedp.WaitVisible(chromedp.CSS(`.toast-ok`)))
		second := u.mailedSurvey(t, to, 2)
		if second == first {
			t.Fatal("the second mail carries the first link")
		}
		// The link is in the customer's mail only: not on the page, not
		// in a dialog, not in the API's answers to staff.
		if jsEval[bool](t, ctx, `document.documentElement.outerHTML.includes('csat_') || !!document.querySelector('dialog.modal')`) {
			t.Error("the page shows the survey link or a dialog with it")
		}
		var hist struct {
			Items []struct {
				Field, Old, New string
				Why             []struct{ Code string }
			}
		}
		if err := u.api("GET", "/v1/tickets/"+tk.ID+"/history", &hist); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, h := range hist.Items {
			if h.Field == "csat_link" && h.New == "issued" && len(h.Why) == 1 && h.Why[0].Code == "csat.link_reissued" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("history entries of the new link: %d, want 1: %+v", n, hist.Items)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !jsEval[bool](t, ctx, `(document.querySelector('details.history')?.textContent || '').includes('已重新发送给客户')`) {
			if time.Now().After(deadline) {
				t.Fatalf("the page's history does not say the link was sent again: %s", jsEval[string](t, ctx, `document.querySelector('details.history').textContent`))
			}
			time.Sleep(100 * time.Millisecond)
		}
		if hist := jsEval[string](t, ctx, `document.querySelector('details.history').textContent`); !strings.Contains(hist, "已把新的满意度调查链接发送到 "+to) {
			t.Errorf("the history's reason is not said in Chinese: %s", hist)
		}
		if code := bearerStatus(t, u.url+"/v1/csat/"+first, ""); code != http.StatusNotFound {
			t.Errorf("the replaced link answers %d", code)
		}
		if code := bearerStatus(t, u.url+"/v1/csat/"+second, ""); code != http.StatusOK {
			t.Errorf("the mailed link answers %d", code)
		}
		if errs := u.errors(); len(errs) > 0 {
			t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
		}
	})
}

// bearerStatus is the status of a GET with a bearer token (none when
// empty).
func bearerStatus(t *testing.T, url, token string) int {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
