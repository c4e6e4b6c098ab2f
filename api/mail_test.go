package api_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/email"
)

// inboundMail posts a small mail with the given Message-ID as the mail
// integration and returns its record's id.
func (e *env) inboundMail(messageID string) string {
	e.t.Helper()
	raw := "From: 陈女士 <chen@example.cn>\r\nTo: support@aurora.example\r\nSubject: =?UTF-8?B?6YCA5qy+5rKh5Yiw6LSm?=\r\n" +
		"Message-ID: <" + messageID + "@example.cn>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n订单退款三天了还没到账。\r\n"
	r := e.do("POST", "/v1/mail/inbound", triage.RoleMail, raw, "Content-Type: message/rfc822")
	if r.Code != 200 {
		e.t.Fatalf("inbound: %d %s", r.Code, r.Body)
	}
	var res email.Result
	r.json(e.t, &res)
	return res.MailID
}

func TestMailboxesAPI(t *testing.T) {
	e := newEnv(t)
	var mb triage.Mailbox
	r := e.do("POST", "/v1/mailboxes", triage.RoleAdmin, `{"name":"售后邮箱","address":"Support@Aurora.example","host":"imap.exmail.qq.com",
		"username":"support@aurora.example","password":"授权码-secret","team_id":"","category":"支付与退款","priority":"P2"}`)
	if r.Code != 201 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	r.json(t, &mb)
	if bytes.Contains(r.Body, []byte("secret")) || !mb.PasswordSet || mb.Port != 993 || mb.TLS != "tls" || mb.Folder != "INBOX" || mb.After != "seen" || mb.Address != "support@aurora.example" || !mb.Enabled {
		t.Fatalf("created mailbox = %s", r.Body)
	}
	// Sealed at rest: the database never holds the password in clear.
	stored, err := e.store.Mailbox(t.Context(), mb.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored.PasswordSealed, "secret") || !strings.HasPrefix(stored.PasswordSealed, "seal1.") {
		t.Fatalf("stored password = %q", stored.PasswordSealed)
	}
	if b, err := os.ReadFile(filepath.Join(e.app.Config.DataDir, app.KeyFile)); err != nil || len(bytes.TrimSpace(b)) < 40 {
		t.Fatalf("no generated key file: %v", err)
	}
	if st, _ := os.Stat(filepath.Join(e.app.Config.DataDir, app.KeyFile)); st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	for _, r := range []resp{e.do("GET", "/v1/mailboxes", triage.RoleAdmin, ""), e.do("GET", "/v1/mailboxes/"+mb.ID, triage.RoleAdmin, "")} {
		if r.Code != 200 || bytes.Contains(r.Body, []byte("secret")) || bytes.Contains(r.Body, []byte("seal1")) {
			t.Fatalf("a read shows the password: %d %s", r.Code, r.Body)
		}
	}
	r = e.do("PATCH", "/v1/mailboxes/"+mb.ID, triage.RoleAdmin, `{"after":"move","move_to":"已处理","enabled":false}`, ifMatch(1))
	if r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	after, _ := e.store.Mailbox(t.Context(), mb.ID)
	if after.PasswordSealed != stored.PasswordSealed || after.After != "move" || after.MoveTo != "已处理" {
		t.Errorf("an update without a password changed it, or did not apply: %+v", after)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"name":"x","address":"not an address","host":"h","username":"u","password":"p"}`, "address"},
		{`{"name":"x","address":"a@b.cn","host":"h","username":"u","password":"p","tls":"none"}`, "tls"},
		{`{"name":"x","address":"a@b.cn","host":"h","username":"u"}`, "password"},
		{`{"name":"x","address":"a@b.cn","host":"h","username":"u","password":"p","after":"move"}`, "move_to"},
		{`{"name":"x","address":"a@b.cn","host":"h","username":"u","password":"p","team_id":"nope"}`, "team_id"},
		{`{"name":"x","address":"a@b.cn","host":"h/x","username":"u","password":"p"}`, "host"},
	} {
		r := e.do("POST", "/v1/mailboxes", triage.RoleAdmin, tc.body)
		if r.Code != 400 || r.errorBody(t).Field != tc.field {
			t.Errorf("%s: %d %s, want 400 on %s", tc.body, r.Code, r.Body, tc.field)
		}
	}
	// The test button: a refused connection is a result, in Chinese.
	var check email.CheckResult
	r = e.do("POST", "/v1/mailboxes/test", triage.RoleAdmin, `{"host":"127.0.0.1","port":1,"username":"u@x.cn","password":"p"}`)
	r.json(t, &check)
	if r.Code != 200 || check.IMAP.OK || check.IMAP.Kind != "unreachable" || !strings.Contains(check.IMAP.Message, "无法连接") {
		t.Errorf("test of a closed port = %d %s", r.Code, r.Body)
	}
	if r := e.do("DELETE", "/v1/mailboxes/"+mb.ID, triage.RoleAdmin, "", ifMatch(1)); r.Code != 412 {
		t.Errorf("delete at an old version: %d", r.Code)
	}
	if r := e.do("DELETE", "/v1/mailboxes/"+mb.ID, triage.RoleAdmin, "", ifMatch(2)); r.Code != 204 {
		t.Errorf("delete: %d %s", r.Code, r.Body)
	}
}

// TestMailboxWithoutKeyOnPostgresStyle: with no key (what a PostgreSQL
// deployment without TRIAGE_SECRET_KEY has), saving a mailbox is a 503
// that says what to set.
func TestMailboxWithoutKey(t *testing.T) {
	e := newEnv(t)
	e.app.Mail.Keys = nil
	r := e.do("POST", "/v1/mailboxes", triage.RoleAdmin, `{"name":"x","address":"a@b.cn","host":"h","username":"u","password":"p"}`)
	if r.Code != 503 || !strings.Contains(string(r.Body), "TRIAGE_SECRET_KEY") {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
}

func TestInboundMailAPI(t *testing.T) {
	e := newEnv(t)
	raw := "From: 陈女士 <chen@example.cn>\r\nTo: support@aurora.example\r\nSubject: =?GBK?B?zcu/7sO7tb3Vyw==?=\r\n" +
		"Message-ID: <gbk-1@example.cn>\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"tqm1pc3Lv+4=\r\n" // 订单退款 in GBK
	var res email.Result
	r := e.do("POST", "/v1/mail/inbound", triage.RoleMail, raw, "Content-Type: message/rfc822")
	r.json(t, &res)
	if r.Code != 200 || res.Status != triage.MailImported || !res.Created || res.TicketID == "" {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	tk := e.getTicket(res.TicketID)
	if tk.Channel != triage.ChannelEmail || tk.Requester.Email != "chen@example.cn" || tk.Body != "订单退款" {
		t.Errorf("ticket = %+v", tk)
	}
	// Posted again (an MTA retrying): nothing new.
	r = e.do("POST", "/v1/mail/inbound", triage.RoleMail, raw, "Content-Type: message/rfc822")
	r.json(t, &res)
	if res.Status != email.Duplicate || res.TicketID != tk.ID {
		t.Fatalf("again: %s", r.Body)
	}
	// The mail token may deliver and read who it is, nothing else.
	if r := e.do("GET", "/v1/tickets", triage.RoleMail, ""); r.Code != 403 {
		t.Errorf("the mail token read tickets: %d", r.Code)
	}
	if r := e.do("GET", "/v1/me", triage.RoleMail, ""); r.Code != 200 {
		t.Errorf("the mail token's /v1/me: %d", r.Code)
	}
	if r := e.do("POST", "/v1/mail/inbound", triage.RoleMail, "   "); r.Code != 400 {
		t.Errorf("an empty message: %d %s", r.Code, r.Body)
	}
	// The original, and the list for admins.
	var orig email.Original
	e.do("GET", "/v1/mail/messages/"+res.MailID+"/original", triage.RoleAgent, "").json(t, &orig)
	if orig.Subject != "退款没到账" || orig.From.Email != "chen@example.cn" {
		t.Errorf("original = %+v", orig)
	}
	var list api_List[triage.MailMessage]
	e.do("GET", "/v1/mail/messages?direction=in&status=imported", triage.RoleAdmin, "").json(t, &list)
	if len(list.Items) != 1 || list.Items[0].TicketID != tk.ID {
		t.Errorf("mail list = %+v", list)
	}
	if r := e.do("GET", "/v1/mail/messages?status=lost", triage.RoleAdmin, ""); r.Code != 400 {
		t.Errorf("a bad status: %d", r.Code)
	}
}

type api_List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func TestAttachmentsAPI(t *testing.T) {
	e := newEnv(t)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 64)...)
	html := []byte("<html><script>alert(document.cookie)</script></html>")
	body, _ := json.Marshal(map[string]any{"title": "屏幕碎了", "body": "见图", "attachments": []map[string]any{
		{"name": "截图.png", "content_type": "image/png", "data": png},
		{"name": "发票.html", "content_type": "text/html", "data": html},
	}})
	tk := e.ticket(string(body))
	if len(tk.Attachments) != 2 {
		t.Fatalf("attachments = %+v", tk.Attachments)
	}
	img, page := tk.Attachments[0], tk.Attachments[1]
	r := e.do("GET", "/v1/attachments/"+img.ID, triage.RoleViewer, "")
	h := r.Header
	if r.Code != 200 || !bytes.Equal(r.Body, png) || h.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || !strings.Contains(h.Get("Content-Disposition"), "%E6%88%AA%E5%9B%BE.png") ||
		h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("download: %d %v", r.Code, h)
	}
	if r := e.do("GET", "/v1/attachments/"+img.ID+"?inline=1", triage.RoleViewer, ""); !strings.HasPrefix(r.Header.Get("Content-Disposition"), "inline") {
		t.Errorf("inline image: %v", r.Header)
	}
	// HTML is never served as HTML, not even asked inline.
	r = e.do("GET", "/v1/attachments/"+page.ID+"?inline=1", triage.RoleViewer, "")
	if ct := r.Header.Get("Content-Type"); strings.Contains(ct, "html") || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("html attachment served as %q, %q", ct, r.Header.Get("Content-Disposition"))
	}
	if r := e.do("GET", "/v1/attachments/nope", triage.RoleViewer, ""); r.Code != 404 {
		t.Errorf("unknown: %d", r.Code)
	}

	// Multipart: the JSON in a part, the files as parts.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("json", `{"body":"请查收发票","public":true}`)
	fw, _ := mw.CreateFormFile("file", "发票.pdf")
	_, _ = fw.Write([]byte("%PDF-1.4 发票"))
	mw.Close()
	r = e.do("POST", "/v1/tickets/"+tk.ID+"/comments", triage.RoleAgent, buf.String(), "Content-Type: "+mw.FormDataContentType())
	var c triage.Comment
	r.json(t, &c)
	if r.Code != 201 || c.Body != "请查收发票" || len(c.Attachments) != 1 || c.Attachments[0].ContentType != "application/pdf" {
		t.Fatalf("multipart comment: %d %s", r.Code, r.Body)
	}
	for _, tc := range []struct {
		body, ct string
		code     int
	}{
		{"--x\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nv\r\n--x--\r\n", "multipart/form-data; boundary=x", 400},
		{"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nv\r\n--x--\r\n", "multipart/form-data; boundary=x", 400},
		{"garbage", "multipart/form-data; boundary=x", 400},
		{`{"body":"x","attachments":[{"name":"a.txt","data":"not base64!"}]}`, "application/json", 400},
	} {
		if r := e.do("POST", "/v1/tickets/"+tk.ID+"/comments", triage.RoleAgent, tc.body, "Content-Type: "+tc.ct); r.Code != tc.code {
			t.Errorf("%q: %d %s, want %d", tc.body, r.Code, r.Body, tc.code)
		}
	}
	// A body over the route's limit is a 413.
	req := httptest.NewRequest("POST", "/v1/tickets/"+tk.ID+"/comments", strings.NewReader("x"))
	req.ContentLength = 200 << 20
	req.Header.Set("Authorization", "Bearer "+e.tokens[triage.RoleAgent])
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if w.Code != 413 {
		t.Errorf("a 200 MiB body: %d", w.Code)
	}
}

func TestMailTemplatesAPI(t *testing.T) {
	e := newEnv(t)
	var list api_List[email.TemplateView]
	e.do("GET", "/v1/mail/templates", triage.RoleAdmin, "").json(t, &list)
	if len(list.Items) != 5 || !list.Items[0].Default || list.Items[0].Name != "reply" || !strings.Contains(list.Items[0].Body, "{{reply}}") {
		t.Fatalf("templates = %+v", list.Items)
	}
	r := e.do("PATCH", "/v1/mail/templates/ack", triage.RoleAdmin, `{"enabled":true,"subject":"已收到：{{ticket.title}}"}`, "If-Match: *")
	var tv email.TemplateView
	r.json(t, &tv)
	if r.Code != 200 || tv.Default || !tv.Enabled || tv.Version != 1 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	for _, tc := range []struct{ name, body, field string }{
		{"ack", `{"body":"您好 {{requester.phone}}"}`, "body"},
		{"reply", `{"body":"没有正文变量"}`, "body"},
		{"survey", `{"body":"{{reply}} {{survey.url}}"}`, "body"},
		{"survey", `{"subject":""}`, "subject"},
	} {
		r := e.do("PATCH", "/v1/mail/templates/"+tc.name, triage.RoleAdmin, tc.body, "If-Match: *")
		if r.Code != 400 || r.errorBody(t).Field != tc.field {
			t.Errorf("%s %s: %d %s", tc.name, tc.body, r.Code, r.Body)
		}
	}
	if r := e.do("PATCH", "/v1/mail/templates/nope", triage.RoleAdmin, `{"enabled":true}`, "If-Match: *"); r.Code != 404 {
		t.Errorf("unknown template: %d", r.Code)
	}
	if r := e.do("PATCH", "/v1/mail/templates/ack", triage.RoleAdmin, `{"enabled":false}`, `If-Match: "7"`); r.Code != 412 {
		t.Errorf("stale: %d", r.Code)
	}
	if r := e.do("DELETE", "/v1/mail/templates/ack", triage.RoleAdmin, "", "If-Match: *"); r.Code != 204 {
		t.Errorf("reset: %d %s", r.Code, r.Body)
	}
	e.do("GET", "/v1/mail/templates/ack", triage.RoleAdmin, "").json(t, &tv)
	if !tv.Default || tv.Enabled {
		t.Errorf("after reset: %+v", tv)
	}
}
