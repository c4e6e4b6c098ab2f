package eval

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// checkPage parses a page as HTML and checks that every element closes in
// order (a template slip shows as a mismatch), returning the text and the
// element names seen.
func checkPage(t *testing.T, page []byte) (string, map[string]int) {
	t.Helper()
	if _, err := html.Parse(bytes.NewReader(page)); err != nil {
		t.Fatalf("does not parse as HTML: %v", err)
	}
	void := map[string]bool{"meta": true, "br": true, "img": true, "link": true, "input": true, "hr": true}
	z := html.NewTokenizer(bytes.NewReader(page))
	var stack []string
	var text strings.Builder
	seen := map[string]int{}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatal(z.Err())
			}
			if len(stack) > 0 {
				t.Fatalf("unclosed elements at the end: %v", stack)
			}
			return text.String(), seen
		case html.TextToken:
			text.Write(z.Text())
		case html.StartTagToken:
			name, _ := z.TagName()
			seen[string(name)]++
			if !void[string(name)] {
				stack = append(stack, string(name))
			}
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			seen[string(name)]++
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(stack) == 0 || stack[len(stack)-1] != string(name) {
				t.Fatalf("</%s> closes %v", name, stack)
			}
			stack = stack[:len(stack)-1]
		}
	}
}

func TestWriteHTML(t *testing.T) {
	suite, err := NewSuite(map[string]any{"cls": sampleClassify(t, 0), "ret": sampleRetrieve()})
	if err != nil {
		t.Fatal(err)
	}
	live := &LiveReport{Kind: KindLive, Closed: 3}
	lf, err := scoreLive(LiveField{Field: "category", Abstained: 1},
		[]ClassOutcome{{Gold: "退款", Predicted: "退款", Confidence: 0.9}, {Gold: "物流", Predicted: "退款", Confidence: 0.3}},
		[]bool{false, true}, []string{"m1", "m1"})
	if err != nil {
		t.Fatal(err)
	}
	live.Fields = []LiveField{lf}
	live.Suggestions = summarizeFeedback(nil)
	tests := []struct {
		name   string
		report any
		// svgs is how many charts the page must have; words are texts it
		// must show.
		svgs  int
		words []string
	}{
		{"classify", sampleClassify(t, 0), 4, []string{"混淆矩阵", "账号登录", "退款", "覆盖率", "可靠性", "登录不了想退款", "macro_f1", "top3_accuracy", "abstain rate"}},
		{"retrieve", sampleRetrieve(), 1, []string{"recall@5", "ndcg@10", "hybrid", "怎么修改绑定的手机号", "修改密码", "最差未命中"}},
		{"live", live, 3, []string{"线上评估", "退款", "category", "建议采纳"}},
		{"suite", suite, 5, []string{"分类评估", "检索评估", "账号登录", "recall@10"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := WriteHTML(decoded(t, tt.report))
			if err != nil {
				t.Fatal(err)
			}
			text, seen := checkPage(t, page)
			if seen["svg"] < tt.svgs {
				t.Errorf("%d SVG charts, want %d or more", seen["svg"], tt.svgs)
			}
			for _, w := range tt.words {
				if !strings.Contains(text, w) {
					t.Errorf("the page does not show %q", w)
				}
			}
			// Self-contained: nothing to fetch, no script.
			for _, bad := range []string{"http://", "https://", "<script", "<link", "src=", "@import", "url("} {
				if bytes.Contains(page, []byte(bad)) {
					t.Errorf("the page contains %q", bad)
				}
			}
			if !bytes.Contains(page, []byte(`"Noto Sans CJK SC"`)) || !bytes.Contains(page, []byte(`lang="zh-CN"`)) || !bytes.Contains(page, []byte(`charset="utf-8"`)) {
				t.Error("no CJK font stack, language or charset")
			}
		})
	}
}

func TestHTMLEscapes(t *testing.T) {
	r := sampleClassify(t, 0)
	r.Name = `<img src=x onerror=alert(1)>`
	r.PerClass["<b>类</b>"] = ClassScore{Support: 1}
	r.Confusion.Labels[0] = `"><script>`
	r.MostConfused[0].Examples = []string{"</td><script>alert(1)</script>"}
	page, err := WriteHTML(decoded(t, r))
	if err != nil {
		t.Fatal(err)
	}
	checkPage(t, page)
	for _, bad := range []string{"<img", "<script", "<b>类"} {
		if bytes.Contains(page, []byte(bad)) {
			t.Errorf("unescaped %q in the page", bad)
		}
	}
}

