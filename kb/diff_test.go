package kb

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

// lcsLen is the textbook dynamic programme, to check myers against.
func lcsLen(a, b []int) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// checkScript verifies that script turns a into b: every element of each
// side appears once, in order, and kept elements are equal.
func checkScript(t *testing.T, a, b []int, script []diffEdit) (kept int) {
	t.Helper()
	x, y := 0, 0
	for _, e := range script {
		switch e.op {
		case OpEqual:
			if e.a != x || e.b != y || a[x] != b[y] {
				t.Fatalf("bad keep %+v at %d,%d", e, x, y)
			}
			x, y, kept = x+1, y+1, kept+1
		case OpDelete:
			if e.a != x {
				t.Fatalf("bad delete %+v at %d", e, x)
			}
			x++
		case OpInsert:
			if e.b != y {
				t.Fatalf("bad insert %+v at %d", e, y)
			}
			y++
		}
	}
	if x != len(a) || y != len(b) {
		t.Fatalf("script covers %d/%d and %d/%d elements", x, len(a), y, len(b))
	}
	return kept
}

func TestDiffSeqIsShortest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		a := make([]int, r.IntN(14))
		b := make([]int, r.IntN(14))
		alphabet := 1 + r.IntN(5)
		for j := range a {
			a[j] = r.IntN(alphabet)
		}
		for j := range b {
			b[j] = r.IntN(alphabet)
		}
		kept := checkScript(t, a, b, diffSeq(a, b, 1000))
		if want := lcsLen(a, b); kept != want {
			t.Fatalf("case %d: diffSeq(%v, %v) keeps %d elements, the LCS has %d", i, a, b, kept, want)
		}
	}
}

func TestDiffSeqGivesUpCorrectly(t *testing.T) {
	// Past maxD the script is longer than needed but still right.
	a := []int{1, 2, 3, 4, 5, 6, 7, 8}
	b := []int{8, 7, 6, 5, 4, 3, 2, 1, 2, 3}
	for _, maxD := range []int{0, 1, 2, 5, 100} {
		kept := checkScript(t, a, b, diffSeq(a, b, maxD))
		if maxD == 100 && kept != lcsLen(a, b) {
			t.Errorf("maxD %d: kept %d, want %d", maxD, kept, lcsLen(a, b))
		}
	}
}

// applyHunks rebuilds the new text from the old one and the hunks, the way
// patch would, and checks the line numbers on the way.
func applyHunks(t *testing.T, old string, hunks []Hunk) string {
	t.Helper()
	a := splitLines(old)
	var out []string
	next := 0 // next old line to copy, 0-based
	for _, h := range hunks {
		start := h.OldStart - 1
		if h.OldLines == 0 {
			start = h.OldStart
		}
		if start < next {
			t.Fatalf("hunk %+v overlaps the one before", h)
		}
		out = append(out, a[next:start]...)
		next = start
		newNo := len(out) + 1
		if h.NewLines == 0 && h.NewStart != len(out) || h.NewLines > 0 && h.NewStart != newNo {
			t.Fatalf("hunk new start %d, want %d", h.NewStart, newNo)
		}
		var oldN, newN int
		for _, l := range h.Lines {
			text := l.Text
			if !l.NoNewline {
				text += "\n"
			}
			switch l.Op {
			case OpEqual, OpDelete:
				if a[next] != text {
					t.Fatalf("line %d is %q, hunk says %q", next+1, a[next], text)
				}
				if l.OldNo != next+1 {
					t.Fatalf("line %q numbered %d in old, is %d", l.Text, l.OldNo, next+1)
				}
				next++
				oldN++
			}
			switch l.Op {
			case OpEqual, OpInsert:
				out = append(out, text)
				if l.NewNo != len(out) {
					t.Fatalf("line %q numbered %d in new, is %d", l.Text, l.NewNo, len(out))
				}
				newN++
			}
			if l.Spans != nil {
				var joined strings.Builder
				for _, s := range l.Spans {
					joined.WriteString(s.Text)
				}
				if joined.String() != l.Text {
					t.Fatalf("spans of %q join to %q", l.Text, joined.String())
				}
			}
		}
		if oldN != h.OldLines || newN != h.NewLines {
			t.Fatalf("hunk header says -%d +%d lines, has -%d +%d", h.OldLines, h.NewLines, oldN, newN)
		}
	}
	return strings.Join(append(out, a[next:]...), "")
}

