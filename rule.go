package triage

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// RuleMode says how a rule's category meets the classifier's.
type RuleMode string

const (
	// RuleOverride sets the category outright.
	RuleOverride RuleMode = "override"
	// RuleBias adds Weight to the classifier's probability for the
	// category, so the model can still disagree when it is sure.
	RuleBias RuleMode = "bias"
)

// Rule is an admin-managed keyword rule. Rules run in Position order; a rule
// with Stop ends the evaluation after it fires.
type Rule struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Position int    `json:"position"`
	Enabled  bool   `json:"enabled"`
	// Conditions, all of which must hold. Words are matched as substrings
	// of the normalised title and body, so 退款 matches 退款单 and a
	// traditional-script ticket matches a simplified rule.
	Any      []string  `json:"any"`   // at least one of these
	All      []string  `json:"all"`   // every one of these
	None     []string  `json:"none"`  // none of these
	Regex    string    `json:"regex"` // RE2, on the normalised text
	Channels []Channel `json:"channels"`
	Tiers    []string  `json:"tiers"`
	// Actions.
	SetCategory string   `json:"set_category"`
	SetPriority Priority `json:"set_priority"`
	AddTags     []string `json:"add_tags"`
	Mode        RuleMode `json:"mode"`
	// Weight is the probability a bias rule adds, 0 to 1.
	Weight float64 `json:"weight"`
	Stop   bool    `json:"stop"`
	// MatchNegated lets a negated word count: by default a word the
	// customer negates (没有漏电, 不想投诉) does not match, in Any and All
	// alike. None words exclude on any mention, negated or not.
	MatchNegated bool      `json:"match_negated"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Version      int       `json:"version"`
}

// Rule limits.
const (
	MaxRuleWords     = 100
	MaxRuleWordRunes = 50
	MaxRegexBytes    = 500
	DefaultBias      = 0.3
)

// Validate checks a rule and normalises it in place. normalize is the
// segmenter's text normalisation, so that rule words are compared in the
// same script and case as the tickets they match.
func (r *Rule) Validate(normalize func(string) string) error {
	r.Name = strings.TrimSpace(r.Name)
	switch {
	case r.Name == "":
		return Invalid("name", "name is required")
	case utf8.RuneCountInString(r.Name) > MaxNameRunes:
		return Invalid("name", "name is longer than %d characters", MaxNameRunes)
	}
	var err error
	for _, l := range []struct {
		field string
		words *[]string
	}{{"any", &r.Any}, {"all", &r.All}, {"none", &r.None}} {
		if *l.words, err = cleanWords(l.field, *l.words, normalize); err != nil {
			return err
		}
	}
	if len(r.Regex) > MaxRegexBytes {
		return Invalid("regex", "regex is longer than %d bytes", MaxRegexBytes)
	}
	if r.Regex != "" {
		if _, err := regexp.Compile(r.Regex); err != nil {
			return Invalid("regex", "regex does not compile: %v", err)
		}
	}
	for i, c := range r.Channels {
		if !c.Valid() {
			return Invalid("channels", "channels[%d] %q is not a channel", i, c)
		}
	}
	for i, t := range r.Tiers {
		r.Tiers[i] = strings.ToLower(strings.TrimSpace(t))
		if r.Tiers[i] == "" {
			return Invalid("tiers", "tiers[%d] is empty", i)
		}
	}
	if len(r.Any)+len(r.All)+len(r.Channels)+len(r.Tiers) == 0 && r.Regex == "" {
		return Invalid("any", "a rule needs a condition: any, all, regex, channels or tiers")
	}
	r.SetCategory = strings.TrimSpace(r.SetCategory)
	if utf8.RuneCountInString(r.SetCategory) > 64 {
		return Invalid("set_category", "set_category is longer than 64 characters")
	}
	if r.SetPriority != "" && !r.SetPriority.Valid() {
		return Invalid("set_priority", "set_priority %q is not P1, P2, P3 or P4", r.SetPriority)
	}
	if r.AddTags, err = CleanTags("add_tags", r.AddTags); err != nil {
		return err
	}
	if r.SetCategory == "" && r.SetPriority == "" && len(r.AddTags) == 0 {
		return Invalid("set_category", "a rule needs an action: set_category, set_priority or add_tags")
	}
	switch r.Mode {
	case "":
		r.Mode = RuleOverride
	case RuleOverride, RuleBias:
	default:
		return Invalid("mode", "mode %q is not override or bias", r.Mode)
	}
	if !(r.Weight >= 0 && r.Weight <= 1) { // also refuses NaN
		return Invalid("weight", "weight must be between 0 and 1")
	}
	if r.Mode == RuleBias && r.Weight == 0 {
		r.Weight = DefaultBias
	}
	return nil
}

func cleanWords(field string, words []string, normalize func(string) string) ([]string, error) {
	out := make([]string, 0, len(words))
	for i, w := range words {
		if normalize != nil {
			w = normalize(w)
		}
		w = strings.TrimSpace(w)
		switch {
		case w == "":
			return nil, Invalid(field, "%s[%d] is empty", field, i)
		case utf8.RuneCountInString(w) > MaxRuleWordRunes:
			return nil, Invalid(field, "%s[%d] is longer than %d characters", field, i, MaxRuleWordRunes)
		}
		if !contains(out, w) {
			out = append(out, w)
		}
	}
	if len(out) > MaxRuleWords {
		return nil, Invalid(field, "%s has more than %d words", field, MaxRuleWords)
	}
	return out, nil
}

// NewRule creates a rule; Position 0 appends it after the others.
type NewRule struct {
	Name        string    `json:"name"`
	Position    int       `json:"position"`
	Enabled     *bool     `json:"enabled"`
	Any         []string  `json:"any"`
	All         []string  `json:"all"`
	None        []string  `json:"none"`
	Regex       string    `json:"regex"`
	Channels    []Channel `json:"channels"`
	Tiers       []string  `json:"tiers"`
	SetCategory string    `json:"set_category"`
	SetPriority Priority  `json:"set_priority"`
	AddTags     []string  `json:"add_tags"`
	Mode        RuleMode  `json:"mode"`
	Weight      float64   `json:"weight"`
	Stop        bool      `json:"stop"`
	// MatchNegated lets a negated word count (see Rule.MatchNegated).
	MatchNegated bool `json:"match_negated"`
}

// RuleUpdate is a partial update of a rule.
type RuleUpdate struct {
	Name        Opt[string]    `json:"name"`
	Position    Opt[int]       `json:"position"`
	Enabled     Opt[bool]      `json:"enabled"`
	Any         Opt[[]string]  `json:"any"`
	All         Opt[[]string]  `json:"all"`
	None        Opt[[]string]  `json:"none"`
	Regex       Opt[string]    `json:"regex"`
	Channels    Opt[[]Channel] `json:"channels"`
	Tiers       Opt[[]string]  `json:"tiers"`
	SetCategory Opt[string]    `json:"set_category"`
	SetPriority Opt[Priority]  `json:"set_priority"`
	AddTags     Opt[[]string]  `json:"add_tags"`
	Mode        Opt[RuleMode]  `json:"mode"`
	Weight      Opt[float64]   `json:"weight"`
	Stop        Opt[bool]      `json:"stop"`
	// MatchNegated lets a negated word count (see Rule.MatchNegated).
	MatchNegated Opt[bool] `json:"match_negated"`
}

// Model is a trained classifier saved in the store. The store keeps every
// version; one per kind is active, and a new one replaces it only once it
// is saved, so a failed training never leaves the service without a model.
type Model struct {
	ID string `json:"id"`
	// Kind is what the model predicts: "category", "priority" or
	// "sentiment"; or "embedder" for the local embedder.
	Kind    string    `json:"kind"`
	Version string    `json:"version"`
	Active  bool      `json:"active"`
	Info    ModelInfo `json:"info"`
	Blob    []byte    `json:"-"`
	// CreatedAt is when training finished.
	CreatedAt time.Time `json:"created_at"`
}

// ModelInfo describes how a model was trained.
type ModelInfo struct {
	Examples    int                `json:"examples"`
	Classes     []string           `json:"classes"`
	Sources     []string           `json:"sources"` // "store", or the files it was trained on
	FitSeconds  float64            `json:"fit_seconds"`
	Metrics     map[string]float64 `json:"metrics,omitempty"` // on a held-out part, when there was one
	TrainedFrom time.Time          `json:"trained_from,omitempty"`
	// ClosedTickets counts the closed tickets that existed when it was
	// trained, so the retraining job knows how many are new.
	ClosedTickets int `json:"closed_tickets"`
	// Pairs counts the (ticket, accepted source) pairs an embedder was
	// fine-tuned on; 0 for an embedder trained on the corpus alone (and
	// for every model stored before pairs were recorded).
	Pairs int `json:"pairs,omitempty"`
}

// Model kinds.
const (
	ModelCategory  = "category"
	ModelPriority  = "priority"
	ModelSentiment = "sentiment"
	// ModelEmbedder is the local embedder, trained on the service's own
	// articles and resolved tickets.
	ModelEmbedder = "embedder"
)
