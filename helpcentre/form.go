package helpcentre

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/limit"
)

// The request form that answers first. /help/new is a plain form that
// works without JavaScript: sent once, it shows the public articles that
// may answer the question above the filled-in form, and a second send
// makes the ticket. With JavaScript (assets/new.js) the articles appear as
// the customer types, after a pause, and the proof of work is solved in
// the background. Opening an article from the form and answering "解决了"
// records a deflection and no ticket.

// formPolicy lets the form's own script run and call back.
const formPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data: https:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Form limits: a customer's files are photos and screenshots.
const (
	MaxFormFiles     = 5
	MaxFormFileBytes = 10 << 20
	maxFormBody      = MaxFormFiles*MaxFormFileBytes + 1<<20
	powScope         = "help/new"
	// honeypot is the form field people never see (CSS hides it; screen
	// readers are told to leave it empty).
	honeypot = "website"
)

// formView is what the form's template gets.
type formView struct {
	Session, Challenge string
	Subject, Body      string
	Name, Email, Phone string
	Category           string
	Categories         []Category
	AskCategory        bool
	// Seen is set once the no-JavaScript customer was shown articles: the
	// next send makes the ticket.
	Seen bool
	// Offered are the articles shown before a ticket; HadFiles asks a
	// customer without JavaScript to choose their files again.
	Offered  []offer
	HadFiles bool
	Error    string
	Field    string
}

// offer is an article offered as the answer.
type offer struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	Excerpt    string  `json:"excerpt"`
	URL        string  `json:"url"`
	Category   string  `json:"category,omitempty"`
	Confidence float64 `json:"confidence"`
}

// offers finds the articles to offer for a question: the public ones at
// or above the confidence threshold, at most three.
func (s *Service) offers(ctx context.Context, q string) ([]offer, error) {
	fs, err := s.findPublic(ctx, q, 3)
	if err != nil {
		return nil, err
	}
	out := []offer{}
	for _, f := range fs {
		if f.Confidence < s.MinConfidence {
			continue
		}
		out = append(out, offer{ID: f.Article.ID, Title: f.Article.Title, Excerpt: excerpt(s.Render(f.Article.Body), 80),
			URL: "/help/articles/" + url.PathEscape(f.Article.ID), Category: f.Article.Category, Confidence: round3(f.Confidence)})
	}
	return out, nil
}

func (h *Handler) newForm(w http.ResponseWriter, r *http.Request, fv *formView, status int) {
	p, st, err := h.base(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if fv.Session == "" {
		fv.Session = randomHex(12)
	}
	if fv.Challenge, err = h.s.PoW.Challenge(powScope); err != nil {
		h.fail(w, r, err)
		return
	}
	fv.AskCategory = st.AskCategory
	if st.AskCategory {
		as, err := h.s.articles(r.Context(), "")
		if err != nil {
			h.fail(w, r, err)
			return
		}
		fv.Categories = categories(as)
	}
	p.Title, p.NoIndex = "提交问题 - "+p.Site, true
	p.Canonical = h.s.BaseURL + "/help/new"
	p.Form = fv
	var b bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&b, "new.html", p); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Security-Policy", framePolicy(st.WidgetOrigins))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (h *Handler) newPage(w http.ResponseWriter, r *http.Request) {
	if h.s.Tickets == nil {
		h.notFound(w, r)
		return
	}
	h.newForm(w, r, &formView{Subject: clipRunes(r.URL.Query().Get("q"), 200)}, http.StatusOK)
}

