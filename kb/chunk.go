package kb

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/triagehq/triage"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Chunk sizes, in characters (runes). A chunk is scored on its own in the
// indexes, so it should hold one idea: a paragraph. Below the minimum a
// chunk has too few words to rank on; above the maximum a match in one
// sentence is diluted by the rest, and an embedder truncates it.
const (
	MinChunkRunes = 60
	MaxChunkRunes = 500
)

// Chunks splits an article into the documents of the search indexes, one
// per paragraph-sized chunk of its body. Blank lines and headings separate
// paragraphs; a heading stays with the paragraph it introduces; a chunk
// shorter than MinChunkRunes joins the next one, and one longer than
// MaxChunkRunes is split at sentence ends. Chunk 0 always exists, so an
// article with an empty body is still found by its title, which every
// chunk carries. Bodies are plain text: Markdown syntax is gone, links
// show their text, images their alt text. The result depends only on the
// article.
func Chunks(a *triage.Article) []triage.SearchDoc {
	pieces := sizeChunks(markdownBlocks(a.Body))
	if len(pieces) == 0 {
		pieces = []string{""}
	}
	docs := make([]triage.SearchDoc, len(pieces))
	for i, p := range pieces {
		docs[i] = triage.SearchDoc{
			ID:       DocID(triage.DocArticle, a.ID, i),
			Kind:     triage.DocArticle,
			OwnerID:  a.ID,
			Chunk:    i,
			Title:    a.Title,
			Body:     p,
			Category: a.Category,
		}
	}
	return docs
}

// PlainText returns Markdown as plain text, one block a line: what a
// search snippet or an extractive draft should quote.
func PlainText(markdown string) string {
	return strings.Join(markdownBlocks(markdown), "\n")
}

// markdownBlocks returns the plain text of each top-level block of a
// Markdown document, with headings joined to the block after them.
func markdownBlocks(markdown string) []string {
	src := []byte(markdown)
	doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(text.NewReader(src))
	x := &plain{src: src}
	var blocks, headings []string
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		t := strings.TrimSpace(x.block(n))
		switch {
		case t == "":
		case n.Kind() == ast.KindHeading:
			headings = append(headings, t)
		default:
			blocks = append(blocks, strings.Join(append(headings, t), "\n"))
			headings = nil
		}
	}
	if len(headings) > 0 {
		blocks = append(blocks, strings.Join(headings, "\n"))
	}
	return blocks
}

// plain extracts the text of Markdown nodes.
type plain struct {
	src []byte
}

func (x *plain) block(n ast.Node) string {
	switch n := n.(type) {
	case *ast.Heading, *ast.Paragraph, *ast.TextBlock, *east.TableCell:
		return x.inline(n)
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		return x.lines(n.Lines())
	case *ast.HTMLBlock:
		t := x.lines(n.Lines())
		if n.HasClosure() {
			t += string(n.ClosureLine.Value(x.src))
		}
		return stripTags(t)
	case *ast.ThematicBreak:
		return ""
	case *east.TableHeader, *east.TableRow:
		return x.children(n, " ")
	}
	return x.children(n, "\n")
}

func (x *plain) children(n ast.Node, sep string) string {
	var parts []string
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t := strings.TrimSpace(x.block(c)); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, sep)
}

func (x *plain) lines(ls *text.Segments) string {
	var b strings.Builder
	for i := range ls.Len() {
		seg := ls.At(i)
		b.Write(seg.Value(x.src))
	}
	return b.String()
}

// inline returns the text of a block's inline content.
func (x *plain) inline(n ast.Node) string {
	w := &inlineText{}
	x.walk(n, w)
	return w.b.String()
}

func (x *plain) walk(n ast.Node, w *inlineText) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := c.Segment.Value(x.src)
			if !c.IsRaw() {
				v = util.UnescapePunctuations(util.ResolveEntityNames(util.ResolveNumericReferences(v)))
			}
			w.write(string(v))
			switch {
			case c.HardLineBreak():
				w.write("\n")
			case c.SoftLineBreak():
				w.soft = true
			}
		case *ast.String:
			w.write(string(c.Value))
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					w.write(strings.ReplaceAll(string(t.Segment.Value(x.src)), "\n", " "))
				}
			}
		case *ast.AutoLink:
			w.write(string(c.Label(x.src)))
		case *ast.RawHTML, *east.TaskCheckBox:
			// Tags, not text: what they wrap is in sibling nodes.
		default: // emphasis, links, images (their alt text), strikethrough
			x.walk(c, w)
		}
	}
}

