package notify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// maxResponse is how much of a receiver's answer an attempt keeps.
const maxResponse = 512

// Deliver is the JobDeliver handler: it makes one attempt and records it.
// It returns an error, so that the job queue retries with backoff, while
// the delivery has attempts left; a delivery that succeeded, failed for
// good or lost its webhook returns nil.
func (s *Service) Deliver(ctx context.Context, a DeliverArgs) error {
	if a.DeliveryID == "" {
		return triage.Invalid("args", "a webhook delivery job names no delivery")
	}
	d, err := s.Store.Delivery(ctx, a.DeliveryID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil // its webhook was deleted
	} else if err != nil {
		return err
	}
	if d.Final() {
		return nil
	}
	w, err := s.Store.Webhook(ctx, d.WebhookID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	var att triage.DeliveryAttempt
	retry := false
	if !w.Active && d.Event != triage.HookPing {
		att = triage.DeliveryAttempt{At: s.now(), Error: "the webhook is disabled; not sent"}
	} else {
		att, retry = s.attempt(ctx, w, d)
	}
	if err := ctx.Err(); err != nil {
		return err // shutting down: the attempt says nothing about the receiver
	}
	max := s.MaxAttempts
	if max <= 0 {
		max = DefaultMaxAttempts
	}
	var outcome string
	err = s.Store.Update(ctx, func(tx triage.Tx) error {
		cur, err := tx.Delivery(ctx, d.ID)
		if err != nil || cur.Final() {
			return err
		}
		cur.Attempts++
		cur.Log = append(cur.Log, att)
		cur.ResponseStatus, cur.LastError, cur.DurationMS, cur.UpdatedAt = att.Status, att.Error, att.DurationMS, s.now()
		switch {
		case att.Error == "":
			cur.Status = triage.DeliverySucceeded
		case retry && cur.Attempts < max:
			cur.Status = triage.DeliveryRetrying
		default:
			cur.Status = triage.DeliveryFailed
		}
		if cur.Final() {
			done := s.now()
			cur.CompletedAt = &done
		}
		outcome = cur.Status
		return tx.UpdateDelivery(ctx, cur)
	})
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	if s.Observe != nil && outcome != "" {
		s.Observe(d.Event, outcome, time.Duration(att.DurationMS*float64(time.Millisecond)))
	}
	switch outcome {
	case triage.DeliveryRetrying:
		return fmt.Errorf("webhook %s delivery %s: %s", w.ID, d.ID, att.Error)
	case triage.DeliveryFailed:
		s.log().Warn("webhook delivery failed for good", "webhook", w.ID, "delivery", d.ID, "event", d.Event, "err", att.Error)
	}
	return nil
}

// attempt posts the delivery once and says whether a failure is worth
// another try: refused addresses and 410 Gone are not.
func (s *Service) attempt(ctx context.Context, w *triage.Webhook, d *triage.Delivery) (triage.DeliveryAttempt, bool) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	client := s.Client
	if client == nil {
		client = s.Guard.Client(timeout)
	}
	if s.Wrap != nil {
		wrapped := *client
		wrapped.Transport = s.Wrap(client.Transport)
		client = &wrapped
	}
	start := time.Now()
	att := triage.DeliveryAttempt{At: s.now()}
	took := func() float64 { return float64(time.Since(start).Microseconds()) / 1000 }
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(d.Payload))
	if err != nil {
		att.Error = "the webhook's URL cannot be used: " + err.Error()
		return att, false
	}
	ts := time.Now().Unix()
	ua := s.UserAgent
	if ua == "" {
		ua = "triage-webhooks"
	}
	h := req.Header
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("User-Agent", ua)
	h.Set(HeaderEvent, d.Event)
	h.Set(HeaderDelivery, d.ID)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, Sign(w.SigningKey, ts, d.Payload))
	resp, err := client.Do(req)
	if err != nil {
		att.DurationMS = took()
		if fe := forbidden(err); fe != nil {
			att.Error = "refused: " + fe.Error()
			return att, false
		}
		att.Error = cleanError(err)
		return att, true
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	att.DurationMS, att.Status, att.Response = took(), resp.StatusCode, text(b)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return att, false
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		att.Error = fmt.Sprintf("%s: redirected to %q, which webhooks do not follow; update the URL", resp.Status, resp.Header.Get("Location"))
		return att, true
	case resp.StatusCode == http.StatusGone:
		att.Error = resp.Status + ": the receiver says this webhook is gone"
		return att, false
	}
	att.Error = resp.Status
	return att, true
}

// cleanError is a transport error without the request line Go prefixes
// (it repeats the URL, which the delivery log already shows).
func cleanError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "\": "); i >= 0 && strings.HasPrefix(msg, "Post \"") {
		msg = msg[i+3:]
	}
	return msg
}

// text keeps a response's start readable: valid UTF-8, no NULs.
func text(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	for len(s) > maxResponse || !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
