package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/triagehq/triage"
)

// IsHeadline reports whether a metric path ends in a headline metric, one
// that a regression gate refuses to see drop.
func IsHeadline(path string) bool {
	switch path[strings.LastIndexByte(path, '.')+1:] {
	case "macro_f1", "recall@5", "ndcg@10", "clean_rate":
		return true
	}
	return false
}

// isTiming reports fields that depend on the machine and its load, not on
// the code's quality: they are never compared.
func isTiming(key string) bool {
	switch key {
	case "fit_seconds", "predict_per_second", "queries_per_second", "latency_p50_ms", "latency_p99_ms", "index_seconds", "seconds":
		return true
	}
	return false
}

// isDetail reports fields that are shown in a report but are not scores
// to compare: samples, examples, curves, matrices.
func isDetail(key string) bool {
	switch key {
	case "sample", "most_confused", "missed", "coverage", "confusion", "most_rejected", "by_model", "rows",
		"abstain_curve":
		return true
	}
	return false
}

// Delta is one metric of a comparison.
type Delta struct {
	Metric   string  `json:"metric"`
	Base     float64 `json:"base"`
	New      float64 `json:"new"`
	Delta    float64 `json:"delta"`
	Headline bool    `json:"headline,omitempty"`
	// Status is "", "missing" (in BASE only), "added" (in NEW only),
	// "regressed" (a headline metric that dropped more than allowed) or
	// "regressed: missing" (a headline metric NEW lacks).
	Status string `json:"status,omitempty"`
}

// Comparison is the result of Compare.
type Comparison struct {
	Kind    string  `json:"kind"`
	MaxDrop float64 `json:"max_drop"`
	Deltas  []Delta `json:"deltas"`
	// Regressions counts the headline metrics that dropped by more than
	// MaxDrop or are missing from NEW.
	Regressions int `json:"regressions"`
	// Mismatches say how the two runs differ in what they measured (the
	// set, its files, the sample and its seed, the settings that move the
	// figures): such figures do not compare, and the command refuses them
	// unless told to go on, when they are printed as warnings.
	Mismatches []string `json:"mismatches,omitempty"`
}

// dropSlack absorbs float noise in base−new so that a drop of exactly
// MaxDrop passes.
const dropSlack = 1e-9

// Compare sets every metric of two reports of the same kind side by side.
// A headline metric (macro_f1, recall@5, ndcg@10) that drops by more than
// maxDrop, or that NEW lacks, is a regression.
func Compare(base, new *Decoded, maxDrop float64) (*Comparison, error) {
	if !(maxDrop >= 0) {
		return nil, triage.Invalid("max-drop", "--max-drop must be a number >= 0")
	}
	if base.Kind != new.Kind {
		return nil, triage.Errorf(triage.EINVALID, "cannot compare a %s report with a %s report", base.Kind, new.Kind)
	}
	b, err := Metrics(base.Raw)
	if err != nil {
		return nil, err
	}
	n, err := Metrics(new.Raw)
	if err != nil {
		return nil, err
	}
	c := &Comparison{Kind: base.Kind, MaxDrop: maxDrop, Mismatches: Mismatches(base, new)}
	for _, k := range sortedKeys(b) {
		d := Delta{Metric: k, Base: b[k], Headline: IsHeadline(k)}
		if v, ok := n[k]; ok {
			d.New, d.Delta = v, v-b[k]
			if d.Headline && b[k]-v > maxDrop+dropSlack {
				d.Status = "regressed"
			}
		} else {
			d.Status = "missing"
			if d.Headline {
				d.Status = "regressed: missing"
			}
		}
		if strings.HasPrefix(d.Status, "regressed") {
			c.Regressions++
		}
		c.Deltas = append(c.Deltas, d)
	}
	for _, k := range sortedKeys(n) {
		if _, ok := b[k]; !ok {
			c.Deltas = append(c.Deltas, Delta{Metric: k, New: n[k], Delta: n[k], Headline: IsHeadline(k), Status: "added"})
		}
	}
	return c, nil
}

// Mismatches lists how two reports of one kind differ in what they
// measured, one "what: base …, new …" line each: the set's name, its files
// (by directory and name, so the same set found under another path still
// matches), the counts of examples, queries and articles scored, the
// sample's seed and the sizes of the files it was drawn from, and the
// settings that move the figures (label, abstain threshold, cut-off k,
// cross-fitting's folds). A
// live report's only scope is its start date. Nil when they agree.
func Mismatches(base, new *Decoded) []string {
	b, n := scope(base), scope(new)
	var out []string
	for _, k := range sortedKeys(mergeKeys(b, n)) {
		if b[k] != n[k] {
			out = append(out, fmt.Sprintf("%s: base %s, new %s", k, orNone(b[k]), orNone(n[k])))
		}
	}
	return out
}