func TestChartsEmpty(t *testing.T) {
	for name, svg := range map[string]string{
		"heatmap":     string(Heatmap(LangBoth, Confusion{})),
		"coverage":    string(CoverageChart(LangBoth, nil, 0.5)),
		"reliability": string(ReliabilityChart(LangBoth, Calibration{})),
		"bars":        string(Bars("x", nil, nil)),
	} {
		if svg != "" {
			t.Errorf("%s: an empty chart draws %q", name, svg)
		}
	}
	// Label widths follow the text: a chart of long Chinese labels is
	// wider than one of short ones.
	width := regexp.MustCompile(`width="(\d+)"`)
	short := width.FindStringSubmatch(string(Heatmap(LangZH, Confusion{Labels: []string{"甲", "乙"}, Counts: [][]int{{1, 0}, {0, 1}}})))
	long := width.FindStringSubmatch(string(Heatmap(LangZH, Confusion{Labels: []string{"劳动和社会保障", "乙"}, Counts: [][]int{{1, 0}, {0, 1}}})))
	if short == nil || long == nil || len(long[1]) < len(short[1]) || long[1] <= short[1] && len(long[1]) == len(short[1]) {
		t.Errorf("widths %v and %v", short, long)
	}
}

// TestReportLanguages: a page or body in one language says its labels in
// that language only; the body the web UI shows is the same drawing as
// the page, without the page around it.
func TestReportLanguages(t *testing.T) {
	suite, err := NewSuite(map[string]any{"cls": sampleClassify(t, 0), "ret": sampleRetrieve()})
	if err != nil {
		t.Fatal(err)
	}
	d := decoded(t, suite)
	english := regexp.MustCompile(`(?i)\b(confusion|per class|precision|reliability|accuracy|threshold|timing|gold|predicted|support|coverage|queries|latency|sample|seed|stratified|most confused|worst|embedder|articles|label|train|test|model|best mode|share|mean confidence|gap|examples|came back|relevant|rank|classification|retrieval)\b`)
	han := regexp.MustCompile(`\p{Han}`)
	for _, l := range []Lang{LangZH, LangEN} {
		t.Run(string(l), func(t *testing.T) {
			page, err := WritePage(d, l)
			if err != nil {
				t.Fatal(err)
			}
			text, _ := checkPage(t, page)
			// Data (set names, file names, mode names, the sample's Chinese
			// texts) is shown as it is; labels are in the language.
			text = strings.Replace(text, pageCSS+ReportCSS, "", 1)
			for _, data := range []string{"cls", "ret", "train.jsonl", "dev.jsonl", "articles.jsonl", "queries.jsonl", "hybrid", "bm25", "vector"} {
				text = strings.ReplaceAll(text, data, "")
			}
			switch l {
			case LangZH:
				if m := english.FindAllString(text, 5); len(m) > 0 {
					t.Errorf("the Chinese page says %q", m)
				}
				if !bytes.Contains(page, []byte(`lang="zh-CN"`)) || !strings.Contains(text, "混淆矩阵") {
					t.Error("not a Chinese page")
				}
			case LangEN:
				labels := han.ReplaceAllString(text, "")
				if !strings.Contains(labels, "Confusion matrix") || !bytes.Contains(page, []byte(`lang="en"`)) {
					t.Error("not an English page")
				}
				for _, zh := range []string{"混淆矩阵", "准确率", "阈值", "各类", "最佳模式"} {
					if strings.Contains(text, zh) {
						t.Errorf("the English page says %q", zh)
					}
				}
			}
			body, err := WriteBody(d, l)
			if err != nil {
				t.Fatal(err)
			}
			_, seen := checkPage(t, body)
			if !bytes.HasPrefix(body, []byte(`<div class="eval-report" lang="`)) || seen["svg"] < 5 || seen["section"] != 2 {
				t.Errorf("body: %d charts, %d sections: %.80s", seen["svg"], seen["section"], body)
			}
			for _, bad := range []string{"<style", "style=", "<script", "<html", "<link", "on" + "load="} {
				if bytes.Contains(body, []byte(bad)) {
					t.Errorf("the body has %q", bad)
				}
			}
			if !bytes.Contains(page, body[:200]) {
				t.Error("the page does not hold the body it is drawn from")
			}
		})
	}
	if got := ParseLang("zh-TW"); got != LangZH {
		t.Errorf("ParseLang(zh-TW) = %q", got)
	}
	if got := ParseLang("en-GB"); got != LangEN {
		t.Errorf("ParseLang(en-GB) = %q", got)
	}
	if got := ParseLang(""); got != LangBoth {
		t.Errorf("ParseLang() = %q", got)
	}
	for _, rule := range strings.Split(strings.TrimSpace(ReportCSS), "\n") {
		if !strings.HasPrefix(rule, ".eval-report") {
			t.Errorf("a rule of ReportCSS reaches outside .eval-report: %s", rule)
		}
	}
}