func TestDiffHunks(t *testing.T) {
	lines := func(n int, prefix string) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "%s%d\n", prefix, i)
		}
		return b.String()
	}
	ten := lines(10, "第")
	tests := []struct {
		name     string
		old, new string
		headers  []string // the hunks' @@ lines
	}{
		{"both empty", "", "", nil},
		{"identical", "退款\n到账\n", "退款\n到账\n", nil},
		{"identical without final newline", "退款\n到账", "退款\n到账", nil},
		{"from empty", "", "一\n二\n", []string{"@@ -0,0 +1,2 @@"}},
		{"to empty", "一\n二\n", "", []string{"@@ -1,2 +0,0 @@"}},
		{"all changed", "一\n二\n三\n", "甲\n乙\n", []string{"@@ -1,3 +1,2 @@"}},
		{"one line", "旧标题\n", "新标题\n", []string{"@@ -1 +1 @@"}},
		{"newline added at end", "一\n二", "一\n二\n", []string{"@@ -1,2 +1,2 @@"}},
		{"newline removed at end", "一\n二\n", "一\n二", []string{"@@ -1,2 +1,2 @@"}},
		{"insert in the middle", ten, strings.Replace(ten, "第5\n", "第5\n新增\n", 1), []string{"@@ -3,6 +3,7 @@"}},
		{"delete at the start", ten, strings.TrimPrefix(ten, "第1\n"), []string{"@@ -1,4 +1,3 @@"}},
		{"two changes far apart", lines(20, "行"), strings.Replace(strings.Replace(lines(20, "行"), "行2\n", "改2\n", 1), "行18\n", "改18\n", 1),
			[]string{"@@ -1,5 +1,5 @@", "@@ -15,6 +15,6 @@"}},
		{"two changes 6 lines apart share a hunk", ten, strings.Replace(strings.Replace(ten, "第2\n", "改2\n", 1), "第9\n", "改9\n", 1),
			[]string{"@@ -1,10 +1,10 @@"}},
		{"two changes 7 lines apart do not", lines(12, "第"), strings.Replace(strings.Replace(lines(12, "第"), "第2\n", "改2\n", 1), "第10\n", "改10\n", 1),
			[]string{"@@ -1,5 +1,5 @@", "@@ -7,6 +7,6 @@"}},
		{"blank lines", "\n\n甲\n\n", "\n甲\n\n\n", nil},
		{"crlf", "一\r\n二\r\n", "一\r\n三\r\n", []string{"@@ -1,2 +1,2 @@"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hunks := diffHunks(tt.old, tt.new, DiffContext)
			if got := applyHunks(t, tt.old, hunks); got != tt.new {
				t.Fatalf("applying the hunks gives %q, want %q", got, tt.new)
			}
			if tt.headers == nil {
				if tt.old == tt.new && len(hunks) != 0 {
					t.Fatalf("identical texts have %d hunks", len(hunks))
				}
				return
			}
			var got []string
			for _, h := range hunks {
				var b strings.Builder
				writeUnified(&b, []Hunk{h})
				got = append(got, strings.SplitN(b.String(), "\n", 2)[0])
			}
			if len(tt.headers) > 0 && !slices.Equal(got, tt.headers) {
				t.Fatalf("hunks %q, want %q", got, tt.headers)
			}
		})
	}
}

func TestDiffHunksRandomApply(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	words := []string{"退款", "到账", "订单", "物流", "", "发票", "客服"}
	text := func() string {
		var b strings.Builder
		for range r.IntN(30) {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteByte('\n')
		}
		s := b.String()
		if r.IntN(3) == 0 {
			s = strings.TrimSuffix(s, "\n")
		}
		return s
	}
	for range 2000 {
		old, new := text(), text()
		for _, c := range []int{0, 1, 3} {
			if got := applyHunks(t, old, diffHunks(old, new, c)); got != new {
				t.Fatalf("context %d: %q → %q rebuilt as %q", c, old, new, got)
			}
		}
	}
}

func TestNoNewlineMarker(t *testing.T) {
	hunks := diffHunks("一\n二", "一\n二\n", DiffContext)
	var b strings.Builder
	writeUnified(&b, hunks)
	want := "@@ -1,2 +1,2 @@\n 一\n-二\n\\ No newline at end of file\n+二\n"
	if b.String() != want {
		t.Fatalf("unified:\n%s\nwant:\n%s", b.String(), want)
	}
	var del, ins Line
	for _, l := range hunks[0].Lines {
		switch l.Op {
		case OpDelete:
			del = l
		case OpInsert:
			ins = l
		}
	}
	if !del.NoNewline || ins.NoNewline || del.Text != ins.Text {
		t.Fatalf("delete %+v, insert %+v", del, ins)
	}
}

