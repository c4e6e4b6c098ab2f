// Package storetest is the conformance suite for triage.Store: every store
// (the embedded SQLite one, the Postgres one) must pass it, so that the
// service behaves the same whichever one it runs on.
//
// Beyond what the interface's comments say, the suite pins down these
// behaviours, which callers rely on:
//
//   - Times read back in UTC, truncated to the microsecond. Writes normalise
//     the caller's struct the same way (and set nil lists and maps to empty
//     ones), so that after a successful write the caller's copy equals what
//     a read returns.
//   - Lists and maps are never nil when read: [] and {} in JSON, not null.
//     List methods return an empty, non-nil slice when nothing matches.
//   - Creates set Version to 1; versioned updates and deletes fail with
//     ESTALE when the version moved on and ENOTFOUND when the row is gone.
//     Duplicates are ECONFLICT. An empty id is EINVALID.
//   - Agents are unique by e-mail, ignoring case, when it is not empty. A
//     ticket's requester matches TicketFilter.RequesterID by phone exactly
//     or by e-mail ignoring case. TicketFilter.Terms selects the tickets
//     whose title or body, normalised by the segmenter, contains any term
//     as a substring (no wildcards), lists them by triage.RankTickets and
//     pages them with a cursor that holds the score; a cursor of a plain
//     list is refused by a search and the reverse (EINVALID). Terms that
//     are all empty match nothing. The store must be opened with
//     segment.Normalize as its normaliser, and fills a ticket's search
//     text with every write of it.
//   - Agents and teams are listed by name then id, tokens oldest first,
//     comments oldest first, history by time and then insertion order,
//     rules by Position then id, dictionary words by the byte order of their
//     UTF-8 (Go's string order, not a locale's collation), and the models
//     of a kind newest first, by CreatedAt and then id, both descending.
//   - CountTickets counts what Tickets would list over all its pages, for
//     every filter; it ignores Cursor (even one that does not decode) and
//     Limit.
//   - WaitingTickets holds exactly the tickets whose status is new, open or
//     pending, with no assignee, a category and NeedsReview false, ordered
//     by Priority.Rank (P1 first), then CreatedAt, then id. A limit of 0 or
//     less means 200; a larger limit is honoured.
//   - AgentLoads has an entry for every agent (zeros included) and for any
//     other assignee holding active tickets; ByPriority always holds P1-P4.
//   - MarkAssigned sets LastAssignedAt and nothing else: the agent's Version
//     and UpdatedAt stay, so an admin's copy read before it still updates.
//     An unknown agent is ENOTFOUND.
//   - Revoking a revoked token keeps the first revocation time, and so does
//     revoking a revoked session. Deleting an agent deletes its account
//     and its sessions.
//   - Rules are stored as given: the store checks nothing but the id
//     (Rule.Validate is the service's job), and Weight reads back exactly.
//   - PutDictWord adds a word or replaces its Freq and Tag. A replaced word
//     keeps its first CreatedAt; a new word with a zero CreatedAt gets the
//     time of the write; either way the caller's struct gets the stored
//     time. An empty word is EINVALID; deleting an absent word is ENOTFOUND.
//   - SaveModel needs an id and a kind (EINVALID otherwise); an id already
//     used, by a model of any kind, is ECONFLICT. The saved model becomes
//     the only active model of its kind and the caller's Active is set.
//     ActivateModel (ENOTFOUND for an unknown id) switches the active model
//     of that model's kind and touches no other kind. A kind never has more
//     than one active model, and a failed save or activation leaves it as it
//     was. Model and ActiveModel (ENOTFOUND when the kind has none) return
//     the blob; Models leaves Blob nil. ModelInfo's Classes, Sources and
//     Metrics read back empty rather than nil.
//   - Articles lists by UpdatedAt, then id, both descending, with the
//     ticket list's paging rules (limit 0 or less means DefaultPageSize,
//     more than MaxPageSize means MaxPageSize, a next cursor only when more
//     follow). Its cursor is a triage.Cursor whose CreatedAt field holds the
//     UpdatedAt of the page's last article. ArticleFilter.Status matches any
//     of its statuses, and Text matches a substring of title or body,
//     ignoring ASCII case, with no wildcards.
//   - CreateArticle takes the article as given but for Version (1), and
//     does not write a version row. UpdateArticle is versioned like
//     UpdateTicket and never changes CreatedAt or AuthorID: the caller's
//     struct gets the stored ones back.
//   - AddArticleVersion needs an article id and a Version of 1 or more
//     (EINVALID), an existing article (ENOTFOUND) and a version the article
//     does not have yet (ECONFLICT); it does not check that the number is
//     the article's. ArticleVersions lists by Version, ascending: empty
//     for an article without versions, ENOTFOUND for no article.
//     ArticleVersion is ENOTFOUND when the article or the version is
//     missing.
//   - Vectors read back bit for bit (negative zero and subnormals
//     included); a slice read is the caller's to change. PutVectors leaves
//     the caller's Vec alone, sets a zero UpdatedAt to the time of the write
//     and normalises it. It is EINVALID, writing nothing, when vecs is
//     empty, a vector is nil, has no DocID or repeats one, its Kind or
//     OwnerID differ from the arguments, the vectors do not share one
//     non-empty Model or one dimension, the dimension differs from that of
//     the model's stored vectors of other owners, or a value is NaN or
//     ±Inf; ECONFLICT when a DocID has a vector of the model that belongs to
//     another owner. It replaces only the owner's vectors of that model;
//     owners are per kind. DeleteVectors removes the owner's vectors of every
//     model and succeeds when there are none; an empty kind or owner is
//     EINVALID. Vectors pages by DocID in byte order: a limit of 0 or less
//     means 1000, a larger one up to 10000 is honoured, and the cursor
//     returned is the page's last DocID when more follow, "" otherwise (an
//     exactly full last page included). VectorOwners lists each owner once,
//     in byte order.
//   - SaveSuggestions needs an id and a ticket id (EINVALID), refuses a
//     NaN or infinite score (EINVALID) and a used id (ECONFLICT); nil
//     Articles, Tickets and Draft.Citations read back empty, and scores
//     read back exactly. LatestSuggestion is the ticket's newest by
//     CreatedAt then id, ENOTFOUND when it has none. Suggestions lists
//     newest first (CreatedAt, then id, both descending); Since is
//     inclusive; MaxBestArticle, when above 0, keeps BestArticle <= it; a
//     limit of 0 or less means 200 and a larger one is honoured.
//   - AddFeedback needs an id and a suggestion id and an Action of
//     accepted, edited or rejected (EINVALID); an unknown suggestion is
//     ENOTFOUND and a used id ECONFLICT. Feedback lists oldest first, and
//     verdicts of the same instant in the order they were added; an
//     unknown suggestion has an empty list. FeedbackCounts has one entry
//     per (SourceKind, SourceID) with a verdict at or after since (a zero
//     since counts all), ordered by Rejected descending, then SourceKind,
//     then SourceID.
//   - The change log gets one entry per successful write call: CreateTicket
//     (ticket, create); UpdateTicket, AddComment, SaveTriageRecord (ticket,
//     update); AddHistory one (ticket, update) per ticket it touches;
//     agents, teams and rules create, update, delete; MarkAssigned (agent,
//     update); CreateToken (token, create); RevokeToken (token, update);
//     PutDictWord (dict, the word, update), for a new word too;
//     DeleteDictWord (dict, the word, delete); SaveModel (model, create) and
//     ActivateModel (model, update), one entry even when another model
//     stops being active; CreateArticle (article, create) and UpdateArticle
//     (article, update), while AddArticleVersion logs nothing of its own;
//     PutVectors (vector, "<kind>:<owner>", update) and DeleteVectors
//     (vector, "<kind>:<owner>", delete), also when the owner had none;
//     SaveSuggestions (suggestion, create); AddFeedback (feedback, create).
//     SaveIdempotency logs nothing. Sequence numbers
//     increase in commit order; rolled-back writes leave no entry, and
//     neither do writes that fail with ESTALE or ENOTFOUND in a transaction
//     that then commits.
//
// A failed write ends its transaction in these tests (the function given to
// Update returns the error), because on Postgres any error aborts the
// transaction.
package storetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// Run runs the suite. open must return a new, empty store for each call;
// Run closes it when the sub-test ends, after which open's own t.Cleanup
// functions run (to drop a database, for example).
func Run(t *testing.T, open func(t *testing.T) triage.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"tickets", ticketTests},
		{"list", listTests},
		{"search", searchTests},
		{"related", relatedTests},
		{"people", peopleTests},
		{"auth", authTests},
		{"rules", ruleTests},
		{"models", modelTests},
		{"routing", routingTests},
		{"articles", articleTests},
		{"vectors", vectorTests},
		{"suggestions", suggestionTests},
		{"tx", txTests},
		{"webhooks", webhookTests},
		{"links", linkTests},
		{"reports", reportTests},
		{"sla", slaTests},
		{"csat", csatTests},
		{"mail", mailTests},
		{"wechat", wechatTests},
		{"macros", macroTests},
		{"imports", importTests},
		{"viewers", viewerTests},
		{"notifications", notificationTests},
		{"help", helpTests},
		{"accounts", accountTests},
		{"portal", portalTests},
		{"sign-in links", signInTests},
		{"automations", automationTests},
		{"revisions", revisionTests},
		{"shadows", shadowTests},
		{"inbox", inboxTests},
		{"settings", settingsTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					s := open(t)
					t.Cleanup(func() {
						if err := s.Close(); err != nil {
							t.Errorf("Close: %v", err)
						}
					})
					tc.fn(t, s)
				})
			}
		})
	}
}

