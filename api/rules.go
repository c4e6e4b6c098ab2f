package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
)

// Triager previews triage without storing anything.
type Triager interface {
	Preview(ctx context.Context, r triage.Reader, t *triage.Ticket) (*triage.TriageRecord, error)
}

func (s *Server) listRules(c echo.Context) error {
	items, err := s.desk.Rules(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Rule]{Items: items})
}

func (s *Server) getRule(c echo.Context) error {
	r, err := s.desk.Rule(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, r.Version, r)
}

func (s *Server) createRule(c echo.Context) error {
	var in triage.NewRule
	if err := s.decode(c, &in); err != nil {
		return err
	}
	r, err := s.desk.CreateRule(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/rules/"+r.ID, r.Version, r)
}

func (s *Server) updateRule(c echo.Context) error {
	return update(s, c, s.desk.UpdateRule, func(r *triage.Rule) int { return r.Version })
}

func (s *Server) deleteRule(c echo.Context) error {
	return remove(c, s.desk.DeleteRule)
}

// DryRun is a text to run the rules and triage on without creating a
// ticket.
type DryRun struct {
	Title     string           `json:"title"`
	Body      string           `json:"body"`
	Channel   triage.Channel   `json:"channel"`
	Requester triage.Requester `json:"requester"`
}

// DryRunResult says which rules fire on a text, what they would set, and
// what triage as a whole would decide.
type DryRunResult struct {
	Rules    []triage.RuleHit    `json:"rules"`
	Category string              `json:"category"`
	Priority string              `json:"priority"`
	Assignee string              `json:"assignee_id"`
	Triage   triage.TriageRecord `json:"triage"`
}

func (s *Server) dryRun(c echo.Context) error {
	var in DryRun
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if err := triage.ValidateText(in.Title, in.Body); err != nil {
		return err
	}
	if err := in.Requester.Validate(); err != nil {
		return err
	}
	if in.Channel == "" {
		in.Channel = triage.ChannelAPI
	} else if !in.Channel.Valid() {
		return triage.Invalid("channel", "channel %q is not a channel", in.Channel)
	}
	if s.triager == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "triage is not configured on this server")
	}
	rec, err := s.triager.Preview(c.Request().Context(), s.desk.Store, &triage.Ticket{Title: in.Title, Body: in.Body, Channel: in.Channel, Requester: in.Requester})
	if err != nil {
		return err
	}
	out := DryRunResult{Rules: rec.Explanation.Rules, Category: rec.Category.Value, Priority: rec.Priority.Value, Assignee: rec.Assignee.Value, Triage: *rec}
	if out.Rules == nil {
		out.Rules = []triage.RuleHit{}
	}
	return send(c, http.StatusOK, 0, out)
}

// DictWords is the body that adds words to the user dictionary.
type DictWords struct {
	Words []triage.DictWord `json:"words"`
}

func (s *Server) listDict(c echo.Context) error {
	items, err := s.desk.DictWords(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.DictWord]{Items: items})
}

func (s *Server) putDict(c echo.Context) error {
	var in DictWords
	if err := s.decode(c, &in); err != nil {
		return err
	}
	items, err := s.desk.PutDictWords(c.Request().Context(), in.Words, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return send(c, http.StatusCreated, 0, List[*triage.DictWord]{Items: items})
}

// deleteDict removes a word. Dictionary entries are replaced whole, never
// edited, so their ETag is always "1"; If-Match is still required, so a
// script cannot delete by accident without saying so.
func (s *Server) deleteDict(c echo.Context) error {
	if _, err := ifMatch(c); err != nil {
		return err
	}
	// Any stored word can be deleted, even one of white space only or
	// with characters a new word may not have: the last segment is the
	// word, percent-encoded. It is read from the escaped path, since the
	// router decodes some paths and not others (a%2Fb stays encoded, %25
	// does not), and a word may itself hold a %.
	escaped := c.Request().URL.EscapedPath()
	word, err := url.PathUnescape(escaped[strings.LastIndexByte(escaped, '/')+1:])
	if err != nil || word == "" {
		return triage.Invalid("word", "the word in the path is not valid percent-encoding")
	}
	if err := s.desk.DeleteDictWord(c.Request().Context(), word); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listModels(c echo.Context) error {
	q := c.QueryParams()
	kind := q.Get("kind")
	if kind == "" {
		kind = triage.ModelCategory
	}
	items, err := s.desk.Models(c.Request().Context(), kind)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Model]{Items: items})
}

func (s *Server) activateModel(c echo.Context) error {
	m, err := s.desk.ActivateModel(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, m)
}

// TrainRequest asks for a model to be trained now.
type TrainRequest struct {
	Kind string `json:"kind"`
}

// TrainAccepted says a training run is queued.
type TrainAccepted struct {
	Status string `json:"status"`
	Kind   string `json:"kind"`
}

func (s *Server) trainModel(c echo.Context) error {
	var in TrainRequest
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if in.Kind == "" {
		in.Kind = triage.ModelCategory
	}
	if in.Kind != triage.ModelCategory && in.Kind != triage.ModelPriority && in.Kind != triage.ModelEmbedder {
		return triage.Invalid("kind", "kind %q is not category, priority or embedder", in.Kind)
	}
	if s.queue == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "background jobs are not configured on this server")
	}
	j, err := classify.RetrainJob(in.Kind, true, time.Time{})
	if err != nil {
		return err
	}
	if err := s.queue.Insert(c.Request().Context(), j); err != nil {
		return err
	}
	return send(c, http.StatusAccepted, 0, TrainAccepted{Status: "queued", Kind: in.Kind})
}
