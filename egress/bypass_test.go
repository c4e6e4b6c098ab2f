package egress

import (
	"fmt"
	"go/ast"
	"go/types"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// outbound are the ways Go code in this module can send bytes out of the
// process, by import path: each function, method (Type.Method, Type.* for
// all of a type's methods) or variable; "*" is everything the package
// declares. A composite literal of a listed type (building an http.Client
// by hand) counts too.
var outbound = map[string][]string{
	"net/http": {"Get", "Post", "PostForm", "Head", "DefaultClient", "DefaultTransport", "NewRequest", "NewRequestWithContext",
		"Client", "Client.Do", "Client.Get", "Client.Post", "Client.PostForm", "Client.Head",
		"Transport", "Transport.RoundTrip", "RoundTripper.RoundTrip"},
	"net":                                {"Dial", "DialTimeout", "DialTCP", "DialUDP", "DialIP", "DialUnix", "Dialer", "Dialer.Dial", "Dialer.DialContext"},
	"net/smtp":                           {"*"},
	"crypto/tls":                         {"Dial", "DialWithDialer", "Dialer", "Dialer.Dial", "Dialer.DialContext"},
	"github.com/wneessen/go-mail":        {"NewClient", "Client.*"},
	"github.com/emersion/go-imap/client": {"Dial", "DialTLS", "DialWithDialer", "DialWithDialerTLS", "New"},
	"github.com/sashabaranov/go-openai":  {"NewClient", "NewClientWithConfig", "NewOrgClient", "DefaultConfig", "DefaultAzureConfig", "DefaultAnthropicConfig", "Client.*"},
	// The module's own outbound clients: their callers are listed, not
	// checked, since the clients mask whatever they are given.
	"github.com/triagehq/triage/embed": {"NewOpenAI", "NewChat"},
}

// allowed lists every place in the module that may use an outbound
// primitive, as "package.Function: primitive", with the reason it cannot
// send unmasked text. A new place fails the test until it goes through
// this package (Client, Transport, Text) and is added here, or is argued
// to be no third party.
var allowed = map[string]string{
	// The egress point itself.
	"egress.Client: net/http.Client":                                 "the one client every third-party request uses; its transport masks",
	"egress.Transport: net/http.DefaultTransport":                    "the default base under the masking transport",
	"egress.(*transport).RoundTrip: net/http.RoundTripper.RoundTrip": "sends the request after masking its body",

	// The OpenAI-compatible clients (chat and embeddings): one stack,
	// built in one place, with egress.Client on top.
	"embed.Resilience.client: go-openai.DefaultConfig":                   "its HTTPClient is egress.Client(...) two lines below",
	"embed.Resilience.client: go-openai.NewClientWithConfig":             "the config's HTTPClient is egress.Client(...)",
	"embed.Resilience.withDefaults: net/http.DefaultTransport":           "the base transport under the retries, under egress.Client",
	"embed.(*retryTransport).RoundTrip: net/http.RoundTripper.RoundTrip": "the retry layer below egress.Client: it resends the masked body",
	"embed.(*OpenAI).embedBatch: go-openai.Client.CreateEmbeddings":      "the client from Resilience.client; the texts are egress.Text too",
	"embed.(*Chat).Draft: go-openai.Client.CreateChatCompletion":         "the client from Resilience.client; the prompt is masked too",

	// Tracing wraps the transports above (a span and a count per attempt)
	// and passes the request on as it came, already masked where it must be.
	"otel.(*transport).RoundTrip: net/http.RoundTripper.RoundTrip": "the tracing layer under egress.Client (chat, embeddings) and under the webhook client; sends what it was given",
	"otel.(*Tracing).Transport: net/http.DefaultTransport":         "the default base when a caller gives none; the callers give theirs",

	// Webhooks are the one exception, by design: a webhook is registered
	// by an admin as the organisation's own receiver (its CRM, its
	// chat), like an API client reading the same ticket, and its payload
	// is signed as stored. They are not masked; see the README. A
	// delivery to a third party must mask its payload with MaskBody
	// before signing it.
	"notify.(*Guard).Client: net/http.Transport":                "webhook deliveries to admin-registered receivers (not masked, see README)",
	"notify.(*Guard).Client: net/http.Client":                   "webhook deliveries to admin-registered receivers (not masked, see README)",
	"notify.(*Guard).Client: net.Dialer":                        "the webhook dialer that refuses private addresses",
	"notify.(*Guard).Client: net.Dialer.DialContext":            "the webhook dialer that refuses private addresses",
	"notify.(*Service).attempt: net/http.NewRequestWithContext": "one webhook delivery (not masked, see README)",
	"notify.(*Service).attempt: net/http.Client.Do":             "one webhook delivery (not masked, see README)",
	// An SMS sign-in code to the company's own gateway (issue 19): the
	// body is masked by MaskBodyTo, the recipient's number alone kept.
	"helpcentre.(*Service).sendSMS: net/http.NewRequestWithContext": "an SMS sign-in code: body masked by egress.MaskBodyTo, only the recipient kept",
	"helpcentre.(*Service).sendSMS: net/http.Client.Do":             "an SMS sign-in code: by Service.SMS, built by app with egress.Transport (egress.Client when nil)",

	// Channels talk to the customer, not to a third party: a reply goes to
	// the requester who wrote the ticket, through the company's own mail
	// server or its own 企业微信 corp, and must carry what the agent wrote
	// (an order number, a service phone) unchanged. Fetching reads the
	// company's own mailbox.
	"mail.(*Fetcher).dial: net.Dialer":                             "connects to the company's own IMAP server to read its mailbox",
	"mail.(*Fetcher).dial: net.Dialer.DialContext":                 "connects to the company's own IMAP server to read its mailbox",
	"mail.(*Fetcher).dial: go-imap.New":                            "an IMAP session with the company's own mailbox",
	"mail.(*Sender).client: go-mail.NewClient":                     "the company's own SMTP server; mail goes to the requester",
	"mail.(*Sender).Send: go-mail.Client.DialAndSendWithContext":   "a reply or survey to the requester of the ticket",
	"mail.(*Sender).Check: go-mail.Client.DialWithContext":         "the admin's connection test of the company's SMTP server",
	"mail.(*Sender).Check: go-mail.Client.Close":                   "the admin's connection test of the company's SMTP server",
	"app.(*App).openWeChat: net/http.Client":                       "the traced client handed to the wechat client: the company's 企业微信 corp, messages go to the customer who wrote",
	"wechat.NewClient: net/http.Client":                            "the company's 企业微信 corp; messages go to the customer who wrote",
	"wechat.(*Client).exchange: net/http.Client.Do":                "the company's 企业微信 corp; messages go to the customer who wrote",
	"wechat.(*Client).fetchToken: net/http.NewRequestWithContext":  "gettoken: corp id and secret only",
	"wechat.(*Client).postJSON: net/http.NewRequestWithContext":    "the company's 企业微信 corp; messages go to the customer who wrote",
	"wechat.(*Client).UploadMedia: net/http.NewRequestWithContext": "an attachment an agent sends to the customer",
	"wechat.(*Client).GetMedia: net/http.NewRequestWithContext":    "downloads what the customer sent",

	// The MTA's pipe: a mail the company's own mail server received,
	// handed to the company's own triage service.
	"cmd/triage.mailDeliver: net/http.Client":                "`triage mail deliver` posts a received mail to the company's own triage service",
	"cmd/triage.mailDeliver: net/http.Client.Do":             "`triage mail deliver` posts a received mail to the company's own triage service",
	"cmd/triage.mailDeliver: net/http.NewRequestWithContext": "`triage mail deliver` posts a received mail to the company's own triage service",

	// Single sign-on: discovery, keys and the code exchange with the
	// company's own identity provider; no ticket text.
	"oidc.New: net/http.Client": "the OpenID provider the admin configured: discovery, keys, token exchange",

	// Test servers, started by tests on loopback.
	"oidc/oidctest.SignIn: net/http.Client.Get":                                  "a test's browser signing in at the test's own provider",
	"oidc/oidctest.SignIn: net/http.Client.PostForm":                             "a test's browser signing in at the test's own provider",
	"mail/mailtest.start: net.DialTimeout":                                       "waits for the test's own Dovecot on loopback",
	"wechat/wechattest.New: net/http.DefaultClient":                              "the fake 企业微信 posts callbacks to the test's own server",
	"wechat/wechattest.(*Server).post: net/http.NewRequestWithContext":           "the fake 企业微信 posts callbacks to the test's own server",
	"wechat/wechattest.(*Server).post: net/http.Client.Do":                       "the fake 企业微信 posts callbacks to the test's own server",
	"wechat/wechattest.(*Server).VerifyCallback: net/http.NewRequestWithContext": "the fake 企业微信 verifies the test's own callback URL",
	"wechat/wechattest.(*Server).VerifyCallback: net/http.Client.Do":             "the fake 企业微信 verifies the test's own callback URL",
}

// TestEveryOutboundCallPassesEgress lists every use of an outbound
// primitive in the module's non-test code and fails on one that is not in
// allowed (a new way out that may bypass the masking) and on an entry of
// allowed that is gone (so the list stays true).
func TestEveryOutboundCallPassesEgress(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the whole module; skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("SKIP: no go command to load the module's packages with")
	}
	found, err := scan("..", "github.com/triagehq/triage")
	if err != nil {
		t.Fatal(err)
	}
	sites := make([]string, 0, len(found))
	for s := range found {
		if !strings.Contains(s, ": embed.New") {
			sites = append(sites, s)
		}
	}
	slices.Sort(sites)
	for _, s := range sites {
		reason, ok := allowed[s]
		if !ok {
			t.Errorf("%s (%s) sends out of the process without going through package egress: "+
				"use egress.Client or egress.Transport for HTTP, take egress.Text for anything else, then list it in allowed with the reason", s, strings.Join(found[s], ", "))
			continue
		}
		t.Logf("%-70s %s — %s", s, strings.Join(found[s], ", "), reason)
	}
	for s := range allowed {
		if _, ok := found[s]; !ok {
			t.Errorf("allowed lists %q, which the module no longer has: remove it", s)
		}
	}
	// The callers of the outbound clients, for the record: whatever they
	// pass is masked inside the clients, so they need no entry.
	var callers []string
	for s, where := range found {
		if strings.Contains(s, ": embed.New") {
			callers = append(callers, s+" ("+strings.Join(where, ", ")+")")
		}
	}
	slices.Sort(callers)
	if len(callers) == 0 {
		t.Error("found no caller of embed.NewOpenAI or embed.NewChat: the scan no longer sees the clients")
	}
	for _, c := range callers {
		t.Logf("outbound client built by %s", c)
	}
}

