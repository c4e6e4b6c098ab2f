package eval

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"unicode/utf8"
)

// The charts are SVG drawn here rather than by a chart library: the report
// must open offline (no CDN script) and show Chinese labels, which needs
// nothing but the page's CSS font stack when the text is real SVG text.
// Sizes are estimated from the characters, since Go cannot measure the
// browser's font: a CJK character is about one em wide, Latin about 0.6.

// Palette: colour-blind-safe (Okabe–Ito) hues for series.
func seriesColor(i int) string {
	colors := [...]string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"}
	return colors[i%len(colors)]
}

// textWidth estimates the rendered width of s at a font size in pixels.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r >= 0x2E80: // CJK, full-width forms
			w += size
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '@':
			w += 0.64 * size
		default:
			w += 0.54 * size
		}
	}
	return w
}

// clip shortens a label to n runes for an axis; the full text is in the
// element's tooltip.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

type svg struct {
	b strings.Builder
}

func newSVG(w, h float64, label string) *svg {
	s := &svg{}
	fmt.Fprintf(&s.b, `<svg class="chart" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="%s">`,
		w, h, w, h, esc(label))
	return s
}

func (s *svg) add(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

// text draws escaped text; anchor is start, middle or end.
func (s *svg) text(x, y float64, anchor, class, text string) {
	s.add(`<text x="%.1f" y="%.1f" text-anchor="%s" class="%s">%s</text>`, x, y, anchor, class, esc(text))
}

func (s *svg) done() template.HTML {
	s.b.WriteString(`</svg>`)
	return template.HTML(s.b.String()) //nolint:gosec // every text in it went through esc
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// mix blends white into a colour: t=0 white, t=1 the colour.
func mix(r, g, b int, t float64) string {
	t = math.Max(0, math.Min(1, t))
	c := func(v int) int { return int(math.Round(255 - (255-float64(v))*t)) }
	return fmt.Sprintf("#%02x%02x%02x", c(r), c(g), c(b))
}

// Heatmap draws a confusion matrix: rows are the gold labels, columns the
// predictions, each cell shaded by its share of the row (so a small class
// is as visible as a big one), green on the diagonal and red off it.
func Heatmap(l Lang, c Confusion) template.HTML {
	n := len(c.Labels)
	if n == 0 {
		return ""
	}
	const font = 12.0
	cell := math.Max(18, math.Min(44, 760/float64(n)))
	labels := make([]string, n)
	maxW := 0.0
	for i, l := range c.Labels {
		labels[i] = clip(l, 14)
		maxW = math.Max(maxW, textWidth(labels[i], font))
	}
	left := maxW + 34 // row labels and the vertical axis title
	top := maxW*0.72 + 40
	grid := cell * float64(n)
	w := left + grid + maxW*0.72 + 16
	h := top + grid + 16
	s := newSVG(w, h, l.say("混淆矩阵", "confusion matrix"))
	s.text(left+grid/2, 14, "middle", "axis-title", l.say("预测", "predicted")+" →")
	s.add(`<text transform="translate(14 %.1f) rotate(-90)" text-anchor="middle" class="axis-title">%s →</text>`, top+grid/2, esc(l.say("实际", "gold")))
	for j, l := range labels {
		x := left + (float64(j)+0.5)*cell
		s.add(`<text transform="translate(%.1f %.1f) rotate(-45)" class="tick"><title>%s</title>%s</text>`, x+3, top-6, esc(c.Labels[j]), esc(l))
	}
	for i, row := range c.Counts {
		sum := 0
		for _, v := range row {
			sum += v
		}
		y := top + float64(i)*cell
		s.add(`<text x="%.1f" y="%.1f" text-anchor="end" class="tick"><title>%s</title>%s</text>`, left-6, y+cell/2+4, esc(c.Labels[i]), esc(labels[i]))
		for j, v := range row {
			x := left + float64(j)*cell
			share := ratio(float64(v), float64(sum))
			fill := "#ffffff"
			if v > 0 {
				if i == j {
					fill = mix(0, 128, 80, 0.15+0.85*share)
				} else {
					fill = mix(200, 40, 30, 0.15+0.85*share)
				}
			}
			s.add(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#d0d0d0" stroke-width="0.5"><title>%s → %s: %d (%.0f%%)</title></rect>`,
				x, y, cell, cell, fill, esc(c.Labels[i]), esc(c.Labels[j]), v, 100*share)
			if v > 0 && cell >= 18 {
				color := "#222"
				if share > 0.5 {
					color = "#fff"
				}
				size := math.Min(12, cell*0.42)
				if textWidth(fmt.Sprint(v), size) > cell-2 {
					size *= (cell - 2) / textWidth(fmt.Sprint(v), size)
				}
				s.add(`<text x="%.1f" y="%.1f" text-anchor="middle" fill="%s" font-size="%.1f" pointer-events="none">%d</text>`,
					x+cell/2, y+cell/2+size*0.36, color, size, v)
			}
		}
	}
	return s.done()
}

// Series is one named list of values for a chart.
type Series struct {
	Name   string
	Values []float64
}

// plot is the frame of an x–y chart over [0,1]×[0,1].
type plot struct {
	s                   *svg
	left, top, pw, ph   float64
	xTitle, yTitle      string
	xTicks, yTicks      []float64
	xTickFormat         func(float64) string
	legend              []string
	legendDash          []bool
	width, height, yMax float64
}

func newPlot(label, xTitle, yTitle string, legend []string) *plot {
	p := &plot{left: 52, top: 36, pw: 440, ph: 260, xTitle: xTitle, yTitle: yTitle, legend: legend, yMax: 1}
	p.width, p.height = p.left+p.pw+24, p.top+p.ph+56
	p.s = newSVG(p.width, p.height, label)
	p.xTicks = []float64{0, 0.2, 0.4, 0.6, 0.8, 1}
	p.yTicks = []float64{0, 0.2, 0.4, 0.6, 0.8, 1}
	p.xTickFormat = func(v float64) string { return fmt.Sprintf("%.1f", v) }
	return p
}

func (p *plot) x(v float64) float64 { return p.left + v*p.pw }
func (p *plot) y(v float64) float64 { return p.top + p.ph - v/p.yMax*p.ph }

func (p *plot) frame() {
	s := p.s
	for _, t := range p.yTicks {
		s.add(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="grid"/>`, p.left, p.left+p.pw, p.y(t), p.y(t))
		s.text(p.left-6, p.y(t)+4, "end", "tick", fmt.Sprintf("%.1f", t))
	}
	for _, t := range p.xTicks {
		s.add(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="axis"/>`, p.x(t), p.x(t), p.top+p.ph, p.top+p.ph+4)
		s.text(p.x(t), p.top+p.ph+17, "middle", "tick", p.xTickFormat(t))
	}
	s.add(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="axis"/>`, p.left, p.left+p.pw, p.top+p.ph, p.top+p.ph)
	s.add(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="axis"/>`, p.left, p.left, p.top, p.top+p.ph)
	s.text(p.left+p.pw/2, p.top+p.ph+44, "middle", "axis-title", p.xTitle)
	s.add(`<text transform="translate(14 %.1f) rotate(-90)" text-anchor="middle" class="axis-title">%s</text>`, p.top+p.ph/2, esc(p.yTitle))
	x := p.left
	for i, name := range p.legend {
		dash := ""
		if i < len(p.legendDash) && p.legendDash[i] {
			dash = ` stroke-dasharray="5 4"`
		}
		s.add(`<line x1="%.1f" x2="%.1f" y1="14" y2="14" stroke="%s" stroke-width="3"%s/>`, x, x+22, seriesColor(i), dash)
		s.text(x+28, 18, "start", "legend", name)
		x += 28 + textWidth(name, 12) + 22
	}
}

// CoverageChart draws coverage and accuracy-on-the-answered-part against
// the abstain threshold, with the chosen threshold marked.
func CoverageChart(l Lang, points []CoveragePoint, threshold float64) template.HTML {
	if len(points) == 0 {
		return ""
	}
	p := newPlot(l.say("各阈值的覆盖率与准确率", "coverage and accuracy by threshold"), l.say("置信度阈值", "confidence threshold"), l.say("比例", "share"),
		[]string{l.say("覆盖率", "coverage"), l.say("已回答准确率", "accuracy answered")})
	p.frame()
	s := p.s
	for si, get := range []func(CoveragePoint) float64{
		func(c CoveragePoint) float64 { return c.Coverage },
		func(c CoveragePoint) float64 { return c.Accuracy },
	} {
		var pts []string
		for _, c := range points {
			if si == 1 && c.Answered == 0 {
				continue // no accuracy where nothing is answered
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", p.x(c.Threshold), p.y(get(c))))
		}
		s.add(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5"/>`, strings.Join(pts, " "), seriesColor(si))
		for _, c := range points {
			if si == 1 && c.Answered == 0 {
				continue
			}
			s.add(`<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s</title></circle>`, p.x(c.Threshold), p.y(get(c)), seriesColor(si),
				esc(l.sayf("阈值 %.2f：覆盖率 %.3f，准确率 %.3f（回答 %d 条）", "threshold %.2f: coverage %.3f, accuracy %.3f (%d answered)", c.Threshold, c.Coverage, c.Accuracy, c.Answered)))
		}
	}
	tx := p.x(threshold)
	s.add(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#555" stroke-dasharray="4 3"/>`, tx, tx, p.top, p.top+p.ph)
	anchor, dx := "start", 4.0
	if threshold > 0.75 {
		anchor, dx = "end", -4
	}
	s.text(tx+dx, p.top+p.ph-8, anchor, "note", l.sayf("阈值 %.2f", "threshold %.2f", threshold))
	return s.done()
}

// ReliabilityChart draws each confidence bin's accuracy against the
// diagonal of perfect calibration, with the bin's count below the axis.
func ReliabilityChart(l Lang, c Calibration) template.HTML {
	if len(c.Bins) == 0 {
		return ""
	}
	p := newPlot(l.say("可靠性图", "reliability diagram"), l.say("置信度", "confidence"), l.say("准确率", "accuracy"),
		[]string{l.say("各区间准确率", "bin accuracy"), l.say("完美校准", "perfect calibration")})
	p.legendDash = []bool{false, true}
	p.height += 18
	p.s = newSVG(p.width, p.height, l.say("可靠性图", "reliability diagram"))
	p.frame()
	s := p.s
	s.text(p.left-6, p.top+p.ph+62, "end", "tick", "n")
	for _, b := range c.Bins {
		x0, x1 := p.x(b.Lower), p.x(b.Upper)
		if b.Count > 0 {
			s.add(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.85"><title>%s</title></rect>`,
				x0+1, p.y(b.Accuracy), x1-x0-2, p.y(0)-p.y(b.Accuracy), seriesColor(0),
				esc(l.sayf("%.1f–%.1f：准确率 %.3f，平均置信度 %.3f，n=%d", "%.1f–%.1f: accuracy %.3f, mean confidence %.3f, n=%d", b.Lower, b.Upper, b.Accuracy, b.MeanConfidence, b.Count)))
		}
		s.text((x0+x1)/2, p.top+p.ph+62, "middle", "tick small", fmt.Sprint(b.Count))
	}
	s.add(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="5 4"/>`, p.x(0), p.y(0), p.x(1), p.y(1), seriesColor(1))
	s.text(p.left+8, p.top+14, "start", "note", l.sayf("校准误差 ECE %.4f", "ECE %.4f", c.ECE))
	return s.done()
}

// Bars draws horizontal grouped bars over [0,1]: one group per label, one
// bar per series, the value written at the bar's end. Horizontal, because
// Chinese class names then read left to right without rotation.
func Bars(label string, groups []string, series []Series) template.HTML {
	if len(groups) == 0 || len(series) == 0 {
		return ""
	}
	const font = 12.0
	bar := 9.0
	if len(series) == 1 {
		bar = 14
	}
	groupH := bar*float64(len(series)) + 10
	maxW := 0.0
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = clip(g, 24)
		maxW = math.Max(maxW, textWidth(names[i], font))
	}
	left, top, pw := maxW+14, 30.0, 400.0
	w := left + pw + 48
	h := top + groupH*float64(len(groups)) + 28
	s := newSVG(w, h, label)
	x := left
	for i, se := range series {
		s.add(`<rect x="%.1f" y="6" width="14" height="12" fill="%s"/>`, x, seriesColor(i))
		s.text(x+18, 16, "start", "legend", se.Name)
		x += 18 + textWidth(se.Name, 12) + 18
	}
	bottom := top + groupH*float64(len(groups))
	for _, t := range []float64{0, 0.2, 0.4, 0.6, 0.8, 1} {
		gx := left + t*pw
		s.add(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="grid"/>`, gx, gx, top, bottom)
		s.text(gx, bottom+16, "middle", "tick", fmt.Sprintf("%.1f", t))
	}
	for gi, g := range names {
		y := top + float64(gi)*groupH + 5
		s.add(`<text x="%.1f" y="%.1f" text-anchor="end" class="tick"><title>%s</title>%s</text>`, left-6, y+bar*float64(len(series))/2+4, esc(groups[gi]), esc(g))
		for si, se := range series {
			v := 0.0
			if gi < len(se.Values) {
				v = se.Values[gi]
			}
			by := y + float64(si)*bar
			s.add(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %.4f</title></rect>`,
				left, by, math.Max(0, math.Min(1, v))*pw, bar-1, seriesColor(si), esc(groups[gi]), esc(se.Name), v)
			s.add(`<text x="%.1f" y="%.1f" class="value">%.3f</text>`, left+math.Max(0, math.Min(1, v))*pw+3, by+bar-2, v)
		}
	}
	s.add(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="axis"/>`, left, left, top, bottom)
	return s.done()
}
