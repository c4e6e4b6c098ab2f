// Package suggest puts the knowledge base and similar resolved tickets
// beside a ticket and drafts a reply that cites them as [n], so an agent
// can accept, edit or reject a grounded answer instead of writing one.
//
// A draft is written by an LLM when one is configured (any triage.Drafter;
// package embed has one for OpenAI-compatible APIs) and assembled from the
// best sources otherwise. The LLM never sees personal data: the ticket and
// the sources are masked with package pii first. Its answer is validated
// (citations against the sources given, markup, signs that it followed
// instructions hidden in the ticket, language, length) and sanitised; an
// error, a timeout or a refused answer falls back to the extractive draft
// and says why in Draft.Fallback. Drafting never fails a request.
//
// A draft never states another customer's case: a similar ticket's
// resolution is quoted only in sentences that do not report what was done
// for it, with its specifics turned into placeholders (generalize.go), and
// an LLM draft with a number found in neither the ticket nor a cited
// article is refused. A hazard, a threat to complain outside and a ticket
// with nothing to go on get a fixed reply of their kind (kind.go).
package suggest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/pii"
)

// DefaultDraftTimeout bounds an LLM draft when Writer.Timeout is zero: an
// agent opening a ticket should not wait longer for a suggestion.
const DefaultDraftTimeout = 20 * time.Second

// Writer drafts replies. Its zero value writes extractive drafts from every
// source; it is safe for concurrent use if its LLM is.
type Writer struct {
	// LLM writes the draft; nil means extractive drafts only.
	LLM triage.Drafter
	// Timeout bounds the LLM call, retries included (default 20 s).
	Timeout time.Duration
	// MinScore is the fused score a source needs to be drafted from; with
	// none that reaches it there is no draft (DraftNone).
	MinScore float64
}

// instructionShower is a drafter that can show the system prompt it sends
// for a request, so that a draft repeating it can be refused.
// *embed.Chat is one.
type instructionShower interface {
	Instructions(req triage.DraftRequest) string
}

// Write drafts a reply to the ticket from sources, numbered by their N
// (sources without distinct positive numbers are numbered 1, 2, … in the
// order given). It always returns a draft: DraftLLM when the model's answer
// passed validation, DraftExtractive otherwise (with Fallback saying why,
// when an LLM was tried), DraftNone when no source reaches MinScore, and
// DraftTemplate for a ticket whose DraftKind is not normal.
func (w *Writer) Write(ctx context.Context, title, body string, sources []triage.Source) triage.Draft {
	mTitle, mBody := mask(title), mask(body)
	chinese := isChinese(mTitle+"\n"+mBody) || !hasLatin(pii.StripPlaceholders(mTitle+mBody))
	if kind := DraftKind(title, body); kind != triage.DraftKindNormal {
		// No source's answer fits these: the fixed reply does.
		return templateDraft(kind, chinese)
	}
	usable := w.usable(sources)
	if len(usable) == 0 {
		return triage.Draft{Mode: triage.DraftNone, Kind: triage.DraftKindNormal}
	}

	var fallback *triage.Reason
	if w.LLM != nil {
		d, reason := w.llmDraft(ctx, mTitle, mBody, chinese, usable)
		if reason == nil {
			d.Kind = triage.DraftKindNormal
			return d
		}
		fallback = reason
	}
	text, cites := extractiveDraft(mTitle, mBody, chinese, extractiveSources(usable))
	if text == "" {
		return triage.Draft{Mode: triage.DraftNone, Kind: triage.DraftKindNormal, Fallback: fallback}
	}
	return triage.Draft{Mode: triage.DraftExtractive, Kind: triage.DraftKindNormal, Text: text, Citations: cites, Fallback: fallback}
}

// usable returns copies of the sources that reach MinScore, each with its
// citation number.
func (w *Writer) usable(sources []triage.Source) []triage.Source {
	seen := map[int]bool{}
	renumber := false
	for _, s := range sources {
		if s.N <= 0 || seen[s.N] {
			renumber = true
		}
		seen[s.N] = true
	}
	var out []triage.Source
	for i, s := range sources {
		if renumber {
			s.N = i + 1
		}
		if s.Fused >= w.MinScore {
			out = append(out, s)
		}
	}
	return out
}

