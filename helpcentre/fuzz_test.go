package helpcentre_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzSearch: whatever the query, the search page answers 200 or 400,
// never a 500 or a panic, and never shows a hidden article.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"退款", `"退款 到账"`, "", "  ", "\x00", "\xff", strings.Repeat("长", 300), "<script>", "SECRET", "退款 OR 1=1"} {
		f.Add(s)
	}
	e := newEnv(f, nil)
	h := e.srv.Config.Handler
	f.Fuzz(func(t *testing.T, q string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/help/search?q="+url.QueryEscape(q), nil))
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Fatalf("q %q: %d", q, w.Code)
		}
		body := w.Body.String()
		if strings.Contains(body, "SECRET-") || strings.Contains(body, "<script>") {
			t.Fatalf("q %q: the page shows a hidden article or unescaped input", q)
		}
	})
}
