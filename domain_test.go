package triage_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// field is the Field of err's *triage.Error when its code is EINVALID, and
// "" for no error; another error is reported as it is.
func field(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *triage.Error
	if !errors.As(err, &e) || e.Code != triage.EINVALID {
		t.Fatalf("got %v, want EINVALID", err)
	}
	return e.Field
}

func TestTicketLifecycle(t *testing.T) {
	// allowed[from] lists the moves the README's lifecycle draws:
	// new → open → pending ⇄ open → solved → closed, solved → open.
	allowed := map[triage.Status][]triage.Status{
		triage.StatusNew:     {triage.StatusOpen, triage.StatusPending, triage.StatusSolved},
		triage.StatusOpen:    {triage.StatusPending, triage.StatusSolved},
		triage.StatusPending: {triage.StatusOpen, triage.StatusSolved},
		triage.StatusSolved:  {triage.StatusOpen, triage.StatusClosed},
		triage.StatusClosed:  nil,
	}
	for _, from := range triage.Statuses() {
		for _, to := range triage.Statuses() {
			t.Run(string(from)+" to "+string(to), func(t *testing.T) {
				if got, want := from.CanMoveTo(to), slices.Contains(allowed[from], to); got != want {
					t.Errorf("CanMoveTo = %v, want %v", got, want)
				}
			})
		}
	}
	for _, tc := range []struct {
		s             triage.Status
		valid, active bool
	}{
		{triage.StatusNew, true, true}, {triage.StatusOpen, true, true}, {triage.StatusPending, true, true},
		{triage.StatusSolved, true, false}, {triage.StatusClosed, true, false}, {"reopened", false, false}, {"", false, false},
	} {
		t.Run("status "+string(tc.s), func(t *testing.T) {
			if tc.s.Valid() != tc.valid || tc.s.Active() != tc.active {
				t.Errorf("Valid %v Active %v, want %v %v", tc.s.Valid(), tc.s.Active(), tc.valid, tc.active)
			}
			if !tc.valid && tc.s.Next() != nil {
				t.Errorf("an unknown status may move to %v", tc.s.Next())
			}
		})
	}
}

func TestArticleLifecycle(t *testing.T) {
	allowed := map[triage.ArticleStatus][]triage.ArticleStatus{
		triage.ArticleDraft:     {triage.ArticleInReview, triage.ArticlePublished, triage.ArticleArchived},
		triage.ArticleInReview:  {triage.ArticleDraft, triage.ArticlePublished, triage.ArticleArchived},
		triage.ArticlePublished: {triage.ArticleDraft, triage.ArticleArchived},
		triage.ArticleArchived:  {triage.ArticleDraft},
	}
	for _, from := range triage.ArticleStatuses() {
		for _, to := range append(triage.ArticleStatuses(), "deleted") {
			t.Run(string(from)+" to "+string(to), func(t *testing.T) {
				if got, want := from.CanMoveTo(to), slices.Contains(allowed[from], to); got != want {
					t.Errorf("CanMoveTo = %v, want %v", got, want)
				}
			})
		}
	}
	if triage.ArticleStatus("deleted").Valid() || triage.ArticleStatus("deleted").Next() != nil {
		t.Error("an unknown article status is valid or may move")
	}
}

func TestPriority(t *testing.T) {
	for _, tc := range []struct {
		p     triage.Priority
		rank  int
		valid bool
	}{{triage.P1, 1, true}, {triage.P2, 2, true}, {triage.P3, 3, true}, {triage.P4, 4, true}, {"P5", 0, false}, {"p1", 0, false}, {"", 0, false}} {
		t.Run(string(tc.p), func(t *testing.T) {
			if tc.p.Rank() != tc.rank || tc.p.Valid() != tc.valid {
				t.Errorf("Rank %d Valid %v, want %d %v", tc.p.Rank(), tc.p.Valid(), tc.rank, tc.valid)
			}
		})
	}
}

