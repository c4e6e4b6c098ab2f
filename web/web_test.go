package web

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage/desk"
)

// These tests read the UI's source as text: they hold the rules that keep
// it safe and complete without a JavaScript toolchain. The behaviour is
// tested in a real browser by cmd/triage's TestUI.

func files(t *testing.T, ext string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ext) {
			return err
		}
		b, err := fs.ReadFile(FS(), p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no %s files", ext)
	}
	return out
}

func TestReferencedFilesExist(t *testing.T) {
	refs := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`)
	imports := regexp.MustCompile(`(?:from\s+|import\()\s*'(\./[^']+)'`)
	cases := []struct {
		name string
		ext  string
		re   *regexp.Regexp
		path func(file, ref string) string
	}{
		{"html assets", ".html", refs, func(_, ref string) string { return strings.TrimPrefix(ref, "/") }},
		{"module imports", ".js", imports, func(file, ref string) string {
			return strings.TrimSuffix(file[:strings.LastIndex(file, "/")+1], "/") + "/" + strings.TrimPrefix(ref, "./")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := 0
			for file, src := range files(t, c.ext) {
				for _, m := range c.re.FindAllStringSubmatch(src, -1) {
					n++
					if _, err := fs.Stat(FS(), c.path(file, m[1])); err != nil {
						t.Errorf("%s refers to %s, which does not exist", file, m[1])
					}
				}
			}
			if n == 0 {
				t.Error("found no references; the pattern is out of date")
			}
		})
	}
}

// TestNoUnsafeDOM keeps API strings out of markup: no inline event
// handlers or scripts (the CSP forbids them anyway), and no way to parse
// HTML except the one function that inserts the API's sanitised article
// HTML.
func TestNoUnsafeDOM(t *testing.T) {
	cases := []struct {
		name    string
		ext     string
		pattern string
		allowed map[string]int // file → how many matches are allowed
	}{
		{"inline handlers", ".html", `\son[a-z]+\s*=`, nil},
		{"inline scripts", ".html", `<script(?:\s[^>]*)?>[^<\s]`, nil},
		{"inline styles", ".html", `\sstyle\s*=`, nil},
		{"innerHTML", ".js", `\.(?:inner|outer)HTML\s*=`, map[string]int{"assets/js/dom.js": 1}},
		{"insertAdjacentHTML", ".js", `insertAdjacentHTML|document\.write|createContextualFragment|DOMParser`, nil},
		{"eval", ".js", `\beval\(|new Function\(|setTimeout\(\s*['"]`, nil},
		{"style attributes", ".js", `setAttribute\(\s*'style'`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			re := regexp.MustCompile(c.pattern)
			for file, src := range files(t, c.ext) {
				if n := len(re.FindAllString(src, -1)); n > c.allowed[file] {
					t.Errorf("%s: %d matches of %s, %d allowed", file, n, c.pattern, c.allowed[file])
				}
			}
		})
	}
}

var (
	dictEntry = regexp.MustCompile(`^\s*'([a-z_]+(?:\.[A-Za-z0-9_]+)+)':\s*\[('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"),\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\],?\s*$`)
	keyUse    = regexp.MustCompile(`'([a-z]+(?:\.[a-z0-9_]+)+)'`)
	param     = regexp.MustCompile(`\{(\w+)\}`)
)

// dictionary reads i18n.js's table: key → [Chinese, English].
func dictionary(t *testing.T) map[string][2]string {
	t.Helper()
	src := files(t, ".js")["assets/js/i18n.js"]
	d := map[string][2]string{}
	inTable := false
	for _, line := range strings.Split(src, "\n") {
		switch {
		case strings.HasPrefix(line, "const D = {"):
			inTable = true
		case inTable && line == "};":
			inTable = false
		case inTable:
			if m := dictEntry.FindStringSubmatch(line); m != nil {
				if _, dup := d[m[1]]; dup {
					t.Errorf("i18n.js: %s twice", m[1])
				}
				d[m[1]] = [2]string{m[2][1 : len(m[2])-1], m[3][1 : len(m[3])-1]}
			} else if s := strings.TrimSpace(line); s != "" && !strings.HasPrefix(s, "//") {
				t.Errorf("i18n.js: cannot read %q", line)
			}
		}
	}
	if len(d) < 100 {
		t.Fatalf("read only %d strings from i18n.js", len(d))
	}
	return d
}

func TestDictionary(t *testing.T) {
	d := dictionary(t)
	t.Run("both languages", func(t *testing.T) {
		for k, v := range d {
			if strings.TrimSpace(v[0]) == "" || strings.TrimSpace(v[1]) == "" {
				t.Errorf("%s lacks a translation: %q", k, v)
			}
			zh, en := param.FindAllString(v[0], -1), param.FindAllString(v[1], -1)
			slices.Sort(zh)
			slices.Sort(en)
			if !slices.Equal(zh, en) {
				t.Errorf("%s: Chinese has %v, English %v", k, zh, en)
			}
		}
	})
	// A key a module names but the dictionary lacks would show as the key.
	t.Run("every key used exists", func(t *testing.T) {
		for file, src := range files(t, ".js") {
			// reasons.js is the dictionary of the server's reason codes,
			// which the module root's reason_test.go checks.
			if strings.HasSuffix(file, "/i18n.js") || strings.HasSuffix(file, "/reasons.js") {
				continue
			}
			for _, m := range keyUse.FindAllStringSubmatch(src, -1) {
				if _, ok := d[m[1]]; !ok {
					t.Errorf("%s uses %s, which i18n.js lacks", file, m[1])
				}
			}
		}
	})
}

// TestFileSize keeps each file short enough to read in one sitting.
func TestFileSize(t *testing.T) {
	for _, ext := range []string{".js", ".css", ".html"} {
		for file, src := range files(t, ext) {
			if n := strings.Count(src, "\n"); n > 800 && !strings.HasSuffix(file, "/i18n.js") {
				t.Errorf("%s has %d lines; split it", file, n)
			}
		}
	}
}

// TestAdminTokenName holds the web app's name of the TRIAGE_ADMIN_TOKEN
// token to the one the server gives it, so the header shows it in the
// reader's language and not as the variable's name.
func TestAdminTokenName(t *testing.T) {
	src := files(t, ".js")["assets/js/api.js"]
	if !strings.Contains(src, "const ADMIN_TOKEN_NAME = '"+desk.BootstrapTokenName+"';") {
		t.Errorf("api.js does not name the admin token %q (desk.BootstrapTokenName)", desk.BootstrapTokenName)
	}
}
