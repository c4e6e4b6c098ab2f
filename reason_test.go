package triage_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/triagehq/triage"
)

var placeholderRE = regexp.MustCompile(`\{(\w+)(?:\|(\w+))?\}`)

func placeholders(text string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// reasonConstants reads the ReasonCode constants declared in reason.go:
// name → code.
func reasonConstants(t *testing.T) map[string]triage.ReasonCode {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "reason.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]triage.ReasonCode{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "ReasonCode" {
				continue
			}
			for i, name := range v.Names {
				lit, ok := v.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("%s is not a string literal", name.Name)
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				out[name.Name] = triage.ReasonCode(s)
			}
		}
	}
	return out
}

func TestReasonCatalogue(t *testing.T) {
	consts := reasonConstants(t)
	cat := triage.ReasonCatalogue()
	byCode := map[triage.ReasonCode]triage.ReasonInfo{}
	for _, r := range cat {
		byCode[r.Code] = r
	}
	seen := map[triage.ReasonCode]string{}
	for name, code := range consts {
		if other, ok := seen[code]; ok {
			t.Errorf("%s and %s are both %q", name, other, code)
		}
		seen[code] = name
		if _, ok := byCode[code]; !ok {
			t.Errorf("%s (%q) has no entry in the catalogue", name, code)
		}
	}
	if len(cat) != len(consts) {
		t.Errorf("%d codes in the catalogue, %d constants", len(cat), len(consts))
	}
	codeRE := regexp.MustCompile(`^[a-z]+\.[a-z_]+$`)
	for _, r := range cat {
		t.Run(string(r.Code), func(t *testing.T) {
			if !codeRE.MatchString(string(r.Code)) {
				t.Errorf("code %q is not area.name in lower case", r.Code)
			}
			used := placeholders(r.Text)
			for _, p := range used {
				if !slices.Contains(r.Args, p) {
					t.Errorf("text %q names {%s}, which is not an argument (%v)", r.Text, p, r.Args)
				}
			}
			for _, a := range r.Args {
				if !slices.Contains(used, a) {
					t.Errorf("argument %s is not in the text %q", a, r.Text)
				}
			}
			// Made with every argument, the text has no placeholder left.
			args := make([]any, len(r.Args))
			for i := range args {
				args[i] = "x"
			}
			if got := triage.NewReason(r.Code, args...); strings.ContainsAny(got.Text, "{}") || got.Code != r.Code {
				t.Errorf("NewReason = %+v", got)
			}
		})
	}
}

