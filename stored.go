package triage

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// The rules every store keeps alike, written once here so the two stores
// (sqlite and postgres) cannot drift apart: the form a value takes when it
// is stored and read back, the checks on what may be stored, and how a
// list is cut into pages. Each store applies them beside its own SQL;
// storetest checks that both do.

// StoreTime is t as every store keeps it: UTC, at microsecond precision
// (PostgreSQL's and, by choice, SQLite's).
func StoreTime(t time.Time) time.Time { return time.UnixMicro(t.UnixMicro()).UTC() }

// StoreTimePtr is StoreTime for an optional time.
func StoreTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := StoreTime(*t)
	return &u
}

// NonNil returns s, or an empty slice for nil: a stored list reads back as
// [] in JSON, never null.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// DurationMicros is a duration in milliseconds as the stores keep it: whole
// microseconds.
func DurationMicros(ms float64) int64 { return int64(math.Round(ms * 1000)) }

// NotFound is the error of a read or write of a missing record.
func NotFound(kind, id string) error {
	return Errorf(ENOTFOUND, "%s %s not found", kind, id)
}

// Required refuses an empty identifier or key a record must have.
func Required(field, value string) error {
	if value == "" {
		return Invalid(field, "%s is required", field)
	}
	return nil
}

// SecretHint is the start of a signing secret, shown in its place to tell
// two apart; a key too short to cut safely has none.
func SecretHint(key string) string {
	if len(key) <= 10 {
		return ""
	}
	return key[:10] + "…"
}

// PolicyScopeTaken is the error of a second SLA policy for the same
// priority, team, category and tag.
func PolicyScopeTaken(p *SLAPolicy) error {
	return Errorf(ECONFLICT, "another SLA policy already covers priority %s with the same team, category and tag", p.Priority)
}

// Page sizes of the store's other lists: what a limit of 0 or less
// means, and the most one page holds (DefaultPageSize and MaxPageSize are
// those of the lists the API pages through). A follower catching up after
// a rebuild reads many pages of changes or vectors; the caps keep one
// page's memory bounded.
const (
	DefaultChangesPage     = 1000
	MaxChangesPage         = 10000
	DefaultVectorsPage     = 1000
	MaxVectorsPage         = 10000
	DefaultTicketSLAsPage  = 500
	MaxTicketSLAsPage      = 5000
	DefaultSuggestionsPage = 200 // no maximum: the KB gap report reads them all
	DefaultWaitingPage     = 200 // no maximum: routing drains the queue
)

// Limit applies a list's page sizes to a requested limit: 0 or less is
// def, more than max is max (a max of 0 is no maximum).
func Limit(limit, def, max int) int {
	switch {
	case limit <= 0:
		return def
	case max > 0 && limit > max:
		return max
	}
	return limit
}

// PageLimit is Limit with DefaultPageSize and MaxPageSize.
func PageLimit(limit int) int { return Limit(limit, DefaultPageSize, MaxPageSize) }

// Page cuts a list read with one row more than limit (that row tells
// whether there is a next page) to limit rows, and returns the token of
// the next page, which next makes from the last row kept: "" on the last
// page.
func Page[T any](rows []T, limit int, next func(last T) string) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, next(rows[limit-1])
}

