package segment

import (
	"unicode"
	"unicode/utf8"
)

// Normalize folds text to the one form that rules, the classifier, the
// indexes and the user dictionary all compare in: full-width ASCII to
// half-width (Ａ１！ → a1!, U+3000 → space), traditional to simplified Chinese
// (OpenCC's tables), letters to lower case, control and format characters
// and invalid UTF-8 dropped, and every run of white space to one space,
// trimmed. Normalize(Normalize(x)) == Normalize(x).
//
// It needs no dictionary, so callers that only compare text (rules loaded
// from configuration, tests) can use it without loading gse.
func Normalize(text string) string {
	return converter().Convert(clean(text))
}

// clean does everything Normalize does except the Chinese conversion, in one
// pass over the bytes. Dropped characters do not separate words (a zero-width
// space inside 手机 must not split it), white space does.
func clean(text string) string {
	out := make([]byte, 0, len(text))
	space := false // a space is owed before the next kept rune
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ' || ('\t' <= c && c <= '\r'):
				space = len(out) > 0
			case c < ' ' || c == 0x7f:
			default:
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				if space {
					out, space = append(out, ' '), false
				}
				out = append(out, c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case r >= 0x3400 && r <= 0x9fff:
			// CJK ideographs, most of the text: no case, no width, no
			// space, so skip the Unicode table lookups below.
			if space {
				out, space = append(out, ' '), false
			}
			out = append(out, text[i-size:i]...)
		case r == utf8.RuneError && size == 1:
		case unicode.IsSpace(r):
			space = len(out) > 0
		case unicode.In(r, unicode.Cc, unicode.Cf):
		default:
			if space {
				out, space = append(out, ' '), false
			}
			out = appendFolded(out, r)
		}
	}
	return string(out)
}

// appendFolded appends r folded to half width and lower case.
func appendFolded(out []byte, r rune) []byte {
	switch {
	case r >= 0xff01 && r <= 0xff5e: // full-width ASCII
		r -= 0xff01 - '!'
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(out, byte(r))
	case r >= 0xffe0 && r <= 0xffe6:
		r = fullWidthSign(r)
	default:
		r = unicode.ToLower(r)
	}
	return utf8.AppendRune(out, r)
}

// fullWidthSign maps U+FFE0–FFE6 to the signs they are wide forms of: the
// price in ￥99 and ¥99 must be the same token.
func fullWidthSign(r rune) rune {
	switch r {
	case 0xffe0:
		return '¢'
	case 0xffe1:
		return '£'
	case 0xffe2:
		return '¬'
	case 0xffe3:
		return '¯'
	case 0xffe4:
		return '¦'
	case 0xffe5:
		return '¥'
	default:
		return '₩'
	}
}
