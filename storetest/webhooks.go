package storetest

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// Webhooks and deliveries. Beyond the interface's comments:
//
//   - Webhooks list oldest first (CreatedAt, then id). SigningKey reads
//     back as written and SecretHint is its first ten bytes and "…".
//   - A delivery's payload reads back byte for byte from Delivery and
//     DeliveryByEvent and is left out (nil) by Deliveries, which lists
//     newest first (CreatedAt, then id, both descending) with the ticket
//     list's paging rules and an optional exact Status.
//   - UpdateDelivery changes state, attempts, response, error, duration,
//     log, UpdatedAt and CompletedAt, nothing else; DurationMS keeps
//     microseconds. PruneDeliveries removes only deliveries whose
//     CompletedAt is before the time.
//   - Deleting a webhook deletes its deliveries.
//   - Change log: webhooks create, update, delete (webhook, id); deliveries
//     (delivery, id, create|update); PruneDeliveries one (delivery,
//     "before:<RFC 3339 time>", delete).
var webhookTests = []test{
	{"webhook crud", testWebhookCRUD},
	{"webhook errors", testWebhookErrors},
	{"deliveries", testDeliveries},
	{"delivery paging", testDeliveryPaging},
	{"delivery errors", testDeliveryErrors},
	{"prune deliveries", testPruneDeliveries},
}

func newWebhook(id string, created time.Time) *triage.Webhook {
	return &triage.Webhook{
		ID: id, URL: "https://hooks.example.com/" + id, Events: []string{triage.HookTicketCreated},
		Description: "CRM 同步", Active: true, SigningKey: "whsec_0123456789abcdef", CreatedAt: created, UpdatedAt: created,
	}
}

func newDelivery(id, webhook string, created time.Time) *triage.Delivery {
	return &triage.Delivery{
		ID: id, WebhookID: webhook, Event: triage.HookTicketCreated, EventKey: "ev-" + id, Status: triage.DeliveryPending,
		Payload: json.RawMessage(`{"event":"ticket.created","data":{"title":"退款没到账"}}`), CreatedAt: created, UpdatedAt: created,
	}
}

func testWebhookCRUD(t *testing.T, s triage.Store) {
	ctx := t.Context()
	_, start := changesAfter(t, s, 0)
	w1, w2 := newWebhook("w-2", base.In(cst)), newWebhook("w-1", base.Add(time.Hour))
	w1.Events = nil
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateWebhook(ctx, w1); err != nil {
			return err
		}
		return tx.CreateWebhook(ctx, w2)
	})
	if w1.Version != 1 || w1.Events == nil || w1.SecretHint != "whsec_0123…" {
		t.Fatalf("created webhook = %+v", w1)
	}
	got, err := s.Webhook(ctx, "w-2")
	if err != nil {
		t.Fatal(err)
	}
	if got.SigningKey != w1.SigningKey {
		t.Errorf("SigningKey = %q", got.SigningKey)
	}
	sameJSON(t, "Webhook", got, w1)
	wantUTC(t, "Webhook", got.CreatedAt, got.UpdatedAt)
	list, err := s.Webhooks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "w-2" || list[1].ID != "w-1" {
		t.Fatalf("Webhooks not oldest first: %v", list)
	}

	edit := *got
	edit.URL, edit.Events, edit.Active, edit.SigningKey = "https://crm.example.com/in", []string{triage.HookTicketSolved}, false, "whsec_rotated_key_000"
	edit.CreatedAt, edit.UpdatedAt = base.Add(48*time.Hour), base.Add(2*time.Hour)
	update(t, s, func(tx triage.Tx) error { return tx.UpdateWebhook(ctx, &edit) })
	if edit.Version != 2 || !edit.CreatedAt.Equal(base) || edit.SecretHint != "whsec_rota…" {
		t.Errorf("updated webhook = %+v, want version 2 and the first CreatedAt", edit)
	}
	got, _ = s.Webhook(ctx, "w-2")
	sameJSON(t, "updated Webhook", got, &edit)

	stale := *got
	stale.Version = 1
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateWebhook(ctx, &stale) }), triage.ESTALE)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteWebhook(ctx, "w-2", 1) }), triage.ESTALE)
	update(t, s, func(tx triage.Tx) error { return tx.DeleteWebhook(ctx, "w-2", 2) })
	_, err = s.Webhook(ctx, "w-2")
	wantCode(t, err, triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteWebhook(ctx, "w-2", 2) }), triage.ENOTFOUND)

	changes, _ := changesAfter(t, s, start)
	want := []change{{"webhook", "w-2", "create"}, {"webhook", "w-1", "create"}, {"webhook", "w-2", "update"}, {"webhook", "w-2", "delete"}}
	if !slices.Equal(changes, want) {
		t.Errorf("changes = %v, want %v", changes, want)
	}
}

func testWebhookErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error { return tx.CreateWebhook(ctx, newWebhook("w-1", base)) })
	noKey := newWebhook("w-2", base)
	noKey.SigningKey = ""
	for _, tc := range []struct {
		name string
		fn   func(tx triage.Tx) error
		code string
	}{
		{"duplicate id", func(tx triage.Tx) error { return tx.CreateWebhook(ctx, newWebhook("w-1", base)) }, triage.ECONFLICT},
		{"empty id", func(tx triage.Tx) error { return tx.CreateWebhook(ctx, newWebhook("", base)) }, triage.EINVALID},
		{"no signing key", func(tx triage.Tx) error { return tx.CreateWebhook(ctx, noKey) }, triage.EINVALID},
		{"update missing", func(tx triage.Tx) error {
			w := newWebhook("nope", base)
			w.Version = 1
			return tx.UpdateWebhook(ctx, w)
		}, triage.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, updateErr(t, s, tc.fn), tc.code) })
	}
}

func testDeliveries(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error { return tx.CreateWebhook(ctx, newWebhook("w-1", base)) })
	_, start := changesAfter(t, s, 0)
	d := newDelivery("d-1", "w-1", base.In(cst))
	update(t, s, func(tx triage.Tx) error { return tx.CreateDelivery(ctx, d) })
	if d.Log == nil {
		t.Errorf("created delivery's Log is nil")
	}
	got, err := s.Delivery(ctx, "d-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Delivery", got, d)
	if string(got.Payload) != string(d.Payload) {
		t.Errorf("payload = %s", got.Payload)
	}
	byEvent, err := s.DeliveryByEvent(ctx, "w-1", "ev-d-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "DeliveryByEvent", byEvent, d)
	_, err = s.DeliveryByEvent(ctx, "w-1", "ev-other")
	wantCode(t, err, triage.ENOTFOUND)

	done := base.Add(time.Minute)
	edit := *got
	edit.Status, edit.Attempts, edit.ResponseStatus, edit.LastError, edit.DurationMS = triage.DeliverySucceeded, 2, 204, "", 12.345
	edit.Log = []triage.DeliveryAttempt{
		{At: base.Add(time.Second).In(cst), Status: 503, Error: "503 Service Unavailable", DurationMS: 10, Response: "稍后再试"},
		{At: done, Status: 204, DurationMS: 12.345},
	}
	edit.UpdatedAt, edit.CompletedAt = done, &done
	// Fixed at creation: an update does not change them.
	edit.Event, edit.Payload = "ticket.updated", json.RawMessage(`{"changed":true}`)
	update(t, s, func(tx triage.Tx) error { return tx.UpdateDelivery(ctx, &edit) })
	got, _ = s.Delivery(ctx, "d-1")
	edit.Event, edit.Payload = d.Event, d.Payload
	sameJSON(t, "updated Delivery", got, &edit)
	wantUTC(t, "delivery log", got.Log[0].At, got.CompletedAt.UTC())

	list, next, err := s.Deliveries(ctx, triage.DeliveryFilter{WebhookID: "w-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || next != "" || list[0].Payload != nil || list[0].Attempts != 2 {
		t.Fatalf("Deliveries = %+v, %q; want one without payload", list, next)
	}
	for status, n := range map[string]int{triage.DeliverySucceeded: 1, triage.DeliveryFailed: 0} {
		list, _, _ := s.Deliveries(ctx, triage.DeliveryFilter{WebhookID: "w-1", Status: status})
		if len(list) != n {
			t.Errorf("Deliveries with status %s: %d, want %d", status, len(list), n)
		}
	}
	changes, _ := changesAfter(t, s, start)
	want := []change{{"delivery", "d-1", "create"}, {"delivery", "d-1", "update"}}
	if !slices.Equal(changes, want) {
		t.Errorf("changes = %v, want %v", changes, want)
	}

	// Deleting the webhook takes its deliveries with it.
	update(t, s, func(tx triage.Tx) error { return tx.DeleteWebhook(ctx, "w-1", 1) })
	_, err = s.Delivery(ctx, "d-1")
	wantCode(t, err, triage.ENOTFOUND)
}

func testDeliveryPaging(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateWebhook(ctx, newWebhook("w-1", base)); err != nil {
			return err
		}
		if err := tx.CreateWebhook(ctx, newWebhook("w-2", base)); err != nil {
			return err
		}
		for i, id := range []string{"d-1", "d-2", "d-3", "d-4", "d-5"} {
			// d-4 and d-5 share an instant: the id breaks the tie.
			at := base.Add(time.Duration(min(i, 3)) * time.Minute)
			if err := tx.CreateDelivery(ctx, newDelivery(id, "w-1", at)); err != nil {
				return err
			}
		}
		return tx.CreateDelivery(ctx, newDelivery("d-other", "w-2", base))
	})
	var seen []string
	cursor := ""
	for range 5 {
		page, next, err := s.Deliveries(ctx, triage.DeliveryFilter{WebhookID: "w-1", Cursor: cursor, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page {
			seen = append(seen, d.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if want := []string{"d-5", "d-4", "d-3", "d-2", "d-1"}; !slices.Equal(seen, want) {
		t.Errorf("pages = %v, want %v", seen, want)
	}
	_, _, err := s.Deliveries(ctx, triage.DeliveryFilter{WebhookID: "w-1", Cursor: "garbage"})
	wantCode(t, err, triage.EINVALID)
	none, _, err := s.Deliveries(ctx, triage.DeliveryFilter{WebhookID: "nope"})
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("Deliveries of an unknown webhook = %v, %v; want an empty list", none, err)
	}
}

func testDeliveryErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateWebhook(ctx, newWebhook("w-1", base)); err != nil {
			return err
		}
		return tx.CreateDelivery(ctx, newDelivery("d-1", "w-1", base))
	})
	sameEvent := newDelivery("d-2", "w-1", base)
	sameEvent.EventKey = "ev-d-1"
	badJSON := newDelivery("d-3", "w-1", base)
	badJSON.Payload = json.RawMessage(`{"unterminated`)
	for _, tc := range []struct {
		name string
		fn   func(tx triage.Tx) error
		code string
	}{
		{"same event twice", func(tx triage.Tx) error { return tx.CreateDelivery(ctx, sameEvent) }, triage.ECONFLICT},
		{"duplicate id", func(tx triage.Tx) error { return tx.CreateDelivery(ctx, newDelivery("d-1", "w-1", base)) }, triage.ECONFLICT},
		{"unknown webhook", func(tx triage.Tx) error { return tx.CreateDelivery(ctx, newDelivery("d-4", "nope", base)) }, triage.ENOTFOUND},
		{"empty id", func(tx triage.Tx) error { return tx.CreateDelivery(ctx, newDelivery("", "w-1", base)) }, triage.EINVALID},
		{"payload not JSON", func(tx triage.Tx) error { return tx.CreateDelivery(ctx, badJSON) }, triage.EINVALID},
		{"update missing", func(tx triage.Tx) error { return tx.UpdateDelivery(ctx, newDelivery("nope", "w-1", base)) }, triage.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, updateErr(t, s, tc.fn), tc.code) })
	}
}

