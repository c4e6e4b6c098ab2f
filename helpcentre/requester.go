package helpcentre

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/limit"
	"github.com/triagehq/triage/onetime"
)

// "My tickets": a requester asks for a one-time link by e-mail, follows
// it, and is signed in for SessionTTL by a cookie that holds a random
// secret (only its hash is stored). A requester sees only tickets whose
// requester e-mail is theirs, and of each only the public conversation:
// another ticket, an internal note or its files answer exactly as a
// ticket that does not exist.

// RequesterCookie names the requester's session cookie.
const RequesterCookie = "triage_requester"

// myView is what the portal's templates get.
type myView struct {
	Email string
	// Phone is the number signed in by SMS (or asked a code for); SMS
	// offers sign-in by code; CodeSent shows the code's form.
	Phone    string
	SMS      bool
	CodeSent bool
	CSRF     string
	Tickets  []*triage.Ticket
	Ticket   *triage.Ticket
	// Comments are the public ones only.
	Comments []*triage.Comment
	Files    []*triage.Attachment
	CanRate  bool
	Rating   int
	Sent     bool
	Token    string
	Error    string
}

func (h *Handler) portalRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /help/new", h.newPage)
	m.HandleFunc("POST /help/new", h.submit)
	m.HandleFunc("GET /help/new/suggest", h.suggestJSON)
	m.HandleFunc("POST /help/new/solved", h.solved)
	m.HandleFunc("GET /help/new/done", h.done)
	m.HandleFunc("GET /help/new/confirm", h.confirmPage)
	m.HandleFunc("POST /help/new/confirm", h.confirm)
	m.HandleFunc("GET /help/assets/new.js", h.script)
	m.HandleFunc("GET /help/widget.js", h.widgetScript)
	m.HandleFunc("OPTIONS /help/new/suggest", h.preflight)
	m.HandleFunc("GET /help/my", h.myTickets)
	m.HandleFunc("POST /help/my/link", h.askLink)
	m.HandleFunc("GET /help/my/signin", h.signInPage)
	m.HandleFunc("POST /help/my/signin", h.signIn)
	m.HandleFunc("POST /help/my/signout", h.signOut)
	m.HandleFunc("POST /help/my/code", h.askCode)
	m.HandleFunc("POST /help/my/code/signin", h.codeSignIn)
	m.HandleFunc("GET /help/my/tickets/{id}", h.myTicket)
	m.HandleFunc("POST /help/my/tickets/{id}/reply", h.myReply)
	m.HandleFunc("POST /help/my/tickets/{id}/rate", h.myRate)
	m.HandleFunc("GET /help/my/files/{id}", h.myFile)
}

// requester returns the signed-in requester's session, or nil.
func (h *Handler) requester(r *http.Request) *triage.RequesterSession {
	c, err := r.Cookie(RequesterCookie)
	if err != nil || len(c.Value) != 64 {
		return nil
	}
	rs, err := h.s.Store.RequesterSession(r.Context(), sessionHash(c.Value), h.s.Now())
	if err != nil {
		return nil
	}
	return rs
}

