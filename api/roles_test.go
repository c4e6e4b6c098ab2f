package api_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
)

// matrixBodies holds a valid body for every route that takes one. A route
// added without an entry here fails the matrix, so no route escapes it.
var matrixBodies = map[string]string{
	"PUT /v1/tickets/:id/viewers/me":         `{"typing":true}`,
	"POST /v1/tickets/bulk":                  `{"tickets":[{"id":"{ticket}","version":1}],"priority":"P2"}`,
	"POST /v1/views":                         `{"name":"矩阵视图","query":"sort=priority"}`,
	"PUT /v1/presence":                       `{"presence":"away"}`,
	"POST /v1/notifications/read":            `{"all":true}`,
	"PUT /v1/notifications/prefs":            `{"mail":["assigned"]}`,
	"PATCH /v1/help/settings":                `{"company_name":"矩阵商城"}`,
	"POST /v1/answer":                        `{"question":"退款多久到账"}`,
	"POST /v1/tickets":                       `{"title":"矩阵测试","body":"路由与角色"}`,
	"PATCH /v1/tickets/:id":                  `{"priority":"P2"}`,
	"POST /v1/tickets/:id/comments":          `{"body":"好的","public":true}`,
	"POST /v1/agents":                        `{"name":"新同事"}`,
	"PATCH /v1/agents/:id":                   `{"online":true}`,
	"POST /v1/teams":                         `{"name":"新组"}`,
	"PATCH /v1/teams/:id":                    `{"name":"改名"}`,
	"POST /v1/tokens":                        `{"name":"t","role":"viewer"}`,
	"POST /v1/rules":                         `{"name":"r","any":["退款"],"set_category":"支付与退款"}`,
	"PATCH /v1/rules/:id":                    `{"enabled":false}`,
	"POST /v1/rules/dry-run":                 `{"title":"退款没到账","body":"三天了"}`,
	"POST /v1/dictionary":                    `{"words":[{"word":"极光Pro手环"}]}`,
	"POST /v1/models/train":                  `{"kind":"category"}`,
	"POST /v1/shadows":                       `{"kind":"priority","candidate_rules":[{"name":"r","any":["退款"],"set_priority":"P2"}]}`,
	"POST /v1/imports":                       `{"format":"zendesk","data":"{\"ticket\":{\"id\":1,\"subject\":\"矩阵\",\"description\":\"导入\",\"status\":\"open\",\"created_at\":\"2026-12-01T00:00:00Z\",\"updated_at\":\"2026-12-01T00:00:00Z\"}}"}`,
	"POST /v1/articles":                      `{"title":"退款时效","body":"退款一般1-3个工作日到账。"}`,
	"PATCH /v1/articles/:id":                 `{"title":"退款多久到账"}`,
	"POST /v1/articles/:id/revert":           `{"version":1}`,
	"POST /v1/kb/revisions/:id/review":       `{"action":"withdraw"}`,
	"POST /v1/articles/preview":              `{"body":"## 标题\n正文"}`,
	"POST /v1/suggestions/:id/feedback":      `{"source_kind":"draft","action":"accepted"}`,
	"POST /v1/sla/policies":                  `{"name":"矩阵","priority":"P1","tag":"matrix","first_response":"1h"}`,
	"PATCH /v1/sla/policies/:id":             `{"first_response":"2h"}`,
	"POST /v1/calendars":                     `{"name":"测试日历","hours":[{"days":["mon"],"start":"09:00","end":"18:00"}]}`,
	"PATCH /v1/calendars/:id":                `{"name":"改名"}`,
	"POST /v1/webhooks":                      `{"url":"https://93.184.216.34/hook","events":["ticket.solved"]}`,
	"PATCH /v1/webhooks/:id":                 `{"active":false}`,
	"POST /v1/tickets/:id/merge":             `{"into":"{ticket}"}`,
	"POST /v1/mailboxes":                     `{"name":"矩阵","address":"support@aurora.example","host":"imap.example.com","username":"matrix@aurora.example","password":"授权码"}`,
	"POST /v1/mailboxes/test":                `{"host":"127.0.0.1","port":1,"username":"u@aurora.example","password":"p"}`,
	"PATCH /v1/mailboxes/:id":                `{"enabled":false}`,
	"POST /v1/mail/inbound":                  "From: 陈女士 <chen@example.cn>\r\nTo: support@aurora.example\r\nSubject: 矩阵测试\r\nMessage-ID: <matrix@example.cn>\r\n\r\n退款没到账",
	"PATCH /v1/mail/templates/:name":         `{"enabled":true}`,
	"POST /v1/macros":                        `{"title":"矩阵","body":"{{requester.name}}您好"}`,
	"PATCH /v1/macros/:id":                   `{"body":"改了"}`,
	"POST /v1/macros/import":                 `{"title":"导入","body":"您好"}`,
	"POST /v1/tickets/:id/macros/:mid/apply": `{"body":"好的"}`,
	"POST /v1/auth/password":                 `{"current_password":"x","new_password":"一个足够长的新密码"}`,
	"PATCH /v1/agents/:id/account":           `{"role":"agent"}`,
	"POST /v1/auth/totp/confirm":             `{"code":"123456"}`,
	"POST /v1/auth/totp/disable":             `{"code":"123456"}`,
	"PATCH /v1/auth/settings":                `{"require_totp":false}`,
	"PATCH /v1/settings/workflow":            `{"close_solved_after":"4d"}`,
	"POST /v1/accounts/invite":               `{"email":"matrix-{role}@example.cn","name":"矩阵","role":"viewer"}`,
	"POST /v1/wechat/channels":               `{"name":"矩阵","corp_id":"wwmatrix","secret":"s","token":"t","encoding_aes_key":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}`,
	"PATCH /v1/wechat/channels/:id":          `{"enabled":false}`,
	"POST /channels/wechat/:id":              `<xml><Encrypt>x</Encrypt></xml>`,
	"POST /v1/automations":                   automationFixture,
	"PATCH /v1/automations/:id":              `{"enabled":false}`,
	"POST /v1/automations/dry-run":           `{"automation":` + automationFixture + `,"limit":10}`,
}

