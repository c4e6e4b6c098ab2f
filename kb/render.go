package kb

import (
	"bytes"
	"html"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Renderer turns article Markdown into HTML that a page may insert as is.
// It is safe for concurrent use.
//
// Two layers, because each covers what the other may miss: goldmark leaves
// raw HTML out and blanks dangerous link targets, and bluemonday's
// user-content policy then removes whatever a Markdown construct or a
// parser bug could still let through (scripts, event handlers, styles,
// javascript: and data: URLs).
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// NewRenderer returns a renderer for GitHub-flavoured Markdown (tables,
// strikethrough, task lists, bare links) with Chinese line breaking: a
// soft line break between two Chinese characters disappears instead of
// becoming a space.
//
// One CommonMark rule remains that Chinese writers trip over: emphasis
// that closes right after punctuation and before a character, as in
// **注意：**请, stays literal; **注意**：请 works.
func NewRenderer() *Renderer {
	p := bluemonday.UGCPolicy()
	p.AddTargetBlankToFullyQualifiedLinks(true)
	// Task lists render as disabled checkboxes; nothing else may make a
	// form control.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^$`)).OnElements("input")
	md := goldmark.New(goldmark.WithExtensions(
		// GFM, with table alignment as the align attribute: the policy
		// drops style attributes, and with them a column's alignment.
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
		extension.Linkify,
		extension.TaskList,
		extension.CJK,
	))
	return &Renderer{md: md, policy: p}
}

// Render returns the sanitised HTML of markdown.
func (r *Renderer) Render(markdown string) string {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(markdown), &buf); err != nil {
		// goldmark fails only when its writer does, and a bytes.Buffer
		// does not; should that change, show the text escaped rather than
		// nothing.
		return "<p>" + html.EscapeString(markdown) + "</p>"
	}
	return r.policy.SanitizeReader(&buf).String()
}
