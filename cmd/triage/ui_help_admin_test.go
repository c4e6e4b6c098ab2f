package main

import (
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// smsSecretUI is the SMS webhook's secret typed in the settings.
const smsSecretUI = "sms-secret-typed-in-the-ui-2026"

// onePixelPNG is a 1×1 PNG, a logo the settings accept.
const onePixelPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

// TestUIHelpAdmin drives the admin screens of the customer's side in a
// browser and checks each effect through the API:
//
//  1. the help centre's settings (company name, logo upload, category on
//     the form, e-mail confirmation, widget origins, the SMS webhook and
//     its secret, never shown back) are saved, and a bad origin is
//     refused with the field named;
//  2. the deflection report shows the API's totals, draws its charts, and
//     its CSV button downloads the API's CSV.
func TestUIHelpAdmin(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service with demo data and a browser; skipped with -short")
	}
	chromiumPath(t)
	u := startUI(t)
	for _, size := range [][2]int64{{1366, 768}, {390, 844}} {
		t.Run(strconv.FormatInt(size[0], 10), func(t *testing.T) {
			ctx := u.tab(t, size[0], size[1])
			u.signIn(t, ctx)
			shot := func(name string) {
				if dir := os.Getenv("TRIAGE_UI_SHOTS"); dir != "" {
					u.screenshot(t, ctx, dir, strconv.FormatInt(size[0], 10)+"-"+name)
				}
			}
			logo := filepath.Join(t.TempDir(), "logo.png")
			raw, _ := base64.StdEncoding.DecodeString(onePixelPNG)
			if err := os.WriteFile(logo, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			name := "极光商城" + strconv.FormatInt(size[0], 10)

			// 1. The settings.
			step(t, ctx, "open the help centre settings",
				chromedp.Navigate(u.url+"/app/admin/help"),
				chromedp.WaitVisible(chromedp.ID("ha-name")))
			step(t, ctx, "a bad widget origin is refused",
				chromedp.SetValue(chromedp.ID("ha-origins"), "ftp://shop.example.com"),
				chromedp.Click(chromedp.ID("ha-save")),
				chromedp.WaitVisible(chromedp.CSS(`#ha-origins[aria-invalid="true"]`)))
			step(t, ctx, "fill in and save",
				chromedp.SetValue(chromedp.ID("ha-name"), name),
				chromedp.SetUploadFiles(chromedp.ID("ha-logo"), []string{logo}),
				chromedp.Click(chromedp.ID("ha-ask-category")),
				chromedp.Click(chromedp.ID("ha-confirm-email")),
				chromedp.SetValue(chromedp.ID("ha-origins"), "https://shop.example.com\nhttps://m.example.com/"),
				chromedp.SetValue(chromedp.ID("ha-sms-url"), "https://sms.example.cn/triage"),
				chromedp.SetValue(chromedp.ID("ha-sms-secret"), smsSecretUI),
				chromedp.Click(chromedp.ID("ha-save")),
				chromedp.WaitVisible(chromedp.ID("ha-logo-img")))
			shot("help-settings.png")
			var st struct {
				CompanyName   string   `json:"company_name"`
				LogoType      string   `json:"logo_type"`
				AskCategory   bool     `json:"ask_category"`
				ConfirmEmail  bool     `json:"confirm_email"`
				WidgetOrigins []string `json:"widget_origins"`
				SMSURL        string   `json:"sms_webhook_url"`
				SMSHint       string   `json:"sms_secret_hint"`
			}
			if err := u.api("GET", "/v1/help/settings", &st); err != nil {
				t.Fatal(err)
			}
			// The two tabs toggle the same checkboxes: the first turns
			// them on, the second off.
			on := size[0] == 1366
			if st.CompanyName != name || st.LogoType != "image/png" || st.AskCategory != on || st.ConfirmEmail != on ||
				strings.Join(st.WidgetOrigins, " ") != "https://shop.example.com https://m.example.com" ||
				st.SMSURL != "https://sms.example.cn/triage" || st.SMSHint == "" || !strings.HasPrefix(smsSecretUI, strings.TrimSuffix(st.SMSHint, "…")) {
				t.Fatalf("settings after saving: %+v", st)
			}
			if raw := apiRaw(t, u, "/v1/help/settings"); strings.Contains(raw, smsSecretUI) {
				t.Fatalf("the API shows the SMS secret: %s", raw)
			}
			resp, err := http.Get(u.url + "/help")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			step(t, ctx, "remove the logo",
				chromedp.Click(chromedp.ID("ha-logo-remove")),
				chromedp.Click(chromedp.ID("ha-save")),
				chromedp.WaitNotPresent(chromedp.ID("ha-logo-img")))
			if err := u.api("GET", "/v1/help/settings", &st); err != nil {
				t.Fatal(err)
			}
			if st.LogoType != "" || st.CompanyName != name {
				t.Fatalf("settings after removing the logo: %+v", st)
			}

			// 2. The deflection report: a search on the help centre is
			// counted, and the page shows what the API says.
			resp, err = http.Get(u.url + "/help/search?q=" + "退款多久到账")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			step(t, ctx, "open the deflection report",
				chromedp.Navigate(u.url+"/app/admin/deflection?days=7"),
				chromedp.WaitVisible(chromedp.CSS(`#deflection-by-day svg.chart`)),
				chromedp.WaitVisible(chromedp.CSS(`#deflection-by-category svg.chart`)))
			shot("deflection.png")
			var rep struct {
				Total struct{ Searches, Net int }
			}
			if err := u.api("GET", "/v1/reports/deflection", &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Total.Searches < 1 {
				t.Fatalf("the API counted %d searches", rep.Total.Searches)
			}
			kpis := text(t, ctx, ".deflection-kpis")
			if !strings.Contains(kpis, "帮助中心搜索") || !strings.Contains(kpis, strconv.Itoa(rep.Total.Searches)) {
				t.Fatalf("the page's figures %q, the API's searches %d", kpis, rep.Total.Searches)
			}
			searches := jsEval[int](t, ctx, `[...document.querySelectorAll('.deflection-table td[data-col="searches"]')].reduce((a, td) => a + Number(td.textContent), 0)`)
			if searches != rep.Total.Searches {
				t.Fatalf("the table's searches add up to %d, the API's %d", searches, rep.Total.Searches)
			}
			// The CSV button: catch the download the page starts.
			// (The page's CSP allows no fetch of a blob: URL, so the blob
			// is caught where the page makes its URL.)
			jsEval[bool](t, ctx, `window.__dl = []; const blobs = new Map(); const make = URL.createObjectURL;
			URL.createObjectURL = b => { const u = make(b); blobs.set(u, b); return u; };
			HTMLAnchorElement.prototype.click = function () {
				const b = blobs.get(this.href);
				if (this.download && b) b.text().then(x => window.__dl.push({ name: this.download, text: x }));
			}; true`)
			step(t, ctx, "download the CSV", chromedp.Click(chromedp.ID("deflection-csv")))
			var dl []struct{ Name, Text string }
			waitAPI(t, "the CSV download", func() bool {
				dl = jsEval[[]struct{ Name, Text string }](t, ctx, `window.__dl`)
				return len(dl) == 1
			})
			if !strings.HasSuffix(dl[0].Name, ".csv") || !strings.Contains(dl[0].Text, "day,category,searches") ||
				strings.Count(dl[0].Text, "\n") < 2 {
				t.Fatalf("the download: %+v", dl[0])
			}
			if errs := u.errors(); len(errs) > 0 {
				// The refused origin is the one error the page may report.
				for _, e := range errs {
					if !strings.Contains(e, "400") && !strings.Contains(e, "widget_origins") {
						t.Errorf("the page reported an error: %s", e)
					}
				}
			}
		})
	}
}