func mergeKeys(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func orNone(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// scope is what a report measured, by dotted path.
func scope(d *Decoded) map[string]string {
	out := map[string]string{}
	var one func(prefix string, d *Decoded)
	one = func(prefix string, d *Decoded) {
		put := func(k string, v any) {
			s := fmt.Sprint(v)
			switch v := v.(type) {
			case string:
				if v == "" {
					return
				}
			case int:
				if v == 0 {
					return
				}
			case uint64:
				if v == 0 {
					return
				}
			}
			out[prefix+k] = s
		}
		sample := func(sm *Sample) {
			if sm == nil {
				put("sample", "whole files")
				return
			}
			put("sample.seed", sm.Seed)
			put("sample.train_of", sm.TrainOf)
			put("sample.test_of", sm.TestOf)
			put("sample.queries_of", sm.QueriesOf)
		}
		switch {
		case d.Classify != nil:
			r := d.Classify
			put("name", r.Name)
			put("label", r.Label)
			put("train_file", setFile(r.TrainFile))
			put("test_file", setFile(r.TestFile))
			put("train", r.Train)
			put("test", r.Test)
			put("threshold", r.Threshold)
			sample(r.Sample)
		case d.Retrieve != nil:
			r := d.Retrieve
			put("name", r.Name)
			put("articles_file", setFile(r.ArticlesFile))
			put("queries_file", setFile(r.QueriesFile))
			put("k", r.K)
			put("cross_fit", r.CrossFit)
			sample(r.Sample)
			for _, m := range r.Modes {
				put(m.Mode+".queries", m.Queries)
				put(m.Mode+".articles", m.Articles)
			}
		case d.Live != nil:
			put("since", d.Live.Since)
		case d.Drafts != nil:
			put("name", d.Drafts.Name)
			put("source", d.Drafts.Source)
			put("tickets", d.Drafts.Tickets)
		case d.Suite != nil:
			for _, name := range sortedKeys(d.Suite.Sets) {
				sub, err := DecodeReport(name, d.Suite.Sets[name])
				if err != nil {
					continue
				}
				out[prefix+name] = "a " + sub.Kind + " set"
				one(prefix+name+".", sub)
			}
		}
	}
	one("", d)
	return out
}

// setFile is a path by its directory and name (a set's files sit in a
// directory named after the set): ../shared/data/bq/dev.jsonl and
// /srv/data/bq/dev.jsonl are the same file of the same set.
func setFile(path string) string {
	if path == "" {
		return ""
	}
	path = strings.ReplaceAll(path, "\\", "/")
	parts := strings.Split(path, "/")
	if len(parts) >= 2 {
		return parts[len(parts)-2] + "/" + parts[len(parts)-1]
	}
	return path
}

// Metrics flattens a report's numbers into dotted paths: objects by key,
// the entries of lists like "modes" and "fields" by their mode, field or
// kind (hybrid.recall@5), a suite's sets by name. Other lists (curves, bins, matrices, examples) and timing
// fields are left out: they are shown in the report, not compared.
func Metrics(raw []byte) (map[string]float64, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, triage.Errorf(triage.EINVALID, "not a JSON report: %v", err)
	}
	out := map[string]float64{}
	flatten("", v, out)
	return out, nil
}

func flatten(path string, v any, out map[string]float64) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch v := v.(type) {
	case json.Number:
		if f, err := v.Float64(); err == nil && path != "" {
			out[path] = f
		}
	case map[string]any:
		for k, x := range v {
			switch {
			case isTiming(k) || isDetail(k):
			case k == "sets" && path == "":
				// A suite's sets are named at the top.
				if sets, ok := x.(map[string]any); ok {
					for name, r := range sets {
						flatten(name, r, out)
					}
				}
			case isList(x):
				// Named lists ("modes", "fields") name their entries
				// directly under the parent: hybrid.recall@5.
				flatten(path, x, out)
			default:
				flatten(join(k), x, out)
			}
		}
	case []any:
		for _, x := range v {
			obj, ok := x.(map[string]any)
			if !ok {
				return
			}
			name, ok := obj["mode"].(string)
			if !ok {
				name, ok = obj["field"].(string)
			}
			if !ok {
				name, ok = obj["kind"].(string)
			}
			if !ok {
				return // a list of points or rows, not of named scores
			}
			flatten(join(name), obj, out)
		}
	}
}

func isList(v any) bool {
	_, ok := v.([]any)
	return ok
}

// WriteText prints the comparison as a table: headline metrics first, then
// the rest, each with base, new and delta.
func (c *Comparison) WriteText(w io.Writer) error {
	width := len("metric")
	for _, d := range c.Deltas {
		width = max(width, len(d.Metric))
	}
	var buf bytes.Buffer
	row := func(d Delta) {
		mark := " "
		if d.Headline {
			mark = "*"
		}
		base, nw, delta := num(d.Base), num(d.New), fmt.Sprintf("%+.4f", d.Delta)
		switch d.Status {
		case "missing", "regressed: missing":
			nw, delta = "-", "-"
		case "added":
			base = "-"
		}
		fmt.Fprintf(&buf, "%s %-*s %10s %10s %10s  %s\n", mark, width, d.Metric, base, nw, delta, d.Status)
	}
	for _, m := range c.Mismatches {
		fmt.Fprintf(&buf, "warning: the runs differ, so their figures do not compare: %s\n", m)
	}
	fmt.Fprintf(&buf, "  %-*s %10s %10s %10s\n", width, "metric", "base", "new", "delta")
	for _, headlineFirst := range []bool{true, false} {
		for _, d := range c.Deltas {
			if d.Headline == headlineFirst {
				row(d)
			}
		}
	}
	if c.Regressions > 0 {
		fmt.Fprintf(&buf, "FAIL: %d headline metric(s) (*) dropped by more than %g or are missing\n", c.Regressions, c.MaxDrop)
	} else if len(c.Mismatches) > 0 {
		fmt.Fprintf(&buf, "no headline metric (*) dropped by more than %g, but the runs differ (see the warnings): not a verdict\n", c.MaxDrop)
	} else {
		fmt.Fprintf(&buf, "ok: no headline metric (*) dropped by more than %g\n", c.MaxDrop)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e9 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.4f", v)
}
