package helpcentre_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/triagehq/triage/helpcentre"
	"github.com/triagehq/triage/limit"
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

// FuzzRequestForm: whatever a form carries, /help/new answers a page
// (200, 303, 400, 413 or 429), never a 500 or a panic, and never echoes
// markup unescaped.
func FuzzRequestForm(f *testing.F) {
	for _, s := range [][4]string{{"退款", "没到账", "a@example.com", ""}, {"", "", "", ""}, {"\x00", "\xff", "not-an-email", "abc"},
		{strings.Repeat("长", 300), "<script>", "", "+86 138"}, {"x", "y", "a@b", "1"}} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	// Quotas out of the way, so the fuzzer reaches the checks behind them.
	p := newPortal(f, openSQLite(f), func(s *helpcentre.Service) {
		for _, l := range []**limit.Limiter{&s.Limits.FormAddr, &s.Limits.FormContact, &s.Limits.NoWork} {
			*l, _ = limit.NewLimiter(limit.PerMinute(1<<30), 0, nil)
		}
	})
	h := p.srv.Config.Handler
	f.Fuzz(func(t *testing.T, subject, body, email, phone string) {
		form := url.Values{"subject": {subject}, "body": {body}, "email": {email}, "phone": {phone}, "seen": {"1"}, "session": {subject}}
		req := httptest.NewRequest("POST", "/help/new", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		switch w.Code {
		case 200, 303, 400, 413, 429:
		default:
			t.Fatalf("%q %q %q %q: %d", subject, body, email, phone, w.Code)
		}
		if strings.Contains(w.Body.String(), "<script>") {
			t.Fatalf("unescaped markup echoed")
		}
	})
}
