package email

import (
	"context"
	"html"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// Templates of the mails the service writes, Chinese first. A variable is
// {{name}}; which names a template may use is fixed per template, checked
// when an admin saves it. Substitution is one pass: a value is never read
// as a template (a customer who writes "{{survey.url}}" in a ticket title
// gets those characters back), and in the HTML part every value is
// escaped. The survey link becomes a link; every other value is text.

// TemplateView is a template as admins see it: the stored version or the
// default, with the variables it may use.
type TemplateView struct {
	triage.MailTemplate
	// Default is true while the template is the built-in one.
	Default bool `json:"default"`
	// Variables are the names the template may use, Required those it
	// must.
	Variables []string `json:"variables"`
	Required  []string `json:"required"`
}

var defaults = map[string]triage.MailTemplate{
	triage.MailReply: {Name: triage.MailReply,
		Subject: "{{ticket.title}}",
		Body: "{{requester.name}}您好：\n\n{{reply}}\n\n" +
			"{{agent.name}}\n{{company}}\n\n" +
			"——\n直接回复本邮件即可继续沟通，请保留主题中的工单号 [#{{ticket.ref}}]。"},
	triage.MailSurvey: {Name: triage.MailSurvey,
		Subject: "请为本次服务评分：{{ticket.title}}",
		Body: "{{requester.name}}您好：\n\n您的问题「{{ticket.title}}」已处理完毕。" +
			"请花一分钟告诉我们您是否满意，点击下面的链接打分（1–5 星）：\n\n{{survey.url}}\n\n" +
			"链接在 {{survey.expires}} 之前有效。感谢您的支持！\n\n{{company}}"},
	triage.MailAck: {Name: triage.MailAck,
		Subject: "我们已收到您的来信：{{ticket.title}}",
		Body: "{{requester.name}}您好：\n\n我们已收到您的来信，工单号为 [#{{ticket.ref}}]，客服会尽快回复您。" +
			"补充信息请直接回复本邮件。\n\n{{company}}\n\n——\n这是一封自动回复邮件。"},
	triage.MailSignIn: {Name: triage.MailSignIn,
		Subject: "登录「我的工单」的链接",
		Body: "{{requester.name}}您好：\n\n请点击下面的链接查看您的工单、回复客服和评价服务：\n\n{{signin.url}}\n\n" +
			"链接只能使用一次，在 {{signin.expires}} 之前有效。如果不是您本人操作，请忽略本邮件。\n\n{{company}}"},
	triage.MailConfirm: {Name: triage.MailConfirm,
		Subject: "请确认您的问题：{{request.title}}",
		Body: "{{requester.name}}您好：\n\n我们收到了您提交的问题「{{request.title}}」。请点击下面的链接确认邮箱，确认后问题才会提交给客服：\n\n{{confirm.url}}\n\n" +
			"链接在 {{confirm.expires}} 之前有效。如果不是您本人提交的，请忽略本邮件。\n\n{{company}}"},
}

var common = []string{"ticket.ref", "ticket.title", "requester.name", "company"}

// variables lists the names each template may use, and the ones it must.
func variables(name string) (allowed, required []string) {
	switch name {
	case triage.MailReply:
		return append(slices.Clone(common), "reply", "agent.name"), []string{"reply"}
	case triage.MailSurvey:
		return append(slices.Clone(common), "survey.url", "survey.expires"), []string{"survey.url"}
	case triage.MailSignIn:
		return append(slices.Clone(common), "signin.url", "signin.expires"), []string{"signin.url"}
	case triage.MailConfirm:
		// No ticket yet: the request's title instead of the ticket's.
		return []string{"request.title", "requester.name", "company", "confirm.url", "confirm.expires"}, []string{"confirm.url"}
	}
	return slices.Clone(common), nil
}

var varRe = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}`)

// Limits of a template.
const (
	maxSubjectRunes = 200
	maxBodyBytes    = 20000
)

// checkTemplate validates an edited template.
func checkTemplate(t *triage.MailTemplate) error {
	t.Subject = strings.Join(strings.Fields(t.Subject), " ")
	t.Body = strings.ReplaceAll(t.Body, "\r\n", "\n")
	allowed, required := variables(t.Name)
	switch {
	case t.Subject == "":
		return triage.Invalid("subject", "subject is required")
	case utf8.RuneCountInString(t.Subject) > maxSubjectRunes || !utf8.ValidString(t.Subject):
		return triage.Invalid("subject", "subject must be text of at most %d characters", maxSubjectRunes)
	case strings.TrimSpace(t.Body) == "":
		return triage.Invalid("body", "body is required")
	case len(t.Body) > maxBodyBytes || !utf8.ValidString(t.Body):
		return triage.Invalid("body", "body must be text of at most %d bytes", maxBodyBytes)
	}
	for _, f := range []struct{ field, text string }{{"subject", t.Subject}, {"body", t.Body}} {
		for _, m := range varRe.FindAllStringSubmatch(f.text, -1) {
			if !slices.Contains(allowed, m[1]) {
				return &triage.Error{Code: triage.EINVALID, Field: f.field, Allowed: allowed,
					Message: "{{" + m[1] + "}} is not a variable of the " + t.Name + " template; it may use " + strings.Join(wrap(allowed), ", ")}
			}
		}
	}
	for _, r := range required {
		if !strings.Contains(varRe.ReplaceAllStringFunc(t.Body, func(s string) string { return "{{" + varRe.FindStringSubmatch(s)[1] + "}}" }), "{{"+r+"}}") {
			return triage.Invalid("body", "the %s template's body must contain {{%s}}", t.Name, r)
		}
	}
	return nil
}

func wrap(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "{{" + n + "}}"
	}
	return out
}

// template returns the template in use: the admin's version or the
// default.
func template(ctx context.Context, r triage.Reader, name string) (*TemplateView, error) {
	allowed, required := variables(name)
	required = triage.NonNil(required)
	t, err := r.MailTemplate(ctx, name)
	if triage.IsCode(err, triage.ENOTFOUND) {
		d := defaults[name]
		return &TemplateView{MailTemplate: d, Default: true, Variables: allowed, Required: required}, nil
	} else if err != nil {
		return nil, err
	}
	return &TemplateView{MailTemplate: *t, Variables: allowed, Required: required}, nil
}

// Templates lists the templates in use.
func (s *Service) Templates(ctx context.Context) ([]*TemplateView, error) {
	var out []*TemplateView
	for _, name := range triage.MailTemplateNames() {
		t, err := template(ctx, s.Store, name)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Template returns one template in use.
func (s *Service) Template(ctx context.Context, name string) (*TemplateView, error) {
	if !triage.ValidMailTemplate(name) {
		return nil, triage.NotFound("mail template", name)
	}
	return template(ctx, s.Store, name)
}

// UpdateTemplate applies an admin's edit. version is the If-Match
// version, 0 for any (If-Match: *); a template still at its default has
// version 0, so its first edit is made with If-Match: *.
func (s *Service) UpdateTemplate(ctx context.Context, name string, version int, u triage.MailTemplateUpdate) (*TemplateView, error) {
	if !triage.ValidMailTemplate(name) {
		return nil, triage.NotFound("mail template", name)
	}
	var out *TemplateView
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		cur, err := template(ctx, tx, name)
		if err != nil {
			return err
		}
		if err := triage.CheckVersion("mail template "+name, cur.Version, version); err != nil {
			return err
		}
		t := cur.MailTemplate
		if u.Subject.Set {
			t.Subject = u.Subject.V
		}
		if u.Body.Set {
			t.Body = u.Body.V
		}
		if u.Enabled.Set {
			t.Enabled = u.Enabled.V
		}
		if err := checkTemplate(&t); err != nil {
			return err
		}
		t.UpdatedAt = s.now()
		if err := tx.PutMailTemplate(ctx, &t); err != nil {
			return err
		}
		cur.MailTemplate, cur.Default = t, false
		out = cur
		return nil
	})
	return out, err
}

// ResetTemplate brings back the default.
func (s *Service) ResetTemplate(ctx context.Context, name string, version int) error {
	if !triage.ValidMailTemplate(name) {
		return triage.NotFound("mail template", name)
	}
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		cur, err := template(ctx, tx, name)
		if err != nil || cur.Default {
			return err
		}
		if version == 0 {
			version = cur.Version
		}
		return tx.DeleteMailTemplate(ctx, name, version)
	})
}

// rendered is a template filled in.
type rendered struct {
	Subject, Text, HTML string
}

// render fills a template with vars. Unknown names (a template saved by a
// newer version) are left as written.
func render(t *triage.MailTemplate, vars map[string]string) rendered {
	subject := varRe.ReplaceAllStringFunc(t.Subject, func(s string) string {
		if v, ok := vars[varRe.FindStringSubmatch(s)[1]]; ok {
			return v
		}
		return s
	})
	var text, rich strings.Builder
	last := 0
	for _, loc := range varRe.FindAllStringSubmatchIndex(t.Body, -1) {
		lit := t.Body[last:loc[0]]
		text.WriteString(lit)
		rich.WriteString(html.EscapeString(lit))
		name := t.Body[loc[2]:loc[3]]
		v, ok := vars[name]
		switch {
		case !ok:
			text.WriteString(t.Body[loc[0]:loc[1]])
			rich.WriteString(html.EscapeString(t.Body[loc[0]:loc[1]]))
		case name == "survey.url" || name == "signin.url" || name == "confirm.url":
			text.WriteString(v)
			e := html.EscapeString(v)
			rich.WriteString(`<a href="` + e + `">` + e + `</a>`)
		default:
			text.WriteString(v)
			rich.WriteString(html.EscapeString(v))
		}
		last = loc[1]
	}
	text.WriteString(t.Body[last:])
	rich.WriteString(html.EscapeString(t.Body[last:]))
	return rendered{Subject: strings.Join(strings.Fields(subject), " "), Text: text.String(), HTML: paragraphs(rich.String())}
}

// paragraphs lays escaped text out as HTML: paragraphs at blank lines,
// line breaks kept.
func paragraphs(escaped string) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head>` +
		`<body style="font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;font-size:14px;line-height:1.6">`)
	for _, para := range strings.Split(strings.TrimSpace(escaped), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		b.WriteString("<p>" + strings.ReplaceAll(strings.Trim(para, "\n"), "\n", "<br>") + "</p>")
	}
	b.WriteString("</body></html>")
	return b.String()
}
