package eval

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// sampleClassify is a small classification report with Chinese labels.
func sampleClassify(t testing.TB, shift float64) *ClassifyReport {
	t.Helper()
	outcomes := []ClassOutcome{
		{Gold: "退款", Predicted: "退款", Confidence: 0.9, Ranked: []string{"退款", "物流"}},
		{Gold: "退款", Predicted: "物流", Confidence: 0.55, Ranked: []string{"物流", "退款"}},
		{Gold: "物流", Predicted: "物流", Confidence: 0.8},
		{Gold: "账号登录", Predicted: "退款", Confidence: 0.35 + shift},
		{Gold: "账号登录", Predicted: "账号登录", Confidence: 0.7},
	}
	texts := []string{"退款还没到账", "我的退款寄到哪里了", "快递三天没动", "登录不了想退款", "密码忘了"}
	s, err := ScoreClassification(outcomes, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	AttachExamples(s.MostConfused, outcomes, texts, PairExamples)
	return &ClassifyReport{Kind: KindClassify, Name: "工单", Label: "category", TrainFile: "train.jsonl", TestFile: "dev.jsonl",
		Train: 20, Test: 5, ModelVersion: "m1", FitSeconds: 1.5, PredictPerSecond: 99, Threshold: 0.5, ClassificationScores: s,
		Sample: &Sample{Seed: 1, TrainOf: 40, TestOf: 10}}
}

func sampleRetrieve() *RetrieveReport {
	r := &RetrieveReport{Kind: KindRetrieve, Name: "知识库", ArticlesFile: "articles.jsonl", QueriesFile: "queries.jsonl", Embedder: "local", K: 10}
	for i, mode := range []string{"lexical", "vector", "hybrid"} {
		f := float64(i) / 10
		r.Modes = append(r.Modes, RetrievalScores{Mode: mode, Articles: 3, Queries: 2, RecallAt1: 0.3 + f, RecallAt5: 0.5 + f, RecallAt10: 0.6 + f,
			MRRAt10: 0.4 + f, NDCGAt10: 0.45 + f, QueriesPerSecond: 100 * float64(i+1), LatencyP50ms: 1, LatencyP99ms: 9,
			Missed: []Miss{{QueryID: "q1", Text: "怎么修改绑定的手机号", Relevant: []string{"a1"}, Got: []string{"a2"}, RelevantTitles: []string{"更换手机号"}, GotTitles: []string{"修改密码"}}}})
	}
	return r
}

func decoded(t testing.TB, v any) *Decoded {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecodeReport("test.json", b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDecodeReportBadInput(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"not JSON", "{\n \"kind\": \"classify\",\n \"macro_f1\": oops\n}", "x.json: not a JSON report: line 3:"},
		{"no kind", `{"macro_f1": 0.5}`, `x.json: no "kind": not a triage eval report`},
		{"unknown kind", `{"kind": "weather"}`, `x.json: unknown report kind "weather"`},
		{"wrong shape", "{\"kind\": \"classify\",\n\"macro_f1\": \"high\"}", "x.json: a classify report with the wrong shape: line 2:"},
		{"bad set in a suite", `{"kind": "suite", "sets": {"a": {"kind": "nope"}}}`, `x.json: set a: unknown report kind "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeReport("x.json", []byte(tt.json))
			if !triage.IsCode(err, triage.EINVALID) || !strings.HasPrefix(triage.ErrorMessageOrText(err), tt.want) {
				t.Errorf("err = %v, want EINVALID starting with %q", err, tt.want)
			}
		})
	}
	if _, err := ReadReport(filepath.Join(t.TempDir(), "none.json")); !triage.IsCode(err, triage.EINVALID) || !strings.Contains(err.Error(), "none.json: no such file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestCompare(t *testing.T) {
	base := sampleRetrieve()
	tests := []struct {
		name        string
		change      func(r *RetrieveReport)
		maxDrop     float64
		regressions int
		status      map[string]string
	}{
		{name: "identical", change: func(*RetrieveReport) {}, maxDrop: 0.01},
		{name: "timing is never compared", change: func(r *RetrieveReport) { r.Modes[0].QueriesPerSecond = 1; r.IndexSeconds = 99 }, maxDrop: 0},
		{
			name: "drop within the tolerance", change: func(r *RetrieveReport) { r.Modes[2].RecallAt5 -= 0.01 }, maxDrop: 0.01,
			status: map[string]string{"hybrid.recall@5": ""},
		},
		{
			name: "headline drop beyond the tolerance", change: func(r *RetrieveReport) { r.Modes[2].RecallAt5 -= 0.0101; r.Modes[0].NDCGAt10 -= 0.2 }, maxDrop: 0.01,
			regressions: 2, status: map[string]string{"hybrid.recall@5": "regressed", "lexical.ndcg@10": "regressed"},
		},
		{
			name: "other metrics may drop", change: func(r *RetrieveReport) { r.Modes[1].RecallAt1 = 0; r.Modes[1].MRRAt10 = 0 }, maxDrop: 0,
			status: map[string]string{"vector.recall@1": ""},
		},
		{name: "a rise is fine", change: func(r *RetrieveReport) { r.Modes[1].NDCGAt10 = 1 }, maxDrop: 0},
		{
			name: "a mode gone is a regression", change: func(r *RetrieveReport) { r.Modes = r.Modes[:2] }, maxDrop: 0.5,
			regressions: 2, status: map[string]string{"hybrid.recall@5": "regressed: missing", "hybrid.recall@1": "missing"},
		},
		{
			name: "a new mode is added", change: func(r *RetrieveReport) { r.Modes = append(r.Modes, RetrievalScores{Mode: "new", RecallAt5: 1}) }, maxDrop: 0,
			status: map[string]string{"new.recall@5": "added"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nw := sampleRetrieve()
			tt.change(nw)
			c, err := Compare(decoded(t, base), decoded(t, nw), tt.maxDrop)
			if err != nil {
				t.Fatal(err)
			}
			if c.Regressions != tt.regressions {
				t.Errorf("regressions = %d, want %d", c.Regressions, tt.regressions)
			}
			got := map[string]string{}
			for _, d := range c.Deltas {
				got[d.Metric] = d.Status
				if strings.Contains(d.Metric, "per_second") || strings.Contains(d.Metric, "latency") || strings.Contains(d.Metric, "seconds") {
					t.Errorf("timing field %s compared", d.Metric)
				}
			}
			for k, want := range tt.status {
				if s, ok := got[k]; !ok || s != want {
					t.Errorf("%s: status %q (present %v), want %q", k, s, ok, want)
				}
			}
			var sb strings.Builder
			if err := c.WriteText(&sb); err != nil {
				t.Fatal(err)
			}
			if (c.Regressions > 0) != strings.Contains(sb.String(), "FAIL:") {
				t.Errorf("text does not match the verdict:\n%s", sb.String())
			}
		})
	}
	t.Run("kinds differ", func(t *testing.T) {
		_, err := Compare(decoded(t, base), decoded(t, sampleClassify(t, 0)), 0.01)
		if !triage.IsCode(err, triage.EINVALID) {
			t.Errorf("err = %v, want EINVALID", err)
		}
	})
	t.Run("negative max drop", func(t *testing.T) {
		if _, err := Compare(decoded(t, base), decoded(t, base), -1); !triage.IsCode(err, triage.EINVALID) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestCompareSuite(t *testing.T) {
	suite := func(r *ClassifyReport, drop bool) *Suite {
		ret := sampleRetrieve()
		sets := map[string]any{"cls": r, "ret": ret}
		if drop {
			delete(sets, "ret")
		}
		s, err := NewSuite(sets)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := decoded(t, suite(sampleClassify(t, 0), false))
	worse := sampleClassify(t, 0)
	worse.MacroF1 -= 0.02
	worse.PerClass["退款"] = ClassScore{F1: 0}
	c, err := Compare(base, decoded(t, suite(worse, false)), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	byMetric := map[string]Delta{}
	for _, d := range c.Deltas {
		byMetric[d.Metric] = d
	}
	if c.Regressions != 1 || byMetric["cls.macro_f1"].Status != "regressed" {
		t.Errorf("regressions %d, cls.macro_f1 %+v", c.Regressions, byMetric["cls.macro_f1"])
	}
	if d := byMetric["cls.per_class.退款.f1"]; d.Headline || d.Delta >= 0 {
		t.Errorf("per-class f1 = %+v, want a non-headline drop", d)
	}
	if _, ok := byMetric["ret.hybrid.ndcg@10"]; !ok {
		t.Error("the retrieval set is not compared")
	}
	c, err = Compare(base, decoded(t, suite(sampleClassify(t, 0), true)), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if c.Regressions != 6 { // recall@5 and ndcg@10 of three modes
		t.Errorf("a set gone: %d regressions, want 6", c.Regressions)
	}
	if _, err := NewSuite(map[string]any{"a.b": 1}); err == nil {
		t.Error("a dotted set name would make metric paths ambiguous")
	}
}

func TestReports(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	rs := Reports{Dir: dir}
	if l, err := rs.List(); err != nil || len(l) != 0 || l == nil {
		t.Fatalf("a missing directory lists nothing: %v %v", l, err)
	}
	cls, _ := json.Marshal(sampleClassify(t, 0))
	ret, _ := json.Marshal(sampleRetrieve())
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	id1 := NewReportID(at, KindClassify, "工单 set")
	id2 := NewReportID(at.Add(time.Minute), KindRetrieve, "kb")
	if id1 != "20261123T100000Z-classify-___set" {
		t.Errorf("id = %q", id1)
	}
	if err := rs.Save(id1, cls, []byte("<html>cls</html>")); err != nil {
		t.Fatal(err)
	}
	if err := rs.Save(id2, ret, nil); err != nil {
		t.Fatal(err)
	}
	// Files that are not reports must not break the list.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{"), 0o644)
	list, err := rs.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != id2 || list[1].ID != id1 {
		t.Fatalf("list = %+v, want newest first", list)
	}
	if list[1].Kind != KindClassify || !list[1].HTML || list[0].HTML || list[1].Headline["macro_f1"] != sampleClassify(t, 0).MacroF1 {
		t.Errorf("info = %+v", list[1])
	}
	if list[0].Headline["hybrid.recall@5"] != 0.7 {
		t.Errorf("retrieval headline = %v", list[0].Headline)
	}
	if b, err := rs.JSON(id1); err != nil || string(b) != string(cls) {
		t.Errorf("JSON = %q, %v", b, err)
	}
	if b, err := rs.HTML(id1); err != nil || string(b) != "<html>cls</html>" {
		t.Errorf("HTML = %q, %v", b, err)
	}
	if _, err := rs.HTML(id2); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("no page: %v", err)
	}
	if _, err := rs.Info("nope"); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("Info(nope) = %v", err)
	}
	for _, bad := range []string{"../etc/passwd", "a.html", "", "a/b", ".hidden", strings.Repeat("a", 129)} {
		if _, err := rs.JSON(bad); !triage.IsCode(err, triage.EINVALID) {
			t.Errorf("JSON(%q) = %v, want EINVALID", bad, err)
		}
	}
	if err := rs.Save("x", []byte(`{"kind":"nope"}`), nil); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("saving a non-report: %v", err)
	}
}
