package storetest

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// The customer's side (issue 19): help events list by time, one-time
// links are taken once and void the earlier ones, requesters' sessions
// expire and sign out.
var portalTests = []test{
	{"help events", testHelpEvents},
	{"one-time links", testOneTime},
	{"requester sessions", testRequesterSessions},
	{"help settings of the form", testPortalSettings},
	{"held requests", testHelpRequests},
}

func testHelpEvents(t *testing.T, s triage.Store) {
	ctx := t.Context()
	for i, k := range []triage.HelpEventKind{triage.HelpSearch, triage.HelpSolved, triage.HelpAnswer} {
		e := &triage.HelpEvent{ID: "he-" + string(k), Kind: k, Session: "s1", Contact: triage.ContactKey("a@example.com"), Category: "退款",
			Query: "退款多久", Confidence: 0.5, CreatedAt: base.Add(time.Duration(i) * time.Hour)}
		update(t, s, func(tx triage.Tx) error { return tx.AddHelpEvent(ctx, e) })
	}
	got, err := s.HelpEvents(ctx, base, base.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Kind != triage.HelpSearch || got[1].Kind != triage.HelpSolved || got[1].Category != "退款" || got[1].Confidence != 0.5 {
		t.Fatalf("events in the first two hours = %+v", got)
	}
	err = s.Update(ctx, func(tx triage.Tx) error {
		return tx.AddHelpEvent(ctx, &triage.HelpEvent{ID: "bad", Kind: "nonsense", CreatedAt: base})
	})
	if !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("unknown kind: %v, want EINVALID", err)
	}
}

func testOneTime(t *testing.T, s triage.Store) {
	ctx := t.Context()
	first := triage.OneTime{Hash: "h1", Purpose: "signin", Subject: "a@example.com", CreatedAt: base, ExpiresAt: base.Add(15 * time.Minute)}
	second := triage.OneTime{Hash: "h2", Purpose: "signin", Subject: "a@example.com", CreatedAt: base.Add(time.Minute), ExpiresAt: base.Add(16 * time.Minute)}
	update(t, s, func(tx triage.Tx) error { return tx.PutOneTime(ctx, first) })
	update(t, s, func(tx triage.Tx) error { return tx.PutOneTime(ctx, second) })
	take := func(hash string, at time.Time) (triage.OneTime, error) {
		var r triage.OneTime
		err := s.Update(ctx, func(tx triage.Tx) error {
			var err error
			r, err = tx.TakeOneTime(ctx, hash, at)
			return err
		})
		return r, err
	}
	now := base.Add(2 * time.Minute)
	for _, tc := range []struct {
		name     string
		hash     string
		wantUsed bool
	}{{"voided by the newer link", "h1", true}, {"newer link, first use", "h2", false}, {"newer link, second use", "h2", true}} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := take(tc.hash, now)
			if err != nil {
				t.Fatal(err)
			}
			if (r.UsedAt != nil) != tc.wantUsed || r.Subject != "a@example.com" {
				t.Errorf("record = %+v, want used %v", r, tc.wantUsed)
			}
		})
	}
	late := triage.OneTime{Hash: "h3", Purpose: "signin", Subject: "b@example.com", CreatedAt: base, ExpiresAt: base.Add(time.Minute)}
	update(t, s, func(tx triage.Tx) error { return tx.PutOneTime(ctx, late) })
	if _, err := take("h3", base.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if r, err := take("h3", base); err != nil || r.UsedAt != nil {
		t.Errorf("an expired take must not mark the link used: %+v, %v", r, err)
	}
	if _, err := take("nope", now); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("unknown hash: %v, want ENOTFOUND", err)
	}
}

func testRequesterSessions(t *testing.T, s triage.Store) {
	ctx := t.Context()
	rs := &triage.RequesterSession{Hash: "rs1", Email: "a@example.com", CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	update(t, s, func(tx triage.Tx) error { return tx.CreateRequesterSession(ctx, rs) })
	if got, err := s.RequesterSession(ctx, "rs1", base.Add(time.Minute)); err != nil || got.Email != "a@example.com" || !got.ExpiresAt.Equal(rs.ExpiresAt) {
		t.Fatalf("live session = %+v, %v", got, err)
	}
	if _, err := s.RequesterSession(ctx, "rs1", base.Add(time.Hour)); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("expired session: %v, want ENOTFOUND", err)
	}
	update(t, s, func(tx triage.Tx) error { return tx.DeleteRequesterSession(ctx, "rs1") })
	if _, err := s.RequesterSession(ctx, "rs1", base.Add(time.Minute)); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("signed-out session: %v, want ENOTFOUND", err)
	}
	// A session signed in by an SMS code: the phone, no address.
	ph := &triage.RequesterSession{Hash: "rs2", Phone: "13800138000", CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	update(t, s, func(tx triage.Tx) error { return tx.CreateRequesterSession(ctx, ph) })
	if got, err := s.RequesterSession(ctx, "rs2", base.Add(time.Minute)); err != nil || got.Phone != "13800138000" || got.Email != "" {
		t.Fatalf("phone session = %+v, %v", got, err)
	}
}

func testPortalSettings(t *testing.T, s triage.Store) {
	ctx := t.Context()
	h := &triage.HelpSettings{CompanyName: "示例", AskCategory: true, ConfirmEmail: true, WidgetOrigins: []string{"https://shop.example.com"},
		SMSWebhookURL: "https://sms.example.com/hook", SMSSecret: "whsec_sms_0123456789", SMSSecretHint: triage.SecretHint("whsec_sms_0123456789"), UpdatedAt: base}
	update(t, s, func(tx triage.Tx) error { return tx.PutHelpSettings(ctx, h) })
	got, err := s.HelpSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "settings", got, h)
	if got.SMSSecret != h.SMSSecret {
		t.Errorf("SMS secret = %q, want it stored", got.SMSSecret)
	}
}

func testHelpRequests(t *testing.T, s triage.Store) {
	ctx := t.Context()
	old := &triage.HelpRequest{ID: "hr-old", Email: "a@example.com", Payload: []byte(`{"subject":"旧"}`), CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	update(t, s, func(tx triage.Tx) error { return tx.PutHelpRequest(ctx, old) })
	got, err := s.HelpRequest(ctx, "hr-old", base.Add(time.Minute))
	if err != nil || string(got.Payload) != `{"subject":"旧"}` || got.Email != "a@example.com" {
		t.Fatalf("held request = %+v, %v", got, err)
	}
	if _, err := s.HelpRequest(ctx, "hr-old", base.Add(time.Hour)); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("an expired request: %v, want ENOTFOUND", err)
	}
	// A later put drops the expired one.
	update(t, s, func(tx triage.Tx) error {
		return tx.PutHelpRequest(ctx, &triage.HelpRequest{ID: "hr-new", Email: "b@example.com", Payload: []byte(`{}`), CreatedAt: base.Add(2 * time.Hour), ExpiresAt: base.Add(3 * time.Hour)})
	})
	if _, err := s.HelpRequest(ctx, "hr-old", base); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("the expired request was kept: %v", err)
	}
	update(t, s, func(tx triage.Tx) error { return tx.DeleteHelpRequest(ctx, "hr-new") })
	if _, err := s.HelpRequest(ctx, "hr-new", base.Add(2*time.Hour)); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("a deleted request: %v", err)
	}
}