// CheckVectors checks the vectors of one owner before a store keeps them:
// at least one, each complete and finite, all of the owner's kind, one
// model and one dimension, no document twice. It returns the model and the
// dimension they share. A store checks everything before it writes
// anything, so a refused call changes nothing even if the caller carries
// on and commits.
func CheckVectors(kind, ownerID string, vecs []*Vector) (model string, dim int, err error) {
	if err := Required("kind", kind); err != nil {
		return "", 0, err
	}
	if err := Required("owner_id", ownerID); err != nil {
		return "", 0, err
	}
	if len(vecs) == 0 {
		return "", 0, Invalid("vectors", "no vectors to put for %s %s; DeleteVectors removes an owner's vectors", kind, ownerID)
	}
	seen := make(map[string]bool, len(vecs))
	for i, v := range vecs {
		field := func(name string) string { return fmt.Sprintf("vectors[%d].%s", i, name) }
		switch {
		case v == nil:
			return "", 0, Invalid(fmt.Sprintf("vectors[%d]", i), "vector %d is nil", i)
		case v.DocID == "":
			return "", 0, Invalid(field("doc_id"), "vector %d has no doc_id", i)
		case seen[v.DocID]:
			return "", 0, Invalid(field("doc_id"), "document %s has two vectors in one call", v.DocID)
		case v.Kind != kind:
			return "", 0, Invalid(field("kind"), "vector %s is of kind %q, not %q", v.DocID, v.Kind, kind)
		case v.OwnerID != ownerID:
			return "", 0, Invalid(field("owner_id"), "vector %s belongs to %q, not %q", v.DocID, v.OwnerID, ownerID)
		case v.Model == "":
			return "", 0, Invalid(field("model"), "vector %s names no model", v.DocID)
		case i > 0 && v.Model != model:
			return "", 0, Invalid(field("model"), "vectors of one call must share a model: %q and %q", model, v.Model)
		case len(v.Vec) == 0:
			return "", 0, Invalid(field("vec"), "vector %s is empty", v.DocID)
		case i > 0 && len(v.Vec) != dim:
			return "", 0, Invalid(field("vec"), "vector %s has %d dimensions, the others %d", v.DocID, len(v.Vec), dim)
		}
		for j, f := range v.Vec {
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				return "", 0, Invalid(field("vec"), "vector %s holds %v at %d", v.DocID, f, j)
			}
		}
		seen[v.DocID] = true
		model, dim = v.Model, len(v.Vec)
	}
	return model, dim, nil
}

// AsStored makes a what a store returns for it: times in UTC at
// microsecond precision, lists empty rather than nil. A store applies it
// to what it writes, so the caller's value matches a later read, and to
// what it scans.
func (a *Agent) AsStored() {
	a.Skills = NonNil(a.Skills)
	a.LastAssignedAt = StoreTimePtr(a.LastAssignedAt)
	a.CreatedAt = StoreTime(a.CreatedAt)
	a.UpdatedAt = StoreTime(a.UpdatedAt)
}

// AsStored makes t what a store returns for it (see Agent.AsStored).
func (t *Team) AsStored() {
	t.Members = NonNil(t.Members)
	t.Categories = NonNil(t.Categories)
	t.CreatedAt = StoreTime(t.CreatedAt)
	t.UpdatedAt = StoreTime(t.UpdatedAt)
}

// AsStored makes a what a store returns for it (see Agent.AsStored).
func (a *Article) AsStored() {
	a.Tags = NonNil(a.Tags)
	if a.Visibility == "" {
		a.Visibility = ArticleInternal
	}
	a.CreatedAt = StoreTime(a.CreatedAt)
	a.UpdatedAt = StoreTime(a.UpdatedAt)
	a.PublishedAt = StoreTimePtr(a.PublishedAt)
}

// AsStored makes c what a store returns for it (see Agent.AsStored).
func (c *Calendar) AsStored() {
	c.Hours, c.Holidays, c.Workdays = NonNil(c.Hours), NonNil(c.Holidays), NonNil(c.Workdays)
	for i := range c.Hours {
		c.Hours[i].Days = NonNil(c.Hours[i].Days)
	}
	c.CreatedAt, c.UpdatedAt = StoreTime(c.CreatedAt), StoreTime(c.UpdatedAt)
}

// AsStored makes d what a store returns for it (see Agent.AsStored); its
// duration is kept in whole microseconds and a missing payload is {}.
func (d *Delivery) AsStored() {
	d.Log = NonNil(d.Log)
	for i := range d.Log {
		d.Log[i].At = StoreTime(d.Log[i].At)
	}
	d.CreatedAt = StoreTime(d.CreatedAt)
	d.UpdatedAt = StoreTime(d.UpdatedAt)
	d.CompletedAt = StoreTimePtr(d.CompletedAt)
	d.DurationMS = float64(DurationMicros(d.DurationMS)) / 1000
	if len(d.Payload) == 0 {
		d.Payload = json.RawMessage("{}")
	}
}

