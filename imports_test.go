package triage_test

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/triagehq/triage"

// layering is the import table of the architecture: which project packages
// and which outside modules each package may import. The module root is the
// domain and imports nothing; logic packages never import adapters;
// adapters never import each other; each outside technology lives in the
// one package named after it; only app wires everything, and cmd/triage
// is flags, subcommands and output over it.
var layering = map[string]struct {
	project []string
	outside []string
}{
	"":          {},
	"segment":   {project: []string{""}, outside: []string{"github.com/go-ego/gse"}},
	"classify":  {project: []string{""}, outside: []string{"gonum.org/v1/gonum"}},
	"embed":     {project: []string{"", "pii", "egress"}, outside: []string{"github.com/sashabaranov/go-openai", "gonum.org/v1/gonum"}},
	"pii":       {project: []string{""}},
	"egress":    {project: []string{"pii"}},
	"desk":      {project: []string{""}},
	"kb":        {project: []string{"", "pii"}, outside: []string{"github.com/yuin/goldmark", "github.com/microcosm-cc/bluemonday"}},
	"suggest":   {project: []string{"", "classify", "kb", "pii"}},
	"eval":      {project: []string{"", "classify", "kb", "pii", "suggest"}},
	"notify":    {project: []string{""}},
	"report":    {project: []string{""}},
	"metrics":   {project: []string{""}, outside: []string{"github.com/prometheus/client_golang", "github.com/prometheus/client_model", "github.com/prometheus/common"}},
	"api":       {project: []string{"", "desk", "sla", "classify", "kb", "suggest", "eval", "pii", "notify", "report", "email", "limit", "account", "helpcentre", "kefu", "wechat", "automate"}, outside: []string{"github.com/labstack/echo/v4", "github.com/prometheus/client_golang"}},
	"web":       {},
	"sqlite":    {project: []string{""}, outside: []string{"modernc.org/sqlite", "github.com/pressly/goose/v3"}},
	"postgres":  {project: []string{""}, outside: []string{"github.com/jackc/pgx/v5", "github.com/pgvector/pgvector-go", "github.com/pressly/goose/v3"}},
	"bleve":     {project: []string{""}, outside: []string{"github.com/blevesearch/bleve/v2", "github.com/blevesearch/bleve_index_api"}},
	"river":     {project: []string{""}, outside: []string{"github.com/riverqueue/river", "github.com/jackc/pgx/v5"}},
	"storetest": {project: []string{""}},
	"sla":       {project: []string{""}},
	// Tracing (issue 23): OpenTelemetry's API, SDK, exporters and otelhttp.
	"otel": {project: []string{""}, outside: []string{"go.opentelemetry.io/otel", "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"}},
	// helpcentre posts SMS sign-in codes to the company's webhook itself:
	// through egress, signed as notify signs webhooks.
	"helpcentre": {project: []string{"", "kb", "limit", "onetime", "suggest", "egress", "notify"}},

	// The application layer knows every concrete part. pgx only to hand
	// river's transaction to the PostgreSQL store, which enqueues jobs in
	// the write's own transaction.
	"app": {project: []string{"", "account", "api", "bleve", "classify", "desk", "egress", "email", "embed", "eval", "helpcentre", "kb", "limit", "mail", "metrics", "notify", "oidc", "otel", "password", "postgres", "report", "river", "seal", "segment", "sla", "sqlite", "suggest", "web", "kefu", "automate", "importer"},
		outside: []string{"github.com/jackc/pgx/v5"}},
	"wechat": {project: []string{""}},

	// Readers of other helpdesks' exports; x/text decodes CSV files that
	// Chinese Excel saved in GB18030.
	"importer": {project: []string{""}, outside: []string{"golang.org/x/text"}},
	// The sample export generator and its command, for tests and the README.
	"importer/importertest":           {},
	"importer/importertest/gensample": {project: []string{"importer/importertest"}},

	// The fake 企业微信 server for the tests of wechat and of its wiring.
	"wechat/wechattest": {project: []string{"", "wechat"}},
	"mail": {project: []string{""}, outside: []string{"github.com/jhillyerd/enmime", "github.com/microcosm-cc/bluemonday",
		"golang.org/x/text", "golang.org/x/net", "github.com/emersion/go-imap", "github.com/wneessen/go-mail"}},
	// The e-mail channel: mail that arrives becomes desk calls; replies,
	// acknowledgements and surveys go out by mail.
	"email": {project: []string{"", "desk", "mail", "seal", "limit", "egress"}},
	// Real Dovecot servers for the mail tests.
	"mail/mailtest": {outside: []string{"github.com/emersion/go-smtp"}},

	// Staff sign-in (issue 18): accounts, passwords and sessions.
	"account": {project: []string{"", "password", "onetime", "seal", "totp"}},
	// Security building blocks (issue 18): each wraps one outside
	// technology and knows nothing of accounts or stores.
	"password": {project: []string{""}, outside: []string{"golang.org/x/crypto/argon2"}},
	"totp":     {project: []string{""}, outside: []string{"github.com/pquerna/otp"}},
	"seal":     {project: []string{""}},
	"onetime":  {project: []string{""}},
	"limit":    {project: []string{""}, outside: []string{"golang.org/x/time/rate"}},
	"oidc":     {project: []string{""}, outside: []string{"github.com/coreos/go-oidc/v3", "golang.org/x/oauth2"}},
	// A real OpenID Provider (zitadel/oidc's OP) for the tests of oidc and
	// of the sign-in wiring.
	"oidc/oidctest": {outside: []string{"github.com/zitadel/oidc/v3", "golang.org/x/net/html", "golang.org/x/text/language"}},

	// Test databases for the PostgreSQL tests of every package.
	"postgres/pgtest": {outside: []string{"github.com/jackc/pgx/v5"}},
	// The WeChat channel (微信客服): messages become desk calls; replies go
	// out through package wechat.
	"kefu": {project: []string{"", "desk", "seal", "wechat"}},
	// Automations read negation as keyword rules do (classify).
	"automate": {project: []string{"", "classify"}},
}

func TestImportLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \",\"}}", "./...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	std, err := exec.Command("go", "list", "std").Output()
	if err != nil {
		t.Skipf("go list std unavailable: %v", err)
	}
	stdlib := strings.Fields(string(std))
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, imports, _ := strings.Cut(line, "|")
		pkg := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
		if pkg == "cmd/triage" || strings.HasPrefix(pkg, "cmd/") {
			continue // cmd wires everything
		}
		rule, ok := layering[pkg]
		if !ok {
			t.Errorf("package %q is not in the layering table; add it with the imports it may have", pkg)
			continue
		}
		for _, imp := range strings.Split(imports, ",") {
			switch {
			case imp == "" || slices.Contains(stdlib, imp):
			case imp == module || strings.HasPrefix(imp, module+"/"):
				dep := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
				if !slices.Contains(rule.project, dep) {
					t.Errorf("%s imports %s, which the layering does not allow", show(pkg), show(dep))
				}
			default:
				if !slices.ContainsFunc(rule.outside, func(p string) bool { return imp == p || strings.HasPrefix(imp, p+"/") }) {
					t.Errorf("%s imports outside module %s; only the package named after a technology may", show(pkg), imp)
				}
			}
		}
	}
}

func show(pkg string) string {
	if pkg == "" {
		return "the root package"
	}
	return pkg
}

// TestReadmeListsEveryPackage keeps README.md's package table whole: a
// newcomer finds any behaviour from it, so every package of the module has
// a row, and every row is a package.
func TestReadmeListsEveryPackage(t *testing.T) {
	out, err := exec.Command("go", "list", "./...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "| package | holds |\n| --- | --- |\n")
	if !ok {
		t.Fatal("README.md has no package table (| package | holds |)")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	listed := map[string]bool{}
	for _, line := range strings.Split(table, "\n") {
		name, _, _ := strings.Cut(strings.TrimPrefix(line, "| `"), "`")
		listed[name] = true
	}
	pkgs := map[string]bool{}
	for _, path := range strings.Fields(string(out)) {
		pkg := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
		if pkg == "" {
			pkg = "triage"
		}
		pkgs[pkg] = true
		if !listed[pkg] {
			t.Errorf("package %s is not in README.md's package table (## Architecture): add a row saying what it holds", pkg)
		}
	}
	for name := range listed {
		if !pkgs[name] {
			t.Errorf("README.md's package table lists %s, which is not a package", name)
		}
	}
}
