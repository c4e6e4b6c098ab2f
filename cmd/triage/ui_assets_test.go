package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// assetsFlow: the page names its files by content-hashed URLs, which a
// browser may keep for good; a file asked for by its plain name is
// revalidated (ETag, 304), so no version of the UI is ever served stale.
func (u *ui) assetsFlow(t *testing.T) {
	get := func(path string, header ...string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), "GET", u.url+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(b)
	}
	res, page := get("/app/inbox")
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("the page is cached as %q; it must be revalidated", cc)
	}
	main := regexp.MustCompile(`src="(/assets/js/main\.js\?v=([0-9a-f]{16}))"`).FindStringSubmatch(page)
	css := regexp.MustCompile(`href="(/assets/app\.css\?v=[0-9a-f]{16})"`).FindStringSubmatch(page)
	imports := regexp.MustCompile(`"/assets/js/api\.js":"(/assets/js/api\.js\?v=[0-9a-f]{16})"`).FindStringSubmatch(page)
	if main == nil || css == nil || imports == nil {
		t.Fatalf("the page does not name hashed URLs:\n%s", page)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self' 'sha256-") {
		t.Errorf("the page's policy does not allow its import map by hash: %s", csp)
	}
	for _, path := range []string{main[1], css[1], imports[1]} {
		res, body := get(path)
		if res.StatusCode != 200 || body == "" || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d %q", path, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
	res, _ = get("/assets/js/main.js")
	etag := res.Header.Get("ETag")
	if res.Header.Get("Cache-Control") != "no-cache" || etag != `"`+main[2]+`"` {
		t.Errorf("by its plain name main.js is %q with ETag %s; want no-cache and the hash", res.Header.Get("Cache-Control"), etag)
	}
	if res, _ := get("/assets/js/main.js", "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating an unchanged file: %d, want 304", res.StatusCode)
	}
	if res, _ := get("/assets/js/main.js?v=0000000000000000"); res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("an old version's URL is cached as %q; it must be revalidated", res.Header.Get("Cache-Control"))
	}
	// The browser follows the import map: modules load by their hashed
	// URLs, none by its plain name.
	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)
	loaded := jsEval[[]string](t, ctx, `performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/assets/js/'))`)
	hashed := 0
	for _, n := range loaded {
		if strings.Contains(n, ".js?v=") {
			hashed++
		} else {
			t.Errorf("a module loaded by its plain name: %s", n)
		}
	}
	if hashed < 5 {
		t.Errorf("%d modules loaded by hashed URLs: %v", hashed, loaded)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
	if res, body := get("/assets/eval-report.css"); res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(body, ".eval-report") {
		t.Errorf("eval-report.css: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