// TestScanFindsABypass proves the scan can fail: a module of its own that
// posts, dials and mails directly has each of those found.
func TestScanFindsABypass(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks a module; skipped with -short")
	}
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/leak\n\ngo 1.22\n")
	write("leak.go", `package leak

import (
	"net"
	"net/http"
	"net/smtp"
	"strings"
)

type notifier struct{ c *http.Client }

func (n *notifier) Send(ticket string) error {
	_, err := http.Post("https://third.example/hook", "text/plain", strings.NewReader(ticket))
	if err == nil {
		_, err = n.c.Post("https://third.example/hook", "text/plain", strings.NewReader(ticket))
	}
	return err
}

func Mail(body string) error { return smtp.SendMail("mx:25", nil, "a@b.cn", []string{"c@d.cn"}, []byte(body)) }

func Raw() (net.Conn, error) { return net.Dial("tcp", "third.example:80") }

func Client() *http.Client { return &http.Client{} }
`)
	found, err := scan(dir, "example.com/leak")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"leak.(*notifier).Send: net/http.Post", "leak.(*notifier).Send: net/http.Client.Post",
		"leak.Mail: net/smtp.SendMail", "leak.Raw: net.Dial", "leak.Client: net/http.Client",
	} {
		if _, ok := found[want]; !ok {
			t.Errorf("the scan missed %s; it found %v", want, found)
		}
	}
}

