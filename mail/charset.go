package mail

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// lookupCharset returns the decoder for a MIME charset label. Every label of
// the GB family (gb2312, gbk, cp936, gb18030, x-gbk…) decodes as GB18030:
// it is a superset of GBK, which is a superset of GB2312, and Chinese
// clients routinely label GBK text (喆, 镕, 玥…) as gb2312. Big5 labels
// decode as Big5 with the HKSCS extensions WHATWG defines.
func lookupCharset(label string) (encoding.Encoding, error) {
	l := strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	switch l {
	case "", "us-ascii", "ascii", "utf-8", "utf8", "unicode-1-1-utf-8":
		return nil, nil // nil means UTF-8 (ASCII is a subset)
	case "gb2312", "gbk", "gb18030", "cp936", "ms936", "windows-936", "x-gbk", "x-gb2312",
		"csgb2312", "gb_2312-80", "gb_2312", "chinese", "euc-cn", "x-euc-cn", "iso-ir-58", "csiso58gb231280", "936":
		return simplifiedchinese.GB18030, nil
	case "big5", "big-5", "big5-hkscs", "x-big5", "cn-big5", "csbig5", "cp950", "x-x-big5", "ms950", "windows-950":
		return traditionalchinese.Big5, nil
	}
	if e, err := htmlindex.Get(l); err == nil {
		return e, nil
	}
	if e, err := ianaindex.MIME.Encoding(l); err == nil && e != nil {
		return e, nil
	}
	return nil, fmt.Errorf("unknown charset %q", label)
}

// decodeCharset converts b from the named charset to UTF-8. An unknown
// label or a failed conversion falls back to guessing, so that text is
// never lost to a wrong label.
func decodeCharset(label string, b []byte) string {
	enc, err := lookupCharset(label)
	if err == nil && enc != nil {
		if out, err := enc.NewDecoder().Bytes(b); err == nil && utf8.Valid(out) {
			return string(out)
		}
	}
	return toUTF8(b)
}

// toUTF8 returns b as UTF-8: as is when it is valid UTF-8, else decoded as
// GB18030 when it decodes without replacement characters (the most common
// undeclared encoding in mainland mail), else as Big5, else with invalid
// bytes replaced.
func toUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	for _, enc := range []encoding.Encoding{simplifiedchinese.GB18030, traditionalchinese.Big5} {
		if out, ok := decodeStrict(enc, b); ok {
			return out
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// decodeStrict decodes b and reports whether it did so without producing
// a replacement character that was not in the input.
func decodeStrict(enc encoding.Encoding, b []byte) (string, bool) {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil || !utf8.Valid(out) {
		return "", false
	}
	if bytes.ContainsRune(out, utf8.RuneError) && !bytes.ContainsRune(b, utf8.RuneError) {
		return "", false
	}
	return string(out), true
}

// wordDecoder decodes RFC 2047 encoded words with our charset table.
var wordDecoder = &mime.WordDecoder{CharsetReader: func(label string, r io.Reader) (io.Reader, error) {
	enc, err := lookupCharset(label)
	if err != nil {
		return nil, err
	}
	if enc == nil {
		return r, nil
	}
	return enc.NewDecoder().Reader(r), nil
}}

// decodeHeader turns a raw header value into UTF-8 text: raw 8-bit bytes
// (old clients send GBK headers unencoded) are converted first, then RFC
// 2047 encoded words are decoded, including words that clients put inside
// quotes or glue to other text, which the strict decoder refuses.
func decodeHeader(raw string) string {
	s := toUTF8([]byte(raw))
	if !strings.Contains(s, "=?") {
		return s
	}
	// A word can declare UTF-8 or no charset and still hold other bytes.
	if out, err := wordDecoder.DecodeHeader(s); err == nil && !strings.Contains(out, "=?") {
		return toUTF8([]byte(out))
	}
	return toUTF8([]byte(decodeLooseWords(s)))
}

// decodeLooseWords decodes every =?charset?enc?text?= it finds, wherever
// it stands, and drops the whitespace between two adjacent words as RFC
// 2047 says.
func decodeLooseWords(s string) string {
	var b strings.Builder
	lastWasWord := false
	for {
		i := strings.Index(s, "=?")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := wordEnd(s[i:])
		if end < 0 {
			b.WriteString(s)
			return b.String()
		}
		word := s[i : i+end]
		dec, err := wordDecoder.Decode(word)
		if err != nil {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			lastWasWord = false
			continue
		}
		between := s[:i]
		if !(lastWasWord && strings.TrimSpace(between) == "") {
			b.WriteString(between)
		}
		b.WriteString(dec)
		lastWasWord = true
		s = s[i+end:]
	}
}

// wordEnd returns the length of the encoded word at the start of s, or -1.
func wordEnd(s string) int {
	// =?charset?X?text?=: skip the charset and the encoding letter.
	q1 := strings.IndexByte(s[2:], '?')
	if q1 < 0 {
		return -1
	}
	q1 += 2
	if len(s) < q1+3 || s[q1+2] != '?' {
		return -1
	}
	rest := s[q1+3:]
	j := strings.Index(rest, "?=")
	if j < 0 {
		return -1
	}
	return q1 + 3 + j + 2
}

// decodeRFC2231 decodes an extended parameter value charset'lang'%XX…
// that the standard library refuses for charsets other than UTF-8.
func decodeRFC2231(v string) (string, bool) {
	parts := strings.SplitN(v, "'", 3)
	if len(parts) != 3 {
		return "", false
	}
	raw, ok := percentDecode(parts[2])
	if !ok {
		return "", false
	}
	return decodeCharset(parts[0], raw), true
}

func percentDecode(s string) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			out = append(out, c)
			continue
		}
		if i+2 >= len(s) {
			return nil, false
		}
		h, ok1 := unhex(s[i+1])
		l, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return nil, false
		}
		out = append(out, h<<4|l)
		i += 2
	}
	return out, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
