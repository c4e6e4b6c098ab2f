package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// englishWord finds a word of three or more Latin letters.
var englishWord = regexp.MustCompile(`[A-Za-z][A-Za-z'-]{2,}`)

// notLabels are what a Chinese page may show in Latin letters because it
// is data or a name, not a label: ids, e-mail addresses, paths and file
// names, token names (UPPER_CASE), and the technical names Chinese
// readers use as they are.
var notLabels = []*regexp.Regexp{
	regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`),
	regexp.MustCompile(`\b[0-9a-f]{6,}\b`),
	regexp.MustCompile(`\S+@\S+`),
	regexp.MustCompile(`\S*/\S*`),
	regexp.MustCompile(`\S+\.(jsonl|json|html)\b`),
	regexp.MustCompile(`\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\b`),
	regexp.MustCompile(`\b(SLA|BM25|Jaccard|ECE|MRR|nDCG|recall@\d+|recall@k|mrr@\d+|ndcg@\d+|F1|API|LLM|triage)\b`),
}

// englishIn returns the English words of a Chinese page's text, once the
// data in it (notLabels and the words the caller knows are data) are
// taken out.
func englishIn(text string, data ...string) []string {
	for _, d := range data {
		text = strings.ReplaceAll(text, d, " ")
	}
	for _, re := range notLabels {
		text = re.ReplaceAllString(text, " ")
	}
	return englishWord.FindAllString(text, -1)
}

// visibleText is an element's text as a person sees it, with every
// <details> in it open and monospace ids left out.
func visibleText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return jsEval[string](t, ctx, `(() => {
		const el = document.querySelector(`+"`"+sel+"`"+`);
		if (!el) return '';
		for (const d of el.querySelectorAll('details')) d.open = true;
		if (el.tagName === 'DETAILS') el.open = true;
		const c = el.cloneNode(true);
		for (const x of c.querySelectorAll('.mono, code, kbd')) x.remove();
		document.body.appendChild(c);
		const s = c.innerText;
		c.remove();
		return s;
	})()`)
}

func (u *ui) noEnglish(t *testing.T, ctx context.Context, what, sel string, data ...string) {
	t.Helper()
	text := visibleText(t, ctx, sel)
	if strings.TrimSpace(text) == "" {
		t.Errorf("%s (%s) shows nothing", what, sel)
		return
	}
	if words := englishIn(text, data...); len(words) > 0 {
		t.Errorf("%s shows English in the Chinese UI: %q\n%s", what, words, text)
	}
}

// reasonsFlow: the service's reasons (triage, routing, duplicates,
// merges, copied history, rule effects) and the evaluation report are
// said in Chinese in the Chinese UI; nothing is left in English.
func (u *ui) reasonsFlow(t *testing.T) {
	if u.merged == "" {
		t.Skip("needs the merge flow's tickets")
	}
	var merged struct {
		MergedInto string `json:"merged_into"`
	}
	if err := u.api("GET", "/v1/tickets/"+u.merged, &merged); err != nil {
		t.Fatal(err)
	}
	ctx := u.tab(t, 1366, 900)
	u.signIn(t, ctx)
	// The test's token is named after its environment variable; names
	// are data.
	actors := []string{"admin (TRIAGE_ADMIN_TOKEN)"}
	for _, id := range []string{u.merged, merged.MergedInto} {
		step(t, ctx, "open ticket "+id,
			chromedp.Navigate(u.url+"/app/tickets/"+id),
			chromedp.WaitVisible(chromedp.CSS(`.dec-category .dec-value`)),
			chromedp.WaitVisible(chromedp.CSS(`.history summary`)),
			chromedp.WaitVisible(chromedp.CSS(`#links .link-item`)))
		u.noEnglish(t, ctx, "the triage panel", `#triage`, actors...)
		u.noEnglish(t, ctx, "the history", `.history`, actors...)
		u.noEnglish(t, ctx, "the links", `#links`, actors...)
		if n := jsEval[int](t, ctx, `document.querySelectorAll('.history .hist-why').length`); n < 3 {
			t.Errorf("the history explains %d entries; want the triage, routing and merge entries", n)
		}
	}
	// The rules' dry run: decisions, rule effects and candidates.
	step(t, ctx, "try the rules on a text",
		chromedp.Navigate(u.url+"/app/admin/rules"),
		chromedp.WaitVisible(chromedp.ID("dr-title")),
		chromedp.SendKeys(chromedp.ID("dr-title"), "急！退款一周了还没到账，垃圾服务"),
		chromedp.SendKeys(chromedp.ID("dr-body"), "再不处理我就投诉到12315，不是很急的话我也不会催"),
		chromedp.Click(chromedp.CSS(`.dry-run button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.dry-out .why`)))
	u.noEnglish(t, ctx, "the dry run", `.dry-out`)

	// The evaluation report, drawn by the server in Chinese.
	r := u.reports
	data := []string{"ui_intent", "ui_kb", "hybrid", "bm25", "vector", "hash-256", "q17"}
	step(t, ctx, "open the suite",
		chromedp.Navigate(u.url+"/app/eval/"+r.suite),
		chromedp.WaitVisible(chromedp.CSS(`.eval-report section[data-set="ui_kb"] svg.chart`)))
	u.noEnglish(t, ctx, "the suite's report", `.eval-report`, data...)
	u.noEnglish(t, ctx, "the suite's title", `h1`, data...)
	step(t, ctx, "open the evaluation list",
		chromedp.Navigate(u.url+"/app/eval"),
		chromedp.WaitVisible(chromedp.CSS(`.eval-row`)))
	u.noEnglish(t, ctx, "the report list's titles", `.eval-list`, append(data, "macro_f1", "recall@5", "ndcg@10", "gate")...)
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}

func TestEnglishIn(t *testing.T) {
	for _, tt := range []struct {
		text string
		want int
	}{
		{"分配给 张伟：负载最低（1）", 0},
		{"assigned to 张伟: least loaded (1)", 3},                                                           // "to" is too short to count
		{"admin (TRIAGE_ADMIN_TOKEN) · zhou.merge@example.com · 01a25078-a081-7bcd-9a97-04254bea9e76", 1}, // "admin"
		{"词匹配第 1（BM25 0.07）；语义第 1（余弦 0.24）", 0},
		{"../shared/data/ui_kb/articles.jsonl (240)", 0},
	} {
		if got := englishIn(tt.text); len(got) != tt.want {
			t.Errorf("englishIn(%q) = %q, want %d words", tt.text, got, tt.want)
		}
	}
}
