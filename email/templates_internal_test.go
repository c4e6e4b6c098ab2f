package email

import (
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

// TestRenderIsSafe: values are substituted once and escaped in HTML; a
// value that looks like a variable stays text; the survey link is the
// only link.
func TestRenderIsSafe(t *testing.T) {
	tpl := defaults[triage.MailSurvey]
	r := render(&tpl, map[string]string{
		"ticket.title": `<script>alert(1)</script> {{survey.url}}`, "requester.name": "陈女士", "company": "极光商城",
		"ticket.ref": "1b2c3d4e5f60", "survey.url": `https://help.example.com/app/survey/csat_x"><img src=x>`, "survey.expires": "2027年1月4日 10:00",
	})
	if !strings.Contains(r.Text, "<script>alert(1)</script> {{survey.url}}") {
		t.Errorf("text: a value was re-read as a template or changed: %q", r.Text)
	}
	if strings.Contains(r.HTML, "<script>") || strings.Contains(r.HTML, "<img") || !strings.Contains(r.HTML, "&lt;script&gt;") {
		t.Errorf("html: a value was not escaped: %s", r.HTML)
	}
	if strings.Count(r.HTML, "<a href=") != 1 || !strings.Contains(r.HTML, `href="https://help.example.com/app/survey/csat_x&#34;&gt;&lt;img src=x&gt;"`) {
		t.Errorf("html link: %s", r.HTML)
	}
	if strings.Contains(r.Subject, "\n") || !strings.HasPrefix(r.Subject, "请为本次服务评分") {
		t.Errorf("subject %q", r.Subject)
	}
	if !strings.HasPrefix(r.Text, "陈女士您好") {
		t.Errorf("text %q", r.Text)
	}
}

func TestCheckTemplate(t *testing.T) {
	for _, tc := range []struct {
		tpl   triage.MailTemplate
		field string
	}{
		{triage.MailTemplate{Name: triage.MailReply, Subject: "回复", Body: "{{ reply }}\n{{agent.name}}"}, ""},
		{triage.MailTemplate{Name: triage.MailReply, Subject: "回复", Body: "没有正文"}, "body"},
		{triage.MailTemplate{Name: triage.MailAck, Subject: "{{survey.url}}", Body: "x"}, "subject"},
		{triage.MailTemplate{Name: triage.MailAck, Subject: "已收到", Body: "{{password}}"}, "body"},
		{triage.MailTemplate{Name: triage.MailSurvey, Subject: "评分", Body: "{{survey.url}}"}, ""},
		{triage.MailTemplate{Name: triage.MailSurvey, Subject: " ", Body: "{{survey.url}}"}, "subject"},
		{triage.MailTemplate{Name: triage.MailAck, Subject: "x", Body: strings.Repeat("长", maxBodyBytes)}, "body"},
	} {
		err := checkTemplate(&tc.tpl)
		var field string
		if e, ok := err.(*triage.Error); ok {
			field = e.Field
		}
		if field != tc.field {
			t.Errorf("%s %q %q: %v, want an error on %q", tc.tpl.Name, tc.tpl.Subject, tc.tpl.Body, err, tc.field)
		}
	}
	for name, d := range defaults {
		if err := checkTemplate(&d); err != nil {
			t.Errorf("default %s does not pass its own check: %v", name, err)
		}
	}
}