// suggestJSON answers the form's script: the articles to offer for what
// the customer typed so far. A session shown articles is recorded (kind
// form) with the contact typed, so that the report can count sessions that
// ended without a ticket and find the ones that came back.
func (h *Handler) suggestJSON(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	if !h.cors(w, r) {
		// Another site's page, not allowed by an admin: no answer.
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"articles":[]}`))
		return
	}
	d := h.s.Limits.Suggest.Allow(limit.Key(h.s.Proxies.ClientIP(r)))
	d.SetHeaders(w.Header())
	if !d.Allowed {
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"articles":[]}`))
		return
	}
	q, err := CheckQuery(r.URL.Query().Get("q"))
	if err != nil || utf8.RuneCountInString(q) < 2 || h.s.Tickets == nil {
		_, _ = w.Write([]byte(`{"articles":[]}`))
		return
	}
	offers, err := h.s.offers(r.Context(), q)
	if err != nil {
		h.log.Warn("help form: suggestions", "err", err)
		offers = []offer{}
	}
	session := cleanSession(r.URL.Query().Get("session"))
	if len(offers) > 0 && session != "" {
		contact := r.URL.Query().Get("email")
		if contact == "" {
			contact = r.URL.Query().Get("phone")
		}
		e := &triage.HelpEvent{Kind: triage.HelpForm, Session: session, Contact: triage.ContactKey(contact), Category: offers[0].Category,
			ArticleID: offers[0].ID, Query: clipRunes(q, 200), Confidence: offers[0].Confidence}
		if err := h.s.record(r.Context(), e); err != nil {
			h.log.Warn("help form: record", "err", err)
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"articles": offers})
}

// cleanSession keeps a form session id only if it is one the form makes.
func cleanSession(s string) string {
	if len(s) != 24 || strings.Trim(s, "0123456789abcdef") != "" {
		return ""
	}
	return s
}

// solved records "解决了" on an article the form offered: the customer
// leaves without a ticket.
func (h *Handler) solved(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, triage.Invalid("session", "the form is malformed or too large"))
		return
	}
	d := h.s.Votes.Allow(limit.Key(h.s.Proxies.ClientIP(r)))
	d.SetHeaders(w.Header())
	if err := d.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := h.s.article(r.Context(), r.PostForm.Get("article"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	session := cleanSession(r.PostForm.Get("session"))
	if r.PostForm.Get("solved") != "yes" {
		// 没解决: back to the form, the question kept by the browser.
		http.Redirect(w, r, "/help/new#form", http.StatusSeeOther)
		return
	}
	contact := r.PostForm.Get("contact")
	e := &triage.HelpEvent{Kind: triage.HelpSolved, Session: session, Contact: triage.ContactKey(contact), Category: a.Category, ArticleID: a.ID}
	if err := h.s.record(r.Context(), e); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/help/new/done?solved=1", http.StatusSeeOther)
}

// submission is a parsed form.
type submission struct {
	fv        formView
	files     []triage.NewAttachment
	challenge string
	solution  string
	bot       bool
}

func (h *Handler) parseSubmission(w http.ResponseWriter, r *http.Request) (*submission, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	var form url.Values
	var files []*multipart.FileHeader
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				return nil, &triage.Error{Code: triage.ETOOLARGE, Field: "files", Message: "附件太大：每个文件不超过 10 MB，最多 5 个"}
			}
			return nil, triage.Invalid("files", "the form is malformed")
		}
		form = r.MultipartForm.Value
		files = r.MultipartForm.File["files"]
	} else {
		if err := r.ParseForm(); err != nil {
			return nil, triage.Invalid("subject", "the form is malformed or too large")
		}
		form = r.PostForm
	}
	sub := &submission{bot: limit.Honeypot(form, honeypot), challenge: form.Get("pow"), solution: form.Get("pow_solution")}
	sub.fv = formView{Session: cleanSession(form.Get("session")), Subject: strings.TrimSpace(form.Get("subject")), Body: strings.TrimSpace(form.Get("body")),
		Name: strings.TrimSpace(form.Get("name")), Email: strings.TrimSpace(form.Get("email")), Phone: strings.TrimSpace(form.Get("phone")),
		Category: strings.TrimSpace(form.Get("category")), Seen: form.Get("seen") == "1"}
	if len(files) > MaxFormFiles {
		return sub, triage.Invalid("files", "最多上传 %d 个附件", MaxFormFiles)
	}
	for _, fh := range files {
		if fh.Size == 0 && fh.Filename == "" {
			continue // an empty file input
		}
		if fh.Size > MaxFormFileBytes {
			return sub, &triage.Error{Code: triage.ETOOLARGE, Field: "files", Message: fh.Filename + " 超过 10 MB"}
		}
		f, err := fh.Open()
		if err != nil {
			return sub, triage.Invalid("files", "a file could not be read")
		}
		data, err := io.ReadAll(io.LimitReader(f, MaxFormFileBytes+1))
		f.Close()
		if err != nil {
			return sub, triage.Invalid("files", "a file could not be read")
		}
		sub.files = append(sub.files, triage.NewAttachment{Name: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Data: data})
	}
	return sub, nil
}

