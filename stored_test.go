package triage_test

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

func TestStoreTime(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	for _, tc := range []struct {
		name string
		in   time.Time
		want string
	}{
		{"nanoseconds are cut to microseconds", time.Date(2026, 11, 15, 9, 30, 0, 123456789, time.UTC), "2026-11-15T09:30:00.123456Z"},
		{"another zone becomes UTC", time.Date(2026, 11, 15, 9, 30, 0, 0, shanghai), "2026-11-15T01:30:00Z"},
		{"the zero time stays the zero instant", time.Time{}, "0001-01-01T00:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := triage.StoreTime(tc.in)
			if got.Format(time.RFC3339Nano) != tc.want || got.Location() != time.UTC {
				t.Errorf("StoreTime(%v) = %v, want %s in UTC", tc.in, got, tc.want)
			}
		})
	}
	if triage.StoreTimePtr(nil) != nil {
		t.Error("StoreTimePtr(nil) is not nil")
	}
	in := time.Date(2026, 1, 1, 0, 0, 0, 999, shanghai)
	if got := triage.StoreTimePtr(&in); got == &in || !got.Equal(triage.StoreTime(in)) {
		t.Errorf("StoreTimePtr = %v, want a new %v", got, triage.StoreTime(in))
	}
}

func TestNonNil(t *testing.T) {
	if got := triage.NonNil[string](nil); got == nil || len(got) != 0 {
		t.Errorf("NonNil(nil) = %#v, want []string{}", got)
	}
	in := []int{1, 2}
	if got := triage.NonNil(in); &got[0] != &in[0] {
		t.Error("NonNil copied a slice it should return as it is")
	}
	b, _ := json.Marshal(triage.NonNil[int](nil))
	if string(b) != "[]" {
		t.Errorf("NonNil(nil) marshals to %s, want []", b)
	}
}

func TestLimit(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		limit, def, max, want int
	}{
		{"none asked: the default", 0, 50, 200, 50},
		{"a negative one: the default", -1, 50, 200, 50},
		{"one", 1, 50, 200, 1},
		{"the maximum", 200, 50, 200, 200},
		{"over the maximum", 201, 50, 200, 200},
		{"no maximum", 1 << 20, 200, 0, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := triage.Limit(tc.limit, tc.def, tc.max); got != tc.want {
				t.Errorf("Limit(%d, %d, %d) = %d, want %d", tc.limit, tc.def, tc.max, got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ in, want int }{{0, triage.DefaultPageSize}, {triage.MaxPageSize + 1, triage.MaxPageSize}, {7, 7}} {
		if got := triage.PageLimit(tc.in); got != tc.want {
			t.Errorf("PageLimit(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestPage(t *testing.T) {
	at := time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)
	rows := func(n int) []*triage.Ticket {
		out := make([]*triage.Ticket, n)
		for i := range out {
			out[i] = &triage.Ticket{ID: "t-" + strconv.Itoa(i), CreatedAt: at.Add(-time.Duration(i) * time.Minute)}
		}
		return out
	}
	key := func(t *triage.Ticket) string { return triage.Cursor{CreatedAt: t.CreatedAt, ID: t.ID}.Encode() }
	for _, tc := range []struct {
		name       string
		read, page int
		next       string // the ID the next page starts after, "" for none
	}{
		{"nothing", 0, 3, ""},
		{"fewer than a page", 2, 3, ""},
		{"exactly a page", 3, 3, ""},
		{"one row more than a page", 4, 3, "t-2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, next := triage.Page(rows(tc.read), tc.page, key)
			if want := min(tc.read, tc.page); len(got) != want {
				t.Fatalf("%d rows, want %d", len(got), want)
			}
			if tc.next == "" {
				if next != "" {
					t.Fatalf("a cursor %q on the last page", next)
				}
				return
			}
			c, err := triage.DecodeCursor(next)
			if err != nil || c.ID != tc.next || !c.CreatedAt.Equal(got[len(got)-1].CreatedAt) {
				t.Fatalf("cursor %+v (%v), want after %s", c, err, tc.next)
			}
		})
	}
}

func TestSecretHint(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"", ""},
		{"whsec_0123", ""}, // ten bytes: a hint would be the whole secret
		{"whsec_01234", "whsec_0123…"},
		{"whsec_0123456789abcdef", "whsec_0123…"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			if got := triage.SecretHint(tc.key); got != tc.want {
				t.Errorf("SecretHint(%q) = %q, want %q", tc.key, got, tc.want)
			}
		})
	}
}

func TestRequiredAndNotFound(t *testing.T) {
	if err := triage.Required("id", "t-1"); err != nil {
		t.Errorf("Required with a value: %v", err)
	}
	err := triage.Required("webhook_id", "")
	var e *triage.Error
	if !triage.IsCode(err, triage.EINVALID) || !asError(err, &e) || e.Field != "webhook_id" {
		t.Errorf("Required without a value: %v, want EINVALID naming webhook_id", err)
	}
	if err := triage.NotFound("ticket", "t-9"); !triage.IsCode(err, triage.ENOTFOUND) || triage.ErrorMessage(err) != "ticket t-9 not found" {
		t.Errorf("NotFound: %v", err)
	}
}

