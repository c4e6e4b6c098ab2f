package api

import (
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/email"
)

// Mail configures the e-mail channel's routes.
type Mail struct {
	// Service is the channel; nil answers its routes with 503.
	Service *email.Service
	// Settings describes the outbound configuration for the admin page.
	Settings MailSettings
}

// MailSettings is what an admin sees of the channel's configuration,
// which is set by flags and the environment, not through the API.
type MailSettings struct {
	// Outbound is true when an SMTP server and a From address are set.
	Outbound bool   `json:"outbound"`
	From     string `json:"from"`
	// SMTP is the server's host and port (no credentials).
	SMTP string `json:"smtp"`
	// SenderLimit is how many mails a minute one sender may write.
	SenderLimit int `json:"sender_limit"`
	// SecretKey says where the key sealing mailbox passwords comes from:
	// "env" (TRIAGE_SECRET_KEY), "file" (generated in the data
	// directory), or "none" (mailboxes cannot be saved).
	SecretKey string `json:"secret_key"`
}

// MaxMailBytes bounds a raw message posted to /v1/mail/inbound: the
// largest mail the common providers accept, with room for its encoding.
const MaxMailBytes = 64 << 20

func mailParams() []Param {
	return []Param{
		{"direction", "string", "in or out"},
		{"status", "string", "one or more of imported, skipped, queued, sent, failed, comma-separated"},
		{"mailbox", "string", "mailbox id"},
		{"ticket", "string", "ticket id"},
		{"cursor", "string", "next_cursor of the previous page"},
		{"limit", "integer", "page size, 1-200, default 50"},
	}
}