// test is one behaviour, run against a fresh store.
type test struct {
	name string
	fn   func(t *testing.T, s triage.Store)
}

// base is the fixtures' clock: a fixed instant, so that tests do not depend
// on when they run.
var base = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// cst is China Standard Time, to check that stores convert to UTC.
var cst = time.FixedZone("CST", 8*3600)

// stored is t as a store returns it.
func stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// storedPtr is stored for optional times.
func storedPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := stored(*t)
	return &u
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// update runs fn in a transaction and fails the test if it fails.
func update(t *testing.T, s triage.Store, fn func(tx triage.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// updateErr runs fn in a transaction and returns its error.
func updateErr(t *testing.T, s triage.Store, fn func(tx triage.Tx) error) error {
	t.Helper()
	return s.Update(t.Context(), fn)
}

// wantCode fails the test unless err is a *triage.Error with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *triage.Error
	switch {
	case err == nil:
		t.Fatalf("err = nil, want code %q", code)
	case !errors.As(err, &e):
		t.Fatalf("err = %v (%T), want a *triage.Error with code %q", err, err, code)
	case e.Code != code:
		t.Fatalf("err code = %q (%v), want %q", e.Code, err, code)
	case e.Message == "":
		t.Fatalf("err %v has no message", err)
	}
}

// sameJSON fails the test unless got and want marshal to the same JSON. JSON
// is what clients see, and it tells apart what matters here: null from [],
// and a time's instant and offset to the nanosecond.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("%s: marshal got: %v", what, err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("%s: marshal want: %v", what, err)
	}
	if string(g) != string(w) {
		t.Fatalf("%s:\n got  %s\n want %s", what, g, w)
	}
}

// wantUTC fails the test unless every time is in UTC.
func wantUTC(t *testing.T, what string, times ...time.Time) {
	t.Helper()
	for i, tm := range times {
		if tm.Location() != time.UTC {
			t.Errorf("%s: time %d (%v) is in %v, want UTC", what, i, tm, tm.Location())
		}
	}
}

// ids returns the ids of tickets, in order.
func ids(ts []*triage.Ticket) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// newTicket is a minimal valid ticket created at created.
func newTicket(id string, created time.Time) *triage.Ticket {
	return &triage.Ticket{
		ID:        id,
		Title:     "无法登录 " + id,
		Body:      "登录时提示密码错误，重置后仍然不行。",
		Channel:   triage.ChannelWeb,
		Status:    triage.StatusNew,
		Priority:  triage.P3,
		CreatedAt: created,
		UpdatedAt: created,
	}
}

// createTickets stores ts in one transaction.
func createTickets(t *testing.T, s triage.Store, ts ...*triage.Ticket) {
	t.Helper()
	update(t, s, func(tx triage.Tx) error {
		for _, tk := range ts {
			if err := tx.CreateTicket(t.Context(), tk); err != nil {
				return err
			}
		}
		return nil
	})
}