// automationFixture is a valid trigger.
const automationFixture = `{"name":"发票 → 标签","events":["ticket.created"],"conditions":[{"field":"title","op":"contains","value":"发票"}],"actions":[{"type":"add_tags","tags":["invoice"]}]}`

// matrixSessionRoutes are a person's own sign-in routes: a token not tied
// to an agent with an account has no sessions and no password, so an
// allowed role may get a 400 or 404 there, never a 401 or 403.
var matrixSessionRoutes = map[string]bool{
	"POST /v1/auth/password":       true,
	"DELETE /v1/auth/sessions/:id": true,
	// A second factor is a person's; the fixture agents have no account.
	"GET /v1/auth/account":                   true,
	"POST /v1/auth/totp":                     true,
	"POST /v1/auth/totp/confirm":             true,
	"POST /v1/auth/totp/disable":             true,
	"POST /v1/agents/:id/account/reset-link": true,
	"DELETE /v1/agents/:id/account/totp":     true,
}

// matrixQueries holds the query a route needs to be a valid request.
var matrixQueries = map[string]string{
	"GET /v1/articles/:id/diff":           "?from=1&to=1",
	"GET /v1/search":                      "?q=%E9%80%80%E6%AC%BE",
	"GET /v1/calendars/:id/business-time": "?from=2026-09-30T17:00:00%2B08:00&add=8h",
}

// TestRouteRoleMatrix calls every authenticated route as every role and
// without a token: a role the route lists must get past auth, any other
// role must get 403, no token 401, and nothing may be a 5xx.
func TestRouteRoleMatrix(t *testing.T) {
	e := newEnv(t)
	for _, rt := range e.srv.Routes() {
		if rt.Roles == nil {
			continue
		}
		key := rt.Method + " " + rt.Path
		body, ok := matrixBodies[key]
		if rt.Request != nil && !ok {
			t.Errorf("%s takes a body but has no entry in matrixBodies", key)
			continue
		}
		for _, role := range append(triage.Roles(), "") {
			name := string(role)
			if name == "" {
				name = "anonymous"
			}
			t.Run(key+" as "+name, func(t *testing.T) {
				path := e.fixturePath(rt.Path, role, slices.Contains(rt.SelfOnly, role)) + matrixQueries[key]
				var headers []string
				if rt.Conditional {
					headers = append(headers, "If-Match: *")
				}
				// {ticket} in a body is a second fresh ticket (a merge's survivor).
				b := strings.ReplaceAll(strings.ReplaceAll(body, "{role}", name), "{ticket}", e.ticket("").ID)
				r := e.do(rt.Method, path, role, b, headers...)
				switch {
				case r.Code >= 500:
					t.Fatalf("%d: %s", r.Code, r.Body)
				case role == "":
					if r.Code != 401 {
						t.Fatalf("anonymous got %d", r.Code)
					}
				case slices.Contains(rt.Roles, role) && matrixSessionRoutes[key] && (r.Code == 400 || r.Code == 404):
				case slices.Contains(rt.Roles, role):
					if r.Code == 401 || r.Code == 403 || r.Code >= 400 && r.Code != 409 {
						t.Fatalf("allowed role got %d: %s", r.Code, r.Body)
					}
				default:
					if r.Code != 403 {
						t.Fatalf("forbidden role got %d: %s", r.Code, r.Body)
					}
				}
			})
		}
	}
}

