package eval

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"slices"
)

// WriteHTML renders a report as one self-contained page: inline CSS and
// SVG, no script, no font or image fetched, so it opens offline, from a
// file or from the API, and prints. Chinese renders through the CSS font
// stack, which names the CJK fonts of Linux, macOS and Windows.
func WriteHTML(d *Decoded) ([]byte, error) {
	page := pageView{Title: d.Title()}
	switch {
	case d.Classify != nil:
		page.Sections = append(page.Sections, classifySection("", d.Classify))
	case d.Retrieve != nil:
		page.Sections = append(page.Sections, retrieveSection("", d.Retrieve))
	case d.Live != nil:
		page.Sections = append(page.Sections, liveSection(d.Live))
	case d.Suite != nil:
		for _, name := range sortedKeys(d.Suite.Sets) {
			sub, err := DecodeReport(name, d.Suite.Sets[name])
			if err != nil {
				return nil, err
			}
			switch {
			case sub.Classify != nil:
				page.Sections = append(page.Sections, classifySection(name, sub.Classify))
			case sub.Retrieve != nil:
				page.Sections = append(page.Sections, retrieveSection(name, sub.Retrieve))
			case sub.Live != nil:
				page.Sections = append(page.Sections, liveSection(sub.Live))
			}
		}
		page.TOC = len(page.Sections) > 1
	}
	for i := range page.Sections {
		page.Sections[i].Anchor = fmt.Sprintf("s%d", i+1)
	}
	var buf bytes.Buffer
	if err := pageTemplate().Execute(&buf, page); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type pageView struct {
	Title    string
	TOC      bool
	Sections []sectionView
}

// sectionView is one report on the page; the template shows whichever
// parts are set.
type sectionView struct {
	Anchor, Kind, Heading string
	Meta                  []kv
	Cards                 []card
	Charts                []chartView
	Tables                []tableView
	Pairs                 []ConfusedPair
	Misses                []missView
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

func classifySection(name string, r *ClassifyReport) sectionView {
	sec := sectionView{Kind: "classify", Heading: "分类评估 Classification: " + nameOr(nameOr(name, r.Name), r.TestFile)}
	sec.Meta = []kv{{"label", r.Label}, {"train", fmt.Sprintf("%s (%d)", r.TrainFile, r.Train)}, {"test", fmt.Sprintf("%s (%d)", r.TestFile, r.Test)}, {"model", r.ModelVersion}}
	if r.Sample != nil {
		sec.Meta = append(sec.Meta, kv{"sample", fmt.Sprintf("seed %d: train %d of %d, test %d of %d (stratified)", r.Sample.Seed, r.Train, r.Sample.TrainOf, r.Test, r.Sample.TestOf)})
	}
	sec.Cards = classCards(r.ClassificationScores, r.Threshold)
	sec.Cards = append(sec.Cards, card{"fit_seconds", fmt.Sprintf("%.2f s", r.FitSeconds), true}, card{"predict_per_second", fmt.Sprintf("%.0f", r.PredictPerSecond), true})
	sec.Charts, sec.Tables = classCharts(r.ClassificationScores, r.Threshold, true)
	sec.Pairs = r.MostConfused
	return sec
}

func classCards(s ClassificationScores, threshold float64) []card {
	return []card{
		{"accuracy", f4(s.Accuracy), false},
		{"macro_f1", f4(s.MacroF1), false},
		{"weighted_f1", f4(s.WeightedF1), false},
		{"top3_accuracy", f4(s.Top3Accuracy), false},
		{fmt.Sprintf("abstain rate @%.2f", threshold), pct(s.Abstain.AbstainRate), false},
		{"accuracy answered", f4(s.Abstain.AnsweredAccuracy), false},
		{"ECE", f4(s.Calibration.ECE), false},
	}
}

// classCharts draws the charts and tables every classification has; the
// coverage curve only where the threshold was ours to vary.
func classCharts(s ClassificationScores, threshold float64, coverage bool) ([]chartView, []tableView) {
	labels := sortedKeys(s.PerClass)
	// Worst F1 first: the report is read to find where triage fails.
	slices.SortStableFunc(labels, func(a, b string) int {
		return cmp.Or(cmp.Compare(s.PerClass[a].F1, s.PerClass[b].F1), cmp.Compare(s.PerClass[b].Support, s.PerClass[a].Support))
	})
	var groups []string
	p, r, f := Series{Name: "precision"}, Series{Name: "recall"}, Series{Name: "F1"}
	per := tableView{Title: "各类指标 Per class", Head: []string{"class", "precision", "recall", "f1", "support", "predicted"}, Numeric: []bool{false, true, true, true, true, true}}
	for _, l := range labels {
		c := s.PerClass[l]
		groups = append(groups, fmt.Sprintf("%s (%d)", l, c.Support))
		p.Values, r.Values, f.Values = append(p.Values, c.Precision), append(r.Values, c.Recall), append(f.Values, c.F1)
		per.Rows = append(per.Rows, []string{l, f4(c.Precision), f4(c.Recall), f4(c.F1), fmt.Sprint(c.Support), fmt.Sprint(c.Predicted)})
	}
	series, title := []Series{p, r, f}, "各类 precision / recall / F1（最差在上）"
	if len(labels) > 12 {
		// Three bars a class make a chart of many classes too tall to
		// read; the table below keeps precision and recall.
		series, title = []Series{f}, "各类 F1（最差在上）"
	}
	charts := []chartView{
		{Title: title, Note: "class (support), worst F1 first", SVG: Bars("per-class scores", groups, series)},
		{Title: "混淆矩阵 Confusion matrix", Note: "rows: gold; columns: predicted; shade: share of the row", SVG: Heatmap(s.Confusion), Wide: len(s.Confusion.Labels) > 12},
	}
	if coverage {
		charts = append(charts, chartView{Title: "覆盖率与准确率 Coverage / accuracy", Note: "answering only above a confidence threshold", SVG: CoverageChart(s.Coverage, threshold)})
	}
	charts = append(charts, chartView{Title: "可靠性图 Reliability diagram", Note: "accuracy per confidence bin; n below the axis", SVG: ReliabilityChart(s.Calibration)})
	rel := tableView{Title: "可靠性表 Reliability", Note: fmt.Sprintf("expected calibration error %.4f", s.Calibration.ECE),
		Head: []string{"confidence", "n", "accuracy", "mean confidence", "gap"}, Numeric: []bool{false, true, true, true, true}}
	for _, b := range s.Calibration.Bins {
		if b.Count == 0 {
			continue
		}
		rel.Rows = append(rel.Rows, []string{fmt.Sprintf("%.1f–%.1f", b.Lower, b.Upper), fmt.Sprint(b.Count), f4(b.Accuracy), f4(b.MeanConfidence), fmt.Sprintf("%+.4f", b.Accuracy-b.MeanConfidence)})
	}
	return charts, []tableView{per, rel}
}

func retrieveSection(name string, r *RetrieveReport) sectionView {
	sec := sectionView{Kind: "retrieve", Heading: "检索评估 Retrieval: " + nameOr(nameOr(name, r.Name), r.QueriesFile)}
	queries := 0
	if len(r.Modes) > 0 {
		queries = r.Modes[0].Queries
		sec.Meta = append(sec.Meta, kv{"articles", fmt.Sprintf("%s (%d)", r.ArticlesFile, r.Modes[0].Articles)})
	}
	sec.Meta = append(sec.Meta, kv{"queries", fmt.Sprintf("%s (%d)", r.QueriesFile, queries)}, kv{"embedder", r.Embedder}, kv{"k", fmt.Sprint(r.K)})
	if r.Sample != nil {
		sec.Meta = append(sec.Meta, kv{"sample", fmt.Sprintf("seed %d: %d of %d queries; the whole knowledge base", r.Sample.Seed, queries, r.Sample.QueriesOf)})
	}
	metrics := []string{"recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10"}
	var series []Series
	t := tableView{Title: "各模式指标 Per mode", Head: []string{"metric"}, Numeric: []bool{false}}
	rows := make([][]string, len(metrics)+3)
	for i, m := range metrics {
		rows[i] = []string{m}
	}
	rows[len(metrics)] = []string{"queries_per_second (timing)"}
	rows[len(metrics)+1] = []string{"latency p50 ms (timing)"}
	rows[len(metrics)+2] = []string{"latency p99 ms (timing)"}
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
			{"best mode", best.Mode, false},
			{"recall@5", f4(best.RecallAt5), false},
			{"ndcg@10", f4(best.NDCGAt10), false},
			{"mrr@10", f4(best.MRRAt10), false},
			{"index_seconds", fmt.Sprintf("%.1f s", r.IndexSeconds), true},
		}
	}
	sec.Charts = []chartView{{Title: "各模式 recall@k / MRR / nDCG", Note: "per mode, side by side", SVG: Bars("retrieval metrics per mode", metrics, series)}}
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

func liveSection(r *LiveReport) sectionView {
	sec := sectionView{Kind: "live", Heading: "线上评估 Live: intake prediction vs value at close"}
	since := r.Since
	if since == "" {
		since = "all time"
	}
	sec.Meta = []kv{{"since", since}, {"closed tickets", fmt.Sprint(r.Closed)}, {"without a triage record", fmt.Sprint(r.NoRecord)}}
	summary := tableView{Title: "各字段 Per field", Note: "accuracy: the best guess, abstentions included; as set: what the ticket got, an abstention counting as wrong",
		Head:    []string{"field", "scored", "manual", "no value at close", "accuracy", "as set", "abstain rate", "accuracy answered", "macro_f1"},
		Numeric: []bool{false, true, true, true, true, true, true, true, true}}
	for _, f := range r.Fields {
		summary.Rows = append(summary.Rows, []string{f.Field, fmt.Sprint(f.Examples), fmt.Sprint(f.Manual), fmt.Sprint(f.NoFinal),
			f4(f.Accuracy), f4(f.AccuracyAsSet), pct(f.Abstain.AbstainRate), f4(f.Abstain.AnsweredAccuracy), f4(f.MacroF1)})
		sec.Cards = append(sec.Cards, card{f.Field + " accuracy", f4(f.Accuracy), false})
	}
	sec.Tables = append(sec.Tables, summary)
	for _, f := range r.Fields {
		if f.Examples == 0 {
			continue
		}
		charts, tables := classCharts(f.ClassificationScores, 0, false)
		for i := range charts {
			charts[i].Title = f.Field + ": " + charts[i].Title
		}
		sec.Charts = append(sec.Charts, charts...)
		tables[0].Title = f.Field + ": " + tables[0].Title
		sec.Tables = append(sec.Tables, tables[0])
		if len(f.ByModel) > 0 {
			bm := tableView{Title: f.Field + ": by model version", Head: []string{"model", "tickets", "accuracy"}, Numeric: []bool{false, true, true}}
			for _, m := range f.ByModel {
				bm.Rows = append(bm.Rows, []string{nameOr(m.Version, "(none)"), fmt.Sprint(m.Tickets), f4(m.Accuracy)})
			}
			sec.Tables = append(sec.Tables, bm)
		}
	}
	fb := r.Suggestions
	acc := tableView{Title: "建议采纳 Suggestion acceptance", Head: []string{"source", "sources", "accepted", "edited", "rejected", "acceptance", "useful"},
		Numeric: []bool{false, true, true, true, true, true, true}}
	var groups []string
	a, u := Series{Name: "accepted"}, Series{Name: "accepted or edited"}
	for _, k := range append(slices.Clone(fb.Kinds), fb.Total) {
		acc.Rows = append(acc.Rows, []string{k.Kind, fmt.Sprint(k.Sources), fmt.Sprint(k.Accepted), fmt.Sprint(k.Edited), fmt.Sprint(k.Rejected), pct(k.AcceptanceRate), pct(k.UsefulRate)})
		groups = append(groups, k.Kind)
		a.Values, u.Values = append(a.Values, k.AcceptanceRate), append(u.Values, k.UsefulRate)
	}
	sec.Cards = append(sec.Cards, card{"suggestion acceptance", pct(fb.Total.AcceptanceRate), false})
	sec.Tables = append(sec.Tables, acc)
	if fb.Total.Sources > 0 {
		sec.Charts = append(sec.Charts, chartView{Title: "建议采纳率 Acceptance by source", SVG: Bars("suggestion acceptance", groups, []Series{a, u})})
	}
	if len(fb.MostRejected) > 0 {
		rej := tableView{Title: "最常被拒绝 Most rejected sources", Head: []string{"kind", "id", "accepted", "edited", "rejected"}, Numeric: []bool{false, false, true, true, true}}
		for _, c := range fb.MostRejected {
			rej.Rows = append(rej.Rows, []string{c.SourceKind, c.SourceID, fmt.Sprint(c.Accepted), fmt.Sprint(c.Edited), fmt.Sprint(c.Rejected)})
		}
		sec.Tables = append(sec.Tables, rej)
	}
	return sec
}