func TestSpans(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		oldSpans []Span
		newSpans []Span
	}{
		{"one character", "退款将在3个工作日内到账", "退款将在7个工作日内到账",
			[]Span{{"退款将在", false}, {"3", true}, {"个工作日内到账", false}},
			[]Span{{"退款将在", false}, {"7", true}, {"个工作日内到账", false}}},
		{"insertion", "请联系客服", "请尽快联系在线客服",
			[]Span{{"请联系客服", false}},
			[]Span{{"请", false}, {"尽快", true}, {"联系", false}, {"在线", true}, {"客服", false}}},
		{"nothing alike", "退款到账", "Hello world", nil, nil},
		{"emoji", "谢谢🙂", "谢谢🙁", []Span{{"谢谢", false}, {"🙂", true}}, []Span{{"谢谢", false}, {"🙁", true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, n := runeSpans(tt.old, tt.new)
			if !slices.Equal(o, tt.oldSpans) || !slices.Equal(n, tt.newSpans) {
				t.Fatalf("spans\n%v\n%v\nwant\n%v\n%v", o, n, tt.oldSpans, tt.newSpans)
			}
		})
	}
}

func TestSpansPairLinesInOrder(t *testing.T) {
	hunks := diffHunks("标题\n第一段：退款三天到账。\n第二段：联系客服。\n", "标题\n第一段：退款七天到账。\n第二段：联系在线客服。\n新的一段\n", DiffContext)
	var changed []Line
	for _, l := range hunks[0].Lines {
		if l.Op != OpEqual {
			changed = append(changed, l)
		}
	}
	// Two deletes, three inserts: the first two inserts pair with the
	// deletes, the third has nothing to compare with.
	if len(changed) != 5 {
		t.Fatalf("changed lines %+v", changed)
	}
	for i, l := range changed {
		if (i < 4) != (l.Spans != nil) {
			t.Errorf("line %d %q: spans %v", i, l.Text, l.Spans)
		}
	}
}

func TestCompare(t *testing.T) {
	v1 := &triage.ArticleVersion{ArticleID: "a1", Version: 1, Title: "如何申请退款", Body: "## 步骤\n\n1. 打开订单\n2. 点击退款\n", Category: "售后", Tags: []string{"退款", "售后"}}
	v3 := &triage.ArticleVersion{ArticleID: "a1", Version: 3, Title: "如何申请退款", Body: "## 步骤\n\n1. 打开订单详情\n2. 点击申请退款\n3. 等待审核\n", Category: "售后", Tags: []string{"退款", "审核"}}

	t.Run("changed fields", func(t *testing.T) {
		d := Compare(v1, v3)
		var names []string
		for _, f := range d.Fields {
			names = append(names, fmt.Sprintf("%s:%v", f.Field, f.Changed))
		}
		if want := []string{"title:false", "body:true", "category:false", "tags:true"}; !slices.Equal(names, want) {
			t.Fatalf("fields %v, want %v", names, want)
		}
		want := "--- v1/body\n+++ v3/body\n@@ -1,4 +1,5 @@\n ## 步骤\n \n-1. 打开订单\n-2. 点击退款\n+1. 打开订单详情\n+2. 点击申请退款\n+3. 等待审核\n" +
			"--- v1/tags\n+++ v3/tags\n@@ -1,2 +1,2 @@\n 退款\n-售后\n+审核\n"
		if d.Unified != want {
			t.Fatalf("unified:\n%s\nwant:\n%s", d.Unified, want)
		}
		if !d.Changed() || d.From != 1 || d.To != 3 || d.ArticleID != "a1" {
			t.Fatalf("diff %+v", d)
		}
	})
	t.Run("identical", func(t *testing.T) {
		d := Compare(v1, v1)
		if d.Changed() || d.Unified != "" {
			t.Fatalf("diff of a version with itself: %+v", d)
		}
		for _, f := range d.Fields {
			if f.Hunks == nil {
				t.Fatalf("field %s has nil hunks; the UI expects a list", f.Field)
			}
		}
	})
	t.Run("title from empty", func(t *testing.T) {
		d := Compare(&triage.ArticleVersion{Version: 1}, &triage.ArticleVersion{Version: 2, Title: "新标题"})
		if want := "--- v1/title\n+++ v2/title\n@@ -0,0 +1 @@\n+新标题\n"; d.Unified != want {
			t.Fatalf("unified %q, want %q", d.Unified, want)
		}
	})
	t.Run("backwards", func(t *testing.T) {
		d := Compare(v3, v1)
		if d.From != 3 || d.To != 1 || !strings.Contains(d.Unified, "-3. 等待审核\n") {
			t.Fatalf("diff %+v", d)
		}
	})
}

func BenchmarkDiffLongArticle(b *testing.B) {
	var old strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&old, "第%d段：如果您的退款在%d个工作日内没有到账，请联系客服。\n", i, i%7)
	}
	new := strings.ReplaceAll(old.String(), "客服", "在线客服")
	for b.Loop() {
		diffHunks(old.String(), new, DiffContext)
	}
}
