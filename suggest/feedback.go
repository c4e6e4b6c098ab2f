package suggest

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// AddFeedback records an agent's verdict on one source, or on the draft, of
// a stored suggestion set.
func (s *Service) AddFeedback(ctx context.Context, suggestionID string, in triage.NewFeedback, idem *triage.Idempotency) (*triage.Feedback, error) {
	switch in.Action {
	case triage.FeedbackAccepted, triage.FeedbackEdited, triage.FeedbackRejected:
	default:
		return nil, triage.Invalid("action", "action %q is not accepted, edited or rejected", in.Action)
	}
	switch {
	case in.Action == triage.FeedbackEdited && strings.TrimSpace(in.FinalText) == "":
		return nil, triage.Invalid("final_text", "final_text is required when the action is edited: it is what the agent sent")
	case in.Action == triage.FeedbackRejected && strings.TrimSpace(in.Reason) == "":
		return nil, triage.Invalid("reason", "reason is required when the action is rejected: it is what editors learn from")
	case len(in.FinalText) > triage.MaxCommentSize || !utf8.ValidString(in.FinalText):
		return nil, triage.Invalid("final_text", "final_text must be valid text of at most %d bytes", triage.MaxCommentSize)
	case utf8.RuneCountInString(in.Reason) > 500:
		return nil, triage.Invalid("reason", "reason is longer than 500 characters")
	}
	return triage.Write(ctx, s.Store, idem, s.now(), nil, func(tx triage.Tx) (*triage.Feedback, error) {
		sg, err := tx.Suggestion(ctx, suggestionID)
		if err != nil {
			return nil, err
		}
		switch in.SourceKind {
		case triage.FeedbackDraft:
			if in.SourceID != "" {
				return nil, triage.Invalid("source_id", "source_id must be empty for the draft")
			}
		case triage.DocArticle, triage.DocTicket:
			list := sg.Articles
			if in.SourceKind == triage.DocTicket {
				list = sg.Tickets
			}
			if !slices.ContainsFunc(list, func(src triage.Source) bool { return src.ID == in.SourceID }) {
				return nil, triage.Invalid("source_id", "%s %q was not among these suggestions", in.SourceKind, in.SourceID)
			}
		default:
			return nil, triage.Invalid("source_kind", "source_kind %q is not article, ticket or draft", in.SourceKind)
		}
		f := &triage.Feedback{
			ID: triage.NewID(), SuggestionID: sg.ID, TicketID: sg.TicketID, SourceKind: in.SourceKind, SourceID: in.SourceID,
			Action: in.Action, FinalText: in.FinalText, Reason: strings.TrimSpace(in.Reason), Actor: triage.ActorFromContext(ctx), CreatedAt: s.now(),
		}
		return f, tx.AddFeedback(ctx, f)
	})
}

// Rate is how often suggestions were taken.
type Rate struct {
	Accepted int `json:"accepted"`
	Edited   int `json:"edited"`
	Rejected int `json:"rejected"`
	// Acceptance counts an edit as taken: the agent used the source and
	// changed the wording.
	Acceptance float64 `json:"acceptance"`
}

func (r *Rate) add(c triage.FeedbackCount) {
	r.Accepted += c.Accepted
	r.Edited += c.Edited
	r.Rejected += c.Rejected
	if n := r.Accepted + r.Edited + r.Rejected; n > 0 {
		r.Acceptance = math.Round(float64(r.Accepted+r.Edited)/float64(n)*1e4) / 1e4
	}
}

// SourceRate is one source's acceptance.
type SourceRate struct {
	Kind  string `json:"kind"`
	ID    string `json:"id"`
	Title string `json:"title"`
	Rate
}

// Stats is suggestion acceptance overall, for drafts, and per source.
type Stats struct {
	Since   time.Time    `json:"since"`
	Overall Rate         `json:"overall"`
	Drafts  Rate         `json:"drafts"`
	Sources []SourceRate `json:"sources"`
}

// Stats sums feedback since a time.
func (s *Service) Stats(ctx context.Context, since time.Time) (*Stats, error) {
	counts, err := s.Store.FeedbackCounts(ctx, since)
	if err != nil {
		return nil, err
	}
	st := &Stats{Since: since, Sources: []SourceRate{}}
	for _, c := range counts {
		st.Overall.add(c)
		if c.SourceKind == triage.FeedbackDraft {
			st.Drafts.add(c)
			continue
		}
		sr := SourceRate{Kind: c.SourceKind, ID: c.SourceID, Title: s.title(ctx, c.SourceKind, c.SourceID)}
		sr.add(c)
		st.Sources = append(st.Sources, sr)
	}
	return st, nil
}

