package desk

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// Rules lists keyword rules in evaluation order.
func (s *Service) Rules(ctx context.Context) ([]*triage.Rule, error) { return s.Store.Rules(ctx) }

// Rule returns one rule.
func (s *Service) Rule(ctx context.Context, id string) (*triage.Rule, error) {
	return s.Store.Rule(ctx, id)
}

// CreateRule adds a rule; without a position it goes after the others.
func (s *Service) CreateRule(ctx context.Context, in triage.NewRule, idem *triage.Idempotency) (*triage.Rule, error) {
	now := s.now()
	r := &triage.Rule{
		ID: triage.NewID(), Name: in.Name, Position: in.Position, Enabled: in.Enabled == nil || *in.Enabled,
		Any: in.Any, All: in.All, None: in.None, Regex: in.Regex, Channels: in.Channels, Tiers: in.Tiers,
		SetCategory: in.SetCategory, SetPriority: in.SetPriority, AddTags: in.AddTags, Mode: in.Mode, Weight: in.Weight, Stop: in.Stop,
		MatchNegated: in.MatchNegated, CreatedAt: now, UpdatedAt: now,
	}
	if err := r.Validate(s.Normalize); err != nil {
		return nil, err
	}
	if r.Position < 0 {
		return nil, triage.Invalid("position", "position must be 1 or more, or 0 to append")
	}
	return write(ctx, s, idem, nil, func(tx triage.Tx) (*triage.Rule, error) {
		if r.Position == 0 {
			rules, err := tx.Rules(ctx)
			if err != nil {
				return nil, err
			}
			r.Position = 1
			if n := len(rules); n > 0 {
				r.Position = rules[n-1].Position + 1
			}
		}
		return r, tx.CreateRule(ctx, r)
	})
}

