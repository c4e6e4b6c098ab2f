package kb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/triagehq/triage"
)

// Op is what a line of a diff does.
type Op string

// Diff operations.
const (
	OpEqual  Op = "equal"
	OpDelete Op = "delete" // only in the older version
	OpInsert Op = "insert" // only in the newer version
)

// DiffContext is how many unchanged lines a hunk shows around a change, as
// in a unified diff.
const DiffContext = 3

// Diff compares two versions of an article, field by field, line by line.
type Diff struct {
	ArticleID string `json:"article_id"`
	From      int    `json:"from"`
	To        int    `json:"to"`
	// Fields holds title, body, category and tags, in that order, changed
	// or not. Tags are compared one per line.
	Fields []FieldDiff `json:"fields"`
	// Unified is the same diff as unified-diff text, one section per
	// changed field; "" when nothing changed.
	Unified string `json:"unified"`
}

// Changed reports whether any field differs.
func (d *Diff) Changed() bool {
	return slices.ContainsFunc(d.Fields, func(f FieldDiff) bool { return f.Changed })
}

// FieldDiff is the diff of one field.
type FieldDiff struct {
	Field   string `json:"field"`
	Changed bool   `json:"changed"`
	Hunks   []Hunk `json:"hunks"`
}

// Hunk is a run of changes with DiffContext unchanged lines around them.
// The numbers are those of a unified diff's "@@ -OldStart,OldLines
// +NewStart,NewLines @@" header: 1-based, and a side with no lines names
// the line before the hunk.
type Hunk struct {
	OldStart int    `json:"old_start"`
	OldLines int    `json:"old_lines"`
	NewStart int    `json:"new_start"`
	NewLines int    `json:"new_lines"`
	Lines    []Line `json:"lines"`
}

// Line is one line of a hunk.
type Line struct {
	Op Op `json:"op"`
	// Text is the line without its newline.
	Text string `json:"text"`
	// OldNo and NewNo are the line's 1-based numbers in each version; 0
	// on the side it is not in.
	OldNo int `json:"old_no,omitempty"`
	NewNo int `json:"new_no,omitempty"`
	// NoNewline marks the last line of a text that does not end with a
	// newline; it is how a diff shows that only the final newline changed.
	NoNewline bool `json:"no_newline,omitempty"`
	// Spans split a deleted line and the inserted line that replaced it
	// into the parts they share and the parts that changed, when they
	// are alike enough for that to help. Their texts join to Text.
	Spans []Span `json:"spans,omitempty"`
}

// Span is part of a changed line.
type Span struct {
	Text    string `json:"text"`
	Changed bool   `json:"changed"`
}

// Diff compares two versions of an article; from may be later than to.
func (s *Service) Diff(ctx context.Context, id string, from, to int) (*Diff, error) {
	if from < 1 {
		return nil, triage.Invalid("from", "from must be a version number, 1 or more")
	}
	if to < 1 {
		return nil, triage.Invalid("to", "to must be a version number, 1 or more")
	}
	a, err := s.Store.ArticleVersion(ctx, id, from)
	if err != nil {
		return nil, err
	}
	b, err := s.Store.ArticleVersion(ctx, id, to)
	if err != nil {
		return nil, err
	}
	return Compare(a, b), nil
}

// Compare diffs two versions of an article.
func Compare(a, b *triage.ArticleVersion) *Diff {
	d := &Diff{ArticleID: b.ArticleID, From: a.Version, To: b.Version}
	fields := []struct{ name, old, new string }{
		{"title", oneLine(a.Title), oneLine(b.Title)},
		{"body", a.Body, b.Body},
		{"category", oneLine(a.Category), oneLine(b.Category)},
		{"tags", tagLines(a.Tags), tagLines(b.Tags)},
	}
	var u strings.Builder
	for _, f := range fields {
		fd := FieldDiff{Field: f.name, Changed: f.old != f.new, Hunks: []Hunk{}}
		if fd.Changed {
			fd.Hunks = diffHunks(f.old, f.new, DiffContext)
			fmt.Fprintf(&u, "--- v%d/%s\n+++ v%d/%s\n", a.Version, f.name, b.Version, f.name)
			writeUnified(&u, fd.Hunks)
		}
		d.Fields = append(d.Fields, fd)
	}
	d.Unified = u.String()
	return d
}

// oneLine makes a one-line field a complete line, so that a diff of titles
// does not talk about missing newlines.
func oneLine(s string) string {
	if s == "" {
		return ""
	}
	return s + "\n"
}

func tagLines(tags []string) string {
	var b strings.Builder
	for _, t := range tags {
		b.WriteString(t)
		b.WriteByte('\n')
	}
	return b.String()
}