func asError(err error, e **triage.Error) bool { return errors.As(err, e) }

func TestCheckVectors(t *testing.T) {
	good := func() []*triage.Vector {
		return []*triage.Vector{
			{DocID: "a-2#0", Kind: triage.DocArticle, OwnerID: "a-2", Model: "m", Vec: []float32{1, 0, 0, 0}},
			{DocID: "a-2#1", Kind: triage.DocArticle, OwnerID: "a-2", Model: "m", Vec: []float32{0, 1, 0, 0}},
		}
	}
	spoil := func(f func(vs []*triage.Vector)) []*triage.Vector {
		vs := good()
		f(vs)
		return vs
	}
	for _, tc := range []struct {
		name        string
		kind, owner string
		vecs        []*triage.Vector
		field       string // "" when the vectors are good
	}{
		{"good", triage.DocArticle, "a-2", good(), ""},
		{"no vectors", triage.DocArticle, "a-2", nil, "vectors"},
		{"empty kind", "", "a-2", good(), "kind"},
		{"empty owner", triage.DocArticle, "", good(), "owner_id"},
		{"a nil vector", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[1] = nil }), "vectors[1]"},
		{"an empty DocID", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[1].DocID = "" }), "vectors[1].doc_id"},
		{"a DocID twice", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[1].DocID = vs[0].DocID }), "vectors[1].doc_id"},
		{"another kind", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[1].Kind = triage.DocTicket }), "vectors[1].kind"},
		{"an empty kind in a vector", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[0].Kind = "" }), "vectors[0].kind"},
		{"another owner", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[1].OwnerID = "a-1" }), "vectors[1].owner_id"},
		{"two models", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[1].Model = "n" }), "vectors[1].model"},
		{"no model", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[0].Model, vs[1].Model = "", "" }), "vectors[0].model"},
		{"an empty vector", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[1].Vec = nil }), "vectors[1].vec"},
		{"two dimensions", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[1].Vec = vs[1].Vec[:3] }), "vectors[1].vec"},
		{"NaN", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[1].Vec[2] = float32(math.NaN()) }), "vectors[1].vec"},
		{"+Inf", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[0].Vec[0] = float32(math.Inf(1)) }), "vectors[0].vec"},
		{"-Inf", triage.DocArticle, "a-2", spoil(func(vs []*triage.Vector) { vs[1].Vec[3] = float32(math.Inf(-1)) }), "vectors[1].vec"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			model, dim, err := triage.CheckVectors(tc.kind, tc.owner, tc.vecs)
			if tc.field == "" {
				if err != nil || model != "m" || dim != 4 {
					t.Fatalf("good vectors: %q %d %v", model, dim, err)
				}
				return
			}
			var e *triage.Error
			if !asError(err, &e) || e.Code != triage.EINVALID || e.Field != tc.field {
				t.Fatalf("got %v, want EINVALID naming %s", err, tc.field)
			}
		})
	}
}

func TestAsStored(t *testing.T) {
	at := time.Date(2026, 11, 15, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	want := triage.StoreTime(at)
	t.Run("ticket", func(t *testing.T) {
		tk := &triage.Ticket{CreatedAt: at, UpdatedAt: at, SolvedAt: &at}
		tk.AsStored()
		if !tk.CreatedAt.Equal(want) || tk.CreatedAt.Location() != time.UTC || !tk.SolvedAt.Equal(want) || tk.ClosedAt != nil {
			t.Errorf("times %v %v %v", tk.CreatedAt, tk.SolvedAt, tk.ClosedAt)
		}
		if tk.Tags == nil || tk.Fields == nil {
			t.Errorf("nil tags or fields: %#v %#v", tk.Tags, tk.Fields)
		}
	})
	t.Run("delivery", func(t *testing.T) {
		d := &triage.Delivery{DurationMS: 1.23456, Log: nil, CreatedAt: at}
		d.AsStored()
		if d.DurationMS != 1.235 || d.Log == nil || string(d.Payload) != "{}" || !d.CreatedAt.Equal(want) {
			t.Errorf("delivery %+v", d)
		}
		if got := triage.DurationMicros(1.23456); got != 1235 {
			t.Errorf("DurationMicros(1.23456) = %d", got)
		}
	})
	t.Run("webhook", func(t *testing.T) {
		w := &triage.Webhook{SigningKey: "whsec_0123456789abcdef", SecretHint: "stale"}
		w.AsStored()
		if w.SecretHint != "whsec_0123…" || w.Events == nil {
			t.Errorf("webhook %+v", w)
		}
	})
	t.Run("model info", func(t *testing.T) {
		var i triage.ModelInfo
		i.AsStored()
		if !i.TrainedFrom.IsZero() || i.Metrics == nil || i.Classes == nil || i.Sources == nil {
			t.Errorf("model info %+v", i)
		}
	})
	t.Run("calendar", func(t *testing.T) {
		c := &triage.Calendar{Hours: []triage.OpeningHours{{}}}
		c.AsStored()
		if c.Hours[0].Days == nil || c.Holidays == nil || c.Workdays == nil {
			t.Errorf("calendar %+v", c)
		}
	})
}