// mailRoutes are the e-mail channel's routes and the attachment download.
func (s *Server) mailRoutes() []Route {
	routes := []Route{
		{Method: "GET", Path: "/v1/mailboxes", Tag: "mail", Summary: "The IMAP mailboxes tickets are read from, with their position and last error (never a password)", Roles: admins(), Handler: s.listMailboxes, Response: List[triage.Mailbox]{}},
		{Method: "POST", Path: "/v1/mailboxes", Tag: "mail", Summary: "Add a mailbox; its password is stored sealed and never shown again", Roles: admins(), Handler: s.createMailbox, Request: triage.NewMailbox{}, Response: triage.Mailbox{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/v1/mailboxes/test", Tag: "mail", Summary: "Test settings before saving them: connect, log in, open the folders (and the outbound server)", Roles: admins(), Handler: s.testMailboxSettings, Request: triage.NewMailbox{}, Response: email.CheckResult{}},
		{Method: "GET", Path: "/v1/mailboxes/:id", Tag: "mail", Summary: "Get a mailbox", Roles: admins(), Handler: s.getMailbox, Response: triage.Mailbox{}},
		{Method: "PATCH", Path: "/v1/mailboxes/:id", Tag: "mail", Summary: "Change a mailbox; a password not sent stays as it is", Roles: admins(), Handler: s.updateMailbox, Request: triage.MailboxUpdate{}, Response: triage.Mailbox{}, Conditional: true},
		{Method: "DELETE", Path: "/v1/mailboxes/:id", Tag: "mail", Summary: "Delete a mailbox; what it imported stays", Roles: admins(), Handler: s.deleteMailbox, Status: http.StatusNoContent, Conditional: true},
		{Method: "POST", Path: "/v1/mailboxes/:id/test", Tag: "mail", Summary: "Test a stored mailbox's connection", Roles: admins(), Handler: s.testMailbox, Response: email.CheckResult{}},

		{Method: "POST", Path: "/v1/mail/inbound", Tag: "mail", Summary: "Deliver one raw message (Content-Type: message/rfc822), as an MTA's pipe does", Roles: mailers(), Handler: s.inboundMail,
			Request: RawMail{}, RequestType: "message/rfc822", BodyLimit: MaxMailBytes, Response: email.Result{}, Query: []Param{{"mailbox", "string", "the mailbox whose team and hints apply (default: the one the mail was sent to)"}}},
		{Method: "GET", Path: "/v1/mail/settings", Tag: "mail", Summary: "How outbound mail and password sealing are configured (by flags and environment)", Roles: admins(), Handler: s.mailSettings, Response: MailSettings{}},
		{Method: "GET", Path: "/v1/mail/messages", Tag: "mail", Summary: "Every mail in or out, newest first: what it became, why it was skipped, how its delivery stands", Roles: admins(), Handler: s.listMail, Response: List[triage.MailMessage]{}, Query: mailParams()},
		{Method: "GET", Path: "/v1/tickets/:id/mail", Tag: "mail", Summary: "A ticket's mail, in and out, oldest first: what arrived, and how each reply, acknowledgement and survey was delivered", Roles: anyone(), Handler: s.ticketMail, Response: List[triage.MailMessage]{}},
		{Method: "GET", Path: "/v1/mail/messages/:id", Tag: "mail", Summary: "One mail record", Roles: anyone(), Handler: s.getMail, Response: triage.MailMessage{}},
		{Method: "GET", Path: "/v1/mail/messages/:id/original", Tag: "mail", Summary: "An inbound mail as written: the whole text with quotes, and safe HTML with its inline images", Roles: anyone(), Handler: s.originalMail, Response: email.Original{}},
		{Method: "POST", Path: "/v1/mail/messages/:id/import", Tag: "mail", Summary: "Import a skipped mail after all (a throttled sender an admin vouches for)", Roles: admins(), Handler: s.releaseMail, Response: email.Result{}},
		{Method: "GET", Path: "/v1/mail/templates", Tag: "mail", Summary: "The templates of the mails the service writes (reply, survey, acknowledgement), with their variables", Roles: admins(), Handler: s.listTemplates, Response: List[email.TemplateView]{}},
		{Method: "GET", Path: "/v1/mail/templates/:name", Tag: "mail", Summary: "One template", Roles: admins(), Handler: s.getTemplate, Response: email.TemplateView{}},
		{Method: "PATCH", Path: "/v1/mail/templates/:name", Tag: "mail", Summary: "Edit a template (If-Match: * for the first edit of a default)", Roles: admins(), Handler: s.updateTemplate, Request: triage.MailTemplateUpdate{}, Response: email.TemplateView{}, Conditional: true},
		{Method: "DELETE", Path: "/v1/mail/templates/:name", Tag: "mail", Summary: "Bring back a template's default", Roles: admins(), Handler: s.resetTemplate, Status: http.StatusNoContent, Conditional: true},
	}
	for i := range routes {
		routes[i].Handler = s.needMail(routes[i].Handler)
	}
	routes = append(routes,
		Route{Method: "GET", Path: "/v1/attachments/:id", Tag: "tickets", Summary: "Download a file (Content-Disposition: attachment; ?inline=1 shows an image)", Roles: anyone(), Handler: s.downloadAttachment,
			Query: []Param{{"inline", "boolean", "show an image in the page instead of downloading it (images only)"}}})
	return routes
}

// RawMail documents a raw message body.
type RawMail struct{}

func (s *Server) needMail(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.mail.Service == nil {
			return triage.Errorf(triage.EUNAVAILABLE, "the e-mail channel is not configured on this server")
		}
		return h(c)
	}
}

func (s *Server) listMailboxes(c echo.Context) error {
	items, err := s.mail.Service.Mailboxes(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Mailbox]{Items: items})
}