// csrf is the token the portal's forms carry: bound to the session, so a
// page elsewhere cannot post in the requester's name.
func csrf(rs *triage.RequesterSession) string {
	m := hmac.New(sha256.New, []byte(rs.Hash))
	m.Write([]byte("requester form"))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

func (h *Handler) renderMy(w http.ResponseWriter, r *http.Request, name, title string, mv *myView, status int) {
	p, _, err := h.base(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Title, p.NoIndex, p.My = title+" - "+p.Site, true, mv
	var b bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&b, name, p); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// ownTickets lists the requester's tickets, newest first: by the phone a
// session was signed in with by SMS, or else by its e-mail address.
func (s *Service) ownTickets(ctx context.Context, rs *triage.RequesterSession) ([]*triage.Ticket, error) {
	if rs.Phone != "" {
		return s.phoneTickets(ctx, rs.Phone, 1000)
	}
	email := rs.Email
	out := []*triage.Ticket{}
	f := triage.TicketFilter{RequesterID: email, Limit: triage.MaxPageSize}
	for len(out) < 1000 {
		page, next, err := s.Store.Tickets(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, t := range page {
			// The filter also matches phones; only the address signs in.
			if strings.EqualFold(t.Requester.Email, email) {
				out = append(out, t)
			}
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	return out, nil
}

// owns reports whether the session's requester is t's: the same phone
// for a session signed in by SMS, the same address otherwise.
func owns(rs *triage.RequesterSession, t *triage.Ticket) bool {
	if rs.Phone != "" {
		return t.Requester.Phone != "" && triage.PhoneDigits(t.Requester.Phone) == rs.Phone
	}
	return rs.Email != "" && strings.EqualFold(t.Requester.Email, rs.Email)
}

// ownTicket returns a ticket of the requester's, and ENOTFOUND for every
// other, existing or not, with the same message.
func (s *Service) ownTicket(ctx context.Context, rs *triage.RequesterSession, id string) (*triage.Ticket, error) {
	t, err := s.Store.Ticket(ctx, id)
	if triage.IsCode(err, triage.ENOTFOUND) || (err == nil && !owns(rs, t)) {
		return nil, triage.NotFound("ticket", id)
	}
	return t, err
}

func (h *Handler) myTickets(w http.ResponseWriter, r *http.Request) {
	if h.s.Tickets == nil {
		h.notFound(w, r)
		return
	}
	rs := h.requester(r)
	if rs == nil {
		h.renderMy(w, r, "signin.html", "我的工单", &myView{Sent: r.URL.Query().Get("sent") == "1", SMS: h.smsEnabled(r.Context())}, http.StatusOK)
		return
	}
	ts, err := h.s.ownTickets(r.Context(), rs)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderMy(w, r, "my.html", "我的工单", &myView{Email: rs.Email, Phone: rs.Phone, CSRF: csrf(rs), Tickets: ts}, http.StatusOK)
}

// askLink mails a sign-in link to an address that has tickets. The page
// that follows says the same for every address, so it cannot be used to
// learn who wrote to the company.
func (h *Handler) askLink(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if h.s.Tickets == nil {
		h.notFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, triage.Invalid("email", "the form is malformed or too large"))
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		h.renderMy(w, r, "signin.html", "我的工单", &myView{Error: "邮箱地址格式不对"}, http.StatusBadRequest)
		return
	}
	if limit.Honeypot(r.PostForm, honeypot) {
		http.Redirect(w, r, "/help/my?sent=1", http.StatusSeeOther)
		return
	}
	for _, d := range []limit.Decision{h.s.Limits.SignInAddr.Allow(limit.Key(h.s.Proxies.ClientIP(r))), h.s.Limits.SignInEmail.Allow(email)} {
		if !d.Allowed {
			d.SetHeaders(w.Header())
			h.fail(w, r, d.Err())
			return
		}
	}
	if err := h.s.SendSignInLink(r.Context(), email); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/help/my?sent=1", http.StatusSeeOther)
}

// SendSignInLink issues a one-time link for email and queues its mail,
// in one transaction, when the address has a ticket; it does nothing
// otherwise (and says nothing either way).
func (s *Service) SendSignInLink(ctx context.Context, email string) error {
	if s.Mailer == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "outbound mail is not configured on this server")
	}
	ts, _, err := s.Store.Tickets(ctx, triage.TicketFilter{RequesterID: email, Limit: 20})
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ts, func(t *triage.Ticket) bool { return strings.EqualFold(t.Requester.Email, email) })
	if i < 0 {
		return nil
	}
	token, rec, err := onetime.New(onetime.SignIn, email, 0, s.Now())
	if err != nil {
		return err
	}
	link := s.BaseURL + "/help/my/signin?token=" + url.QueryEscape(token)
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		if err := tx.PutOneTime(ctx, triage.OneTime{Hash: rec.Hash, Purpose: string(rec.Purpose), Subject: rec.Subject,
			CreatedAt: rec.CreatedAt, ExpiresAt: rec.ExpiresAt}); err != nil {
			return err
		}
		return s.Mailer.SignInLink(ctx, tx, ts[i], link, rec.ExpiresAt)
	})
}

// signInPage asks the requester to press a button: a mail scanner that
// fetches every link must not use the one-time link up.
func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	w.Header().Set("Referrer-Policy", "no-referrer")
	h.renderMy(w, r, "signin.html", "登录我的工单", &myView{Token: token}, http.StatusOK)
}