// scan type-checks the module in dir and returns every use of an
// outbound primitive in its non-test code: "package.Function: primitive"
// with the file:line of each use.
func scan(dir, module string) (map[string][]string, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo, Dir: root}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, err
	}
	found := map[string][]string{}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			return nil, fmt.Errorf("%s: %v", p.PkgPath, e)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.PkgPath, module), "/")
		if rel == "" {
			rel = path.Base(module)
		}
		for _, f := range p.Syntax {
			name := p.Fset.File(f.Pos()).Name()
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok {
					continue
				}
				fn := rel + "." + funcName(fd)
				ast.Inspect(fd, func(n ast.Node) bool {
					var what string
					switch x := n.(type) {
					case *ast.Ident:
						what = primitive(p.TypesInfo.Uses[x])
					case *ast.CompositeLit:
						if tv, ok := p.TypesInfo.Types[x]; ok {
							what = primitiveType(tv.Type)
						}
					}
					if what != "" {
						site := fn + ": " + what
						found[site] = append(found[site], fmt.Sprintf("%s:%d", filepath.Base(name), p.Fset.Position(n.Pos()).Line))
					}
					return true
				})
			}
		}
	}
	return found, nil
}

func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	var recv string
	switch x := fd.Recv.List[0].Type.(type) {
	case *ast.StarExpr:
		recv = "(*" + typeName(x.X) + ")"
	default:
		recv = typeName(x)
	}
	return recv + "." + fd.Name.Name
}