// leadTeam makes the agent-role token's agent the lead of a team, once.
func (e *env) leadTeam() {
	e.t.Helper()
	var teams api.List[triage.Team]
	e.do("GET", "/v1/teams", triage.RoleAdmin, "").json(e.t, &teams)
	for _, t := range teams.Items {
		if t.LeadID == e.agent.ID {
			return
		}
	}
	e.mustCreate("POST", "/v1/teams", triage.RoleAdmin, `{"name":"矩阵组","members":["`+e.agent.ID+`"],"lead_id":"`+e.agent.ID+`"}`, &triage.Team{})
}

// fixturePath fills a route's path parameters with a fresh resource, so
// that a DELETE in one case does not break the next; self routes get the
// caller's own agent.
func (e *env) fixturePath(path string, role triage.Role, self bool) string {
	e.t.Helper()
	if strings.Contains(path, ":name") {
		return strings.Replace(path, ":name", "ack", 1)
	}
	if strings.Contains(path, ":word") {
		e.mustCreate("POST", "/v1/dictionary", triage.RoleAdmin, `{"words":[{"word":"临时词"}]}`, &struct{}{})
		return strings.Replace(path, ":word", "%E4%B8%B4%E6%97%B6%E8%AF%8D", 1)
	}
	if strings.HasPrefix(path, "/v1/macros") && role == triage.RoleAgent {
		e.leadTeam() // macros are written by admins and team leads
	}
	if strings.Contains(path, ":mid") {
		m := e.mustCreate("POST", "/v1/macros", triage.RoleAdmin, `{"title":"临时","body":"您好"}`, &triage.Macro{}).(*triage.Macro)
		path = strings.Replace(path, ":mid", m.ID, 1)
	}
	if !strings.Contains(path, ":id") {
		return path
	}
	var id string
	switch {
	case strings.HasPrefix(path, "/v1/macros"):
		// Written by the caller when it may write at all: a lead writes
		// for the team it leads.
		author := role
		if author != triage.RoleAgent {
			author = triage.RoleAdmin
		}
		id = e.mustCreate("POST", "/v1/macros", author, `{"title":"临时","body":"您好"}`, &triage.Macro{}).(*triage.Macro).ID
		path = strings.Replace(path, ":version", "1", 1)
	case strings.HasPrefix(path, "/v1/tickets"):
		id = e.ticket("").ID
	case strings.HasPrefix(path, "/v1/views"):
		id = e.mustCreate("POST", "/v1/views", triage.RoleAgent, `{"name":"临时`+triage.NewID()+`","query":""}`, &triage.SavedView{}).(*triage.SavedView).ID
	case strings.HasSuffix(path, "/account"):
		id = e.mustCreate("POST", "/v1/agents", triage.RoleAdmin, `{"name":"临时"}`, &triage.Agent{}).(*triage.Agent).ID
		e.do("PATCH", "/v1/agents/"+id+"/account", triage.RoleAdmin, `{"role":"viewer"}`, "If-Match: *")
	case strings.HasPrefix(path, "/v1/auth/sessions"):
		id = e.session(e.agent.ID).SessionID
	case strings.HasPrefix(path, "/v1/agents") && (self || role == triage.RoleAgent):
		id = e.agent.ID
	case strings.HasPrefix(path, "/v1/agents"):
		id = e.mustCreate("POST", "/v1/agents", triage.RoleAdmin, `{"name":"临时"}`, &triage.Agent{}).(*triage.Agent).ID
	case strings.HasPrefix(path, "/v1/teams"):
		id = e.mustCreate("POST", "/v1/teams", triage.RoleAdmin, `{"name":"临时组"}`, &triage.Team{}).(*triage.Team).ID
	case strings.HasPrefix(path, "/v1/rules"):
		id = e.mustCreate("POST", "/v1/rules", triage.RoleAdmin, `{"name":"临时","any":["临时"],"add_tags":["t"]}`, &triage.Rule{}).(*triage.Rule).ID
	case strings.HasPrefix(path, "/v1/kb/revisions"):
		// A revision of a published article, written by the caller when
		// it may write at all: its author may withdraw it.
		author := role
		if author != triage.RoleAgent && author != triage.RoleEditor {
			author = triage.RoleAdmin
		}
		a := e.mustCreate("POST", "/v1/articles", triage.RoleAdmin, `{"title":"临时文章","body":"正文"}`, &triage.Article{}).(*triage.Article)
		e.do("PATCH", "/v1/articles/"+a.ID, triage.RoleEditor, `{"status":"published"}`, "If-Match: *")
		var v api.ArticleView
		e.do("PATCH", "/v1/articles/"+a.ID, author, `{"body":"改过的正文"}`, "If-Match: *").json(e.t, &v)
		if v.Revision == nil {
			e.t.Fatalf("no revision for the fixture of %s", path)
		}
		id = v.Revision.ID
	case strings.HasPrefix(path, "/v1/articles"):
		// Agents may only touch their own drafts: the fixture is written
		// by the caller when it may write at all.
		author := role
		if author != triage.RoleAgent && author != triage.RoleEditor {
			author = triage.RoleAdmin
		}
		id = e.mustCreate("POST", "/v1/articles", author, `{"title":"临时文章","body":"正文"}`, &triage.Article{}).(*triage.Article).ID
		path = strings.Replace(path, ":version", "1", 1)
	case strings.HasPrefix(path, "/v1/suggestions"):
		tk := e.ticket("")
		var sg triage.Suggestions
		e.do("GET", "/v1/tickets/"+tk.ID+"/suggestions", triage.RoleAgent, "").json(e.t, &sg)
		id = sg.ID
	case strings.HasPrefix(path, "/v1/models"):
		m := &triage.Model{ID: triage.NewID(), Kind: triage.ModelPriority, Version: "fixture", Blob: e.modelBlob(), CreatedAt: time.Now()}
		if err := e.store.Update(context.Background(), func(tx triage.Tx) error { return tx.SaveModel(context.Background(), m) }); err != nil {
			e.t.Fatal(err)
		}
		id = m.ID
	case strings.HasPrefix(path, "/v1/shadows"):
		// An ended trial: one may run per kind, and promote or discard of
		// an ended one is a 409, which the matrix accepts.
		sh := &triage.Shadow{ID: triage.NewID(), Kind: triage.ModelCategory, StartedAt: time.Now(),
			CandidateRules: []triage.NewRule{{Name: "r", Any: []string{"退款"}, SetCategory: "支付与退款"}}}
		if err := e.store.Update(context.Background(), func(tx triage.Tx) error {
			if err := tx.CreateShadow(context.Background(), sh); err != nil {
				return err
			}
			return tx.EndShadow(context.Background(), sh.ID, triage.ShadowDiscarded, "fixture", time.Now())
		}); err != nil {
			e.t.Fatal(err)
		}
		id = sh.ID
	case strings.HasPrefix(path, "/v1/sla/policies"):
		id = e.mustCreate("POST", "/v1/sla/policies", triage.RoleAdmin, `{"name":"临时","priority":"P4","tag":"fx-`+triage.NewID()+`","first_response":"1h"}`, &triage.SLAPolicy{}).(*triage.SLAPolicy).ID
	case strings.HasPrefix(path, "/v1/calendars"):
		id = e.mustCreate("POST", "/v1/calendars", triage.RoleAdmin, `{"name":"临时日历","hours":[{"days":["mon"],"start":"09:00","end":"18:00"}]}`, &triage.Calendar{}).(*triage.Calendar).ID
	case strings.HasPrefix(path, "/v1/webhooks"):
		w := e.mustCreate("POST", "/v1/webhooks", triage.RoleAdmin, `{"url":"https://93.184.216.34/hook","events":["ticket.solved"]}`, &triage.Webhook{}).(*triage.Webhook)
		id = w.ID
		if strings.Contains(path, ":delivery") {
			var d triage.Delivery
			e.do("POST", "/v1/webhooks/"+w.ID+"/test", triage.RoleAdmin, "").json(e.t, &d)
			path = strings.Replace(path, ":delivery", d.ID, 1)
		}
	case strings.HasPrefix(path, "/v1/eval/reports"):
		id = e.saveReport("fixture-"+triage.NewID(), time.Now())
	case strings.HasPrefix(path, "/v1/mailboxes"):
		id = e.mustCreate("POST", "/v1/mailboxes", triage.RoleAdmin, `{"name":"临时","address":"support@aurora.example","host":"imap.example.com",`+
			`"username":"support@aurora.example","password":"授权码","folder":"fx-`+triage.NewID()+`","enabled":false}`, &triage.Mailbox{}).(*triage.Mailbox).ID
	case strings.HasPrefix(path, "/v1/mail/messages"):
		id = e.inboundMail("fixture-" + triage.NewID())
	case strings.HasPrefix(path, "/v1/attachments"):
		tk := e.ticket(`{"title":"附件","body":"见附件","attachments":[{"name":"a.txt","data":"5L2g5aW9"}]}`)
		id = tk.Attachments[0].ID
	case strings.HasPrefix(path, "/v1/wechat/channels") || strings.HasPrefix(path, "/channels/wechat"):
		id = e.mustCreate("POST", "/v1/wechat/channels", triage.RoleAdmin, `{"name":"临时","corp_id":"ww`+strings.ReplaceAll(triage.NewID(), "-", "")[:20]+
			`","secret":"s","token":"t","encoding_aes_key":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}`, &triage.WeChatChannel{}).(*triage.WeChatChannel).ID
	case strings.HasPrefix(path, "/v1/automations"):
		id = e.mustCreate("POST", "/v1/automations", triage.RoleAdmin, automationFixture, &triage.Automation{}).(*triage.Automation).ID
	case strings.HasPrefix(path, "/v1/tokens"):
		id = e.mustCreate("POST", "/v1/tokens", triage.RoleAdmin, `{"name":"临时","role":"viewer"}`, &triage.Token{}).(*triage.Token).ID
	default:
		e.t.Fatalf("no fixture for %s: add one to fixturePath", path)
	}
	return strings.Replace(path, ":id", id, 1)
}