// check validates the fields as a customer typed them, naming the field
// in Chinese on the form.
func (f *formView) check() error {
	switch {
	case f.Subject == "" || utf8.RuneCountInString(f.Subject) > 200 || !utf8.ValidString(f.Subject):
		return triage.Invalid("subject", "请填写问题标题（不超过 200 字）")
	case f.Body == "" || len(f.Body) > triage.MaxBodyBytes || !utf8.ValidString(f.Body):
		return triage.Invalid("body", "请描述您的问题")
	case f.Email == "" && f.Phone == "":
		return triage.Invalid("email", "请留下邮箱或手机号，方便我们联系您")
	case utf8.RuneCountInString(f.Name) > 100:
		return triage.Invalid("name", "称呼太长了")
	case utf8.RuneCountInString(f.Category) > 100:
		return triage.Invalid("category", "分类无效")
	}
	if f.Email != "" {
		a, err := mail.ParseAddress(f.Email)
		if err != nil || a.Address != f.Email || len(f.Email) > 254 {
			return triage.Invalid("email", "邮箱地址格式不对")
		}
	}
	if f.Phone != "" {
		digits := 0
		for _, r := range f.Phone {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case r == '+' || r == '-' || r == ' ':
			default:
				return triage.Invalid("phone", "手机号只能包含数字")
			}
		}
		if digits < 5 || digits > 20 {
			return triage.Invalid("phone", "手机号格式不对")
		}
	}
	return nil
}

// submit takes the form: the honeypot, the limits per address and per
// contact, the proof of work (or the tighter limit of a browser without
// JavaScript), the articles first for a customer who has not seen them,
// and then the ticket with its acknowledgement.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if h.s.Tickets == nil {
		h.notFound(w, r)
		return
	}
	sub, err := h.parseSubmission(w, r)
	if sub == nil {
		h.fail(w, r, err)
		return
	}
	if err == nil {
		err = sub.fv.check()
	}
	if err != nil {
		h.formError(w, r, &sub.fv, err)
		return
	}
	if sub.bot {
		// Answer as if it worked; the bot learns nothing.
		http.Redirect(w, r, "/help/new/done?ref=received", http.StatusSeeOther)
		return
	}
	addr := limit.Key(h.s.Proxies.ClientIP(r))
	contact := sub.fv.Email
	if contact == "" {
		contact = sub.fv.Phone
	}
	for _, d := range []limit.Decision{h.s.Limits.FormAddr.Peek(addr), h.s.Limits.FormContact.Peek(triage.ContactKey(contact))} {
		if !d.Allowed {
			d.SetHeaders(w.Header())
			h.fail(w, r, d.Err())
			return
		}
	}
	if !sub.fv.Seen {
		offers, err := h.s.offers(r.Context(), sub.fv.Subject+"\n"+sub.fv.Body)
		if err != nil && !triage.IsCode(err, triage.EUNAVAILABLE) {
			h.fail(w, r, err)
			return
		}
		if len(offers) > 0 {
			fv := sub.fv
			fv.Seen, fv.Offered, fv.HadFiles = true, offers, len(sub.files) > 0
			if fv.Session != "" {
				e := &triage.HelpEvent{Kind: triage.HelpForm, Session: fv.Session, Contact: triage.ContactKey(contact), Category: offers[0].Category,
					ArticleID: offers[0].ID, Query: clipRunes(fv.Subject, 200), Confidence: offers[0].Confidence}
				if err := h.s.record(r.Context(), e); err != nil {
					h.log.Warn("help form: record", "err", err)
				}
			}
			h.newForm(w, r, &fv, http.StatusOK)
			return
		}
	}
	if sub.solution != "" {
		if err := h.s.PoW.Verify(powScope, sub.challenge, sub.solution); err != nil {
			h.formError(w, r, &sub.fv, err)
			return
		}
	} else if d := h.s.Limits.NoWork.Allow(addr); !d.Allowed {
		// Without JavaScript there is no work: such tickets have a
		// bucket of their own, much smaller.
		d.SetHeaders(w.Header())
		h.fail(w, r, d.Err())
		return
	}
	h.s.Limits.FormAddr.Allow(addr)
	h.s.Limits.FormContact.Allow(triage.ContactKey(contact))
	st, err := h.s.Settings(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if st.ConfirmEmail {
		if sub.fv.Email == "" {
			h.formError(w, r, &sub.fv, triage.Invalid("email", "请填写邮箱：提交前需要确认邮箱"))
			return
		}
		if err := h.s.holdRequest(r.Context(), sub); err != nil {
			h.formError(w, r, &sub.fv, err)
			return
		}
		http.Redirect(w, r, "/help/new/done?confirm=1", http.StatusSeeOther)
		return
	}
	t, err := h.s.createFromForm(r.Context(), sub, nil)
	if err != nil {
		h.formError(w, r, &sub.fv, err)
		return
	}
	http.Redirect(w, r, "/help/new/done?ref="+url.QueryEscape(triage.TicketRef(t.ID)), http.StatusSeeOther)
}