// inlineText joins inline pieces. A soft line break is a space between
// words of Latin script and nothing between Chinese characters, where a
// space would split a word for the segmenter.
type inlineText struct {
	b    strings.Builder
	soft bool
}

func (w *inlineText) write(s string) {
	if s == "" {
		return
	}
	if w.soft {
		w.soft = false
		last, _ := utf8.DecodeLastRuneInString(w.b.String())
		next, _ := utf8.DecodeRuneInString(s)
		if !wide(last) || !wide(next) {
			w.b.WriteByte(' ')
		}
	}
	w.b.WriteString(s)
}

// wide reports whether r is an East Asian character or punctuation mark,
// which run on without spaces.
func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// stripTags removes HTML tags and comments and decodes entities.
func stripTags(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		end := ">"
		if strings.HasPrefix(s[i:], "<!--") {
			end = "-->"
		}
		j := strings.Index(s[i:], end)
		if j < 0 {
			break
		}
		s = s[i+j+len(end):]
	}
	return html.UnescapeString(b.String())
}

// sizeChunks splits long blocks at sentence ends and joins short ones to
// the next, or to the one before at the end.
func sizeChunks(blocks []string) []string {
	var pieces []string
	for _, b := range blocks {
		pieces = append(pieces, splitLong(b, MaxChunkRunes)...)
	}
	var out []string
	carry := ""
	for _, p := range pieces {
		if carry != "" {
			p, carry = carry+"\n"+p, ""
		}
		if utf8.RuneCountInString(p) < MinChunkRunes {
			carry = p
			continue
		}
		out = append(out, p)
	}
	if carry != "" {
		if n := len(out); n > 0 {
			out[n-1] += "\n" + carry
		} else {
			out = append(out, carry)
		}
	}
	return out
}

// splitLong cuts a block longer than max runes into pieces of about equal
// length made of whole sentences, so that no tail piece is left too short
// to stand alone.
func splitLong(block string, max int) []string {
	total := utf8.RuneCountInString(block)
	if total <= max {
		return []string{block}
	}
	n := (total + max - 1) / max
	target := (total + n - 1) / n
	var out []string
	var cur strings.Builder
	curLen := 0
	emit := func() {
		if t := strings.TrimSpace(cur.String()); t != "" {
			out = append(out, t)
		}
		cur.Reset()
		curLen = 0
	}
	for _, s := range sentences(block, max) {
		sl := utf8.RuneCountInString(s)
		if curLen > 0 && (curLen+sl > max || curLen >= target) {
			emit()
		}
		cur.WriteString(s)
		curLen += sl
	}
	emit()
	return out
}

// sentences cuts text after each sentence end (。！？；.!? and line breaks),
// keeping closing quotes and brackets with their sentence, and cuts any
// sentence longer than max at a comma or, failing that, at max runes.
func sentences(text string, max int) []string {
	rs := []rune(text)
	var out []string
	start := 0
	for i := 0; i < len(rs); i++ {
		if !sentenceEnd(rs, i) {
			continue
		}
		for i+1 < len(rs) && strings.ContainsRune("”’\"')）】」』》", rs[i+1]) {
			i++
		}
		out = append(out, cutLong(rs[start:i+1], max)...)
		start = i + 1
	}
	if start < len(rs) {
		out = append(out, cutLong(rs[start:], max)...)
	}
	return out
}

// sentenceEnd reports whether rs[i] ends a sentence. A Latin full stop
// does only before a space or the end, so 3.5 元 and www.example.com stay
// whole.
func sentenceEnd(rs []rune, i int) bool {
	switch rs[i] {
	case '。', '！', '？', '；', '\n':
		return true
	case '.', '!', '?':
		return i+1 == len(rs) || unicode.IsSpace(rs[i+1])
	}
	return false
}

func cutLong(rs []rune, max int) []string {
	var out []string
	for len(rs) > max {
		cut := max
		for j := max - 1; j >= max/2; j-- {
			if strings.ContainsRune("，、：,:", rs[j]) {
				cut = j + 1
				break
			}
		}
		out = append(out, string(rs[:cut]))
		rs = rs[cut:]
	}
	if len(rs) > 0 {
		out = append(out, string(rs))
	}
	return out
}