func (s *Service) title(ctx context.Context, kind, id string) string {
	if kind == triage.DocArticle {
		if a, err := s.Store.Article(ctx, id); err == nil {
			return a.Title
		}
	} else if t, err := s.Store.Ticket(ctx, id); err == nil {
		return t.Title
	}
	return ""
}

// Gaps is the knowledge base's to-do list for its editors.
type Gaps struct {
	Since time.Time `json:"since"`
	// Rejected are the articles agents reject most, with the reasons.
	Rejected []RejectedArticle `json:"rejected"`
	// Unanswered groups recent tickets for which no article came close.
	Unanswered []TicketGroup `json:"unanswered"`
	// Threshold is the best-article similarity under which a ticket counts
	// as unanswered.
	Threshold float64 `json:"threshold"`
	// Readers are the help centre's answers to "这篇文章有帮助吗？": the
	// articles readers voted on, most unhelpful first.
	Readers []ReaderVotes `json:"readers"`
}

// ReaderVotes is what help-centre readers said of one article.
type ReaderVotes struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Helpful   int    `json:"helpful"`
	Unhelpful int    `json:"unhelpful"`
}

// RejectedArticle is an article behind rejections.
type RejectedArticle struct {
	SourceRate
	Reasons []string `json:"reasons"`
}

// TicketGroup is a set of similar tickets the KB did not answer.
type TicketGroup struct {
	Size     int      `json:"size"`
	Category string   `json:"category"`
	Terms    []string `json:"terms"`   // words most of them share
	Tickets  []string `json:"tickets"` // ids, newest first
	Titles   []string `json:"titles"`
}

// GapThreshold is the best-article cosine under which a ticket counts as
// one the KB did not answer.
const GapThreshold = 0.35

// Gaps finds the articles behind most rejections and groups of recent
// tickets the KB did not answer. segWords splits text into words for the
// groups' shared terms.
func (s *Service) Gaps(ctx context.Context, since time.Time, seg triage.Segmenter) (*Gaps, error) {
	g := &Gaps{Since: since, Rejected: []RejectedArticle{}, Unanswered: []TicketGroup{}, Threshold: GapThreshold, Readers: []ReaderVotes{}}
	votes, err := s.Store.ArticleVoteCounts(ctx, since)
	if err != nil {
		return nil, err
	}
	for _, v := range votes[:min(len(votes), 20)] {
		g.Readers = append(g.Readers, ReaderVotes{ID: v.ArticleID, Title: s.title(ctx, triage.DocArticle, v.ArticleID), Helpful: v.Helpful, Unhelpful: v.Unhelpful})
	}
	stats, err := s.Stats(ctx, since)
	if err != nil {
		return nil, err
	}
	for _, sr := range stats.Sources {
		if sr.Kind != triage.DocArticle || sr.Rejected == 0 {
			continue
		}
		g.Rejected = append(g.Rejected, RejectedArticle{SourceRate: sr, Reasons: []string{}})
	}
	slices.SortStableFunc(g.Rejected, func(a, b RejectedArticle) int { return cmp.Compare(b.Rejected, a.Rejected) })
	g.Rejected = g.Rejected[:min(len(g.Rejected), 20)]
	if err := s.reasons(ctx, since, g.Rejected); err != nil {
		return nil, err
	}
	g.Unanswered, err = s.unanswered(ctx, since, seg)
	return g, err
}

// reasons collects the rejection reasons of each article from the stored
// suggestions' feedback.
func (s *Service) reasons(ctx context.Context, since time.Time, arts []RejectedArticle) error {
	if len(arts) == 0 {
		return nil
	}
	sgs, err := s.Store.Suggestions(ctx, triage.SuggestionFilter{Since: since, Limit: 1000})
	if err != nil {
		return err
	}
	for _, sg := range sgs {
		fb, err := s.Store.Feedback(ctx, sg.ID)
		if err != nil {
			return err
		}
		for _, f := range fb {
			if f.Action != triage.FeedbackRejected {
				continue
			}
			for i := range arts {
				if arts[i].ID == f.SourceID && len(arts[i].Reasons) < 10 && !slices.Contains(arts[i].Reasons, f.Reason) {
					arts[i].Reasons = append(arts[i].Reasons, f.Reason)
				}
			}
		}
	}
	return nil
}