// TestReasonCalls reads every Go file of the module and checks each call
// NewReason(triage.ReasonX, …) (and suggest's reasonOf) names a declared
// code with as many arguments as the catalogue declares.
func TestReasonCalls(t *testing.T) {
	consts := reasonConstants(t)
	nargs := map[triage.ReasonCode]int{}
	for _, r := range triage.ReasonCatalogue() {
		nargs[r.Code] = len(r.Args)
	}
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != "." && (strings.HasPrefix(n, ".") || n == "node_modules" || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || call.Ellipsis.IsValid() {
				return true
			}
			var fn string
			switch f := call.Fun.(type) {
			case *ast.Ident:
				fn = f.Name
			case *ast.SelectorExpr:
				fn = f.Sel.Name
			}
			if fn != "NewReason" && fn != "reasonOf" {
				return true
			}
			var name string
			switch a := call.Args[0].(type) {
			case *ast.Ident:
				name = a.Name
			case *ast.SelectorExpr:
				name = a.Sel.Name
			}
			code, ok := consts[name]
			if !ok {
				return true // a variable: its value is checked where it is set
			}
			checked++
			if got, want := len(call.Args)-1, nargs[code]; got != want {
				t.Errorf("%s: %s(%s) with %d arguments, want %d", fset.Position(call.Pos()), fn, name, got, want)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Errorf("only %d calls checked; is the walk finding the code?", checked)
	}
}

// uiReasons reads the dictionary of web/static/assets/js/reasons.js:
// code → [zh, en].
func uiReasons(t *testing.T) map[string][2]string {
	t.Helper()
	b, err := os.ReadFile("web/static/assets/js/reasons.js")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	start := strings.Index(src, "export const REASONS = {")
	end := strings.Index(src[start:], "\n};")
	if start < 0 || end < 0 {
		t.Fatal("reasons.js has no `export const REASONS = { … };`")
	}
	body := src[start : start+end]
	// Entries are 'code': ['中文', 'English'], possibly over two lines; a
	// string is in single quotes or, when it holds one, double quotes.
	str := `('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")`
	entryRE := regexp.MustCompile(`'([a-z]+\.[a-z_]+)':\s*\[\s*` + str + `,\s*` + str + `\s*\]`)
	out := map[string][2]string{}
	for _, m := range entryRE.FindAllStringSubmatch(body, -1) {
		if _, dup := out[m[1]]; dup {
			t.Errorf("reasons.js has %s twice", m[1])
		}
		out[m[1]] = [2]string{jsString(t, m[2]), jsString(t, m[3])}
	}
	if n := strings.Count(body, "': ["); n != len(out) {
		t.Errorf("reasons.js has %d entries but %d could be read; keep each 'code': ['中文', 'English'],", n, len(out))
	}
	return out
}

func jsString(t *testing.T, s string) string {
	t.Helper()
	q := s[0]
	s = s[1 : len(s)-1]
	s = strings.ReplaceAll(s, `\`+string(q), string(q))
	return s
}

// TestUIReasonDictionary fails when a reason code has no Chinese or no
// English in the UI, or the UI names a code or an argument the server
// does not have.
func TestUIReasonDictionary(t *testing.T) {
	ui := uiReasons(t)
	cat := triage.ReasonCatalogue()
	for _, r := range cat {
		e, ok := ui[string(r.Code)]
		if !ok {
			t.Errorf("reasons.js lacks %s (%q)", r.Code, r.Text)
			continue
		}
		for i, lang := range []string{"zh", "en"} {
			text := e[i]
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s has no %s text", r.Code, lang)
			}
			for _, p := range placeholders(text) {
				if !slices.Contains(r.Args, p) {
					t.Errorf("%s in %s names {%s}; its arguments are %v", r.Code, lang, p, r.Args)
				}
			}
		}
		// Chinese is Chinese: once the placeholders are taken out, any
		// text left has a Han character, and no English word.
		rest := placeholderRE.ReplaceAllString(e[0], "")
		if strings.IndexFunc(rest, func(c rune) bool { return unicode.Is(unicode.Han, c) }) < 0 && strings.IndexFunc(rest, unicode.IsLetter) >= 0 {
			t.Errorf("%s's Chinese %q is not Chinese", r.Code, e[0])
		}
		for _, w := range regexp.MustCompile(`[A-Za-z]{3,}`).FindAllString(rest, -1) {
			if !slices.Contains([]string{"SLA", "BM25", "Jaccard"}, w) {
				t.Errorf("%s's Chinese %q has the English word %q", r.Code, e[0], w)
			}
		}
	}
	for code := range ui {
		if !triage.ReasonCode(code).Known() {
			t.Errorf("reasons.js has %s, which the server does not declare", code)
		}
	}
}

func TestReasonJSON(t *testing.T) {
	tone := triage.NewReason(triage.ReasonSignalToneWords, -0.8234, []string{"垃圾", "差劲"})
	tests := []struct {
		name string
		r    triage.Reason
		text string
	}{
		{"no arguments", triage.NewReason(triage.ReasonRouteOffline), "offline"},
		{"rounded numbers", triage.NewReason(triage.ReasonCategoryModel, "退款", 0.91349), "model: 退款 0.91"},
		{"integers and a typed string", triage.NewReason(triage.ReasonPriorityRepeatRaises, 3, triage.P3, triage.P2),
			"Other tickets from this requester recently: 3, which raises P3 to P2."},
		{"a list", triage.NewReason(triage.ReasonPriorityUrgent, []string{"紧急", "马上"}, triage.P2), "Urgent wording (紧急, 马上): P2."},
		{"a nested reason", triage.NewReason(triage.ReasonPriorityToneWeak, tone), "Negative tone (sentiment -0.82: 垃圾, 差劲), not strong enough to raise the priority."},
		{"a list of reasons", triage.NewReason(triage.ReasonSLABreached, "first_response", "1h", "标准",
			[]triage.Reason{triage.NewReason(triage.ReasonSLARaised, triage.P3, triage.P2), triage.NewReason(triage.ReasonSLAToLead)}),
			"SLA first_response target 1h breached (policy 标准): priority P3 → P2, assigned to the team lead"},
		{"a duration", triage.NewReason(triage.ReasonDraftTimeout, 0.15), "LLM timed out after 150ms"},
		{"a note", triage.Note("客户要求"), "客户要求"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.r.Text != tt.text {
				t.Errorf("text %q, want %q", tt.r.Text, tt.text)
			}
			b, err := json.Marshal(tt.r)
			if err != nil {
				t.Fatal(err)
			}
			var back triage.Reason
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tt.r) {
				t.Errorf("after JSON %s:\n got %#v\nwant %#v", b, back, tt.r)
			}
		})
	}
}

// TestReasonsFromOlderVersions: what older versions stored in place of
// reasons (sentences in JSON, a sentence in a text column) reads back as
// reasons without a code, shown as written.
func TestReasonsFromOlderVersions(t *testing.T) {
	var d triage.Decision
	if err := json.Unmarshal([]byte(`{"value":"P2","why":["Urgent wording (紧急): P2.","Customer tier vip: at least P2."]}`), &d); err != nil {
		t.Fatal(err)
	}
	if want := (triage.Reasons{{Text: "Urgent wording (紧急): P2."}, {Text: "Customer tier vip: at least P2."}}); !reflect.DeepEqual(d.Why, want) {
		t.Errorf("old why = %#v", d.Why)
	}
	var h triage.RuleHit
	if err := json.Unmarshal([]byte(`{"rule_id":"r1","effect":"sets category 退款 (override); adds tags 退款"}`), &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Effect) != 1 || h.Effect[0].Code != "" || h.Effect[0].Text != "sets category 退款 (override); adds tags 退款" {
		t.Errorf("old effect = %#v", h.Effect)
	}
	var s triage.Suggestions
	old := `{"articles":[{"n":1,"why":"words: #1 (BM25 3.20); fused 0.0164"}],"draft":{"mode":"extractive","fallback":"LLM timed out after 20s"}}`
	if err := json.Unmarshal([]byte(old), &s); err != nil {
		t.Fatal(err)
	}
	if s.Articles[0].Why.Text != "words: #1 (BM25 3.20); fused 0.0164" || s.Draft.Fallback == nil || s.Draft.Fallback.Text != "LLM timed out after 20s" {
		t.Errorf("old suggestions = %+v", s)
	}
	var o triage.AgentOption
	if err := json.Unmarshal([]byte(`{"agent_id":"a1","reason":"offline"}`), &o); err != nil || o.Reason.Text != "offline" || o.Reason.Code != "" {
		t.Errorf("old agent option = %+v, %v", o, err)
	}

	// A text column: JSON as Value writes it, or an older sentence.
	for _, tt := range []struct {
		name string
		src  any
		want triage.Reasons
	}{
		{"null", nil, nil},
		{"empty", "", nil},
		{"empty list", "[]", nil},
		{"sentence", "same requester (phone), 2h0m0s apart", triage.Reasons{{Text: "same requester (phone), 2h0m0s apart"}}},
		{"bracketed sentence", "[merged] by hand", triage.Reasons{{Text: "[merged] by hand"}}},
		{"reasons", []byte(`[{"code":"merge.duplicate","text":"merged as a duplicate"}]`), triage.Reasons{triage.NewReason(triage.ReasonMergeDuplicate)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got triage.Reasons
			if err := got.Scan(tt.src); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Scan(%q) = %#v, want %#v", tt.src, got, tt.want)
			}
		})
	}
	v, err := triage.Reasons{triage.NewReason(triage.ReasonMergeDuplicate)}.Value()
	if err != nil || v != `[{"code":"merge.duplicate","text":"merged as a duplicate"}]` {
		t.Errorf("Value = %v, %v", v, err)
	}
	if v, _ := triage.Reasons(nil).Value(); v != "[]" {
		t.Errorf("Value of none = %v", v)
	}
}
