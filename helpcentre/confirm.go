package helpcentre

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/onetime"
)

// The e-mail confirmation step, when the company turns it on
// (HelpSettings.ConfirmEmail): the form as sent is held, files included,
// and a one-time link is mailed to the address given; following it (and
// pressing a button, so a mail scanner cannot) makes the ticket as the
// form would have. A request never confirmed is dropped after
// onetime.Confirm's lifetime (24 hours).

// held is a held request's payload.
type held struct {
	Session  string                 `json:"session"`
	Subject  string                 `json:"subject"`
	Body     string                 `json:"body"`
	Name     string                 `json:"name"`
	Email    string                 `json:"email"`
	Phone    string                 `json:"phone"`
	Category string                 `json:"category"`
	Files    []triage.NewAttachment `json:"files"`
}

// holdRequest holds a submission and mails its confirmation link, in one
// transaction.
func (s *Service) holdRequest(ctx context.Context, sub *submission) error {
	if s.Mailer == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "outbound mail is not configured on this server")
	}
	f := sub.fv
	payload, err := json.Marshal(held{Session: f.Session, Subject: f.Subject, Body: f.Body, Name: f.Name, Email: strings.ToLower(f.Email),
		Phone: f.Phone, Category: f.Category, Files: sub.files})
	if err != nil {
		return err
	}
	id := triage.NewID()
	token, rec, err := onetime.New(onetime.Confirm, id, 0, s.Now())
	if err != nil {
		return err
	}
	link := s.BaseURL + "/help/new/confirm?token=" + url.QueryEscape(token)
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		if err := tx.PutHelpRequest(ctx, &triage.HelpRequest{ID: id, Email: strings.ToLower(f.Email), Payload: payload,
			CreatedAt: rec.CreatedAt, ExpiresAt: rec.ExpiresAt}); err != nil {
			return err
		}
		if err := tx.PutOneTime(ctx, triage.OneTime{Hash: rec.Hash, Purpose: string(rec.Purpose), Subject: rec.Subject,
			CreatedAt: rec.CreatedAt, ExpiresAt: rec.ExpiresAt}); err != nil {
			return err
		}
		return s.Mailer.ConfirmRequest(ctx, tx, f.Email, f.Name, f.Subject, link, rec.ExpiresAt)
	})
}

// Confirm redeems a confirmation link and makes the held request's
// ticket.
func (s *Service) Confirm(ctx context.Context, token string) (*triage.Ticket, error) {
	h, err := onetime.Hash(onetime.Confirm, token)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var id string
	err = s.Store.Update(ctx, func(tx triage.Tx) error {
		r, err := tx.TakeOneTime(ctx, h, now)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return &triage.Error{Code: triage.EUNAUTHORIZED, Field: "token", Message: "this link is not valid"}
		} else if err != nil {
			return err
		}
		id = r.Subject
		return onetime.Check(onetime.Record{Hash: r.Hash, Purpose: onetime.Purpose(r.Purpose), Subject: r.Subject, CreatedAt: r.CreatedAt,
			ExpiresAt: r.ExpiresAt, UsedAt: r.UsedAt}, onetime.Confirm, token, now)
	})
	if err != nil {
		return nil, err
	}
	hr, err := s.Store.HelpRequest(ctx, id, now)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil, &triage.Error{Code: triage.EUNAUTHORIZED, Field: "token", Message: "this request has expired"}
	} else if err != nil {
		return nil, err
	}
	var p held
	if err := json.Unmarshal(hr.Payload, &p); err != nil {
		return nil, err
	}
	sub := &submission{files: p.Files, fv: formView{Session: p.Session, Subject: p.Subject, Body: p.Body, Name: p.Name, Email: p.Email,
		Phone: p.Phone, Category: p.Category}}
	return s.createFromForm(ctx, sub, func(tx triage.Tx) error { return tx.DeleteHelpRequest(ctx, id) })
}

func (h *Handler) confirmPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	h.renderMy(w, r, "confirm.html", "确认邮箱", &myView{Token: r.URL.Query().Get("token")}, http.StatusOK)
}

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, triage.Invalid("token", "the form is malformed or too large"))
		return
	}
	t, err := h.s.Confirm(r.Context(), r.PostForm.Get("token"))
	if triage.IsCode(err, triage.EUNAUTHORIZED) {
		h.renderMy(w, r, "confirm.html", "确认邮箱", &myView{Error: "确认链接无效、已使用或已过期，请重新提交问题。"}, http.StatusUnauthorized)
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/help/new/done?ref="+url.QueryEscape(triage.TicketRef(t.ID)), http.StatusSeeOther)
}