// writeUnified writes hunks in unified-diff form.
func writeUnified(w *strings.Builder, hunks []Hunk) {
	for _, h := range hunks {
		fmt.Fprintf(w, "@@ -%s +%s @@\n", hunkRange(h.OldStart, h.OldLines), hunkRange(h.NewStart, h.NewLines))
		for _, l := range h.Lines {
			switch l.Op {
			case OpEqual:
				w.WriteByte(' ')
			case OpDelete:
				w.WriteByte('-')
			case OpInsert:
				w.WriteByte('+')
			}
			w.WriteString(l.Text)
			w.WriteByte('\n')
			if l.NoNewline {
				w.WriteString("\\ No newline at end of file\n")
			}
		}
	}
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// splitLines cuts s after each newline; the last line may lack one.
func splitLines(s string) []string {
	var lines []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

// maxLineEdits bounds the search for the shortest line diff. Hand-edited
// articles stay far below it; past it the diff stays correct but may
// replace a region wholesale instead of finding the few lines it kept.
const maxLineEdits = 1000

// diffHunks diffs two texts line by line and groups the changes into
// hunks with context lines around them.
func diffHunks(old, new string, context int) []Hunk {
	a, b := splitLines(old), splitLines(new)
	ids := map[string]int{}
	intern := func(lines []string) []int {
		out := make([]int, len(lines))
		for i, l := range lines {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	script := diffSeq(intern(a), intern(b), maxLineEdits)
	lines := make([]Line, len(script))
	for i, e := range script {
		l := Line{Op: e.op}
		var text string
		if e.op == OpInsert {
			text, l.NewNo = b[e.b], e.b+1
		} else {
			text, l.OldNo = a[e.a], e.a+1
		}
		if e.op == OpEqual {
			l.NewNo = e.b + 1
		}
		text, complete := strings.CutSuffix(text, "\n")
		l.Text, l.NoNewline = text, !complete
		lines[i] = l
	}
	markSpans(lines)
	return groupHunks(lines, context)
}

// groupHunks cuts a full line diff into hunks: changes closer than 2×context
// lines share a hunk.
func groupHunks(lines []Line, context int) []Hunk {
	var hunks []Hunk
	oldBefore, newBefore := 0, 0 // lines of each side before lines[i]
	for i := 0; i < len(lines); {
		if lines[i].Op == OpEqual {
			oldBefore++
			newBefore++
			i++
			continue
		}
		// A change at i: the hunk starts context lines earlier and ends
		// after the last change that follows within 2×context equal lines.
		start := max(0, i-context)
		end := i
		for j := i; j < len(lines); j++ {
			if lines[j].Op != OpEqual {
				end = j
				continue
			}
			if j-end > 2*context {
				break
			}
		}
		stop := min(len(lines), end+context+1)
		h := Hunk{Lines: lines[start:stop]}
		lead := i - start
		h.OldStart, h.NewStart = oldBefore-lead, newBefore-lead
		for _, l := range h.Lines {
			if l.Op != OpInsert {
				h.OldLines++
			}
			if l.Op != OpDelete {
				h.NewLines++
			}
		}
		// Count the hunk's lines into the totals from i on; the lead
		// was already counted.
		for _, l := range lines[i:stop] {
			if l.Op != OpInsert {
				oldBefore++
			}
			if l.Op != OpDelete {
				newBefore++
			}
		}
		if h.OldLines > 0 {
			h.OldStart++
		}
		if h.NewLines > 0 {
			h.NewStart++
		}
		hunks = append(hunks, h)
		i = stop
	}
	return hunks
}

// maxRuneEdits bounds the character diff of a changed line pair; a pair
// that needs more is shown as whole lines.
const maxRuneEdits = 300

// minSpanSimilarity is how much of a line pair must be shared (2×shared
// runes / all runes) for its spans to help a reader rather than confetti
// the line.
const minSpanSimilarity = 0.4

// markSpans pairs each run of deleted lines with the inserted lines that
// follow it, first with first, and marks the characters that changed.
func markSpans(lines []Line) {
	for i := 0; i < len(lines); {
		if lines[i].Op != OpDelete {
			i++
			continue
		}
		d := i
		for i < len(lines) && lines[i].Op == OpDelete {
			i++
		}
		ins := i
		for i < len(lines) && lines[i].Op == OpInsert {
			i++
		}
		for k := 0; d+k < ins && ins+k < i; k++ {
			lines[d+k].Spans, lines[ins+k].Spans = runeSpans(lines[d+k].Text, lines[ins+k].Text)
		}
	}
}

// runeSpans diffs two lines character by character.
func runeSpans(old, new string) (oldSpans, newSpans []Span) {
	if old == new {
		return nil, nil
	}
	a, b := []rune(old), []rune(new)
	ia, ib := make([]int, len(a)), make([]int, len(b))
	for i, r := range a {
		ia[i] = int(r)
	}
	for i, r := range b {
		ib[i] = int(r)
	}
	script := diffSeq(ia, ib, maxRuneEdits)
	shared := 0
	for _, e := range script {
		if e.op == OpEqual {
			shared++
		}
	}
	if float64(2*shared) < minSpanSimilarity*float64(len(a)+len(b)) {
		return nil, nil
	}
	add := func(spans []Span, r rune, changed bool) []Span {
		if n := len(spans); n > 0 && spans[n-1].Changed == changed {
			spans[n-1].Text += string(r)
			return spans
		}
		return append(spans, Span{Text: string(r), Changed: changed})
	}
	for _, e := range script {
		switch e.op {
		case OpEqual:
			oldSpans = add(oldSpans, a[e.a], false)
			newSpans = add(newSpans, b[e.b], false)
		case OpDelete:
			oldSpans = add(oldSpans, a[e.a], true)
		case OpInsert:
			newSpans = add(newSpans, b[e.b], true)
		}
	}
	return oldSpans, newSpans
}

// diffEdit is one step of an edit script: keep a[a] as b[b], delete a[a], or
// insert b[b].
type diffEdit struct {
	op   Op
	a, b int
}

// diffSeq returns a shortest edit script from a to b, if one needs at most
// maxD inserts and deletes once the common prefix and suffix and the
// elements found on one side only are set aside; otherwise a correct but
// longer one. Deletes come before inserts between two kept elements.
func diffSeq(a, b []int, maxD int) []diffEdit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]

	// An element only one side has can never be kept, so leaving it out
	// of the search changes nothing but its cost (GNU diff does the same).
	inA, inB := map[int]bool{}, map[int]bool{}
	for _, x := range ma {
		inA[x] = true
	}
	for _, x := range mb {
		inB[x] = true
	}
	var ra, rb, ia, ib []int
	for i, x := range ma {
		if inB[x] {
			ra, ia = append(ra, x), append(ia, i)
		}
	}
	for i, x := range mb {
		if inA[x] {
			rb, ib = append(rb, x), append(ib, i)
		}
	}
	pairs, _ := myers(ra, rb, maxD)

	script := make([]diffEdit, 0, len(a)+len(b)-pre-suf)
	for i := 0; i < pre; i++ {
		script = append(script, diffEdit{OpEqual, i, i})
	}
	x, y := 0, 0 // next unwritten element of ma and mb
	flush := func(toX, toY int) {
		for ; x < toX; x++ {
			script = append(script, diffEdit{OpDelete, pre + x, -1})
		}
		for ; y < toY; y++ {
			script = append(script, diffEdit{OpInsert, -1, pre + y})
		}
	}
	for _, p := range pairs {
		px, py := ia[p[0]], ib[p[1]]
		flush(px, py)
		script = append(script, diffEdit{OpEqual, pre + px, pre + py})
		x, y = px+1, py+1
	}
	flush(len(ma), len(mb))
	for i := 0; i < suf; i++ {
		script = append(script, diffEdit{OpEqual, len(a) - suf + i, len(b) - suf + i})
	}
	return script
}

// myers finds a longest common subsequence of a and b by Myers' O(ND)
// greedy algorithm and returns the index pairs it keeps, in order. It gives
// up (nil, false) when the edit distance exceeds maxD, which bounds its
// time by O((N+M)·maxD) and its memory by O(maxD²).
func myers(a, b []int, maxD int) ([][2]int, bool) {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return nil, true
	}
	limit := min(n+m, maxD)
	off := limit + 1
	v := make([]int, 2*limit+3)
	var trace [][]int // trace[d][k+d]: furthest x on diagonal k after d edits
	for d := 0; d <= limit; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: an insert
			} else {
				x = v[off+k-1] + 1 // right: a delete
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(trace, n, m, d), true
			}
		}
		trace = append(trace, slices.Clone(v[off-d:off+d+1]))
	}
	return nil, false
}

// backtrack walks the furthest-reaching paths of myers back from (n, m)
// and collects the diagonal moves, which are the kept pairs.
func backtrack(trace [][]int, n, m, depth int) [][2]int {
	var pairs [][2]int
	x, y := n, m
	for d := depth; d > 0; d-- {
		prev := trace[d-1]
		at := func(k int) int { return prev[k+d-1] }
		k := x - y
		pk := k - 1
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		}
		px := at(pk)
		sx := px // after the insert or delete that left diagonal pk
		if pk == k-1 {
			sx++
		}
		for x > sx {
			x, y = x-1, y-1
			pairs = append(pairs, [2]int{x, y})
		}
		x, y = px, px-pk
	}
	for x > 0 && y > 0 {
		x, y = x-1, y-1
		pairs = append(pairs, [2]int{x, y})
	}
	slices.Reverse(pairs)
	return pairs
}
