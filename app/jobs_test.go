package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
)

// unfollowed are the event kinds no part of the service follows yet, each
// with the reason. An event nobody follows is emitted for nothing: a new
// kind belongs here only with a reason, until its follower exists.
var unfollowed = map[string]string{}

// TestEveryEventAndJobHasAHandler opens the application and checks what
// its queue was given: a handler for every event kind of the catalogue and
// for every job kind declared anywhere in the module, and a subscriber for
// every event kind (or a reason in unfollowed); and that every event kind
// is declared in the root and listed in the catalogue. An event or a job
// added without its handler fails here rather than being cancelled as
// unknown in production.
func TestEveryEventAndJobHasAHandler(t *testing.T) {
	a := open(t, app.Config{MemIndex: true, Segmenter: sharedSegmenter(t)})
	registered := a.Registered()
	followers := a.Followers()
	for _, e := range triage.Events() {
		t.Run("event "+e.Kind, func(t *testing.T) {
			if !slices.Contains(registered, e.Kind) {
				t.Errorf("the queue has no handler of %s events", e.Kind)
			}
			why, excused := unfollowed[e.Kind]
			switch {
			case followers[e.Kind] == 0 && !excused:
				t.Errorf("nothing follows %s events: subscribe a service to it (its Subscriptions, listed in app/jobs.go), or say in unfollowed why not", e.Kind)
			case followers[e.Kind] > 0 && excused:
				t.Errorf("%s is followed now; remove it from unfollowed (%s)", e.Kind, why)
			}
		})
	}
	jobs := kindConstants(t, "JobKind")
	for kind := range jobs {
		t.Run("job "+kind, func(t *testing.T) {
			if !slices.Contains(registered, kind) {
				t.Errorf("the queue has no handler of %s jobs: list its service's Jobs in app/jobs.go", kind)
			}
		})
	}
	for _, kind := range registered {
		if _, isEvent := triage.EventInfoOf(kind); !isEvent && jobs[kind] == "" {
			t.Errorf("a handler of %s, which is neither an event kind nor a declared JobKind constant", kind)
		}
	}
	// Every event kind is declared in the root, once, and listed in the
	// catalogue.
	events := kindConstants(t, "EventKind")
	for kind, file := range events {
		if filepath.Dir(file) != ".." {
			t.Errorf("event kind %s is declared in %s: declare it in the root's events.go", kind, file)
		}
		if _, ok := triage.EventInfoOf(kind); !ok {
			t.Errorf("event kind %s is declared but not in triage.Events(): add it with its webhook decision", kind)
		}
	}
	for _, e := range triage.Events() {
		if events[e.Kind] == "" {
			t.Errorf("triage.Events() lists %s, which no EventKind constant declares", e.Kind)
		}
	}
}

// kindConstants reads the module's source for the constants of type
// triage.<typ>[…] (<typ>[…] in the root package): each value, with the
// file that declares it.
func kindConstants(t *testing.T, typ string) map[string]string {
	t.Helper()
	out := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok || vs.Type == nil || !isKind(vs.Type, typ) {
				return true
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok {
					s, _ := strconv.Unquote(lit.Value)
					if out[s] != "" {
						t.Errorf("%s %q is declared twice: in %s and %s", typ, s, out[s], path)
					}
					out[s] = path
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("found no %s constants; the test no longer reads the declarations", typ)
	}
	return out
}

// isKind reports whether a declared type is typ[…] or triage.typ[…].
func isKind(e ast.Expr, typ string) bool {
	ix, ok := e.(*ast.IndexExpr)
	if !ok {
		return false
	}
	switch x := ix.X.(type) {
	case *ast.Ident:
		return x.Name == typ
	case *ast.SelectorExpr:
		return x.Sel.Name == typ
	}
	return false
}
