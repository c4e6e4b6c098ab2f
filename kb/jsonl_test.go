package kb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
)

// kbFile is an import file in the schema of the shared evaluation data,
// with the optional fields on some lines.
func kbFile(n int) string {
	var b strings.Builder
	for i := range n {
		line := map[string]any{
			"id":    fmt.Sprintf("bank-a%05d", i),
			"title": fmt.Sprintf("第%d个问题：借款为什么还没到账", i),
			"body":  fmt.Sprintf("您好，借款审核通过后一般 %d 分钟内到账。\n\n如超过 24 小时仍未到账，请联系在线客服。", i%30+1),
		}
		if i%3 == 0 {
			line["category"] = "借款"
			line["tags"] = []string{"到账"}
		}
		json.NewEncoder(&b).Encode(line)
	}
	return b.String()
}

func allArticles(t *testing.T, s *kb.Service) []*triage.Article {
	t.Helper()
	var out []*triage.Article
	f := triage.ArticleFilter{Limit: triage.MaxPageSize}
	for {
		page, next, err := s.Articles(system, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if next == "" {
			return out
		}
		f.Cursor = next
	}
}

func TestImport(t *testing.T) {
	s := newService(t)
	var progress [][2]int
	file := kbFile(450)
	res, err := s.Import(system, strings.NewReader(file), kb.ImportOptions{Progress: func(done, total int) { progress = append(progress, [2]int{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	if res != (kb.ImportResult{Lines: 450, Created: 450}) {
		t.Fatalf("result %+v", res)
	}
	if want := [][2]int{{0, 450}, {200, 450}, {400, 450}, {450, 450}}; !slices.Equal(progress, want) {
		t.Fatalf("progress %v, want %v", progress, want)
	}
	arts := allArticles(t, s)
	if len(arts) != 450 {
		t.Fatalf("%d articles", len(arts))
	}
	var first *triage.Article
	for _, a := range arts {
		if slices.Contains(a.Tags, "src:bank-a00000") {
			first = a
		}
		if a.Status != triage.ArticlePublished || a.PublishedAt == nil || a.AuthorID != "system" || a.Version != 1 {
			t.Fatalf("imported %+v", a)
		}
	}
	if first == nil || first.Category != "借款" || !slices.Equal(first.Tags, []string{"到账", "src:bank-a00000"}) || !strings.Contains(first.Body, "\n\n如超过") {
		t.Fatalf("line 1 became %+v", first)
	}
	if vs := versions(t, s, first.ID); len(vs) != 1 || triage.Sentence(vs[0].Why, vs[0].Note) != "imported" {
		t.Fatalf("versions %+v", vs)
	}

	t.Run("again changes nothing", func(t *testing.T) {
		res, err := s.Import(system, strings.NewReader(file), kb.ImportOptions{})
		if err != nil || res != (kb.ImportResult{Lines: 450, Unchanged: 450}) {
			t.Fatalf("%+v, %v", res, err)
		}
		if len(allArticles(t, s)) != 450 || len(versions(t, s, first.ID)) != 1 {
			t.Fatal("a re-import duplicated articles or versions")
		}
	})
	t.Run("again with an edit updates", func(t *testing.T) {
		edited := strings.Replace(file, "1 分钟内到账", "5 分钟内到账", 1)
		res, err := s.Import(system, strings.NewReader(edited), kb.ImportOptions{})
		if err != nil || res != (kb.ImportResult{Lines: 450, Updated: 1, Unchanged: 449}) {
			t.Fatalf("%+v, %v", res, err)
		}
		a, _ := s.Article(system, first.ID)
		vs := versions(t, s, first.ID)
		if !strings.Contains(a.Body, "5 分钟内到账") || a.Version != 2 || triage.Sentence(vs[1].Why, vs[1].Note) != "re-imported" {
			t.Fatalf("updated %+v", a)
		}
	})
	t.Run("again keeps a status set since", func(t *testing.T) {
		a, _ := s.Article(system, first.ID)
		mustUpdate(t, s, system, a, status(triage.ArticleArchived))
		if _, err := s.Import(system, strings.NewReader(file), kb.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if a, _ := s.Article(system, first.ID); a.Status != triage.ArticleArchived {
			t.Fatalf("re-import made an archived article %s", a.Status)
		}
	})
	t.Run("a status the article cannot take refuses the file", func(t *testing.T) {
		line := `{"id":"bank-a00000","title":"t","body":"b","status":"published"}`
		res, err := s.Import(system, strings.NewReader("\n"+line+"\n"), kb.ImportOptions{})
		var e *triage.Error
		if !errors.As(err, &e) || e.Code != triage.EINVALID || !strings.HasPrefix(e.Message, "line 2: ") || !slices.Equal(e.Allowed, []string{"draft"}) {
			t.Fatalf("error %v", err)
		}
		if res.Created+res.Updated != 0 {
			t.Fatalf("result %+v", res)
		}
	})
}

func TestImportStatus(t *testing.T) {
	s := newService(t)
	file := `{"id":"a","title":"默认状态","body":""}
{"id":"b","title":"指定状态","body":"","status":"in_review"}
`
	if _, err := s.Import(system, strings.NewReader(file), kb.ImportOptions{Status: triage.ArticleDraft}); err != nil {
		t.Fatal(err)
	}
	got := map[string]triage.ArticleStatus{}
	for _, a := range allArticles(t, s) {
		got[a.Title] = a.Status
		if a.PublishedAt != nil {
			t.Fatalf("unpublished import has PublishedAt: %+v", a)
		}
	}
	if got["默认状态"] != triage.ArticleDraft || got["指定状态"] != triage.ArticleInReview {
		t.Fatalf("statuses %v", got)
	}
	_, err := s.Import(system, strings.NewReader(file), kb.ImportOptions{Status: "live"})
	wantCode(t, err, triage.EINVALID)
}

func TestImportBadLines(t *testing.T) {
	good := `{"id":"q1","title":"花呗怎么还款","body":"在支付宝首页打开花呗。"}`
	tests := []struct {
		name string
		file string
		line int
		want string // in the message
	}{
		{"not json", good + "\n{id: q2}\n", 2, "not a JSON object"},
		{"array", good + "\n[1,2]\n", 2, "not a JSON object"},
		{"unknown field", good + "\n" + `{"id":"q2","title":"t","body":"b","titel":"x"}` + "\n", 2, "titel"},
		{"two values", good + " " + good + "\n", 1, "more than one JSON value"},
		{"no id", `{"title":"t","body":"b"}`, 1, "id is required"},
		{"id unfit for a tag", `{"id":"has space","title":"t","body":"b"}`, 1, "cannot be kept as a tag"},
		{"no title", good + "\n\n" + `{"id":"q3","title":"","body":"b"}`, 3, "title is required"},
		{"bad status", `{"id":"q4","title":"t","body":"b","status":"live"}`, 1, "status"},
		{"duplicate id", good + "\n" + strings.Replace(good, "q1", "Q1", 1), 2, "repeats line 1"},
		{"too many tags", `{"id":"q5","title":"t","body":"b","tags":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q","r","s","t"]}`, 1, "adds its own src: tag"},
		{"body too large", `{"id":"q6","title":"t","body":"` + strings.Repeat("长", triage.MaxArticleBodyBytes/3+1) + `"}`, 1, "body"},
		{"not utf-8", good + "\n{\"id\":\"q7\",\"title\":\"\xbb\xa8\xdf\xc2\",\"body\":\"b\"}", 2, "not UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newService(t)
			res, err := s.Import(system, strings.NewReader(tt.file), kb.ImportOptions{})
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID {
				t.Fatalf("error %v, want invalid", err)
			}
			if prefix := fmt.Sprintf("line %d: ", tt.line); !strings.HasPrefix(e.Message, prefix) || !strings.Contains(e.Message, tt.want) {
				t.Fatalf("message %q, want %q…%q", e.Message, prefix, tt.want)
			}
			if res.Created != 0 || len(allArticles(t, s)) != 0 {
				t.Fatal("a file with a bad line imported something")
			}
		})
	}
}

func TestImportBlankLinesAndBOM(t *testing.T) {
	s := newService(t)
	file := "\uFEFF" + `{"id":"x1","title":"第一","body":""}` + "\r\n\r\n   \n" + `{"id":"x2","title":"第二","body":""}`
	res, err := s.Import(system, strings.NewReader(file), kb.ImportOptions{})
	if err != nil || res.Created != 2 {
		t.Fatalf("%+v, %v", res, err)
	}
}

// failingStore fails the nth article creation, to see what a failure in
// the middle of an import leaves behind.
type failingStore struct {
	triage.Store
	n, failAt int
}

func (f *failingStore) Update(ctx context.Context, fn func(tx triage.Tx) error) error {
	return f.Store.Update(ctx, func(tx triage.Tx) error { return fn(&failingTx{Tx: tx, s: f}) })
}

type failingTx struct {
	triage.Tx
	s *failingStore
}

func (tx *failingTx) CreateArticle(ctx context.Context, a *triage.Article) error {
	tx.s.n++
	if tx.s.n == tx.s.failAt {
		return errors.New("disk full")
	}
	return tx.Tx.CreateArticle(ctx, a)
}

func TestImportFailureKeepsWholeBatches(t *testing.T) {
	s := newService(t)
	fs := &failingStore{Store: s.Store, failAt: kb.ImportBatch + 50}
	broken := &kb.Service{Store: fs, Now: s.Now}
	res, err := broken.Import(system, strings.NewReader(kbFile(450)), kb.ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("error %v", err)
	}
	if res.Created != kb.ImportBatch || len(allArticles(t, s)) != kb.ImportBatch {
		t.Fatalf("result %+v with %d articles stored; want exactly the first batch", res, len(allArticles(t, s)))
	}
	// The same file again finishes the job.
	res, err = s.Import(system, strings.NewReader(kbFile(450)), kb.ImportOptions{})
	if err != nil || res.Created != 250 || res.Unchanged != 200 {
		t.Fatalf("%+v, %v", res, err)
	}
}

func TestImportRoles(t *testing.T) {
	s := newService(t)
	file := `{"id":"r1","title":"t","body":"b"}`
	for _, tt := range []struct {
		ctx  context.Context
		want string
	}{
		{as(triage.RoleAgent, "ag1"), triage.EFORBIDDEN},
		{as(triage.RoleViewer, ""), triage.EFORBIDDEN},
		{as(triage.RoleEditor, ""), ""},
		{as(triage.RoleAdmin, ""), ""},
	} {
		_, err := s.Import(tt.ctx, strings.NewReader(file), kb.ImportOptions{})
		if triage.ErrorCode(err) != tt.want {
			t.Fatalf("%s: %v, want %q", triage.ActorFromContext(tt.ctx), err, tt.want)
		}
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	src := newService(t)
	ed := as(triage.RoleEditor, "")
	a := mustCreate(t, src, ed, triage.NewArticle{Title: "如何申请退款", Body: "# 退款\n\n1. 打开订单\n2. 点击 <退款> & 确认\n", Category: "售后", Tags: []string{"退款"}})
	mustUpdate(t, src, ed, a, status(triage.ArticlePublished))
	mustCreate(t, src, ed, triage.NewArticle{Title: "草稿：发票", Body: ""})
	if _, err := src.Import(system, strings.NewReader(kbFile(3)), kb.ImportOptions{}); err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	n, err := src.Export(system, &buf, triage.ArticleFilter{})
	if err != nil || n != 5 || strings.Count(buf.String(), "\n") != 5 {
		t.Fatalf("exported %d, %v:\n%s", n, err, buf.String())
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(buf.String(), "\n", 2)[0]), &line); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range line {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"body", "category", "id", "status", "tags", "title", "updated_at", "version"}; !slices.Equal(keys, want) {
		t.Fatalf("export fields %v, want %v", keys, want)
	}
	if !strings.Contains(buf.String(), "<退款> & 确认") {
		t.Fatal("export escapes HTML characters; it should keep the text readable")
	}

	t.Run("filter", func(t *testing.T) {
		var drafts bytes.Buffer
		n, err := src.Export(system, &drafts, triage.ArticleFilter{Status: []triage.ArticleStatus{triage.ArticleDraft}, Limit: 1})
		if err != nil || n != 1 || !strings.Contains(drafts.String(), "草稿：发票") {
			t.Fatalf("%d, %v: %s", n, err, drafts.String())
		}
		_, err = src.Export(system, &drafts, triage.ArticleFilter{Status: []triage.ArticleStatus{"x"}})
		wantCode(t, err, triage.EINVALID)
	})
	t.Run("into another store", func(t *testing.T) {
		dst := newService(t)
		res, err := dst.Import(system, bytes.NewReader(buf.Bytes()), kb.ImportOptions{})
		if err != nil || res.Created != 5 {
			t.Fatalf("%+v, %v", res, err)
		}
		type text struct {
			title, body, category string
			status                triage.ArticleStatus
		}
		texts := func(arts []*triage.Article) []text {
			var out []text
			for _, a := range arts {
				out = append(out, text{a.Title, a.Body, a.Category, a.Status})
			}
			slices.SortFunc(out, func(x, y text) int { return strings.Compare(x.title, y.title) })
			return out
		}
		if got, want := texts(allArticles(t, dst)), texts(allArticles(t, src)); !slices.Equal(got, want) {
			t.Fatalf("round trip:\n%v\nwant\n%v", got, want)
		}
		// A second import of the export into the new store recognises
		// every article by the tag the first one left.
		res, err = dst.Import(system, bytes.NewReader(buf.Bytes()), kb.ImportOptions{})
		if err != nil || res.Unchanged != 5 {
			t.Fatalf("%+v, %v", res, err)
		}
	})
	t.Run("back into the same store", func(t *testing.T) {
		res, err := src.Import(system, bytes.NewReader(buf.Bytes()), kb.ImportOptions{})
		if err != nil || res != (kb.ImportResult{Lines: 5, Unchanged: 5}) {
			t.Fatalf("%+v, %v", res, err)
		}
		for _, a := range allArticles(t, src) {
			for _, tag := range a.Tags {
				if tag == "src:"+a.ID {
					t.Fatalf("article tagged with its own id: %v", a.Tags)
				}
			}
		}
	})
}
