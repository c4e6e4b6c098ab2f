package password

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// Policy is what a new password must satisfy. The rules follow NIST SP
// 800-63B: a minimum length, a list of known-bad passwords, nothing the
// attacker knows about the person; no composition rules (they make
// passwords harder to remember, not to guess).
type Policy struct {
	// MinLength is in characters (runes), so that a Chinese passphrase
	// counts as long as it looks. 0 means 10.
	MinLength int
	// Field names the input the errors refer to; "" means "password".
	Field string
}

const defaultMinLength = 10

// Check returns nil when password may be set for a person with the given
// e-mail address and names, and otherwise an EINVALID *triage.Error whose
// Field is the password field and whose Message says what is wrong (never
// the password itself).
func (p Policy) Check(password, email string, names ...string) error {
	field := p.Field
	if field == "" {
		field = "password"
	}
	min := p.MinLength
	if min <= 0 {
		min = defaultMinLength
	}
	if !utf8.ValidString(password) || strings.ContainsRune(password, 0) {
		return triage.Invalid(field, "%s must be valid text without NUL characters", field)
	}
	if n := utf8.RuneCountInString(password); n < min {
		return triage.Invalid(field, "%s must be at least %d characters (it has %d)", field, min, n)
	}
	if len(password) > MaxLength {
		return triage.Invalid(field, "%s must be at most %d bytes", field, MaxLength)
	}
	folded := fold(password)
	if folded == "" {
		return triage.Invalid(field, "%s must not be only spaces", field)
	}
	if e := fold(email); e != "" {
		local, _, _ := strings.Cut(e, "@")
		if folded == e || folded == local || (utf8.RuneCountInString(local) >= 4 && strings.Contains(folded, local)) {
			return triage.Invalid(field, "%s must not contain the e-mail address", field)
		}
	}
	for _, name := range names {
		if n := fold(name); utf8.RuneCountInString(n) >= 2 && (folded == n || (utf8.RuneCountInString(n) >= 4 && strings.Contains(folded, n))) {
			return triage.Invalid(field, "%s must not contain the person's name", field)
		}
	}
	if common(folded) {
		return triage.Invalid(field, "%s is one of the most common passwords; choose another", field)
	}
	if repetitive(folded) {
		return triage.Invalid(field, "%s is a repeated or sequential pattern; choose another", field)
	}
	return nil
}

// fold lower-cases s and drops spaces, so that "Woaini 1314" is caught as
// woaini1314.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// common reports whether s is a listed password, or a listed password of
// six or more characters followed only by digits and punctuation
// (123456789!, woaini5201314, a1234560000).
func common(s string) bool {
	if _, ok := commonPasswords[s]; ok {
		return true
	}
	for p := range commonPasswords {
		if len(p) >= 6 && strings.HasPrefix(s, p) && strings.TrimLeftFunc(s[len(p):], digitOrPunct) == "" {
			return true
		}
	}
	return false
}

func digitOrPunct(r rune) bool {
	return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// repetitive reports whether s is one unit repeated (aaaaaaaaaa,
// abcabcabcabc, 5201314 5201314) or a run of consecutive characters
// (0123456789, abcdefghij, 9876543210).
func repetitive(s string) bool {
	rs := []rune(s)
	n := len(rs)
	for unit := 1; unit <= n/2; unit++ {
		if n%unit != 0 {
			continue
		}
		same := true
		for i := unit; i < n && same; i++ {
			same = rs[i] == rs[i-unit]
		}
		if same {
			return true
		}
	}
	up, down := true, true
	for i := 1; i < n; i++ {
		up = up && rs[i] == rs[i-1]+1
		down = down && rs[i] == rs[i-1]-1
	}
	return n > 2 && (up || down)
}

// commonPasswords are the first guesses of every attacker: the top of the
// public leak-derived lists, with the Chinese favourites (digit runs,
// pinyin, the 520/1314 love numbers, the top of the 2011 CSDN leak) that
// Western lists rank low. Folded to lower case. Entries shorter than the
// default minimum still matter when a deployment lowers it.
var commonPasswords = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, p := range strings.Fields(`
123456 123456789 12345678 1234567890 12345 1234567 111111 000000 123123
666666 888888 88888888 11111111 00000000 654321 987654321 112233 121212
123321 520520 5201314 1314520 13145200 5211314 woaini woaini1314
woaini520 woaini123 iloveyou iloveyou1314 a123456 a12345678 a123456789
aa123456 aa12345678 abc123 abc123456 abc12345678 abcd1234 abcd123456
qq123456 qq123456789 qq5201314 q123456 q1w2e3r4 q1w2e3r4t5 qwe123
qwe123456 qwer1234 1234qwer qwerty qwertyuiop qwerty123 asdfghjkl
zxcvbnm zxcvbnm123 1qaz2wsx 1qaz2wsx3edc zaq12wsx 1q2w3e4r 1q2w3e4r5t
1q2w3e4r5t6y 147258369 147258 159357 159753 123qwe 123qweasd
123456a 123456aa 123456abc 123456789a 12345678a password password1
password123 passw0rd p@ssw0rd admin admin123 admin888 admin123456
root123 test123 guest welcome welcome1 letmein monkey dragon sunshine
princess football baseball superman batman trustno1 master shadow
changeme changeme123 default huawei123 xiaomi123 taobao123 baidu123
wang123456 li123456 zhang123456 liu123456 chen123456 wangwei zhangwei
nihao123 nihao123456 w123456 z123456 woshishui wodemima mima123
mima123456 asd123 asd123456 as123456 zx123456 wo123456 ai123456
aini1314 woainima 7758521 7758258 584520 1314521 52013145201314
0123456789 9876543210 147852369 741852963 963852741 789456123
dearbook xiazhili 31415926 123654789 qazwsxedc 110110110 asdasdasd
qqqqqqqq 12344321 11223344 123321123
`) {
		m[p] = struct{}{}
	}
	return m
}()