func (s *Server) createMailbox(c echo.Context) error {
	var in triage.NewMailbox
	if err := s.decode(c, &in); err != nil {
		return err
	}
	m, err := s.mail.Service.CreateMailbox(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/mailboxes/"+m.ID, m.Version, m)
}

func (s *Server) getMailbox(c echo.Context) error {
	m, err := s.mail.Service.Mailbox(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, m.Version, m)
}

func (s *Server) updateMailbox(c echo.Context) error {
	return update(s, c, s.mail.Service.UpdateMailbox, func(m *triage.Mailbox) int { return m.Version })
}

func (s *Server) deleteMailbox(c echo.Context) error {
	return remove(c, s.mail.Service.DeleteMailbox)
}

func (s *Server) testMailbox(c echo.Context) error {
	r, err := s.mail.Service.TestMailbox(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, r)
}

func (s *Server) testMailboxSettings(c echo.Context) error {
	var in triage.NewMailbox
	if err := s.decode(c, &in); err != nil {
		return err
	}
	r, err := s.mail.Service.TestSettings(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, r)
}

// inboundMail takes one raw message. The body is read as the message
// whatever its declared type (message/rfc822 is the one to send: some
// MTA plugins say text/plain or application/octet-stream); what has no
// mail header is a 400.
func (s *Server) inboundMail(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	r, err := s.mail.Service.Inbound(c.Request().Context(), body, c.QueryParam("mailbox"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, r)
}

func (s *Server) mailSettings(c echo.Context) error {
	return send(c, http.StatusOK, 0, s.mail.Settings)
}

func (s *Server) listMail(c echo.Context) error {
	q := c.QueryParams()
	f := triage.MailFilter{Direction: q.Get("direction"), MailboxID: q.Get("mailbox"), TicketID: q.Get("ticket"), Cursor: q.Get("cursor")}
	for _, v := range q["status"] {
		for _, st := range strings.Split(v, ",") {
			if st = strings.TrimSpace(st); st != "" {
				f.Status = append(f.Status, st)
			}
		}
	}
	var err error
	if f.Limit, err = parseLimit(q.Get("limit")); err != nil {
		return err
	}
	items, next, err := s.mail.Service.Messages(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.MailMessage]{Items: items, NextCursor: next})
}

func (s *Server) ticketMail(c echo.Context) error {
	items, err := s.mail.Service.TicketMail(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.MailMessage]{Items: items})
}

func (s *Server) getMail(c echo.Context) error {
	m, err := s.mail.Service.Message(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, m)
}

func (s *Server) originalMail(c echo.Context) error {
	o, err := s.mail.Service.Original(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, o)
}

func (s *Server) releaseMail(c echo.Context) error {
	r, err := s.mail.Service.Release(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, r)
}

func (s *Server) listTemplates(c echo.Context) error {
	items, err := s.mail.Service.Templates(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*email.TemplateView]{Items: items})
}

func (s *Server) getTemplate(c echo.Context) error {
	t, err := s.mail.Service.Template(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, t.Version, t)
}

func (s *Server) updateTemplate(c echo.Context) error {
	v, err := ifMatch(c)
	if err != nil {
		return err
	}
	var u triage.MailTemplateUpdate
	if err := s.decode(c, &u); err != nil {
		return err
	}
	t, err := s.mail.Service.UpdateTemplate(c.Request().Context(), c.Param("name"), v, u)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, t.Version, t)
}

func (s *Server) resetTemplate(c echo.Context) error {
	v, err := ifMatch(c)
	if err != nil {
		return err
	}
	if err := s.mail.Service.ResetTemplate(c.Request().Context(), c.Param("name"), v); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// attachmentPolicy is the Content-Security-Policy of a download: even a
// browser that ignores the disposition and the type runs nothing of it,
// in an origin of its own.
const attachmentPolicy = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"

// downloadAttachment serves a file as a download, with the type sniffed
// when it was stored (never one a browser would run). ?inline=1 shows an
// image in place, for thumbnails.
func (s *Server) downloadAttachment(c echo.Context) error {
	a, data, err := s.desk.Attachment(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	ct := a.ContentType
	if ct == "" || strings.Contains(ct, "html") || strings.Contains(ct, "xml") || strings.Contains(ct, "javascript") {
		ct = "application/octet-stream"
	}
	disposition := "attachment"
	switch v := c.QueryParam("inline"); v {
	case "", "0", "false":
	case "1", "true":
		if desk.IsImage(ct) {
			disposition = "inline"
		}
	default:
		return triage.Invalid("inline", "inline must be true or false")
	}
	h := c.Response().Header()
	cd := mime.FormatMediaType(disposition, map[string]string{"filename": a.Name})
	if cd == "" {
		cd = disposition
	}
	h.Set("Content-Disposition", cd)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", attachmentPolicy)
	h.Set("Cache-Control", "private, max-age=86400")
	tag := `"` + a.SHA256[:32] + `"`
	h.Set("ETag", tag)
	if noneMatch(c.Request().Header.Get("If-None-Match"), tag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, ct, data)
}
