package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

// UIRoutes are the routes that serve the web UI's files. They are not API:
// they take no token (the page asks for one and then calls the API), and
// the OpenAPI document leaves them out.
func UIRoutes() []string {
	return []string{"GET /", "GET /app", "GET /app/*", "GET /assets/*"}
}

// uiPolicy is the Content-Security-Policy of every UI response. The UI
// builds its DOM from API data with textContent and only ever inserts HTML
// that the API sanitised, but the policy makes an injected script inert
// even if that discipline slips: no inline script, no eval, no plugins, no
// framing, and the page may talk only to its own origin. Images may come
// from https because KB articles link pictures hosted elsewhere.
const uiPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// uiFile is one embedded file, read once at start: the UI is a few hundred
// kilobytes and never changes while the binary runs.
type uiFile struct {
	body  []byte
	etag  string
	ctype string
}

// registerUI serves ui at / and /app/… (the page, for every client-side
// route, so a reload or a shared link works) and /assets/… (its files).
// Without a UI the routes answer 404 with the usual error shape, so the
// route table is the same in every build.
func (s *Server) registerUI(ui fs.FS) {
	files := map[string]uiFile{}
	if ui != nil {
		err := fs.WalkDir(ui, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(ui, p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			ctype := mime.TypeByExtension(path.Ext(p))
			if ctype == "" {
				ctype = http.DetectContentType(b)
			}
			files[p] = uiFile{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ctype: ctype}
			return nil
		})
		if err != nil {
			s.log.Error("the web UI could not be read; serving the API only", "err", err)
			files = map[string]uiFile{}
		}
	}
	serve := func(c echo.Context, name string) error {
		f, ok := files[name]
		if !ok {
			if len(files) == 0 {
				return triage.Errorf(triage.ENOTFOUND, "this build of triage has no web UI")
			}
			return triage.Errorf(triage.ENOTFOUND, "no such file")
		}
		h := c.Response().Header()
		h.Set("Content-Security-Policy", uiPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set(echo.HeaderContentType, f.ctype)
		// Revalidate every time: file names carry no content hash, and a
		// 304 for an unchanged file costs one round trip on a LAN.
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", f.etag)
		http.ServeContent(c.Response(), c.Request(), "", time.Time{}, bytes.NewReader(f.body))
		return nil
	}
	page := func(c echo.Context) error { return serve(c, "index.html") }
	s.echo.GET("/", page)
	s.echo.GET("/app", page)
	s.echo.GET("/app/*", page)
	s.echo.GET("/assets/*", func(c echo.Context) error {
		name := "assets/" + c.Param("*")
		if !fs.ValidPath(name) || strings.Contains(name, "\\") {
			return triage.Errorf(triage.ENOTFOUND, "no such file")
		}
		return serve(c, name)
	})
}