func typeName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.IndexExpr:
		return typeName(x.X)
	case *ast.IndexListExpr:
		return typeName(x.X)
	}
	return "?"
}

// short names an import path in the site names.
func short(path string) string {
	switch path {
	case "github.com/sashabaranov/go-openai":
		return "go-openai"
	case "github.com/triagehq/triage/embed":
		return "embed"
	case "github.com/wneessen/go-mail":
		return "go-mail"
	case "github.com/emersion/go-imap/client":
		return "go-imap"
	}
	return path
}

// primitive returns the name of the outbound primitive obj is, or "".
func primitive(obj types.Object) string {
	if obj == nil || obj.Pkg() == nil {
		return ""
	}
	names, ok := outbound[obj.Pkg().Path()]
	if !ok {
		return ""
	}
	name := obj.Name()
	if fn, ok := obj.(*types.Func); ok {
		if recv := fn.Signature().Recv(); recv != nil {
			t := recv.Type()
			if p, ok := t.(*types.Pointer); ok {
				t = p.Elem()
			}
			if n, ok := t.(*types.Named); ok {
				name = n.Obj().Name() + "." + name
			} else if _, ok := t.(*types.Interface); ok {
				// A method of an interface type is reached through its
				// named type's object.
				name = interfaceName(fn) + "." + name
			}
		}
	} else if _, ok := obj.(*types.TypeName); ok {
		return "" // a type used in a declaration; building one is a CompositeLit
	} else if _, ok := obj.(*types.Var); ok && obj.Parent() != obj.Pkg().Scope() {
		return "" // a field or a parameter, not a package variable
	}
	if slices.Contains(names, "*") || slices.Contains(names, name) {
		return short(obj.Pkg().Path()) + "." + name
	}
	if typ, _, ok := strings.Cut(name, "."); ok && slices.Contains(names, typ+".*") {
		return short(obj.Pkg().Path()) + "." + name
	}
	return ""
}

func interfaceName(fn *types.Func) string {
	scope := fn.Pkg().Scope()
	for _, n := range scope.Names() {
		tn, ok := scope.Lookup(n).(*types.TypeName)
		if !ok {
			continue
		}
		if it, ok := tn.Type().Underlying().(*types.Interface); ok {
			for i := range it.NumMethods() {
				if it.Method(i) == fn {
					return n
				}
			}
		}
	}
	return "?"
}

// primitiveType returns the name of an outbound type a composite literal
// builds, or "".
func primitiveType(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return ""
	}
	names, ok := outbound[n.Obj().Pkg().Path()]
	if ok && (slices.Contains(names, "*") || slices.Contains(names, n.Obj().Name())) {
		return short(n.Obj().Pkg().Path()) + "." + n.Obj().Name()
	}
	return ""
}
