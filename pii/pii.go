// Package pii finds and masks personal data in Chinese customer-service
// text before it leaves the process: prompts sent to an LLM, texts sent to
// an embeddings service, log lines, exported reports. Package egress is the
// one place that calls it for everything sent out.
//
// It recognises mainland mobile numbers (with +86 or 0086, split by spaces,
// dashes or dots), fixed-line numbers with their area code, resident
// identity card numbers (居民身份证号, 18-digit with a verified check
// character, upper- or lower-case X, and the old 15-digit form), bank card
// numbers (Luhn-valid, with a known issuer prefix or a label such as 卡号)
// and e-mail addresses (full-width ＠, Chinese domains). It reads them in
// any script's digits (１３８…), across zero-width and other invisible
// characters. Numbers that only look like personal data — order and
// tracking numbers, amounts, dates, invoice codes, digits inside longer
// runs — are left alone: a masker that eats order numbers makes the LLM
// useless for the tickets that need it most. Names and street addresses
// are not recognised.
//
// Each value is replaced by a numbered placeholder such as 【手机号1】: the
// same value (however it was typed) gets the same number throughout one
// text, a different one the next number, so an LLM can still tell "the
// number that was changed" from "the new one", and two texts that mention
// a phone number both carry the word 手机号 for retrieval. No digit of the
// value is kept (not even the last four): the agent sees the original
// ticket in the UI, the LLM and the logs never need the digits, and a
// partial number plus the surrounding text is often enough to re-identify
// a customer. A placeholder cannot be read as part of a number or an
// address, so masking is idempotent.
package pii

//go:generate sh -c "go run testdata/gencorpus.go > testdata/corpus.jsonl"

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is a category of personal data.
type Kind string

// The kinds of personal data the masker detects.
const (
	Phone    Kind = "phone"     // mainland mobile number
	Landline Kind = "landline"  // fixed-line number with its area code
	IDCard   Kind = "id_card"   // 居民身份证号
	BankCard Kind = "bank_card" // debit or credit card number
	Email    Kind = "email"
)

// AllKinds returns every kind the masker detects.
func AllKinds() []Kind { return []Kind{Phone, Landline, IDCard, BankCard, Email} }

// DefaultLabel returns the word that names k in its placeholders.
func DefaultLabel(k Kind) string {
	switch k {
	case Phone:
		return "手机号"
	case Landline:
		return "电话"
	case IDCard:
		return "身份证号"
	case BankCard:
		return "银行卡号"
	case Email:
		return "邮箱"
	}
	return string(k)
}

// Placeholder returns the n-th placeholder of a label: 【手机号1】.
// Full-width brackets keep it apart from the [n] citations of a draft
// and from any digits around it.
func Placeholder(label string, n int) string {
	return "【" + label + strconv.Itoa(n) + "】"
}

// placeholderRE finds placeholders of any label.
var placeholderRE = regexp.MustCompile(`【[^【】0-9\s]{1,16}[0-9]{1,6}】`)

// StripPlaceholders removes every placeholder from s, for code that must
// judge the customer's own words (their language, their length): the
// masker's Chinese labels say nothing about them.
func StripPlaceholders(s string) string { return placeholderRE.ReplaceAllString(s, "") }

// Match is one piece of personal data found in a text. Start and End are
// byte offsets into the text that was scanned; the value itself is not
// copied so that a Match can be logged safely. N is the number of its
// placeholder, set by Mask.
type Match struct {
	Kind  Kind `json:"kind"`
	Start int  `json:"start"`
	End   int  `json:"end"`
	N     int  `json:"n,omitempty"`

	key string // the value in one canonical spelling, for numbering
}

// Masker masks personal data. The zero value masks every kind with the
// default labels and is safe for concurrent use.
type Masker struct {
	// Kinds restricts detection to these kinds; nil means all.
	Kinds []Kind
	// Labels overrides the word that names some kinds in placeholders. A
	// label must not contain digits, Latin letters, brackets or e-mail
	// characters, or masking would no longer be idempotent; Validate
	// reports such labels.
	Labels map[Kind]string
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

// Validate reports whether the masker's labels keep masking idempotent.
func (m *Masker) Validate() error {
	for k, l := range m.Labels {
		if l == "" || utf8.RuneCountInString(l) > 16 {
			return &labelError{kind: k, label: l}
		}
		for _, r := range l {
			if digitValue(r) >= 0 || isLatinLetter(r) || unicode.IsSpace(r) || invisible(r) ||
				strings.ContainsRune("@＠.．+＋-【】[]", r) {
				return &labelError{kind: k, label: l}
			}
		}
	}
	return nil
}

type labelError struct {
	kind  Kind
	label string
}

func (e *labelError) Error() string {
	return "pii: label " + strconv.Quote(e.label) + " for " + string(e.kind) +
		" is empty, too long, or contains a digit, a Latin letter, a space, a bracket or an e-mail character"
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

func (m *Masker) label(k Kind) string {
	if m != nil {
		if l, ok := m.Labels[k]; ok {
			return l
		}
	}
	return DefaultLabel(k)
}

// Mask returns text with every detected piece of personal data replaced by
// its placeholder, and the matches. Invalid UTF-8 is first replaced by
// U+FFFD so that the output is always valid UTF-8; the offsets of the
// matches refer to that repaired text (which is text itself when it was
// valid). Numbers already used by placeholders in text are not reused, so
// masking a text that was partly masked before cannot merge two values.
func (m *Masker) Mask(text string) (string, []Match) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	found := m.Find(text)
	if len(found) == 0 {
		return text, nil
	}
	used := map[string]int{} // label -> highest number in use
	for _, p := range placeholderRE.FindAllString(text, -1) {
		body := strings.TrimSuffix(strings.TrimPrefix(p, "【"), "】")
		i := strings.IndexFunc(body, isDigit)
		n, _ := strconv.Atoi(body[i:])
		used[body[:i]] = max(used[body[:i]], n)
	}
	numbers := map[string]int{} // kind and key -> number
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for i, f := range found {
		label := m.label(f.Kind)
		id := string(f.Kind) + "\x00" + f.key
		n, ok := numbers[id]
		if !ok {
			used[label]++
			n = used[label]
			numbers[id] = n
		}
		found[i].N = n
		b.WriteString(text[last:f.Start])
		b.WriteString(Placeholder(label, n))
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
	emails := s.findEmails()
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