// SignIn redeems a one-time link and starts a session; it returns the
// cookie's secret.
func (s *Service) SignIn(ctx context.Context, token string) (secret string, rs *triage.RequesterSession, err error) {
	h, err := onetime.Hash(onetime.SignIn, token)
	if err != nil {
		return "", nil, err
	}
	now := s.Now()
	secret = randomHex(32)
	err = s.Store.Update(ctx, func(tx triage.Tx) error {
		r, err := tx.TakeOneTime(ctx, h, now)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return &triage.Error{Code: triage.EUNAUTHORIZED, Field: "token", Message: "this link is not valid; ask for a new one"}
		} else if err != nil {
			return err
		}
		if err := onetime.Check(onetime.Record{Hash: r.Hash, Purpose: onetime.Purpose(r.Purpose), Subject: r.Subject, CreatedAt: r.CreatedAt,
			ExpiresAt: r.ExpiresAt, UsedAt: r.UsedAt}, onetime.SignIn, token, now); err != nil {
			return err
		}
		rs = &triage.RequesterSession{Hash: sessionHash(secret), Email: r.Subject, CreatedAt: now, ExpiresAt: now.Add(s.SessionTTL)}
		return tx.CreateRequesterSession(ctx, rs)
	})
	if err != nil {
		return "", nil, err
	}
	return secret, rs, nil
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, triage.Invalid("token", "the form is malformed or too large"))
		return
	}
	secret, rs, err := h.s.SignIn(r.Context(), r.PostForm.Get("token"))
	if triage.IsCode(err, triage.EUNAUTHORIZED) {
		h.renderMy(w, r, "signin.html", "我的工单", &myView{Error: "登录链接无效、已使用或已过期，请重新获取。"}, http.StatusUnauthorized)
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: RequesterCookie, Value: secret, Path: "/help/my", Expires: rs.ExpiresAt,
		HttpOnly: true, Secure: h.s.Secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/help/my", http.StatusSeeOther)
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	if rs := h.requester(r); rs != nil {
		if err := h.s.Store.Update(r.Context(), func(tx triage.Tx) error { return tx.DeleteRequesterSession(r.Context(), rs.Hash) }); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: RequesterCookie, Value: "", Path: "/help/my", MaxAge: -1, HttpOnly: true, Secure: h.s.Secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/help/my", http.StatusSeeOther)
}

// signedIn returns the session, or answers with the sign-in page.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request) *triage.RequesterSession {
	if h.s.Tickets == nil {
		h.notFound(w, r)
		return nil
	}
	rs := h.requester(r)
	if rs == nil {
		h.renderMy(w, r, "signin.html", "我的工单", &myView{Error: "请先登录。"}, http.StatusUnauthorized)
	}
	return rs
}

// publicView is a ticket's conversation as its requester may see it:
// public comments, and the files of the first message and of public
// comments.
func (s *Service) publicView(ctx context.Context, t *triage.Ticket) ([]*triage.Comment, []*triage.Attachment, error) {
	cs, err := s.Tickets.Comments(ctx, t.ID)
	if err != nil {
		return nil, nil, err
	}
	out := []*triage.Comment{}
	for _, c := range cs {
		if c.Public {
			out = append(out, c)
		}
	}
	atts, err := s.Store.Attachments(ctx, t.ID)
	if err != nil {
		return nil, nil, err
	}
	first := []*triage.Attachment{}
	for _, a := range atts {
		if a.CommentID == "" {
			first = append(first, a)
		}
	}
	return out, first, nil
}

