package eval

import (
	"html/template"
	"strings"
)

// pageTemplate is parsed per page rather than kept in a package variable:
// parsing takes well under a millisecond next to a run of seconds.
func pageTemplate() *template.Template {
	return template.Must(template.New("page").Funcs(template.FuncMap{
		"join": strings.Join,
		"inc":  func(i int) int { return i + 1 },
		"pct":  pct,
		"f4":   f4,
		"get": func(xs []string, i int) string {
			if i < len(xs) {
				return xs[i]
			}
			return ""
		},
		"num": func(t tableView, i int) bool { return i < len(t.Numeric) && t.Numeric[i] },
	}).Parse(pageHTML))
}

const pageHTML = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · triage eval</title>
<style>
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; color: var(--ink); background: #fff;
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", sans-serif;
  font-size: 14px; line-height: 1.5; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-top: 12px; border-top: 2px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 2px; }
.sub { color: var(--muted); margin: 0 0 16px; }
nav ul { margin: 4px 0 0; padding-left: 20px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0 16px; color: var(--muted); }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; word-break: break-all; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 16px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 120px; background: var(--bg); }
.card .v { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .k { color: var(--muted); font-size: 12px; }
.card.timing { background: #fff; border-style: dashed; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 12px; max-width: 100%; overflow-x: auto; }
figure.wide { flex-basis: 100%; }
figcaption { margin-bottom: 6px; }
figcaption .note { color: var(--muted); font-size: 12px; }
svg.chart { display: block; font-family: inherit; }
svg .tick { font-size: 12px; fill: #333; }
svg .small { font-size: 11px; fill: var(--muted); }
svg .legend { font-size: 12px; fill: #333; }
svg .axis-title { font-size: 12px; fill: var(--muted); }
svg .note { font-size: 12px; fill: #333; }
svg .value { font-size: 10px; fill: #333; }
svg .grid { stroke: #e6e9ec; stroke-width: 1; }
svg .axis { stroke: #888; stroke-width: 1; }
table { border-collapse: collapse; margin: 4px 0 20px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.n, th.n { text-align: right; }
.tables { display: flex; flex-wrap: wrap; gap: 0 28px; align-items: flex-start; margin-top: 16px; }
.tables > div { max-width: 100%; overflow-x: auto; }
.caption { font-weight: 600; margin: 0; }
.caption .note { color: var(--muted); font-weight: 400; font-size: 12px; }
ol.examples { margin: 0; padding-left: 18px; color: #333; }
td.text { max-width: 560px; }
.got { color: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p class="sub">triage eval report · figures from the service's own segmenter, classifier and search</p>
{{if .TOC}}<nav><ul>{{range .Sections}}<li><a href="#{{.Anchor}}">{{.Heading}}</a></li>{{end}}</ul></nav>{{end}}
</header>
{{range .Sections}}
<section id="{{.Anchor}}" class="{{.Kind}}">
<h2>{{.Heading}}</h2>
{{if .Meta}}<dl class="meta">{{range .Meta}}<dt>{{.K}}</dt><dd>{{.V}}</dd>{{end}}</dl>{{end}}
{{if .Cards}}<div class="cards">{{range .Cards}}<div class="card{{if .Timing}} timing{{end}}"><div class="v">{{.Value}}</div><div class="k">{{.Label}}{{if .Timing}} (timing){{end}}</div></div>{{end}}</div>{{end}}
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
{{if .Pairs}}<p class="caption">最易混淆 Most confused pairs <span class="note">gold → predicted, with examples from the test set</span></p>
<table><thead><tr><th>gold</th><th>predicted</th><th class="n">count</th><th class="n">share of gold</th><th>examples</th></tr></thead><tbody>
{{range .Pairs}}<tr><td>{{.Gold}}</td><td>{{.Predicted}}</td><td class="n">{{.Count}}</td><td class="n">{{pct .Share}}</td><td class="text"><ol class="examples">{{range .Examples}}<li>{{.}}</li>{{end}}</ol></td></tr>
{{end}}</tbody></table>{{end}}
{{range .Misses}}<p class="caption">最差未命中 Worst-missed queries: {{.Mode}} <span class="note">no relevant article in the top k; rank 0 = not in the first 50</span></p>
<table><thead><tr><th>query</th><th>relevant</th><th class="n">rank</th><th>came back instead</th></tr></thead><tbody>
{{range $m := .Misses}}<tr><td class="text">{{$m.Text}}</td><td>{{range $i, $id := $m.Relevant}}<div>{{$id}}: {{get $m.RelevantTitles $i}}</div>{{end}}</td><td class="n">{{$m.RelevantRank}}</td><td class="got"><ol class="examples">{{range $i, $id := $m.Got}}<li>{{$id}}: {{get $m.GotTitles $i}}</li>{{end}}</ol></td></tr>
{{end}}</tbody></table>{{end}}
</section>
{{end}}
<footer>Timing figures (fit_seconds, predict_per_second, queries_per_second, latency, index_seconds) depend on the machine and its load: they are shown, never compared. Everything else is deterministic for the same files and seed.</footer>
</body>
</html>
`
