package importer

import (
	"html"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// defaultTimeFormats are tried after a mapping's own: ISO 8601 as the APIs
// write it, and the forms Chinese spreadsheets and helpdesks use.
func defaultTimeFormats() []string {
	return []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05",
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04",
		"2006/01/02 15:04:05",
		"2006/1/2 15:04:05",
		"2006/01/02 15:04",
		"2006/1/2 15:04",
		"2006年01月02日 15:04:05",
		"2006年1月2日 15:04:05",
		"2006年01月02日 15:04",
		"2006年1月2日 15:04",
		"2006-01-02",
		"2006/01/02",
		"2006/1/2",
		"2006年1月2日",
		time.RFC1123Z,
		time.RFC1123,
	}
}

// parseTime reads a time; layouts without a zone are read in loc. An empty
// value is the zero time and no error.
func (c *config) parseTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range c.timeFormats {
		if t, err := time.ParseInLocation(layout, v, c.loc); err == nil {
			return t.UTC(), nil
		}
	}
	// Unix seconds, which some exports (and Zendesk's time-based cursor)
	// use; only plausible ones, so that an order number is not a date.
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 315532800 && n < 4102444800 {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, badTime{}
}

type badTime struct{}

func (badTime) Error() string {
	return "not a time; write 2026-12-07 14:03:00 or 2026-12-07T06:03:00Z, or add the layout to time_formats"
}

// htmlToText renders HTML as plain text: block elements and <br> become
// line breaks, list items get a dash, script and style are dropped and
// entities decoded. It is a small renderer of its own because the package
// stays within the standard library; bodies are short and come from
// helpdesk editors, not from the open web.
func htmlToText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pre := 0
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			writeText(&b, html.UnescapeString(s[i:i+j]), pre > 0)
			i += j
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		name, closing, end := tagAt(s, i)
		if end == len(s)+1 { // a tag cut off at the end: drop it
			break
		}
		if end < 0 { // a "<" that starts no tag is text
			writeText(&b, "<", pre > 0)
			i++
			continue
		}
		i = end
		switch name {
		case "script", "style", "head", "title", "template":
			if !closing {
				// Skip to the matching close tag, or to the end.
				k := indexFold(s[i:], "</"+name)
				if k < 0 {
					i = len(s)
				} else if _, _, e := tagAt(s, i+k); e > 0 {
					i = min(e, len(s))
				} else {
					i = len(s)
				}
			}
		case "br":
			b.WriteByte('\n')
		case "li":
			if !closing {
				newline(&b)
				b.WriteString("- ")
			}
		case "td", "th":
			if closing {
				b.WriteByte(' ')
			}
		case "pre":
			newline(&b)
			if closing {
				pre = max(pre-1, 0)
			} else {
				pre++
			}
		case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "ul", "ol", "table",
			"blockquote", "hr", "section", "article", "header", "footer", "dl", "dt", "dd":
			newline(&b)
		}
	}
	return tidy(b.String())
}

// tagAt reads the tag starting at s[i] == '<' and returns its lower-case
// name, whether it closes, and the index after its '>'; end is -1 when
// s[i:] starts no tag and len(s)+1 when the tag never ends.
func tagAt(s string, i int) (name string, closing bool, end int) {
	j := i + 1
	if j < len(s) && s[j] == '/' {
		closing = true
		j++
	}
	if j < len(s) && s[j] == '!' { // <!DOCTYPE …>
		k := strings.IndexByte(s[j:], '>')
		if k < 0 {
			return "", false, -1
		}
		return "!", false, j + k + 1
	}
	k := j
	for k < len(s) && (s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z' || k > j && s[k] >= '0' && s[k] <= '9') {
		k++
	}
	if k == j {
		return "", false, -1
	}
	name = strings.ToLower(s[j:k])
	var quote byte
	for ; k < len(s); k++ {
		switch c := s[k]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return name, closing, k + 1
		}
	}
	return name, closing, len(s) + 1
}

// indexFold finds sub in s ignoring ASCII case; sub starts with '<', so
// only the places of '<' are tried.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); {
		j := strings.IndexByte(s[i:], sub[0])
		if j < 0 || i+j+len(sub) > len(s) {
			return -1
		}
		i += j
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
		i++
	}
	return -1
}

// writeText appends text, folding runs of white space to one space outside
// <pre> as a browser does.
func writeText(b *strings.Builder, t string, pre bool) {
	if pre {
		b.WriteString(t)
		return
	}
	for _, r := range t {
		if unicode.IsSpace(r) || r == '\u00a0' {
			if b.Len() > 0 && !endsSpace(b) {
				b.WriteByte(' ')
			}
			continue
		}
		b.WriteRune(r)
	}
}

func endsSpace(b *strings.Builder) bool {
	s := b.String()
	return len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\n')
}

func newline(b *strings.Builder) {
	if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
		b.WriteByte('\n')
	}
}

// tidy trims every line and keeps at most one blank line between
// paragraphs.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := false
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// looksHTML reports whether a text that should be plain holds markup, as
// some CSV exports put the HTML description in the Description column.
func looksHTML(s string) bool {
	if strings.IndexByte(s, '<') < 0 {
		return false
	}
	for _, tag := range []string{"<p", "<div", "<br", "<span", "<table", "<html", "<body", "<ul", "<ol", "<li", "<b>", "<strong", "<a "} {
		if indexFold(s, tag) >= 0 {
			return true
		}
	}
	return false
}