func (h *Handler) myTicket(w http.ResponseWriter, r *http.Request) {
	rs := h.signedIn(w, r)
	if rs == nil {
		return
	}
	t, err := h.s.ownTicket(r.Context(), rs, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cs, files, err := h.s.publicView(r.Context(), t)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	mv := &myView{Email: rs.Email, Phone: rs.Phone, CSRF: csrf(rs), Ticket: t, Comments: cs, Files: files, Error: r.URL.Query().Get("error")}
	if t.Status == triage.StatusSolved || t.Status == triage.StatusClosed {
		mv.CanRate = h.s.Rate != nil
		if sv, err := h.s.Store.Survey(r.Context(), t.ID); err == nil && sv.AnsweredAt != nil {
			mv.CanRate, mv.Rating = false, sv.Rating
		}
	}
	h.renderMy(w, r, "ticket.html", t.Title, mv, http.StatusOK)
}

// checkCSRF refuses a post without the session's token.
func checkCSRF(rs *triage.RequesterSession, got string) error {
	if !hmac.Equal([]byte(csrf(rs)), []byte(got)) {
		return &triage.Error{Code: triage.EFORBIDDEN, Field: "csrf", Message: "the form is stale; reload the page"}
	}
	return nil
}

func (h *Handler) myReply(w http.ResponseWriter, r *http.Request) {
	rs := h.signedIn(w, r)
	if rs == nil {
		return
	}
	sub, err := h.parseSubmission(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := r.PostForm
	if r.MultipartForm != nil {
		form = r.MultipartForm.Value
	}
	if err := checkCSRF(rs, form.Get("csrf")); err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.s.ownTicket(r.Context(), rs, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body := strings.TrimSpace(form.Get("reply"))
	if (body == "" && len(sub.files) == 0) || len(body) > triage.MaxCommentSize || !utf8.ValidString(body) {
		http.Redirect(w, r, "/help/my/tickets/"+url.PathEscape(t.ID)+"?error="+url.QueryEscape("请填写回复内容"), http.StatusSeeOther)
		return
	}
	_, err = h.s.Tickets.AddComment(r.Context(), t.ID, triage.NewComment{Body: body, FromRequester: true, Public: true, Attachments: sub.files}, nil)
	if triage.IsCode(err, triage.ECONFLICT) {
		http.Redirect(w, r, "/help/my/tickets/"+url.PathEscape(t.ID)+"?error="+url.QueryEscape("工单已关闭，请提交新的问题"), http.StatusSeeOther)
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/help/my/tickets/"+url.PathEscape(t.ID)+"#reply", http.StatusSeeOther)
}

func (h *Handler) myRate(w http.ResponseWriter, r *http.Request) {
	rs := h.signedIn(w, r)
	if rs == nil {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, triage.Invalid("rating", "the form is malformed or too large"))
		return
	}
	if err := checkCSRF(rs, r.PostForm.Get("csrf")); err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.s.ownTicket(r.Context(), rs, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rating, err := strconv.Atoi(r.PostForm.Get("rating"))
	if err != nil || rating < 1 || rating > 5 {
		h.fail(w, r, triage.Invalid("rating", "rating must be 1 to 5"))
		return
	}
	if h.s.Rate == nil || (t.Status != triage.StatusSolved && t.Status != triage.StatusClosed) {
		h.fail(w, r, &triage.Error{Code: triage.ECONFLICT, Field: "status", Message: "只能评价已解决的工单"})
		return
	}
	if err := h.s.Rate(r.Context(), t.ID, rating, clipRunes(strings.TrimSpace(r.PostForm.Get("comment")), 500)); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/help/my/tickets/"+url.PathEscape(t.ID)+"#rate", http.StatusSeeOther)
}

// myFile serves a file the requester may see: of their own ticket's first
// message or of a public comment. Any other answers 404.
func (h *Handler) myFile(w http.ResponseWriter, r *http.Request) {
	rs := h.signedIn(w, r)
	if rs == nil {
		return
	}
	a, data, err := h.s.Tickets.Attachment(r.Context(), r.PathValue("id"))
	if err == nil {
		var t *triage.Ticket
		if t, err = h.s.ownTicket(r.Context(), rs, a.TicketID); err == nil && a.CommentID != "" {
			var cs []*triage.Comment
			if cs, _, err = h.s.publicView(r.Context(), t); err == nil &&
				!slices.ContainsFunc(cs, func(c *triage.Comment) bool { return c.ID == a.CommentID }) {
				err = triage.NotFound("file", r.PathValue("id"))
			}
		}
	}
	if triage.IsCode(err, triage.ENOTFOUND) {
		h.fail(w, r, triage.NotFound("file", r.PathValue("id")))
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(a.Name))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, _ = w.Write(data)
}

// script is the form's progressive enhancement.
func (h *Handler) script(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	serve(w, r, h.js, time.Time{}, assetCache)
}