// llmDraft asks the LLM and validates its answer; a reason means the
// draft is not to be used.
func (w *Writer) llmDraft(ctx context.Context, title, body string, chinese bool, sources []triage.Source) (triage.Draft, *triage.Reason) {
	masked := make([]triage.Source, len(sources))
	for i, s := range sources {
		s.Title, s.Snippet, s.Resolution = mask(s.Title), mask(s.Snippet), mask(s.Resolution)
		masked[i] = s
	}
	req := triage.DraftRequest{Title: title, Body: body, Sources: masked}
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = DefaultDraftTimeout
	}
	ans, err := w.ask(ctx, req, timeout)
	if err != nil {
		r := askReason(err)
		return triage.Draft{}, &r
	}
	text, cites, reason := validateDraft(ans.text, draftCheck{
		sources: masked, ticket: title + "\n" + body, chinese: chinese, instructions: ans.instructions,
	})
	if reason != nil {
		r := triage.NewReason(triage.ReasonDraftInvalid, *reason)
		return triage.Draft{}, &r
	}
	return triage.Draft{Mode: triage.DraftLLM, Text: text, Citations: cites, Model: ans.model}, nil
}

type llmAnswer struct {
	text, model, instructions string
}

// askError is why ask gave up on the drafter.
type askError struct{ reason triage.Reason }

func (e *askError) Error() string { return e.reason.Text }

func askReason(err error) triage.Reason {
	var e *askError
	if errors.As(err, &e) {
		return e.reason
	}
	return triage.NewReason(triage.ReasonDraftLLMError, triage.ErrorMessage(err))
}

// ask calls the drafter in its own goroutine, so that a drafter that
// ignores its context still cannot hold the request past the timeout, and
// a drafter that panics cannot take the process down.
func (w *Writer) ask(ctx context.Context, req triage.DraftRequest, timeout time.Duration) (llmAnswer, error) {
	errTimeout := &askError{triage.NewReason(triage.ReasonDraftTimeout, timeout.Seconds())}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errTimeout)
	defer cancel()
	type result struct {
		ans llmAnswer
		err error
	}
	done := make(chan result, 1) // buffered: a late drafter must not block
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r.err = &triage.Error{Code: triage.EINTERNAL, Message: "the drafter panicked", Err: fmt.Errorf("%v", p)}
			}
			done <- r
		}()
		r.ans.model = w.LLM.Model()
		if s, ok := w.LLM.(instructionShower); ok {
			r.ans.instructions = s.Instructions(req)
		}
		r.ans.text, r.err = w.LLM.Draft(ctx, req)
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		r.err = ctx.Err()
	}
	if r.err != nil && ctx.Err() != nil {
		// Name the deadline rather than pass on the drafter's message for
		// a call it was made to abandon, which varies by implementation.
		switch cause := context.Cause(ctx); {
		case errors.Is(cause, errTimeout):
			return llmAnswer{}, errTimeout
		case errors.Is(cause, context.DeadlineExceeded):
			return llmAnswer{}, &askError{triage.NewReason(triage.ReasonDraftDeadline)}
		}
		return llmAnswer{}, &askError{triage.NewReason(triage.ReasonDraftCancelled)}
	}
	if r.err != nil {
		return llmAnswer{}, &askError{triage.NewReason(triage.ReasonDraftLLMError, triage.ErrorMessage(r.err))}
	}
	return r.ans, nil
}

// extractiveSources are the sources an extractive draft may quote. A
// resolved ticket's text belongs to another customer, so it is masked;
// articles are published text and keep their contact addresses.
func extractiveSources(sources []triage.Source) []triage.Source {
	out := make([]triage.Source, len(sources))
	for i, s := range sources {
		if s.Kind != triage.DocArticle {
			s.Title, s.Snippet, s.Resolution = mask(s.Title), mask(s.Snippet), mask(s.Resolution)
		}
		out[i] = s
	}
	return out
}

// hasLatin reports a Latin letter in s: a ticket without any (在吗, 12315?)
// is answered in Chinese.
func hasLatin(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.In(r, unicode.Latin) })
}

func mask(s string) string {
	m, _ := pii.Mask(s)
	return m
}

// isChinese reports whether a text is mainly Chinese. A Han character
// counts as three Latin letters, about one word against one word, so
// 我的MacBook Pro的Touch Bar坏了 is Chinese and "Please help, 我的 order is
// late" is not. The masker's placeholders are Chinese words that say
// nothing about the customer's language, so they do not count.
func isChinese(s string) bool {
	s = pii.StripPlaceholders(s)
	han, latin := 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.In(r, unicode.Latin):
			latin++
		}
	}
	return han > 0 && 30*han >= 3*(3*han+latin)
}
