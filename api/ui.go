package api

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/eval"
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
// even if that discipline slips: no inline script (but the page's own
// import map, allowed by its hash: see versionPage), no eval, no plugins,
// no framing, and the page may talk only to its own origin. Images come
// from the service itself, data: URLs and blob: URLs (attachment previews
// the page made from bytes it fetched); never from another host, so a
// picture an article links elsewhere is not fetched by staff browsers,
// which would tell that host who reads the article, when and from where.
const uiPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// uiFile is one embedded file, read once at start: the UI is a few hundred
// kilobytes and never changes while the binary runs.
type uiFile struct {
	body  []byte
	etag  string
	ctype string
	// version is the first hex digits of the content's hash: the page
	// asks for /assets/…?v=<version>, a URL whose content never changes.
	version string
	// policy is the file's Content-Security-Policy when it is not uiPolicy
	// (index.html, whose import map is an inline script, allowed by hash).
	policy string
}

func newUIFile(name string, b []byte) uiFile {
	sum := sha256.Sum256(b)
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(b)
	}
	v := hex.EncodeToString(sum[:8])
	return uiFile{body: b, etag: `"` + v + `"`, ctype: ctype, version: v}
}

// versionPage points index.html at the content-hashed URLs of the UI's
// files: the stylesheet, the icon and the first module by their tags, and
// every module (imported as ./x.js by the others) through an import map,
// which an inline script carries and the page's policy allows by its hash.
// A new build changes the URLs of exactly the files that changed, so a
// browser keeps every file until it changes and never uses a stale one.
func versionPage(page uiFile, files map[string]uiFile) uiFile {
	body := string(page.body)
	imports := map[string]string{}
	for name, f := range files {
		url := "/" + name
		versioned := url + "?v=" + f.version
		body = strings.ReplaceAll(body, `"`+url+`"`, `"`+versioned+`"`)
		if strings.HasSuffix(name, ".js") {
			imports[url] = versioned
		}
	}
	m, err := json.Marshal(map[string]any{"imports": imports})
	if err != nil {
		return page // a map of strings always marshals
	}
	script := string(m)
	sum := sha256.Sum256([]byte(script))
	tag := `<script type="importmap">` + script + `</script>` + "\n"
	// The import map must come before the first module script.
	if i := strings.Index(body, `<script type="module"`); i >= 0 {
		body = body[:i] + tag + body[i:]
	} else {
		body = strings.Replace(body, "</head>", tag+"</head>", 1)
	}
	f := newUIFile("index.html", []byte(body))
	f.policy = strings.Replace(uiPolicy, "script-src 'self'", "script-src 'self' 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'", 1)
	return f
}

// registerUI serves ui at / and /app/… (the page, for every client-side
// route, so a reload or a shared link works) and /assets/… (its files).
// Without a UI the routes answer 404 with the usual error shape, so the
// route table is the same in every build.
func (s *Server) registerUI(ui fs.FS) {
	files := map[string]uiFile{}
	if ui != nil {
		// The evaluation report's stylesheet is eval's: the saved report
		// pages inline the same rules (eval.ReportCSS).
		files["assets/eval-report.css"] = newUIFile("assets/eval-report.css", []byte(eval.ReportCSS))
		err := fs.WalkDir(ui, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(ui, p)
			if err != nil {
				return err
			}
			files[p] = newUIFile(p, b)
			return nil
		})
		if err != nil {
			s.log.Error("the web UI could not be read; serving the API only", "err", err)
			files = map[string]uiFile{}
		}
		if page, ok := files["index.html"]; ok {
			files["index.html"] = versionPage(page, files)
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
		h.Set("Content-Security-Policy", cmp.Or(f.policy, uiPolicy))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set(echo.HeaderContentType, f.ctype)
		if v := c.QueryParam("v"); v != "" && v == f.version {
			// A content-hashed URL: its content never changes.
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			// The page itself, a file asked for by its plain name, or by
			// an old version's hash: revalidate every time (a 304 for an
			// unchanged file costs one round trip on a LAN).
			h.Set("Cache-Control", "no-cache")
		}
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