// AsStored makes i what a store returns for it (see Agent.AsStored); an
// unset TrainedFrom stays the zero time.
func (i *ModelInfo) AsStored() {
	i.Classes = NonNil(i.Classes)
	i.Sources = NonNil(i.Sources)
	if i.Metrics == nil {
		i.Metrics = map[string]float64{}
	}
	if !i.TrainedFrom.IsZero() {
		i.TrainedFrom = StoreTime(i.TrainedFrom)
	}
}

// AsStored makes r what a store returns for it (see Agent.AsStored).
func (r *TriageRecord) AsStored() {
	for _, d := range []*Decision{&r.Category, &r.Priority, &r.Assignee} {
		d.Why = NonNil(d.Why)
	}
	for i := range r.Explanation.Rules {
		r.Explanation.Rules[i].Matched = NonNil(r.Explanation.Rules[i].Matched)
	}
	r.CreatedAt = StoreTime(r.CreatedAt)
}

// AsStored makes r what a store returns for it (see Agent.AsStored).
func (r *Rule) AsStored() {
	r.Any, r.All, r.None = NonNil(r.Any), NonNil(r.All), NonNil(r.None)
	r.Channels, r.Tiers, r.AddTags = NonNil(r.Channels), NonNil(r.Tiers), NonNil(r.AddTags)
	r.CreatedAt = StoreTime(r.CreatedAt)
	r.UpdatedAt = StoreTime(r.UpdatedAt)
}

// AsStored makes p what a store returns for it (see Agent.AsStored).
func (p *SLAPolicy) AsStored() {
	p.Escalations = NonNil(p.Escalations)
	p.CreatedAt, p.UpdatedAt = StoreTime(p.CreatedAt), StoreTime(p.UpdatedAt)
}

// AsStored makes s what a store returns for it (see Agent.AsStored).
func (s *Suggestions) AsStored() {
	s.Articles = NonNil(s.Articles)
	s.Tickets = NonNil(s.Tickets)
	s.Draft.Citations = NonNil(s.Draft.Citations)
	s.Degraded = s.Reason != nil
	s.CreatedAt = StoreTime(s.CreatedAt)
}

// AsStored makes s what a store returns for it (see Agent.AsStored).
func (s *Survey) AsStored() {
	s.CreatedAt, s.ExpiresAt, s.AnsweredAt = StoreTime(s.CreatedAt), StoreTime(s.ExpiresAt), StoreTimePtr(s.AnsweredAt)
}

// AsStored makes t what a store returns for it (see Agent.AsStored); a
// ticket without custom fields has an empty map.
func (t *Ticket) AsStored() {
	t.CreatedAt = StoreTime(t.CreatedAt)
	t.UpdatedAt = StoreTime(t.UpdatedAt)
	t.FirstResponseAt = StoreTimePtr(t.FirstResponseAt)
	t.SolvedAt = StoreTimePtr(t.SolvedAt)
	t.ClosedAt = StoreTimePtr(t.ClosedAt)
	t.Tags = NonNil(t.Tags)
	if t.Fields == nil {
		t.Fields = map[string]string{}
	}
}

// AsStored makes r what a store returns for it (see Agent.AsStored).
func (r *TicketSLA) AsStored() {
	r.Targets = NonNil(r.Targets)
	for i := range r.Targets {
		t := &r.Targets[i]
		t.StartedAt = StoreTime(t.StartedAt)
		t.DueAt, t.WarnAt, t.MetAt = StoreTimePtr(t.DueAt), StoreTimePtr(t.WarnAt), StoreTimePtr(t.MetAt)
		t.BreachedAt, t.WarnedAt, t.NotifiedAt = StoreTimePtr(t.BreachedAt), StoreTimePtr(t.WarnedAt), StoreTimePtr(t.NotifiedAt)
	}
	r.NextCheckAt = StoreTimePtr(r.NextCheckAt)
	r.ComputedAt = StoreTime(r.ComputedAt)
}

// AsStored makes w what a store returns for it (see Agent.AsStored); its
// SecretHint is derived from its signing key.
func (w *Webhook) AsStored() {
	w.Events = NonNil(w.Events)
	w.CreatedAt = StoreTime(w.CreatedAt)
	w.UpdatedAt = StoreTime(w.UpdatedAt)
	w.SecretHint = SecretHint(w.SigningKey)
}