// TestUnknownQueryParameters calls every route, as a role it allows, with
// the query it needs and one parameter it does not take: a 400 naming the
// parameter, before the handler runs, on every route.
func TestUnknownQueryParameters(t *testing.T) {
	e := newEnv(t)
	for _, rt := range e.srv.Routes() {
		key := rt.Method + " " + rt.Path
		t.Run(key, func(t *testing.T) {
			var role triage.Role
			path := strings.ReplaceAll(rt.Path, ":token", "no-such-survey")
			if rt.Roles != nil {
				role = rt.Roles[0]
				path = e.fixturePath(rt.Path, role, slices.Contains(rt.SelfOnly, role))
			}
			q := matrixQueries[key]
			if q == "" {
				q = "?"
			} else {
				q += "&"
			}
			var headers []string
			if rt.Conditional {
				headers = append(headers, "If-Match: *")
			}
			body := strings.ReplaceAll(matrixBodies[key], "{ticket}", e.ticket("").ID)
			r := e.do(rt.Method, path+q+"stauts=open", role, body, headers...)
			if r.Code != 400 {
				t.Fatalf("an unknown parameter got %d: %s", r.Code, r.Body)
			}
			if b := r.errorBody(t); b.Field != "stauts" || !strings.Contains(b.Message, "stauts") {
				t.Fatalf("the error does not name the parameter: %s", r.Body)
			}
			// The declared ones pass the check.
			if q != "?" && rt.Roles != nil {
				if r := e.do(rt.Method, path+matrixQueries[key], role, body, headers...); r.Code == 400 && r.errorBody(t).Code == triage.EINVALID && strings.Contains(string(r.Body), "unknown query parameter") {
					t.Fatalf("a declared parameter was refused: %s", r.Body)
				}
			}
		})
	}
}

func TestMeListsWhatTheRoleMayDo(t *testing.T) {
	e := newEnv(t)
	for _, role := range triage.Roles() {
		var me struct {
			Role triage.Role
			Can  []string
		}
		e.do("GET", "/v1/me", role, "").json(t, &me)
		want := 0
		for _, rt := range e.srv.Routes() {
			if slices.Contains(rt.Roles, role) {
				want++
			}
		}
		if me.Role != role || len(me.Can) != want {
			t.Errorf("%s: role %s, %d routes, want %d", role, me.Role, len(me.Can), want)
		}
	}
}
