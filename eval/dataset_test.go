package eval

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadersBadInput(t *testing.T) {
	readers := map[string]func(string) error{
		"labelled": func(p string) error { _, err := ReadLabelled(p, "category"); return err },
		"articles": func(p string) error { _, err := ReadArticles(p); return err },
		"queries":  func(p string) error { _, err := ReadQueries(p); return err },
	}
	tests := []struct {
		name, reader, content string
		// want is the part of the message after the file name.
		want string
	}{
		{"malformed line", "labelled", `{"text":"好","category":"a"}` + "\n\n" + `{"text":"坏"` + "\n", ":3: not a JSON object"},
		{"no label", "labelled", `{"text":"好","category":"a"}` + "\n" + `{"text":"坏"}` + "\n", `:2: no "category" label`},
		{"no text", "labelled", `{"category":"a"}`, `:1: no "text", "title" or "body" field`},
		{"label of the wrong type", "labelled", `{"text":"x","category":["a"]}`, `:1: field "category" must be a string`},
		{"an array, not an object", "labelled", `["text","a"]`, ":1: not a JSON object"},
		{"empty file", "labelled", "\n\n", ": the file is empty"},
		{"article without id", "articles", `{"title":"t","body":"b"}`, `:1: no "id"`},
		{"duplicate article", "articles", `{"id":"a","title":"t"}` + "\n" + `{"id":"a","title":"u"}`, `:2: id "a" already used on line 1`},
		{"empty article", "articles", `{"id":"a","title":" ","body":""}`, ":1: both title and body are empty"},
		{"relevant not a list", "queries", `{"id":"q","text":"t","relevant":"a"}`, `:1: "relevant" must be a list of article ids`},
		{"relevant empty", "queries", `{"id":"q","text":"t","relevant":[]}`, `:1: "relevant" is missing or empty`},
		{"query without text", "queries", `{"id":"q","relevant":["a"]}`, `:1: no "text"`},
		{"a classification file given as queries", "queries", `{"id":"1","text":"t","category":"a"}`, `:1: "relevant" is missing or empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "set.jsonl", tt.content)
			err := readers[tt.reader](p)
			if !triage.IsCode(err, triage.EINVALID) {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			if msg := triage.ErrorMessageOrText(err); !strings.HasPrefix(msg, p+tt.want) {
				t.Errorf("message = %q, want it to start with %q", msg, p+tt.want)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		for name, read := range readers {
			err := read("/nonexistent/x.jsonl")
			if !triage.IsCode(err, triage.EINVALID) || !strings.Contains(err.Error(), "/nonexistent/x.jsonl: no such file") {
				t.Errorf("%s: err = %v", name, err)
			}
		}
	})
}

func TestReadLabelled(t *testing.T) {
	p := writeFile(t, "set.jsonl", "\xef\xbb\xbf"+`{"id":7,"title":"退款","body":"没到账","category":" 支付 "}`+"\n"+`{"text":"查物流","category":"物流"}`+"\n")
	got, err := ReadLabelled(p, "category")
	if err != nil {
		t.Fatal(err)
	}
	want := []Labelled{{ID: "7", Text: "退款\n没到账", Label: "支付", Line: 1}, {ID: "2", Text: "查物流", Label: "物流", Line: 2}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestSamples(t *testing.T) {
	var set []Labelled
	for i := range 100 {
		label := "多"
		if i%10 == 0 {
			label = "少"
		}
		set = append(set, Labelled{ID: fmt.Sprint("id", i), Label: label, Line: i + 1})
	}
	t.Run("stratified", func(t *testing.T) {
		s := SampleLabelled(set, 20, 7)
		count := map[string]int{}
		for i, l := range s {
			count[l.Label]++
			if i > 0 && s[i-1].Line >= l.Line {
				t.Fatal("a sample must keep the file's order")
			}
		}
		if count["多"] != 18 || count["少"] != 2 {
			t.Errorf("counts = %v, want 18 and 2", count)
		}
	})
	t.Run("same seed, same sample; another seed, another", func(t *testing.T) {
		a, b, c := SampleLabelled(set, 20, 7), SampleLabelled(set, 20, 7), SampleLabelled(set, 20, 8)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Error("not deterministic")
		}
		if fmt.Sprint(a) == fmt.Sprint(c) {
			t.Error("the seed changes nothing")
		}
	})
	t.Run("a rare class keeps one example", func(t *testing.T) {
		s := SampleLabelled(append(set[:50:50], Labelled{ID: "x", Label: "稀有", Line: 999}), 5, 1)
		found := false
		for _, l := range s {
			found = found || l.Label == "稀有"
		}
		if !found {
			t.Error("the rare class was dropped")
		}
	})
	t.Run("independent of file order", func(t *testing.T) {
		qs := make([]Query, 50)
		for i := range qs {
			qs[i] = Query{ID: fmt.Sprint("q", i), Line: i + 1}
		}
		rev := make([]Query, 50)
		for i := range qs {
			rev[i] = qs[49-i]
			rev[i].Line = i + 1
		}
		ids := func(qs []Query) map[string]bool {
			m := map[string]bool{}
			for _, q := range qs {
				m[q.ID] = true
			}
			return m
		}
		if a, b := ids(SampleQueries(qs, 10, 3)), ids(SampleQueries(rev, 10, 3)); fmt.Sprint(a) != fmt.Sprint(b) || len(a) != 10 {
			t.Errorf("samples differ: %v %v", a, b)
		}
	})
	t.Run("zero or too many keeps all", func(t *testing.T) {
		if len(SampleLabelled(set, 0, 1)) != 100 || len(SampleLabelled(set, 500, 1)) != 100 {
			t.Error("want the whole set")
		}
	})
}
