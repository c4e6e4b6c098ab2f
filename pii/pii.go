// Package pii finds and masks personal data in Chinese customer-service
// text before it leaves the process: prompts sent to an LLM, log lines,
// exported reports.
//
// It recognises mainland mobile numbers, resident identity card numbers
// (居民身份证号, 18-digit with a verified check digit, and the old 15-digit
// form), bank card numbers (Luhn-valid) and e-mail addresses, in ASCII or
// full-width digits, with the separators people actually type. Numbers that
// only look like personal data — order and tracking numbers, amounts, dates,
// invoice codes, digits inside longer runs — are left alone: a masker that
// eats order numbers makes the LLM useless for the tickets that need it most.
//
// Each kind is replaced by a typed placeholder such as [手机号]. No digits are
// kept (not even the last four): the agent sees the original ticket in the
// UI, the LLM and the logs never need the digits to do their job, and a
// partial number plus the surrounding text is often enough to re-identify a
// customer. Placeholders contain no digits or Latin letters, so masking is
// idempotent.
package pii

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Kind is a category of personal data.
type Kind string

// The kinds of personal data the masker detects.
const (
	Phone    Kind = "phone"     // mainland mobile number
	IDCard   Kind = "id_card"   // 居民身份证号
	BankCard Kind = "bank_card" // debit or credit card number
	Email    Kind = "email"
)

// AllKinds returns every kind the masker detects.
func AllKinds() []Kind { return []Kind{Phone, IDCard, BankCard, Email} }

// DefaultPlaceholder returns the replacement Mask uses for k.
func DefaultPlaceholder(k Kind) string {
	switch k {
	case Phone:
		return "[手机号]"
	case IDCard:
		return "[身份证号]"
	case BankCard:
		return "[银行卡号]"
	case Email:
		return "[邮箱]"
	}
	return "[" + string(k) + "]"
}

// Match is one piece of personal data found in a text. Start and End are
// byte offsets into the text that was scanned; the value itself is not
// copied so that a Match can be logged safely.
type Match struct {
	Kind  Kind `json:"kind"`
	Start int  `json:"start"`
	End   int  `json:"end"`
}

// Masker masks personal data. The zero value masks every kind with the
// default placeholders and is safe for concurrent use.
type Masker struct {
	// Kinds restricts detection to these kinds; nil means all.
	Kinds []Kind
	// Placeholders overrides the replacement of some kinds. A placeholder
	// must not contain digits, Latin letters, '@' or '.', or masking would
	// no longer be idempotent; Validate reports such placeholders.
	Placeholders map[Kind]string
}

// Mask masks every kind of personal data in text with the default
// placeholders.
func Mask(text string) (string, []Match) {
	var m Masker
	return m.Mask(text)
}

// Find reports the personal data in text without changing it.
func Find(text string) []Match {
	var m Masker
	return m.Find(text)
}

// Validate reports whether the masker's placeholders keep masking
// idempotent.
func (m *Masker) Validate() error {
	for k, p := range m.Placeholders {
		for _, r := range p {
			if digitValue(r) >= 0 || isLatinLetter(r) || r == '@' || r == '＠' || r == '.' || r == '+' {
				return &placeholderError{kind: k, placeholder: p}
			}
		}
	}
	return nil
}

type placeholderError struct {
	kind        Kind
	placeholder string
}

func (e *placeholderError) Error() string {
	return "pii: placeholder " + e.placeholder + " for " + string(e.kind) +
		" contains a digit, a Latin letter or an e-mail character"
}

func (m *Masker) enabled(k Kind) bool {
	if m == nil || m.Kinds == nil {
		return true
	}
	for _, x := range m.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

func (m *Masker) placeholder(k Kind) string {
	if m != nil {
		if p, ok := m.Placeholders[k]; ok {
			return p
		}
	}
	return DefaultPlaceholder(k)
}

// Mask returns text with every detected piece of personal data replaced by
// its placeholder, and the matches. Invalid UTF-8 is first replaced by
// U+FFFD so that the output is always valid UTF-8; the offsets of the
// matches refer to that repaired text (which is text itself when it was
// valid).
func (m *Masker) Mask(text string) (string, []Match) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	found := m.Find(text)
	if len(found) == 0 {
		return text, nil
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, f := range found {
		b.WriteString(text[last:f.Start])
		b.WriteString(m.placeholder(f.Kind))
		last = f.End
	}
	b.WriteString(text[last:])
	return b.String(), found
}

// Find reports the personal data in text, in order and without overlaps.
// Offsets are byte offsets into text; invalid UTF-8 is never part of a
// match.
func (m *Masker) Find(text string) []Match {
	s := newScanner(text)
	var out []Match
	emails := findEmails(text)
	if m.enabled(Email) {
		out = append(out, emails...)
	}
	for _, d := range s.findNumbers(emails) {
		if m.enabled(d.Kind) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}
