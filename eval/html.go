package eval

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"slices"
)

// A report is drawn here once, as HTML with inline SVG charts: the page
// `triage eval --html` and `--save` write, and the body the web UI shows
// (WriteBody, styled by ReportCSS). Labels are in one language or, on a
// saved page that Chinese and English readers share, in both.

// Lang is the language of a report's labels.
type Lang string

const (
	LangBoth Lang = ""      // each label in Chinese, then English
	LangZH   Lang = "zh-CN" // Chinese
	LangEN   Lang = "en"    // English
)

// ParseLang reads a language tag: zh…, en…, or anything else as both.
func ParseLang(s string) Lang {
	switch {
	case len(s) >= 2 && s[:2] == "zh":
		return LangZH
	case len(s) >= 2 && s[:2] == "en":
		return LangEN
	}
	return LangBoth
}

// say picks a label in the language.
func (l Lang) say(zh, en string) string {
	switch l {
	case LangZH:
		return zh
	case LangEN:
		return en
	}
	if zh == en {
		return zh
	}
	return zh + " " + en
}

// sayf is say with Sprintf formats.
func (l Lang) sayf(zh, en string, args ...any) string {
	switch l {
	case LangZH:
		return fmt.Sprintf(zh, args...)
	case LangEN:
		return fmt.Sprintf(en, args...)
	}
	return fmt.Sprintf(zh, args...) + " · " + fmt.Sprintf(en, args...)
}

// htmlLang is the page's lang attribute.
func (l Lang) htmlLang() string {
	if l == LangEN {
		return "en"
	}
	return "zh-CN"
}

// WriteHTML renders a report as one self-contained page, its labels in
// Chinese and English: inline CSS and SVG, no script, no font or image
// fetched, so it opens offline, from a file or from the API, and prints.
// Chinese renders through the CSS font stack, which names the CJK fonts
// of Linux, macOS and Windows.
func WriteHTML(d *Decoded) ([]byte, error) { return WritePage(d, LangBoth) }