// createFromForm makes the ticket, its acknowledgement and its help event
// in one transaction.
func (s *Service) createFromForm(ctx context.Context, sub *submission, also func(tx triage.Tx) error) (*triage.Ticket, error) {
	f := sub.fv
	in := triage.NewTicket{Title: f.Subject, Body: f.Body, Channel: triage.ChannelWeb, Tags: []string{"help-form"},
		Requester: triage.Requester{Name: f.Name, Email: strings.ToLower(f.Email), Phone: f.Phone}, Attachments: sub.files}
	contact := f.Email
	if contact == "" {
		contact = f.Phone
	}
	var t *triage.Ticket
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		var err error
		if t, err = s.Tickets.CreateTicketTx(ctx, tx, in, f.Category); err != nil {
			return err
		}
		if s.Mailer != nil {
			if err := s.Mailer.AcknowledgeForm(ctx, tx, t); err != nil {
				return err
			}
		}
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		return tx.AddHelpEvent(ctx, &triage.HelpEvent{ID: triage.NewID(), Kind: triage.HelpTicket, Session: f.Session,
			Contact: triage.ContactKey(contact), Category: t.Category, TicketID: t.ID, CreatedAt: s.Now()})
	})
	return t, err
}

// formError shows the form again with the customer's text and the
// error beside its field: 400 (413 for files too large), never a lost
// question.
func (h *Handler) formError(w http.ResponseWriter, r *http.Request, fv *formView, err error) {
	var e *triage.Error
	if !errors.As(err, &e) || (e.Code != triage.EINVALID && e.Code != triage.ETOOLARGE) {
		h.fail(w, r, err)
		return
	}
	fv.Error, fv.Field = e.Message, e.Field
	if strings.HasPrefix(e.Field, "requester.") || e.Field == "title" || e.Field == "body" || e.Field == "attachments" {
		fv.Error = "请检查填写的内容：" + e.Message
	}
	status := http.StatusBadRequest
	if e.Code == triage.ETOOLARGE {
		status = http.StatusRequestEntityTooLarge
	}
	h.newForm(w, r, fv, status)
}

// done thanks the customer: the ticket's number, or the deflection.
func (h *Handler) done(w http.ResponseWriter, r *http.Request) {
	p, _, err := h.base(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Title, p.NoIndex = "已提交 - "+p.Site, true
	p.Message = r.URL.Query().Get("ref")
	w.Header().Set("Content-Security-Policy", withAncestors(policy, h.origins(r)))
	switch {
	case r.URL.Query().Get("solved") == "1":
		p.Voted = "solved"
	case r.URL.Query().Get("confirm") == "1":
		p.Voted = "confirm"
	}
	var b bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&b, "done.html", p); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes())
}