// UpdateRule changes a rule at the given version.
func (s *Service) UpdateRule(ctx context.Context, id string, version int, u triage.RuleUpdate) (*triage.Rule, error) {
	return write(ctx, s, nil, nil, func(tx triage.Tx) (*triage.Rule, error) {
		r, err := tx.Rule(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := checkVersion("rule "+id, r.Version, version); err != nil {
			return nil, err
		}
		setOpt(&r.Name, u.Name)
		setOpt(&r.Position, u.Position)
		setOpt(&r.Enabled, u.Enabled)
		setOpt(&r.Any, u.Any)
		setOpt(&r.All, u.All)
		setOpt(&r.None, u.None)
		setOpt(&r.Regex, u.Regex)
		setOpt(&r.Channels, u.Channels)
		setOpt(&r.Tiers, u.Tiers)
		setOpt(&r.SetCategory, u.SetCategory)
		setOpt(&r.SetPriority, u.SetPriority)
		setOpt(&r.AddTags, u.AddTags)
		setOpt(&r.Mode, u.Mode)
		setOpt(&r.Weight, u.Weight)
		setOpt(&r.Stop, u.Stop)
		setOpt(&r.MatchNegated, u.MatchNegated)
		if err := r.Validate(s.Normalize); err != nil {
			return nil, err
		}
		if r.Position < 1 {
			return nil, triage.Invalid("position", "position must be 1 or more")
		}
		r.UpdatedAt = s.now()
		return r, tx.UpdateRule(ctx, r)
	})
}

// setOpt applies a present Opt; null resets to the zero value.
func setOpt[T any](dst *T, o triage.Opt[T]) {
	if !o.Set {
		return
	}
	var zero T
	if o.Null {
		*dst = zero
		return
	}
	*dst = o.V
}

// DeleteRule removes a rule at the given version.
func (s *Service) DeleteRule(ctx context.Context, id string, version int) error {
	_, err := write(ctx, s, nil, nil, func(tx triage.Tx) (struct{}, error) {
		r, err := tx.Rule(ctx, id)
		if err != nil {
			return struct{}{}, err
		}
		if err := checkVersion("rule "+id, r.Version, version); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, tx.DeleteRule(ctx, id, r.Version)
	})
	return err
}

// MaxDictWordRunes bounds a dictionary word; longer strings are phrases,
// which rules handle better.
const MaxDictWordRunes = 32

// DictWords lists the user dictionary.
func (s *Service) DictWords(ctx context.Context) ([]*triage.DictWord, error) {
	return s.Store.DictWords(ctx)
}

// PutDictWords adds or updates dictionary words. They are stored in one
// transaction and then given to the live segmenter, so the next ticket is
// cut with them.
func (s *Service) PutDictWords(ctx context.Context, words []triage.DictWord, idem *triage.Idempotency) ([]*triage.DictWord, error) {
	if len(words) == 0 {
		return nil, triage.Invalid("words", "words is empty")
	}
	if len(words) > 1000 {
		return nil, triage.Invalid("words", "at most 1000 words per request")
	}
	now := s.now()
	out := make([]*triage.DictWord, len(words))
	for i, w := range words {
		w.Word = strings.TrimSpace(w.Word)
		if s.Normalize != nil {
			w.Word = s.Normalize(w.Word)
		}
		switch {
		case w.Word == "" || utf8.RuneCountInString(w.Word) > MaxDictWordRunes || strings.ContainsAny(w.Word, " \t\n"):
			return nil, triage.Invalid("words", "words[%d].word must be 1-%d characters without spaces", i, MaxDictWordRunes)
		case w.Freq < 0 || w.Freq > 1_000_000:
			return nil, triage.Invalid("words", "words[%d].freq must be between 0 and 1000000", i)
		case utf8.RuneCountInString(w.Tag) > 8:
			return nil, triage.Invalid("words", "words[%d].tag must be a short part-of-speech tag such as n", i)
		}
		w.CreatedAt = now
		out[i] = &w
	}
	if s.Dict != nil {
		// The segmenter's own rules (no clause punctuation, a letter or a
		// digit) are checked before the write, not after it: a word the
		// segmenter refuses would otherwise be stored and then refused at
		// every start.
		vals := make([]triage.DictWord, len(out))
		for i, w := range out {
			vals[i] = *w
		}
		checked, err := s.Dict.CheckWords(vals...)
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i].Word = checked[i].Word
		}
	}
	res, err := write(ctx, s, idem, nil, func(tx triage.Tx) ([]*triage.DictWord, error) {
		for _, w := range out {
			if err := tx.PutDictWord(ctx, w); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	if s.Dict != nil {
		vals := make([]triage.DictWord, len(res))
		for i, w := range res {
			vals[i] = *w
		}
		if err := s.Dict.AddWords(vals...); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// DeleteDictWord removes a word from the user dictionary: the word exactly
// as stored, whatever it holds (a word an older version let in, or one
// written by hand, must still be deletable), else its normalised form.
func (s *Service) DeleteDictWord(ctx context.Context, word string) error {
	deleted, err := write(ctx, s, nil, nil, func(tx triage.Tx) (string, error) {
		err := tx.DeleteDictWord(ctx, word)
		if triage.IsCode(err, triage.ENOTFOUND) && s.Normalize != nil {
			if norm := s.Normalize(word); norm != word {
				return norm, tx.DeleteDictWord(ctx, norm)
			}
		}
		return word, err
	})
	if err != nil || s.Dict == nil {
		return err
	}
	// A stored word the segmenter refuses (EINVALID) never went into it:
	// nothing to undo there.
	if err := s.Dict.RemoveWord(deleted); err != nil && !triage.IsCode(err, triage.ENOTFOUND) && !triage.IsCode(err, triage.EINVALID) {
		return err
	}
	return nil
}

// Models lists the stored models of a kind, newest first.
func (s *Service) Models(ctx context.Context, kind string) ([]*triage.Model, error) {
	switch kind {
	case triage.ModelCategory, triage.ModelPriority, triage.ModelSentiment, triage.ModelEmbedder:
	default:
		return nil, triage.Invalid("kind", "kind %q is not category, priority, sentiment or embedder", kind)
	}
	return s.Store.Models(ctx, kind)
}

// ActivateModel rolls triage to a stored model version. The model is loaded
// before the switch commits, so a version that does not load is refused
// instead of becoming active in the store but not in memory.
func (s *Service) ActivateModel(ctx context.Context, id string) (*triage.Model, error) {
	return write(ctx, s, nil, nil, func(tx triage.Tx) (*triage.Model, error) {
		m, err := tx.Model(ctx, id)
		if err != nil {
			return nil, err
		}
		if s.ModelSink != nil {
			if err := s.ModelSink.UseModel(m); err != nil {
				return nil, err
			}
		}
		if err := tx.ActivateModel(ctx, id); err != nil {
			return nil, err
		}
		m.Active = true
		return m, nil
	})
}
