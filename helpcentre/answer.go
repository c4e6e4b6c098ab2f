package helpcentre

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/suggest"
)

// found is a public published article found for a question, with the
// confidence that it answers it and the paragraph that matched.
type found struct {
	Article    *triage.Article
	Confidence float64
	Snippet    string
	Hit        kb.Hit
}

// findPublic searches the public published articles for q, best first,
// at most n. Like every page it drops what the help centre does not show,
// whatever the index holds.
func (s *Service) findPublic(ctx context.Context, q string, n int) ([]found, error) {
	if s.Search == nil {
		return nil, triage.Errorf(triage.EUNAVAILABLE, "search is not configured on this server")
	}
	hits, err := s.Search.Search(ctx, kb.Query{Text: q, Kind: triage.DocArticle, Mode: kb.ModeHybrid, K: kb.MaxK})
	if err != nil {
		return nil, err
	}
	out := []found{}
	for _, h := range hits {
		a, err := s.article(ctx, h.OwnerID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			continue
		} else if err != nil {
			return nil, err
		}
		snippet := ""
		if chunks := kb.Chunks(a); h.Chunk < len(chunks) {
			snippet = chunks[h.Chunk].Body
		}
		if out = append(out, found{Article: a, Confidence: suggest.AnswerConfidence(h), Snippet: snippet, Hit: h}); len(out) == n {
			break
		}
	}
	return out, nil
}

// MaxQuestionRunes bounds a bot's question.
const MaxQuestionRunes = 2000

// AnswerRequest is a bot's question (POST /v1/answer).
type AnswerRequest struct {
	Question string `json:"question"`
	// Customer is the asker's e-mail address or phone number when the bot
	// knows it, so that a ticket from them within 24 hours is not
	// counted as deflected. Only a hash of it is kept.
	Customer string `json:"customer"`
	// Session groups one conversation's questions.
	Session string `json:"session"`
}

// Citation is an article an answer cites.
type Citation struct {
	N     int    `json:"n"`
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// AnswerResult is the answer to a bot: a short grounded text citing
// public articles as [n], or handover true when a person must answer.
type AnswerResult struct {
	ID        string     `json:"id"`
	Answer    string     `json:"answer"`
	Handover  bool       `json:"handover"`
	Reason    string     `json:"reason,omitempty"`
	Mode      string     `json:"mode,omitempty"`
	Citations []Citation `json:"citations"`
	// Confidence is the best article's, the figure the threshold
	// (Threshold) is held to.
	Confidence float64 `json:"confidence"`
	Threshold  float64 `json:"threshold"`
	Category   string  `json:"category,omitempty"`
}

// Answer answers a bot's question from public articles, or hands over,
// and logs the outcome for the deflection report. It never cites an
// internal or unpublished article: the sources are the public ones only.
func (s *Service) Answer(ctx context.Context, in AnswerRequest) (*AnswerResult, error) {
	q := strings.TrimSpace(in.Question)
	switch {
	case q == "":
		return nil, triage.Invalid("question", "question is required")
	case !utf8.ValidString(q) || utf8.RuneCountInString(q) > MaxQuestionRunes:
		return nil, triage.Invalid("question", "question must be valid text of at most %d characters", MaxQuestionRunes)
	case len(in.Session) > 100 || len(in.Customer) > 200:
		return nil, triage.Invalid("session", "session (100) or customer (200) is too long")
	}
	fs, err := s.findPublic(ctx, q, 3)
	if err != nil {
		return nil, err
	}
	sources := make([]triage.Source, len(fs))
	for i, f := range fs {
		sources[i] = triage.Source{N: i + 1, Kind: triage.DocArticle, ID: f.Article.ID, Title: f.Article.Title, Snippet: f.Snippet,
			Category: f.Article.Category, URL: s.articleURL(f.Article.ID), LexicalRank: f.Hit.LexicalRank, LexicalScore: f.Hit.LexicalScore,
			VectorRank: f.Hit.VectorRank, VectorScore: f.Hit.VectorScore, Fused: f.Hit.Fused, Relevance: f.Confidence}
	}
	a := s.Writer.AnswerQuestion(ctx, q, sources, s.MinConfidence)
	out := &AnswerResult{Answer: a.Text, Handover: a.Handover, Reason: a.Why, Mode: a.Mode, Citations: []Citation{}, Threshold: s.MinConfidence}
	if len(fs) > 0 {
		out.Confidence, out.Category = round3(fs[0].Confidence), fs[0].Article.Category
	}
	for _, n := range a.Citations {
		if n >= 1 && n <= len(sources) {
			src := sources[n-1]
			out.Citations = append(out.Citations, Citation{N: n, ID: src.ID, Title: src.Title, URL: src.URL})
		}
	}
	kind := triage.HelpAnswer
	if out.Handover {
		kind = triage.HelpHandover
	}
	detail, _ := json.Marshal(struct {
		Answer    string     `json:"answer,omitempty"`
		Reason    string     `json:"reason,omitempty"`
		Citations []Citation `json:"citations"`
	}{out.Answer, out.Reason, out.Citations})
	e := &triage.HelpEvent{Kind: kind, Session: in.Session, Contact: triage.ContactKey(in.Customer), Category: out.Category,
		Query: clipRunes(q, 500), Detail: string(detail), Confidence: out.Confidence}
	if len(out.Citations) > 0 {
		e.ArticleID = out.Citations[0].ID
	}
	// Every answer is logged: an answer that cannot be logged is not
	// given, so the report never undercounts what bots said.
	if err := s.record(ctx, e); err != nil {
		return nil, err
	}
	out.ID = e.ID
	return out, nil
}

func (s *Service) articleURL(id string) string {
	return s.BaseURL + "/help/articles/" + url.PathEscape(id)
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
