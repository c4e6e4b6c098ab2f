package mail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/jhillyerd/enmime"
)

// decodeParts undoes the Content-Transfer-Encoding of every leaf part in
// place. enmime is asked for raw content because its own decoding runs a
// statistical charset detector on every text part even when the charset
// is declared, which cost a quarter of the CPU of an import and whose
// answer we never use; and because we decode text with our own charset
// table (GB18030 for every GB label) when a text part is used as a body.
// Both decoders are lenient: what real mail gets wrong is skipped, noted
// in problems, and the rest kept.
func decodeParts(root *enmime.Part) (problems []string) {
	_ = root.DepthMatchAll(func(p *enmime.Part) bool {
		if p.FirstChild != nil || len(p.Content) == 0 {
			return false
		}
		switch cte := strings.ToLower(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding"))); cte {
		case "base64":
			var bad bool
			p.Content, bad = decodeBase64(p.Content)
			if bad && len(problems) < 20 {
				problems = append(problems, fmt.Sprintf("part %s: malformed base64 skipped", p.PartID))
			}
		case "quoted-printable":
			p.Content = decodeQP(p.Content)
		case "", "7bit", "8bit", "binary":
		default:
			if len(problems) < 20 {
				problems = append(problems, fmt.Sprintf("part %s: unknown Content-Transfer-Encoding %q kept as is", p.PartID, cte))
			}
		}
		return false
	})
	return problems
}

// decodeBase64 decodes base64 ignoring line breaks, padding in the middle
// and any character outside the alphabet; bad reports that some were
// neither white space nor padding.
func decodeBase64(b []byte) ([]byte, bool) {
	clean := make([]byte, 0, len(b))
	bad := false
	for _, c := range b {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		case c == '=', c == ' ', c == '\t', c == '\r', c == '\n':
		default:
			bad = true
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1] // a lone trailing sextet holds no byte
		bad = true
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil {
		bad = true
	}
	return out[:n], bad
}

// decodeQP decodes quoted-printable: =XX escapes (either case), soft line
// breaks (=CRLF, =LF, = followed by trailing blanks), and everything else,
// including a bare = and 8-bit bytes, as it stands.
func decodeQP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		if i+2 < len(b) {
			if h, ok1 := unhex(b[i+1]); ok1 {
				if l, ok2 := unhex(b[i+2]); ok2 {
					out = append(out, h<<4|l)
					i += 2
					continue
				}
			}
		}
		// A soft line break, perhaps with blanks before the line end.
		j := i + 1
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		switch {
		case j < len(b) && b[j] == '\n':
			i = j
			continue
		case j+1 < len(b) && b[j] == '\r' && b[j+1] == '\n':
			i = j + 1
			continue
		case j >= len(b):
			i = j
			continue
		}
		out = append(out, '=')
	}
	return out
}

var metaCharsetRe = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)`)

// partText returns a text part's content as UTF-8. Valid UTF-8 stays as
// it is (clients often label UTF-8 text gb2312 or iso-8859-1); anything
// else is decoded with the declared charset, or the one an HTML part
// names in its <meta>, or guessed.
func partText(p *enmime.Part) string {
	if utf8.Valid(p.Content) {
		return string(p.Content)
	}
	label := p.Charset
	if label == "" && p.ContentType == "text/html" {
		head := p.Content[:min(len(p.Content), 2048)]
		if sm := metaCharsetRe.FindSubmatch(head); sm != nil {
			label = string(sm[1])
		}
	}
	if label == "" {
		return toUTF8(p.Content)
	}
	return decodeCharset(label, bytes.TrimPrefix(p.Content, []byte("\xef\xbb\xbf")))
}
