package helpcentre

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The embeddable widget: /help/widget.js, put on a company's own site,
// opens the request form in a frame. Two rules keep it to the sites an
// admin allowed (HelpSettings.WidgetOrigins):
//   - the request form's pages may be framed only by the help centre
//     itself and those origins (CSP frame-ancestors; any other site gets
//     a refusal from the browser, so it cannot dress the form up as its
//     own);
//   - the form's article lookup answers a cross-origin fetch (CORS) only
//     from those origins, so a company may also call it from its own
//     chat window; no credentials are ever allowed across origins.

// widgetCache: the script is small and changes with a release; its URL
// is fixed (companies paste it once), so it is revalidated hourly.
const widgetCache = "public, max-age=3600"

func (h *Handler) widgetScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	// The script is loaded by other sites: allow that explicitly.
	w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
	serve(w, r, h.widget, time.Time{}, widgetCache)
}

// origins returns the allowed widget origins, nil on an error (which
// then allows none).
func (h *Handler) origins(r *http.Request) []string {
	st, err := h.s.Settings(r.Context())
	if err != nil {
		h.log.Warn("help widget: settings", "err", err)
		return nil
	}
	return st.WidgetOrigins
}

// framePolicy is the form's policy with the allowed origins as frame
// ancestors.
func framePolicy(origins []string) string { return withAncestors(formPolicy, origins) }

// withAncestors lets the help centre itself and origins frame a page of
// policy p.
func withAncestors(p string, origins []string) string {
	anc := "'self'"
	if len(origins) > 0 {
		anc += " " + strings.Join(origins, " ")
	}
	return strings.Replace(p, "frame-ancestors 'none'", "frame-ancestors "+anc, 1)
}

// cors answers an allowed origin's cross-origin request (and its
// preflight); it reports whether the request may go on.
func (h *Handler) cors(w http.ResponseWriter, r *http.Request) bool {
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if u, err := url.Parse(origin); err == nil && u.Host == r.Host {
		return true // the help centre's own page
	}
	if !slices.Contains(h.origins(r), strings.ToLower(origin)) {
		return false
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Access-Control-Allow-Methods", "GET")
	w.Header().Set("Access-Control-Max-Age", "600")
	return true
}

func (h *Handler) preflight(w http.ResponseWriter, r *http.Request) {
	if !h.cors(w, r) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