func TestRuleValidate(t *testing.T) {
	// upper stands in for the segmenter's normalisation: rule words are
	// compared in the form tickets are.
	upper := strings.ToUpper
	good := func() triage.Rule {
		return triage.Rule{Name: " 退款 ", Any: []string{"refund"}, SetCategory: "支付与退款"}
	}
	for _, tc := range []struct {
		name  string
		edit  func(r *triage.Rule)
		field string
		check func(t *testing.T, r triage.Rule)
	}{
		{"a good rule is normalised", func(r *triage.Rule) { r.Any = []string{" refund", "REFUND", "退款"} }, "", func(t *testing.T, r triage.Rule) {
			if r.Name != "退款" || !slices.Equal(r.Any, []string{"REFUND", "退款"}) || r.Mode != triage.RuleOverride || r.Weight != 0 {
				t.Errorf("normalised %+v", r)
			}
		}},
		{"a bias without a weight gets the default", func(r *triage.Rule) { r.Mode = triage.RuleBias }, "", func(t *testing.T, r triage.Rule) {
			if r.Weight != triage.DefaultBias {
				t.Errorf("weight %v", r.Weight)
			}
		}},
		{"tiers are lower-cased", func(r *triage.Rule) { r.Any, r.Tiers = nil, []string{" VIP "} }, "", func(t *testing.T, r triage.Rule) {
			if r.Tiers[0] != "vip" {
				t.Errorf("tiers %v", r.Tiers)
			}
		}},
		{"tags are cleaned", func(r *triage.Rule) { r.SetCategory, r.AddTags = "", []string{"Refund", "refund"} }, "", func(t *testing.T, r triage.Rule) {
			if !slices.Equal(r.AddTags, []string{"refund"}) {
				t.Errorf("tags %v", r.AddTags)
			}
		}},
		{"no name", func(r *triage.Rule) { r.Name = "  " }, "name", nil},
		{"a name too long", func(r *triage.Rule) { r.Name = strings.Repeat("长", triage.MaxNameRunes+1) }, "name", nil},
		{"an empty word", func(r *triage.Rule) { r.All = []string{"ok", " "} }, "all", nil},
		{"a word too long", func(r *triage.Rule) { r.None = []string{strings.Repeat("字", triage.MaxRuleWordRunes+1)} }, "none", nil},
		{"too many words", func(r *triage.Rule) {
			r.Any = nil
			for i := range triage.MaxRuleWords + 1 {
				r.Any = append(r.Any, strings.Repeat("a", i+1))
			}
		}, "any", nil},
		{"a regex that does not compile", func(r *triage.Rule) { r.Regex = "(退款" }, "regex", nil},
		{"a regex too long", func(r *triage.Rule) { r.Regex = strings.Repeat("a", triage.MaxRegexBytes+1) }, "regex", nil},
		{"an unknown channel", func(r *triage.Rule) { r.Channels = []triage.Channel{"fax"} }, "channels", nil},
		{"an empty tier", func(r *triage.Rule) { r.Tiers = []string{" "} }, "tiers", nil},
		{"no condition", func(r *triage.Rule) { r.Any = nil }, "any", nil},
		{"no action", func(r *triage.Rule) { r.SetCategory = " " }, "set_category", nil},
		{"an unknown priority", func(r *triage.Rule) { r.SetPriority = "P0" }, "set_priority", nil},
		{"an unknown mode", func(r *triage.Rule) { r.Mode = "replace" }, "mode", nil},
		{"a weight over 1", func(r *triage.Rule) { r.Mode, r.Weight = triage.RuleBias, 1.5 }, "weight", nil},
		{"a negative weight", func(r *triage.Rule) { r.Weight = -0.1 }, "weight", nil},
		{"a weight that is not a number", func(r *triage.Rule) { r.Weight = math.NaN() }, "weight", nil},
		{"a bad tag", func(r *triage.Rule) { r.AddTags = []string{"a b"} }, "add_tags", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := good()
			tc.edit(&r)
			if got := field(t, r.Validate(upper)); got != tc.field {
				t.Fatalf("error field %q, want %q", got, tc.field)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestCursor(t *testing.T) {
	at := time.Date(2026, 11, 15, 9, 30, 0, 123456000, time.UTC)
	t.Run("round trip", func(t *testing.T) {
		c := triage.Cursor{CreatedAt: at, ID: "t-1"}
		s := c.Encode()
		if strings.ContainsAny(s, "+/=") {
			t.Errorf("cursor %q is not URL-safe", s)
		}
		got, err := triage.DecodeCursor(s)
		if err != nil || got.ID != "t-1" || !got.CreatedAt.Equal(at) {
			t.Fatalf("DecodeCursor = %+v, %v", got, err)
		}
	})
	enc := func(v string) string { return base64.RawURLEncoding.EncodeToString([]byte(v)) }
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"not base64", "!!!"},
		{"padded base64", base64.URLEncoding.EncodeToString([]byte(`{"t":"2026-11-15T09:30:00Z","i":"t-1"}`)) + "="},
		{"not JSON", enc("t-1")},
		{"no id", enc(`{"t":"2026-11-15T09:30:00Z"}`)},
		{"a time that is not one", enc(`{"t":"yesterday","i":"t-1"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := triage.DecodeCursor(tc.in)
			if got := field(t, err); got != "cursor" {
				t.Fatalf("DecodeCursor(%q) field %q, want cursor", tc.in, got)
			}
		})
	}
}

func TestCheckVersion(t *testing.T) {
	for _, tc := range []struct {
		have, want int
		code       string
	}{{3, 3, ""}, {3, 0, ""}, {3, 2, triage.ESTALE}, {3, 4, triage.ESTALE}} {
		if got := triage.ErrorCode(triage.CheckVersion("ticket t-1", tc.have, tc.want)); got != tc.code {
			t.Errorf("CheckVersion(%d, %d) = %q, want %q", tc.have, tc.want, got, tc.code)
		}
	}
}

func TestOpt(t *testing.T) {
	for _, tc := range []struct {
		body      string
		set, null bool
		v         string
	}{{`{}`, false, false, ""}, {`{"f":null}`, true, true, ""}, {`{"f":"x"}`, true, false, "x"}, {`{"f":""}`, true, false, ""}} {
		t.Run(tc.body, func(t *testing.T) {
			var u struct{ F triage.Opt[string] }
			if err := json.Unmarshal([]byte(tc.body), &u); err != nil {
				t.Fatal(err)
			}
			if u.F.Set != tc.set || u.F.Null != tc.null || u.F.V != tc.v {
				t.Errorf("%+v", u.F)
			}
		})
	}
}

func TestValidateInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		field string
	}{
		{"a title and body", triage.ValidateText("退款", "三天了"), ""},
		{"no title", triage.ValidateText(" ", "三天了"), "title"},
		{"a title too long", triage.ValidateText(strings.Repeat("长", triage.MaxTitleRunes+1), ""), "title"},
		{"a body that is not UTF-8", triage.ValidateText("退款", "\xff"), "body"},
		{"a body too large", triage.ValidateText("退款", strings.Repeat("a", triage.MaxBodyBytes+1)), "body"},
		{"a requester", (&triage.Requester{Name: "陈女士", Email: "chen@example.com", Phone: "+86 138-0013-8000", Tier: "VIP"}).Validate(), ""},
		{"an e-mail with a name", (&triage.Requester{Email: "Chen <chen@example.com>"}).Validate(), "requester.email"},
		{"a phone with letters", (&triage.Requester{Phone: "call me"}).Validate(), "requester.phone"},
		{"a phone of three digits", (&triage.Requester{Phone: "123"}).Validate(), "requester.phone"},
		{"a phone that is mostly dashes", (&triage.Requester{Phone: "1----"}).Validate(), "requester.phone"},
		{"a landline", (&triage.Requester{Phone: "010-12345678"}).Validate(), ""},
		{"a short extension number", (&triage.Requester{Phone: "95588"}).Validate(), ""},
		{"a tier that is a sentence", (&triage.Requester{Tier: "very important"}).Validate(), "requester.tier"},
		{"tags", func() error { _, err := triage.CleanTags("tags", []string{"退款", "VIP"}); return err }(), ""},
		{"an empty tag", func() error { _, err := triage.CleanTags("tags", []string{""}); return err }(), "tags"},
		{"fields", triage.ValidateFields(map[string]string{"order_id": "2026111512345678"}), ""},
		{"a field name with a space", triage.ValidateFields(map[string]string{"order id": "1"}), "fields"},
		{"a team whose lead is not a member", (&triage.Team{Name: "退款组", Members: []string{"a1"}, LeadID: "a2"}).Validate(), "lead_id"},
		{"an agent over capacity", (&triage.Agent{Name: "李娜", Capacity: triage.MaxCapacity + 1}).Validate(), "capacity"},
		{"an agent with a bad e-mail", (&triage.Agent{Name: "李娜", Email: "lina@"}).Validate(), "email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := field(t, tc.err); got != tc.field {
				t.Errorf("error field %q, want %q (%v)", got, tc.field, tc.err)
			}
		})
	}
}
