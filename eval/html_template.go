package eval

import (
	"html/template"
	"strings"
)

// ReportCSS styles a report's sections (the element of class eval-report
// that WriteBody returns and the page wraps its sections in). Every rule
// is under .eval-report, so the web UI loads it as a stylesheet beside its
// own (api serves it at /assets/eval-report.css) and the saved page
// inlines it: one look, written once.
const ReportCSS = `.eval-report { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; --accent: #0072B2; color: var(--ink); }
.eval-report * { box-sizing: border-box; }
.eval-report h2 { font-size: 18px; margin: 32px 0 8px; padding-top: 12px; border-top: 2px solid var(--line); }
.eval-report section:first-of-type > h2 { margin-top: 8px; border-top: 0; padding-top: 0; }
.eval-report h3 { font-size: 15px; margin: 0 0 2px; color: var(--ink); }
.eval-report nav ul { margin: 4px 0 0; padding-left: 20px; }
.eval-report dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0 16px; color: var(--muted); }
.eval-report dl.meta dt { font-weight: 600; }
.eval-report dl.meta dd { margin: 0; word-break: break-all; }
.eval-report .metric-cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 16px; }
.eval-report .metric-card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 120px; background: var(--bg); }
.eval-report .metric-card .v { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.eval-report .metric-card .k { color: var(--muted); font-size: 12px; }
.eval-report .metric-card.timing { background: #fff; border-style: dashed; }
.eval-report .charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.eval-report figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 12px; max-width: 100%; overflow-x: auto; }
.eval-report figure.wide { flex-basis: 100%; }
.eval-report figcaption { margin-bottom: 6px; }
.eval-report figcaption .note { color: var(--muted); font-size: 12px; }
.eval-report svg.chart { display: block; font-family: inherit; width: auto; max-width: none; height: auto; }
.eval-report svg .tick { font-size: 12px; fill: #333; }
.eval-report svg .small { font-size: 11px; fill: var(--muted); }
.eval-report svg .legend { font-size: 12px; fill: #333; }
.eval-report svg .axis-title { font-size: 12px; fill: var(--muted); }
.eval-report svg .note { font-size: 12px; fill: #333; }
.eval-report svg .value { font-size: 10px; fill: #333; }
.eval-report svg .grid { stroke: #e6e9ec; stroke-width: 1; }
.eval-report svg .axis { stroke: #888; stroke-width: 1; }
.eval-report table { border-collapse: collapse; margin: 4px 0 20px; font-variant-numeric: tabular-nums; }
.eval-report th, .eval-report td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
.eval-report th { background: var(--bg); font-weight: 600; }
.eval-report td.n, .eval-report th.n { text-align: right; }
.eval-report .tables { display: flex; flex-wrap: wrap; gap: 0 28px; align-items: flex-start; margin-top: 16px; }
.eval-report .tables > div { max-width: 100%; overflow-x: auto; }
.eval-report .caption { font-weight: 600; margin: 0; }
.eval-report .caption .note { color: var(--muted); font-weight: 400; font-size: 12px; }
.eval-report .table-scroll { max-width: 100%; overflow-x: auto; }
.eval-report ol.examples { margin: 0; padding-left: 18px; color: #333; }
.eval-report td.text { max-width: 560px; }
.eval-report .got { color: var(--muted); }
`

// pageCSS is what only the standalone page needs: the page itself.
const pageCSS = `body { margin: 0; padding: 24px 32px 48px; color: #1f2328; background: #fff;
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", sans-serif;
  font-size: 14px; line-height: 1.5; }
h1 { font-size: 22px; margin: 0 0 4px; }
.sub { color: #59636e; margin: 0 0 16px; }
footer { margin-top: 40px; color: #59636e; font-size: 12px; }
`

// pageTemplate is parsed per page rather than kept in a package variable:
// parsing takes well under a millisecond next to a run of seconds. "page"
// is the standalone page, "body" the sections alone.
func pageTemplate(l Lang) *template.Template {
	return template.Must(template.New("page").Funcs(template.FuncMap{
		"join": strings.Join,
		"inc":  func(i int) int { return i + 1 },
		"pct":  pct,
		"f4":   f4,
		"say":  l.say,
		"get": func(xs []string, i int) string {
			if i < len(xs) {
				return xs[i]
			}
			return ""
		},
		"num": func(t tableView, i int) bool { return i < len(t.Numeric) && t.Numeric[i] },
		"css": func() template.CSS { return template.CSS(pageCSS + ReportCSS) },
	}).Parse(pageHTML))
}