func testPruneDeliveries(t *testing.T, s triage.Store) {
	ctx := t.Context()
	old, recent := base.Add(-48*time.Hour), base.Add(-time.Hour)
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateWebhook(ctx, newWebhook("w-1", base)); err != nil {
			return err
		}
		for id, done := range map[string]*time.Time{"d-old": &old, "d-recent": &recent, "d-open": nil} {
			d := newDelivery(id, "w-1", old)
			d.CompletedAt = done
			if err := tx.CreateDelivery(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
	_, start := changesAfter(t, s, 0)
	var n int
	update(t, s, func(tx triage.Tx) (err error) {
		n, err = tx.PruneDeliveries(ctx, base.Add(-24*time.Hour))
		return err
	})
	if n != 1 {
		t.Errorf("pruned %d, want 1", n)
	}
	list, _, _ := s.Deliveries(ctx, triage.DeliveryFilter{WebhookID: "w-1"})
	var left []string
	for _, d := range list {
		left = append(left, d.ID)
	}
	slices.Sort(left)
	if !slices.Equal(left, []string{"d-open", "d-recent"}) {
		t.Errorf("left %v", left)
	}
	changes, _ := changesAfter(t, s, start)
	if want := []change{{"delivery", "before:2026-11-21T09:00:00Z", "delete"}}; !slices.Equal(changes, want) {
		t.Errorf("changes = %v, want %v", changes, want)
	}
}