// WritePage is WriteHTML with the labels in one language.
func WritePage(d *Decoded, l Lang) ([]byte, error) {
	page, err := buildPage(d, l)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pageTemplate(l).ExecuteTemplate(&buf, "page", page); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteBody renders a report's sections alone, in one element of class
// eval-report, for a page that has its own header and ReportCSS as a
// stylesheet: the web UI. The HTML holds no script, no style attribute
// and no link out; every text in it is escaped.
func WriteBody(d *Decoded, l Lang) ([]byte, error) {
	page, err := buildPage(d, l)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pageTemplate(l).ExecuteTemplate(&buf, "body", page); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func buildPage(d *Decoded, l Lang) (pageView, error) {
	page := pageView{Title: d.TitleIn(l), Lang: l.htmlLang()}
	switch {
	case d.Classify != nil:
		page.Sections = append(page.Sections, classifySection(l, "", d.Classify))
	case d.Retrieve != nil:
		page.Sections = append(page.Sections, retrieveSection(l, "", d.Retrieve))
	case d.Live != nil:
		page.Sections = append(page.Sections, liveSection(l, d.Live))
	case d.Drafts != nil:
		page.Sections = append(page.Sections, draftsSection(l, d.Drafts))
	case d.Suite != nil:
		for _, name := range sortedKeys(d.Suite.Sets) {
			sub, err := DecodeReport(name, d.Suite.Sets[name])
			if err != nil {
				return pageView{}, err
			}
			switch {
			case sub.Classify != nil:
				page.Sections = append(page.Sections, classifySection(l, name, sub.Classify))
			case sub.Retrieve != nil:
				page.Sections = append(page.Sections, retrieveSection(l, name, sub.Retrieve))
			case sub.Live != nil:
				page.Sections = append(page.Sections, liveSection(l, sub.Live))
			case sub.Drafts != nil:
				page.Sections = append(page.Sections, draftsSection(l, sub.Drafts))
			}
		}
		page.TOC = len(page.Sections) > 1
	}
	for i := range page.Sections {
		page.Sections[i].Anchor = fmt.Sprintf("s%d", i+1)
	}
	return page, nil
}

type pageView struct {
	Title    string
	Lang     string
	TOC      bool
	Sections []sectionView
}

// sectionView is one report on the page; the template shows whichever
// parts are set.
type sectionView struct {
	Anchor, Kind, Heading, Name string
	Meta                        []kv
	Cards                       []card
	Charts                      []chartView
	Tables                      []tableView
	Pairs                       []ConfusedPair
	Misses                      []missView
}

type kv struct{ K, V string }

type card struct {
	Label, Value string
	Timing       bool
}

type chartView struct {
	Title, Note string
	SVG         template.HTML
	Wide        bool
}

type tableView struct {
	Title, Note string
	Head        []string
	Rows        [][]string
	// Numeric marks the columns to right-align.
	Numeric []bool
}

type missView struct {
	Mode   string
	Misses []Miss
}

func f4(v float64) string  { return fmt.Sprintf("%.4f", v) }
func pct(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

func classifySection(l Lang, name string, r *ClassifyReport) sectionView {
	set := nameOr(nameOr(name, r.Name), r.TestFile)
	sec := sectionView{Kind: "classify", Name: set, Heading: l.say("分类评估：", "Classification: ") + set}
	sec.Meta = []kv{{l.say("标签", "label"), fieldName(l, r.Label)}, {l.say("训练集", "train"), fmt.Sprintf("%s (%d)", r.TrainFile, r.Train)},
		{l.say("测试集", "test"), fmt.Sprintf("%s (%d)", r.TestFile, r.Test)}, {l.say("模型版本", "model"), r.ModelVersion}}
	if r.Sample != nil {
		sec.Meta = append(sec.Meta, kv{l.say("抽样", "sample"), l.sayf("种子 %d：训练 %d / %d，测试 %d / %d（分层抽样）", "seed %d: train %d of %d, test %d of %d (stratified)",
			r.Sample.Seed, r.Train, r.Sample.TrainOf, r.Test, r.Sample.TestOf)})
	}
	sec.Cards = classCards(l, r.ClassificationScores, r.Threshold)
	sec.Cards = append(sec.Cards, card{l.say("训练耗时", "fit_seconds"), fmt.Sprintf("%.2f s", r.FitSeconds), true},
		card{l.say("每秒预测", "predict_per_second"), fmt.Sprintf("%.0f", r.PredictPerSecond), true})
	sec.Charts, sec.Tables = classCharts(l, r.ClassificationScores, r.Threshold, true)
	sec.Pairs = r.MostConfused
	return sec
}

func classCards(l Lang, s ClassificationScores, threshold float64) []card {
	return []card{
		{l.say("准确率", "accuracy"), f4(s.Accuracy), false},
		{l.say("宏平均 F1", "macro_f1"), f4(s.MacroF1), false},
		{l.say("加权 F1", "weighted_f1"), f4(s.WeightedF1), false},
		{l.say("前三命中率", "top3_accuracy"), f4(s.Top3Accuracy), false},
		{l.sayf("弃权率 @%.2f", "abstain rate @%.2f", threshold), pct(s.Abstain.AbstainRate), false},
		{l.say("作答部分准确率", "accuracy answered"), f4(s.Abstain.AnsweredAccuracy), false},
		{l.say("校准误差 ECE", "ECE"), f4(s.Calibration.ECE), false},
	}
}

// classCharts draws the charts and tables every classification has; the
// coverage curve only where the threshold was ours to vary.
func classCharts(l Lang, s ClassificationScores, threshold float64, coverage bool) ([]chartView, []tableView) {
	labels := sortedKeys(s.PerClass)
	// Worst F1 first: the report is read to find where triage fails.
	slices.SortStableFunc(labels, func(a, b string) int {
		return cmp.Or(cmp.Compare(s.PerClass[a].F1, s.PerClass[b].F1), cmp.Compare(s.PerClass[b].Support, s.PerClass[a].Support))
	})
	var groups []string
	p, r, f := Series{Name: l.say("精确率", "precision")}, Series{Name: l.say("召回率", "recall")}, Series{Name: "F1"}
	per := tableView{Title: l.say("各类指标", "Per class"),
		Head:    []string{l.say("类别", "class"), l.say("精确率", "precision"), l.say("召回率", "recall"), "F1", l.say("样本数", "support"), l.say("预测数", "predicted")},
		Numeric: []bool{false, true, true, true, true, true}}
	for _, lb := range labels {
		c := s.PerClass[lb]
		groups = append(groups, fmt.Sprintf("%s (%d)", lb, c.Support))
		p.Values, r.Values, f.Values = append(p.Values, c.Precision), append(r.Values, c.Recall), append(f.Values, c.F1)
		per.Rows = append(per.Rows, []string{lb, f4(c.Precision), f4(c.Recall), f4(c.F1), fmt.Sprint(c.Support), fmt.Sprint(c.Predicted)})
	}
	series, title := []Series{p, r, f}, l.say("各类精确率 / 召回率 / F1（最差在上）", "Precision / recall / F1 by class (worst first)")
	if len(labels) > 12 {
		// Three bars a class make a chart of many classes too tall to
		// read; the table below keeps precision and recall.
		series, title = []Series{f}, l.say("各类 F1（最差在上）", "F1 by class (worst first)")
	}
	charts := []chartView{
		{Title: title, Note: l.say("类别（样本数），F1 最差在上", "class (support), worst F1 first"), SVG: Bars(l.say("各类指标", "per-class scores"), groups, series)},
		{Title: l.say("混淆矩阵", "Confusion matrix"), Note: l.say("行：真实类别；列：预测类别；颜色深浅：占该行的比例", "rows: gold; columns: predicted; shade: share of the row"),
			SVG: Heatmap(l, s.Confusion), Wide: len(s.Confusion.Labels) > 12},
	}
	if coverage {
		charts = append(charts, chartView{Title: l.say("覆盖率与准确率", "Coverage / accuracy"), Note: l.say("只在置信度高于阈值时作答", "answering only above a confidence threshold"),
			SVG: CoverageChart(l, s.Coverage, threshold)})
	}
	charts = append(charts, chartView{Title: l.say("可靠性图", "Reliability diagram"), Note: l.say("各置信度区间的准确率；轴下为样本数", "accuracy per confidence bin; n below the axis"),
		SVG: ReliabilityChart(l, s.Calibration)})
	rel := tableView{Title: l.say("可靠性表", "Reliability"), Note: l.sayf("期望校准误差 %.4f", "expected calibration error %.4f", s.Calibration.ECE),
		Head:    []string{l.say("置信度", "confidence"), "n", l.say("准确率", "accuracy"), l.say("平均置信度", "mean confidence"), l.say("差值", "gap")},
		Numeric: []bool{false, true, true, true, true}}
	for _, b := range s.Calibration.Bins {
		if b.Count == 0 {
			continue
		}
		rel.Rows = append(rel.Rows, []string{fmt.Sprintf("%.1f–%.1f", b.Lower, b.Upper), fmt.Sprint(b.Count), f4(b.Accuracy), f4(b.MeanConfidence), fmt.Sprintf("%+.4f", b.Accuracy-b.MeanConfidence)})
	}
	return charts, []tableView{per, rel}
}

func retrieveSection(l Lang, name string, r *RetrieveReport) sectionView {
	set := nameOr(nameOr(name, r.Name), r.QueriesFile)
	sec := sectionView{Kind: "retrieve", Name: set, Heading: l.say("检索评估：", "Retrieval: ") + set}
	queries := 0
	if len(r.Modes) > 0 {
		queries = r.Modes[0].Queries
		sec.Meta = append(sec.Meta, kv{l.say("文章", "articles"), fmt.Sprintf("%s (%d)", r.ArticlesFile, r.Modes[0].Articles)})
	}
	sec.Meta = append(sec.Meta, kv{l.say("查询", "queries"), fmt.Sprintf("%s (%d)", r.QueriesFile, queries)}, kv{l.say("向量模型", "embedder"), r.Embedder}, kv{"k", fmt.Sprint(r.K)})
	if r.Sample != nil {
		sec.Meta = append(sec.Meta, kv{l.say("抽样", "sample"), l.sayf("种子 %d：查询 %d / %d；知识库完整", "seed %d: %d of %d queries; the whole knowledge base", r.Sample.Seed, queries, r.Sample.QueriesOf)})
	}
	metrics := []string{"recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10"}
	var series []Series
	t := tableView{Title: l.say("各模式指标", "Per mode"), Head: []string{l.say("指标", "metric")}, Numeric: []bool{false}}
	rows := make([][]string, len(metrics)+3)
	for i, m := range metrics {
		rows[i] = []string{m}
	}
	rows[len(metrics)] = []string{l.say("每秒查询（耗时）", "queries_per_second (timing)")}
	rows[len(metrics)+1] = []string{l.say("延迟 p50 毫秒（耗时）", "latency p50 ms (timing)")}
	rows[len(metrics)+2] = []string{l.say("延迟 p99 毫秒（耗时）", "latency p99 ms (timing)")}
	for _, m := range r.Modes {
		vals := []float64{m.RecallAt1, m.RecallAt5, m.RecallAt10, m.MRRAt10, m.NDCGAt10}
		series = append(series, Series{Name: m.Mode, Values: vals})
		t.Head = append(t.Head, m.Mode)
		t.Numeric = append(t.Numeric, true)
		for i, v := range vals {
			rows[i] = append(rows[i], f4(v))
		}
		rows[len(metrics)] = append(rows[len(metrics)], fmt.Sprintf("%.1f", m.QueriesPerSecond))
		rows[len(metrics)+1] = append(rows[len(metrics)+1], fmt.Sprintf("%.3f", m.LatencyP50ms))
		rows[len(metrics)+2] = append(rows[len(metrics)+2], fmt.Sprintf("%.3f", m.LatencyP99ms))
		if len(m.Missed) > 0 {
			sec.Misses = append(sec.Misses, missView{Mode: m.Mode, Misses: m.Missed})
		}
	}
	t.Rows = rows
	if best := bestMode(r.Modes); best != nil {
		sec.Cards = []card{
			{l.say("最佳模式", "best mode"), best.Mode, false},
			{"recall@5", f4(best.RecallAt5), false},
			{"ndcg@10", f4(best.NDCGAt10), false},
			{"mrr@10", f4(best.MRRAt10), false},
			{l.say("建索引耗时", "index_seconds"), fmt.Sprintf("%.1f s", r.IndexSeconds), true},
		}
	}
	sec.Charts = []chartView{{Title: l.say("各模式 recall@k / MRR / nDCG", "recall@k / MRR / nDCG by mode"), Note: l.say("各模式并列", "per mode, side by side"),
		SVG: Bars(l.say("各模式检索指标", "retrieval metrics per mode"), metrics, series)}}
	sec.Tables = []tableView{t}
	return sec
}

func bestMode(modes []RetrievalScores) *RetrievalScores {
	var best *RetrievalScores
	for i := range modes {
		if best == nil || modes[i].NDCGAt10 > best.NDCGAt10 {
			best = &modes[i]
		}
	}
	return best
}

// fieldName says a triage field (category, priority, assignee) in the
// language.
func fieldName(l Lang, f string) string {
	switch f {
	case "category":
		return l.say("类别", f)
	case "priority":
		return l.say("优先级", f)
	case "assignee":
		return l.say("处理人", f)
	}
	return f
}

func liveSection(l Lang, r *LiveReport) sectionView {
	sec := sectionView{Kind: "live", Heading: l.say("线上评估：入口预测与关闭时的值对比", "Live: intake prediction vs value at close")}
	since := r.Since
	if since == "" {
		since = l.say("全部时间", "all time")
	}
	sec.Meta = []kv{{l.say("统计自", "since"), since}, {l.say("已关闭工单", "closed tickets"), fmt.Sprint(r.Closed)}, {l.say("无分诊记录", "without a triage record"), fmt.Sprint(r.NoRecord)}}
	summary := tableView{Title: l.say("各字段", "Per field"),
		Note: l.say("准确率：最佳猜测，弃权也计入；按实际设置：工单实际得到的值，弃权算错", "accuracy: the best guess, abstentions included; as set: what the ticket got, an abstention counting as wrong"),
		Head: []string{l.say("字段", "field"), l.say("参与评分", "scored"), l.say("手工设置", "manual"), l.say("关闭时为空", "no value at close"), l.say("准确率", "accuracy"),
			l.say("按实际设置", "as set"), l.say("弃权率", "abstain rate"), l.say("作答部分准确率", "accuracy answered"), l.say("宏平均 F1", "macro_f1")},
		Numeric: []bool{false, true, true, true, true, true, true, true, true}}
	for _, f := range r.Fields {
		summary.Rows = append(summary.Rows, []string{fieldName(l, f.Field), fmt.Sprint(f.Examples), fmt.Sprint(f.Manual), fmt.Sprint(f.NoFinal),
			f4(f.Accuracy), f4(f.AccuracyAsSet), pct(f.Abstain.AbstainRate), f4(f.Abstain.AnsweredAccuracy), f4(f.MacroF1)})
		sec.Cards = append(sec.Cards, card{l.sayf("%s准确率", "%s accuracy", fieldName(l, f.Field)), f4(f.Accuracy), false})
	}
	sec.Tables = append(sec.Tables, summary)
	for _, f := range r.Fields {
		if f.Examples == 0 {
			continue
		}
		charts, tables := classCharts(l, f.ClassificationScores, 0, false)
		for i := range charts {
			charts[i].Title = fieldName(l, f.Field) + l.say("：", ": ") + charts[i].Title
		}
		sec.Charts = append(sec.Charts, charts...)
		tables[0].Title = fieldName(l, f.Field) + l.say("：", ": ") + tables[0].Title
		sec.Tables = append(sec.Tables, tables[0])
		if len(f.ByModel) > 0 {
			bm := tableView{Title: fieldName(l, f.Field) + l.say("：各模型版本", ": by model version"),
				Head: []string{l.say("模型版本", "model"), l.say("工单数", "tickets"), l.say("准确率", "accuracy")}, Numeric: []bool{false, true, true}}
			for _, m := range f.ByModel {
				bm.Rows = append(bm.Rows, []string{nameOr(m.Version, l.say("（无）", "(none)")), fmt.Sprint(m.Tickets), f4(m.Accuracy)})
			}
			sec.Tables = append(sec.Tables, bm)
		}
	}
	fb := r.Suggestions
	kind := func(k string) string {
		switch k {
		case "article":
			return l.say("文章", k)
		case "ticket":
			return l.say("工单", k)
		case "draft":
			return l.say("草稿", k)
		case "all":
			return l.say("全部", k)
		}
		return k
	}
	acc := tableView{Title: l.say("建议采纳", "Suggestion acceptance"),
		Head: []string{l.say("来源", "source"), l.say("来源数", "sources"), l.say("采纳", "accepted"), l.say("编辑后采纳", "edited"), l.say("拒绝", "rejected"),
			l.say("采纳率", "acceptance"), l.say("有用率", "useful")},
		Numeric: []bool{false, true, true, true, true, true, true}}
	var groups []string
	a, u := Series{Name: l.say("采纳", "accepted")}, Series{Name: l.say("采纳或编辑后采纳", "accepted or edited")}
	for _, k := range append(slices.Clone(fb.Kinds), fb.Total) {
		acc.Rows = append(acc.Rows, []string{kind(k.Kind), fmt.Sprint(k.Sources), fmt.Sprint(k.Accepted), fmt.Sprint(k.Edited), fmt.Sprint(k.Rejected), pct(k.AcceptanceRate), pct(k.UsefulRate)})
		groups = append(groups, kind(k.Kind))
		a.Values, u.Values = append(a.Values, k.AcceptanceRate), append(u.Values, k.UsefulRate)
	}
	sec.Cards = append(sec.Cards, card{l.say("建议采纳率", "suggestion acceptance"), pct(fb.Total.AcceptanceRate), false})
	sec.Tables = append(sec.Tables, acc)
	if fb.Total.Sources > 0 {
		sec.Charts = append(sec.Charts, chartView{Title: l.say("各来源采纳率", "Acceptance by source"), SVG: Bars(l.say("建议采纳", "suggestion acceptance"), groups, []Series{a, u})})
	}
	if len(fb.MostRejected) > 0 {
		rej := tableView{Title: l.say("最常被拒绝的来源", "Most rejected sources"),
			Head: []string{l.say("类型", "kind"), "id", l.say("采纳", "accepted"), l.say("编辑后采纳", "edited"), l.say("拒绝", "rejected")}, Numeric: []bool{false, false, true, true, true}}
		for _, c := range fb.MostRejected {
			rej.Rows = append(rej.Rows, []string{kind(c.SourceKind), c.SourceID, fmt.Sprint(c.Accepted), fmt.Sprint(c.Edited), fmt.Sprint(c.Rejected)})
		}
		sec.Tables = append(sec.Tables, rej)
	}
	return sec
}
