package mail

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText turns an HTML mail body into plain text twice: whole, for
// display, and without the quoted history that mail clients mark in their
// HTML (Gmail's gmail_quote, Apple's and Thunderbird's blockquote
// type=cite, Outlook's divRplyFwdMsg and appendonsend, Yahoo's
// yahoo_quoted). Text rules in splitReply catch the markers that are only
// text (QQ邮箱's 原始邮件 line, Foxmail's 发件人/发送时间 block).
func htmlToText(src string) (full, reply string) {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return normalizeText(src), normalizeText(src)
	}
	f := &textRenderer{}
	f.render(doc, 0)
	r := &textRenderer{skipQuotes: true}
	r.render(doc, 0)
	return normalizeText(f.b.String()), normalizeText(r.b.String())
}

type textRenderer struct {
	b          strings.Builder
	skipQuotes bool
	stopped    bool // an Outlook reply marker was seen: the rest is history
	pre        int
	lists      []int // item counters of the open lists; -1 for ul
}

// blockAtoms start and end on their own line.
var blockAtoms = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Ul: true, atom.Ol: true, atom.Table: true, atom.Tr: true,
	atom.Blockquote: true, atom.Pre: true, atom.Section: true, atom.Article: true, atom.Header: true,
	atom.Footer: true, atom.Li: true, atom.Hr: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Address: true, atom.Center: true, atom.Form: true, atom.Fieldset: true, atom.Figure: true,
	atom.Nav: true, atom.Aside: true, atom.Main: true, atom.Body: true, atom.Caption: true,
}

// skipAtoms hold no readable text.
var skipAtoms = map[atom.Atom]bool{
	atom.Head: true, atom.Script: true, atom.Style: true, atom.Title: true, atom.Noscript: true,
	atom.Template: true, atom.Svg: true, atom.Object: true, atom.Iframe: true, atom.Select: true,
}

func (r *textRenderer) render(n *html.Node, depth int) {
	if r.stopped || depth > 200 {
		return
	}
	switch n.Type {
	case html.TextNode:
		r.text(n.Data)
		return
	case html.ElementNode:
	default:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			r.render(c, depth+1)
		}
		return
	}
	if skipAtoms[n.DataAtom] {
		return
	}
	if r.skipQuotes {
		switch quoteMarker(n) {
		case markQuote:
			return
		case markStop:
			r.stopped = true
			return
		}
	}
	block := blockAtoms[n.DataAtom]
	switch n.DataAtom {
	case atom.Br:
		r.b.WriteByte('\n')
		return
	case atom.Hr:
		r.newline()
		r.b.WriteString("----------\n")
		return
	case atom.Img:
		if alt := strings.TrimSpace(attr(n, "alt")); alt != "" {
			r.text("[" + alt + "]")
		}
		return
	case atom.Pre:
		r.pre++
		defer func() { r.pre-- }()
	case atom.Ul:
		r.lists = append(r.lists, -1)
		defer func() { r.lists = r.lists[:len(r.lists)-1] }()
	case atom.Ol:
		r.lists = append(r.lists, 0)
		defer func() { r.lists = r.lists[:len(r.lists)-1] }()
	case atom.Td, atom.Th:
		if n.PrevSibling != nil {
			r.b.WriteString("\t")
		}
	}
	if block {
		r.newline()
	}
	start := r.b.Len()
	if n.DataAtom == atom.Li {
		if k := len(r.lists); k > 0 && r.lists[k-1] >= 0 {
			r.lists[k-1]++
			r.b.WriteString(strconv.Itoa(r.lists[k-1]) + ". ")
		} else {
			r.b.WriteString("- ")
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.render(c, depth+1)
	}
	if n.DataAtom == atom.A {
		href := strings.TrimSpace(attr(n, "href"))
		if (strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://")) && !strings.Contains(textOf(n), href) {
			r.b.WriteString(" <" + href + ">")
		}
	}
	if block {
		r.newline()
	}
	// Outlook writes blank lines as <p>&nbsp;</p>: keep them.
	if n.DataAtom == atom.P && r.b.Len() == start {
		r.b.WriteByte('\n')
	}
}

// text writes a text node, collapsing white space outside <pre>.
func (r *textRenderer) text(s string) {
	s = strings.ReplaceAll(s, "\u00a0", " ")
	if r.pre > 0 {
		r.b.WriteString(s)
		return
	}
	fields := strings.Fields(s)
	if len(fields) == 0 {
		if s != "" && !r.atLineStart() && !strings.HasSuffix(r.b.String(), " ") {
			r.b.WriteByte(' ')
		}
		return
	}
	if startsSpace(s) && !r.atLineStart() {
		r.b.WriteByte(' ')
	}
	r.b.WriteString(strings.Join(fields, " "))
	if endsSpace(s) {
		r.b.WriteByte(' ')
	}
}

func startsSpace(s string) bool { return s != "" && strings.TrimLeft(s, " \t\r\n") != s }
func endsSpace(s string) bool   { return s != "" && strings.TrimRight(s, " \t\r\n") != s }

func (r *textRenderer) atLineStart() bool {
	s := r.b.String()
	return s == "" || strings.HasSuffix(s, "\n")
}

func (r *textRenderer) newline() {
	if !r.atLineStart() {
		r.b.WriteByte('\n')
	}
}

type marker int

const (
	markNone  marker = iota
	markQuote        // this element is quoted history: skip it
	markStop         // the history starts here and runs to the end
)

// quoteMarker recognises the elements clients wrap quoted history in.
func quoteMarker(n *html.Node) marker {
	class := " " + strings.ToLower(attr(n, "class")) + " "
	id := strings.ToLower(attr(n, "id"))
	switch {
	case n.DataAtom == atom.Blockquote && strings.EqualFold(attr(n, "type"), "cite"):
		return markQuote
	case strings.Contains(class, " gmail_quote ") || strings.Contains(class, " gmail_quote_container ") ||
		strings.Contains(class, " yahoo_quoted ") || strings.Contains(class, " moz-cite-prefix "):
		return markQuote
	case id == "divrplyfwdmsg" || id == "appendonsend" || id == "stopspelling" || id == "mail-editor-reference-message-container":
		return markStop
	case id == "original-content" || id == "isforwardcontent" || id == "isreplycontent":
		// QQ邮箱 puts the quoted mail in these.
		return markQuote
	}
	return markNone
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > 100 || b.Len() > 4096 {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

var blankLinesRe = regexp.MustCompile(`\n{3,}`)

// normalizeText makes line ends \n, trims trailing space on every line,
// turns no-break spaces into spaces, keeps at most one blank line in a row
// and trims the whole.
func normalizeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	s = strings.ReplaceAll(s, "\u200b", "")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = strings.Join(lines, "\n")
	s = blankLinesRe.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}
