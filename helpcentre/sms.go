package helpcentre

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/egress"
	"github.com/triagehq/triage/limit"
	"github.com/triagehq/triage/notify"
)

// Sign-in to "my tickets" by a code sent by SMS. The company provides the
// SMS gateway as a webhook (HelpSettings.SMSWebhookURL): triage posts it
// the phone number and a six-digit code, signed like every webhook, and
// the company's system sends the text. The post is a durable job queued
// in the transaction that stores the code (never on the request's path),
// and passes egress like everything that leaves: the phone number is the
// one value egress lets through unmasked (egress.WithRecipient, in the
// body's "to"), because delivering to it is the point; the text beside it
// never quotes it.
//
// A code is used once, expires after CodeTTL, and a newer code voids the
// older. Asking for codes is limited per client address and per phone;
// trying codes too (CodeTryAddr, CodeTryPhone), so a million codes cannot
// be guessed: past the quota the answer is 429. A requester signed in by
// phone sees only tickets whose requester phone is that number.

// JobSMS posts one sign-in code to the company's SMS webhook.
const JobSMS triage.JobKind[SMSArgs] = "help.sms_code"

// SMSArgs is one code to send. The code is in the job's arguments for the
// minutes until it is sent; the store keeps only its hash.
type SMSArgs struct {
	Phone     string    `json:"phone"`
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SMSPayload is the body posted to the company's SMS webhook.
type SMSPayload struct {
	// To is the phone number, digits only (triage.PhoneDigits).
	To        string    `json:"to"`
	Code      string    `json:"code"`
	Text      string    `json:"text"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SMSEvent is the X-Triage-Event of the SMS webhook's posts.
const SMSEvent = "help.sms_code"

// CodeTTL is how long an SMS code may be used.
const CodeTTL = 10 * time.Minute

// purposeSMS is the one-time record's purpose of an SMS code.
const purposeSMS = "requester_sms"

// Default quotas of SMS sign-in.
var (
	DefaultCodeAddr     = limit.Rate{Limit: 10, Period: time.Hour}
	DefaultCodePhone    = limit.Rate{Limit: 3, Period: time.Hour}
	DefaultCodeTryAddr  = limit.Rate{Limit: 20, Period: time.Hour}
	DefaultCodeTryPhone = limit.Rate{Limit: 5, Period: time.Hour}
)

// codeHash is the stored form of a code: bound to its phone, so a code
// is good for the number it was sent to only.
func codeHash(phone, code string) string {
	sum := sha256.Sum256([]byte("triage sms code\x00" + phone + "\x00" + code))
	return hex.EncodeToString(sum[:])
}

// Jobs are the help centre's background jobs.
func (s *Service) Jobs() []triage.JobSpec {
	return []triage.JobSpec{JobSMS.Handle(s.sendSMS)}
}

// SendSignInCode issues a code for phone and queues its SMS, in one
// transaction, when SMS sign-in is configured and the phone has a ticket;
// it does nothing otherwise (and says nothing either way).
func (s *Service) SendSignInCode(ctx context.Context, phone string) error {
	st, err := s.Store.HelpSettings(ctx)
	if err != nil {
		return err
	}
	if !st.SMSSignIn() {
		return triage.Errorf(triage.EUNAVAILABLE, "sign-in by SMS is not configured")
	}
	ts, err := s.phoneTickets(ctx, phone, 1)
	if err != nil || len(ts) == 0 {
		return err
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	now := s.Now()
	job, err := JobSMS.Job(SMSArgs{Phone: phone, Code: code, ExpiresAt: now.Add(CodeTTL)})
	if err != nil {
		return err
	}
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		if err := tx.PutOneTime(ctx, triage.OneTime{Hash: codeHash(phone, code), Purpose: purposeSMS, Subject: phone,
			CreatedAt: now, ExpiresAt: now.Add(CodeTTL)}); err != nil {
			return err
		}
		return tx.Enqueue(ctx, job)
	})
}

// sendSMS posts a code to the webhook as the settings are now: a code
// whose time is up, or a gateway since removed, is dropped.
func (s *Service) sendSMS(ctx context.Context, a SMSArgs) error {
	if !s.Now().Before(a.ExpiresAt) {
		return nil
	}
	st, err := s.Store.HelpSettings(ctx)
	if err != nil {
		return err
	}
	if !st.SMSSignIn() {
		return nil
	}
	p := SMSPayload{To: a.Phone, Code: a.Code, ExpiresAt: a.ExpiresAt.UTC(),
		Text: fmt.Sprintf("【%s】您的登录验证码是 %s，%d 分钟内有效。如非本人操作，请忽略。", siteName(st), a.Code, int(CodeTTL/time.Minute))}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	// Masked before signing, so the signature covers the bytes sent; the
	// transport masks again (a no-op) with the same recipient.
	body, err := egress.MaskBodyTo("application/json", raw, a.Phone)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(egress.WithRecipient(ctx, a.Phone), 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, st.SMSWebhookURL, bytes.NewReader(body))
	if err != nil {
		return triage.Invalid("sms_webhook_url", "the SMS webhook's URL cannot be used: %v", err)
	}
	ts := s.Now().Unix()
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set(notify.HeaderEvent, SMSEvent)
	req.Header.Set(notify.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(notify.HeaderSignature, notify.Sign(st.SMSSecret, ts, body))
	client := s.SMS
	if client == nil {
		client = egress.Client(nil)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("SMS webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("SMS webhook: %s", resp.Status)
	}
	return nil
}

func siteName(st *triage.HelpSettings) string {
	if st.CompanyName != "" {
		return st.CompanyName
	}
	return triage.DefaultHelpName
}

// phoneTickets lists up to max tickets whose requester phone is phone
// (digits, as triage.PhoneDigits), newest first.
func (s *Service) phoneTickets(ctx context.Context, phone string, max int) ([]*triage.Ticket, error) {
	out := []*triage.Ticket{}
	f := triage.TicketFilter{RequesterID: phone, Limit: triage.MaxPageSize}
	for len(out) < max {
		page, next, err := s.Store.Tickets(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, t := range page {
			// The filter also matches e-mail addresses; only the phone
			// signs in here.
			if t.Requester.Phone != "" && triage.PhoneDigits(t.Requester.Phone) == phone && len(out) < max {
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

// SignInByCode redeems an SMS code and starts a session for the phone; it
// returns the cookie's secret. A wrong, used or expired code is
// EUNAUTHORIZED.
func (s *Service) SignInByCode(ctx context.Context, phone, code string) (secret string, rs *triage.RequesterSession, err error) {
	bad := &triage.Error{Code: triage.EUNAUTHORIZED, Field: "code", Message: "this code is not valid; ask for a new one"}
	if len(code) != 6 || phone == "" {
		return "", nil, bad
	}
	now := s.Now()
	secret = randomHex(32)
	err = s.Store.Update(ctx, func(tx triage.Tx) error {
		r, err := tx.TakeOneTime(ctx, codeHash(phone, code), now)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return bad
		} else if err != nil {
			return err
		}
		if r.Purpose != purposeSMS || r.Subject != phone || r.UsedAt != nil || !now.Before(r.ExpiresAt) {
			return bad
		}
		rs = &triage.RequesterSession{Hash: sessionHash(secret), Phone: phone, CreatedAt: now, ExpiresAt: now.Add(s.SessionTTL)}
		return tx.CreateRequesterSession(ctx, rs)
	})
	if err != nil {
		return "", nil, err
	}
	return secret, rs, nil
}

// phoneInput reads a phone number from a form: 6 to 15 digits after
// triage.PhoneDigits, or "".
func phoneInput(v string) string {
	if len(v) > 40 {
		return ""
	}
	d := triage.PhoneDigits(v)
	if len(d) < 6 || len(d) > 15 {
		return ""
	}
	return d
}

// smsEnabled reports whether the sign-in page offers SMS codes.
func (h *Handler) smsEnabled(ctx context.Context) bool {
	st, err := h.s.Store.HelpSettings(ctx)
	return err == nil && st.SMSSignIn()
}

// askCode sends a code to a phone that has tickets. Like askLink, the page
// that follows is the same for every number.
func (h *Handler) askCode(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if h.s.Tickets == nil || !h.smsEnabled(r.Context()) {
		h.notFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, triage.Invalid("phone", "the form is malformed or too large"))
		return
	}
	phone := phoneInput(r.PostForm.Get("phone"))
	if phone == "" {
		h.renderMy(w, r, "signin.html", "我的工单", &myView{SMS: true, Error: "手机号格式不对"}, http.StatusBadRequest)
		return
	}
	if limit.Honeypot(r.PostForm, honeypot) {
		h.renderMy(w, r, "signin.html", "我的工单", &myView{SMS: true, Phone: phone, CodeSent: true}, http.StatusOK)
		return
	}
	if !h.allow(w, r, h.s.Limits.CodeAddr.Allow(limit.Key(h.s.Proxies.ClientIP(r))), h.s.Limits.CodePhone.Allow(phone)) {
		return
	}
	if err := h.s.SendSignInCode(r.Context(), phone); err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderMy(w, r, "signin.html", "我的工单", &myView{SMS: true, Phone: phone, CodeSent: true}, http.StatusOK)
}

// allow answers 429 for the first decision that refuses.
func (h *Handler) allow(w http.ResponseWriter, r *http.Request, ds ...limit.Decision) bool {
	if i := slices.IndexFunc(ds, func(d limit.Decision) bool { return !d.Allowed }); i >= 0 {
		ds[i].SetHeaders(w.Header())
		h.fail(w, r, ds[i].Err())
		return false
	}
	return true
}

// codeSignIn checks a code; every try counts against the address and the
// phone, right or wrong.
func (h *Handler) codeSignIn(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if h.s.Tickets == nil {
		h.notFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, triage.Invalid("code", "the form is malformed or too large"))
		return
	}
	phone := phoneInput(r.PostForm.Get("phone"))
	if !h.allow(w, r, h.s.Limits.CodeTryAddr.Allow(limit.Key(h.s.Proxies.ClientIP(r))), h.s.Limits.CodeTryPhone.Allow(phone)) {
		return
	}
	secret, rs, err := h.s.SignInByCode(r.Context(), phone, r.PostForm.Get("code"))
	if triage.IsCode(err, triage.EUNAUTHORIZED) {
		h.renderMy(w, r, "signin.html", "我的工单", &myView{SMS: true, Phone: phone, CodeSent: true, Error: "验证码不对或已过期，请重新获取。"}, http.StatusUnauthorized)
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: RequesterCookie, Value: secret, Path: "/help/my", Expires: rs.ExpiresAt,
		HttpOnly: true, Secure: h.s.Secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/help/my", http.StatusSeeOther)
}