const pageHTML = `{{define "page"}}<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · triage eval</title>
<style>
{{css}}</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p class="sub">{{say "triage 评估报告 · 数据来自服务自己的分词、分类与搜索" "triage eval report · figures from the service's own segmenter, classifier and search"}}</p>
</header>
{{template "body" .}}
<footer>{{say "耗时类数据（训练耗时、每秒预测、每秒查询、延迟、建索引耗时）随机器和负载而变：只作展示，不作比较。其余数据对同样的文件和种子是确定的。" "Timing figures (fit_seconds, predict_per_second, queries_per_second, latency, index_seconds) depend on the machine and its load: they are shown, never compared. Everything else is deterministic for the same files and seed."}}</footer>
</body>
</html>
{{end}}{{define "body"}}<div class="eval-report" lang="{{.Lang}}">
{{if .TOC}}<nav><ul>{{range .Sections}}<li><a href="#{{.Anchor}}">{{.Heading}}</a></li>{{end}}</ul></nav>{{end}}
{{range .Sections}}
<section id="{{.Anchor}}" class="{{.Kind}}"{{if .Name}} data-set="{{.Name}}"{{end}}>
<h2>{{.Heading}}</h2>
{{if .Meta}}<dl class="meta">{{range .Meta}}<dt>{{.K}}</dt><dd>{{.V}}</dd>{{end}}</dl>{{end}}
{{if .Cards}}<div class="metric-cards">{{range .Cards}}<div class="metric-card{{if .Timing}} timing{{end}}"><div class="v">{{.Value}}</div><div class="k">{{.Label}}{{if .Timing}} {{say "（耗时）" "(timing)"}}{{end}}</div></div>{{end}}</div>{{end}}
<div class="charts">
{{range .Charts}}{{if .SVG}}<figure{{if .Wide}} class="wide"{{end}}><figcaption><h3>{{.Title}}</h3>{{if .Note}}<span class="note">{{.Note}}</span>{{end}}</figcaption>{{.SVG}}</figure>
{{end}}{{end}}
</div>
<div class="tables">
{{range $t := .Tables}}<div><p class="caption">{{$t.Title}}{{if $t.Note}} <span class="note">{{$t.Note}}</span>{{end}}</p>
<table><thead><tr>{{range $i, $h := $t.Head}}<th{{if num $t $i}} class="n"{{end}}>{{$h}}</th>{{end}}</tr></thead>
<tbody>{{range $t.Rows}}<tr>{{range $i, $c := .}}<td{{if num $t $i}} class="n"{{end}}>{{$c}}</td>{{end}}</tr>{{end}}</tbody></table></div>
{{end}}
</div>
{{if .Pairs}}<p class="caption">{{say "最易混淆" "Most confused pairs"}} <span class="note">{{say "真实 → 预测，附测试集中的例子" "gold → predicted, with examples from the test set"}}</span></p>
<div class="table-scroll"><table><thead><tr><th>{{say "真实" "gold"}}</th><th>{{say "预测" "predicted"}}</th><th class="n">{{say "条数" "count"}}</th><th class="n">{{say "占该类" "share of gold"}}</th><th>{{say "例子" "examples"}}</th></tr></thead><tbody>
{{range .Pairs}}<tr><td>{{.Gold}}</td><td>{{.Predicted}}</td><td class="n">{{.Count}}</td><td class="n">{{pct .Share}}</td><td class="text"><ol class="examples">{{range .Examples}}<li>{{.}}</li>{{end}}</ol></td></tr>
{{end}}</tbody></table></div>{{end}}
{{range .Misses}}<p class="caption">{{say "最差未命中：" "Worst-missed queries: "}}{{.Mode}} <span class="note">{{say "前 k 个结果中没有相关文章；排名 0 表示不在前 50" "no relevant article in the top k; rank 0 = not in the first 50"}}</span></p>
<div class="table-scroll"><table><thead><tr><th>{{say "查询" "query"}}</th><th>{{say "相关文章" "relevant"}}</th><th class="n">{{say "排名" "rank"}}</th><th>{{say "实际返回" "came back instead"}}</th></tr></thead><tbody>
{{range $m := .Misses}}<tr><td class="text">{{$m.Text}}</td><td>{{range $i, $id := $m.Relevant}}<div>{{$id}}: {{get $m.RelevantTitles $i}}</div>{{end}}</td><td class="n">{{$m.RelevantRank}}</td><td class="got"><ol class="examples">{{range $i, $id := $m.Got}}<li>{{$id}}: {{get $m.GotTitles $i}}</li>{{end}}</ol></td></tr>
{{end}}</tbody></table></div>{{end}}
</section>
{{end}}
</div>
{{end}}`
