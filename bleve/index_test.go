package bleve_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/bleve"
)

func article(owner string, chunk int, title, body string) triage.SearchDoc {
	return triage.SearchDoc{ID: fmt.Sprintf("article:%s#%d", owner, chunk), Kind: triage.DocArticle, OwnerID: owner, Chunk: chunk, Title: title, Body: body}
}

func ticket(owner, title, body, resolution string) triage.SearchDoc {
	return triage.SearchDoc{ID: "ticket:" + owner, Kind: triage.DocTicket, OwnerID: owner, Title: title, Body: body, Resolution: resolution}
}

func openMem(t *testing.T, docs ...triage.SearchDoc) *bleve.Index {
	t.Helper()
	x, err := bleve.OpenMem(testSegmenter(t), bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	if err := x.Index(context.Background(), docs...); err != nil {
		t.Fatal(err)
	}
	return x
}

func search(t *testing.T, x *bleve.Index, q triage.TextQuery) []triage.TextHit {
	t.Helper()
	if q.Kind == "" {
		q.Kind = triage.DocArticle
	}
	hits, err := x.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Fatalf("Search(%q): hits not best first: %+v", q.Text, hits)
		}
	}
	return hits
}

func ids(hits []triage.TextHit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.DocID
	}
	return out
}

// A corpus where each case below has one document that must come first.
var corpus = []triage.SearchDoc{
	article("refund", 0, "退款多久到账", "退款申请审核通过后，款项一般在1到3个工作日内退回原支付账户。"),
	article("apart", 0, "到账查询", "到账时间以银行为准，如需退款请联系客服。"),
	article("phone", 0, "如何更换绑定的手机号码", "进入账户设置，选择安全中心，按提示验证后即可更换。"),
	article("phone2", 0, "手机号无法接收验证码", "请检查短信是否被拦截，或稍后重试。"),
	article("invoice", 0, "发票怎么开", "在订单详情页申请电子发票，开具后发送到邮箱。"),
	article("invoice", 1, "发票抬头修改", "发票开具前可以修改抬头，开具后需要先作废。"),
	article("delivery", 0, "快递一直没有更新物流", "物流信息停滞超过三天，可以申请催件或联系快递公司。"),
	article("boostA", 0, "会员积分规则", "这里介绍账户的基本使用方式和常见说明。"),
	article("boostB", 0, "账户的基本使用说明", "这里介绍会员积分规则和常见说明事项。"),
	ticket("t1", "退款还没到账", "申请退款一周了还没到账", "已联系支付渠道加急处理退款"),
	ticket("t2", "退款到账慢", "退款到账太慢了", "告知客户退款一般三个工作日到账"),
}

func TestSearch(t *testing.T) {
	x := openMem(t, corpus...)
	for _, c := range []struct {
		name  string
		q     triage.TextQuery
		first string   // the document that must rank first
		also  []string // documents that must be among the hits
		none  []string // documents that must not be
	}{
		// 请问 is in no document: it must not knock out the one that
		// has the rest of the query.
		{name: "or semantics", q: triage.TextQuery{Text: "请问退款多久能到账"}, first: "article:refund#0"},
		{name: "filler words only partly match", q: triage.TextQuery{Text: "请问一下 发票 谢谢"}, first: "article:invoice#0", also: []string{"article:invoice#1"}},
		// The same words, once in the title and once in the body of
		// documents of the same length: the title wins.
		{name: "title boost", q: triage.TextQuery{Text: "会员积分规则"}, first: "article:boostA#0", also: []string{"article:boostB#0"}},
		{name: "title boost reversed", q: triage.TextQuery{Text: "账户的基本使用说明"}, first: "article:boostB#0", also: []string{"article:boostA#0"}},
		// gse keeps 手机号码 whole; its sub-words are indexed at its
		// position, and the bigrams overlap either way.
		{name: "手机号 finds 手机号码", q: triage.TextQuery{Text: "手机号"}, also: []string{"article:phone#0", "article:phone2#0"}},
		{name: "手机号码 finds 手机号", q: triage.TextQuery{Text: "手机号码"}, first: "article:phone#0", also: []string{"article:phone2#0"}},
		// A phrase puts the document with the words in a row first; a
		// document with them apart still matches, below it.
		{name: "phrase", q: triage.TextQuery{Text: `"退款到账"`}, first: "article:refund#0", also: []string{"article:apart#0"}},
		{name: "phrase reversed", q: triage.TextQuery{Text: `“到账时间”`}, first: "article:apart#0"},
		{name: "phrase with other words", q: triage.TextQuery{Text: `请问 "退款到账" 多久`}, first: "article:refund#0"},
		{name: "operators are text", q: triage.TextQuery{Text: `+退款 -到账 "未闭合 AND (x OR y) title:foo ^2 ~ * ?`}, also: []string{"article:refund#0", "article:apart#0"}},
		{name: "operators alone", q: triage.TextQuery{Text: `+-&&||!(){}[]^"~*?:\/ AND OR NOT`}},
		{name: "bleve syntax is text", q: triage.TextQuery{Text: `body:发票 +kind:ticket owner:invoice`}, first: "article:invoice#0"},
		// Normalisation: traditional characters and full-width forms
		// find simplified, half-width text.
		{name: "traditional", q: triage.TextQuery{Text: "如何更換綁定的手機號碼"}, first: "article:phone#0"},
		{name: "full width", q: triage.TextQuery{Text: "ｆａｐｉａｏ 發票怎麼開"}, first: "article:invoice#0"},
		{name: "kind ticket", q: triage.TextQuery{Text: "退款到账", Kind: triage.DocTicket}, also: []string{"ticket:t1", "ticket:t2"}, none: []string{"article:refund#0", "article:apart#0"}},
		{name: "resolution is searched", q: triage.TextQuery{Text: "支付渠道加急", Kind: triage.DocTicket}, first: "ticket:t1"},
		{name: "kind article", q: triage.TextQuery{Text: "退款到账"}, none: []string{"ticket:t1", "ticket:t2"}},
		{name: "exclude", q: triage.TextQuery{Text: "发票", Exclude: "invoice"}, none: []string{"article:invoice#0", "article:invoice#1"}},
		{name: "exclude ticket", q: triage.TextQuery{Text: "退款到账", Kind: triage.DocTicket, Exclude: "t1"}, first: "ticket:t2", none: []string{"ticket:t1"}},
		{name: "k", q: triage.TextQuery{Text: "退款 到账 发票 手机号 快递", K: 2}},
		{name: "empty", q: triage.TextQuery{Text: "   "}},
		{name: "no match", q: triage.TextQuery{Text: "量子纠缠"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			hits := search(t, x, c.q)
			got := ids(hits)
			if c.first != "" && (len(got) == 0 || got[0] != c.first) {
				t.Errorf("Search(%q) = %v; want %s first", c.q.Text, hits, c.first)
			}
			for _, id := range c.also {
				if !slices.Contains(got, id) {
					t.Errorf("Search(%q) = %v; want %s among them", c.q.Text, got, id)
				}
			}
			for _, id := range c.none {
				if slices.Contains(got, id) {
					t.Errorf("Search(%q) = %v; want no %s", c.q.Text, got, id)
				}
			}
			if c.q.K > 0 && len(hits) > c.q.K {
				t.Errorf("Search(%q, K=%d) = %d hits", c.q.Text, c.q.K, len(hits))
			}
			for _, h := range hits {
				if h.Score <= 0 || h.OwnerID == "" {
					t.Errorf("hit %+v: want an owner and a positive score", h)
				}
			}
		})
	}
}

func TestHitFields(t *testing.T) {
	x := openMem(t, corpus...)
	hits := search(t, x, triage.TextQuery{Text: "发票抬头修改"})
	if len(hits) == 0 {
		t.Fatal("no hits")
	}
	want := triage.TextHit{DocID: "article:invoice#1", OwnerID: "invoice", Chunk: 1}
	got := hits[0]
	got.Score = 0
	if got != want {
		t.Errorf("first hit %+v; want %+v", hits[0], want)
	}
}

func TestInvalid(t *testing.T) {
	x := openMem(t)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		err  error
	}{
		{"search without kind", func() error { _, err := x.Search(ctx, triage.TextQuery{Text: "退款"}); return err }()},
		{"search unknown kind", func() error { _, err := x.Search(ctx, triage.TextQuery{Text: "退款", Kind: "faq"}); return err }()},
		{"count unknown kind", func() error { _, err := x.Count(ctx, "faq"); return err }()},
		{"delete unknown kind", x.DeleteOwner(ctx, "faq", "1")},
		{"index without id", x.Index(ctx, triage.SearchDoc{Kind: triage.DocArticle, OwnerID: "1"})},
		{"index unknown kind", x.Index(ctx, triage.SearchDoc{ID: "x", Kind: "faq", OwnerID: "1"})},
		{"index without owner", x.Index(ctx, triage.SearchDoc{ID: "x", Kind: triage.DocArticle})},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !triage.IsCode(c.err, triage.EINVALID) {
				t.Errorf("error %v; want code %s", c.err, triage.EINVALID)
			}
		})
	}
	// One bad document keeps the whole call from writing.
	err := x.Index(ctx, article("ok", 0, "退款", "退款"), triage.SearchDoc{ID: "bad", Kind: "faq", OwnerID: "1"})
	if !triage.IsCode(err, triage.EINVALID) {
		t.Fatalf("Index with a bad document: %v", err)
	}
	if n, err := x.Count(ctx, triage.DocArticle); err != nil || n != 0 {
		t.Errorf("Count after a refused Index = %d, %v; want 0", n, err)
	}
}

func TestCountDeleteReplace(t *testing.T) {
	x := openMem(t, corpus...)
	ctx := context.Background()
	count := func(kind string) int {
		t.Helper()
		n, err := x.Count(ctx, kind)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if a, tk := count(triage.DocArticle), count(triage.DocTicket); a != 9 || tk != 2 {
		t.Fatalf("Count = %d articles, %d tickets; want 9, 2", a, tk)
	}
	if err := x.DeleteOwner(ctx, triage.DocArticle, "invoice"); err != nil {
		t.Fatal(err)
	}
	if n := count(triage.DocArticle); n != 7 {
		t.Errorf("Count after deleting both chunks = %d; want 7", n)
	}
	if hits := search(t, x, triage.TextQuery{Text: "发票"}); len(hits) != 0 {
		t.Errorf("deleted chunks still found: %v", hits)
	}
	// The same owner ID of another kind is another owner.
	if err := x.DeleteOwner(ctx, triage.DocTicket, "refund"); err != nil {
		t.Fatal(err)
	}
	if n := count(triage.DocArticle); n != 7 {
		t.Errorf("deleting a ticket owner removed articles: %d left", n)
	}
	// Replacing a document by ID replaces its terms.
	if err := x.Index(ctx, article("refund", 0, "积分兑换", "积分可以兑换优惠券")); err != nil {
		t.Fatal(err)
	}
	if n := count(triage.DocArticle); n != 7 {
		t.Errorf("Count after a replace = %d; want 7", n)
	}
	if got := ids(search(t, x, triage.TextQuery{Text: "退款多久到账"})); slices.Contains(got, "article:refund#0") {
		t.Errorf("replaced text still found: %v", got)
	}
	if got := ids(search(t, x, triage.TextQuery{Text: "积分兑换"})); len(got) == 0 || got[0] != "article:refund#0" {
		t.Errorf("new text not found first: %v", got)
	}
	if err := x.DeleteOwner(ctx, triage.DocArticle, "no such owner"); err != nil {
		t.Errorf("deleting an unknown owner: %v", err)
	}
}

// DeleteOwner looks an owner's documents up a page at a time: an owner
// with more chunks than a page loses them all, on disk too.
func TestDeleteOwnerManyChunks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x, err := bleve.Open(dir, testSegmenter(t), bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []triage.SearchDoc
	for i := range 150 {
		docs = append(docs, article("long", i, "长文章", fmt.Sprintf("第%d段，退款多久到账", i)))
	}
	docs = append(docs, article("short", 0, "发票", "发票怎么开"))
	if err := x.Index(ctx, docs...); err != nil {
		t.Fatal(err)
	}
	if err := x.DeleteOwner(ctx, triage.DocArticle, "long"); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if x, err = bleve.Open(dir, testSegmenter(t), bleve.Options{}); err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if n, err := x.Count(ctx, triage.DocArticle); err != nil || n != 1 {
		t.Errorf("Count after deleting 150 chunks of one owner and reopening = %d (%v); want 1", n, err)
	}
}

// The scores of one kind do not depend on the documents of the other.
func TestKindStatistics(t *testing.T) {
	var articles, tickets []triage.SearchDoc
	for _, d := range corpus {
		if d.Kind == triage.DocArticle {
			articles = append(articles, d)
		}
	}
	for i := range 50 {
		tickets = append(tickets, ticket(fmt.Sprint("tk", i), "退款发票问题", "退款 发票 到账 退款 发票", "退款"))
	}
	q := triage.TextQuery{Text: "退款发票到账"}
	alone := search(t, openMem(t, articles...), q)
	mixed := search(t, openMem(t, append(articles, tickets...)...), q)
	same := len(alone) == len(mixed)
	for i := range alone {
		same = same && alone[i].DocID == mixed[i].DocID && math.Abs(alone[i].Score-mixed[i].Score) < 1e-9
	}
	if len(alone) == 0 || !same {
		t.Errorf("article hits alone %v\nwith tickets  %v", alone, mixed)
	}
}

func TestReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "text", "index") // parents are created
	seg := testSegmenter(t)
	ctx := context.Background()
	x, err := bleve.Open(dir, seg, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Index(ctx, corpus...); err != nil {
		t.Fatal(err)
	}
	before := search(t, x, triage.TextQuery{Text: "退款多久到账"})
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Search(ctx, triage.TextQuery{Text: "退款", Kind: triage.DocArticle}); !triage.IsCode(err, triage.EUNAVAILABLE) {
		t.Errorf("Search after Close: %v; want %s", err, triage.EUNAVAILABLE)
	}

	y, err := bleve.Open(dir, seg, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if n, err := y.Count(ctx, triage.DocArticle); err != nil || n != 9 {
		t.Errorf("Count after reopening = %d, %v; want 9", n, err)
	}
	if after := search(t, y, triage.TextQuery{Text: "退款多久到账"}); !slices.Equal(before, after) {
		t.Errorf("hits before closing %v\nafter reopening %v", before, after)
	}
}

// A damaged index directory is reported as ErrCorrupt with code ECONFLICT,
// so that the caller deletes it and rebuilds, and never panics.
func TestCorrupt(t *testing.T) {
	seg := testSegmenter(t)
	build := func(t *testing.T) string {
		dir := t.TempDir()
		x, err := bleve.Open(dir, seg, bleve.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := x.Index(context.Background(), corpus...); err != nil {
			t.Fatal(err)
		}
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	// overwrite fills every file matching pattern with garbage.
	overwrite := func(pattern string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			files, err := filepath.Glob(filepath.Join(dir, pattern))
			if err != nil || len(files) == 0 {
				t.Fatalf("no %s in %s: %v", pattern, dir, err)
			}
			for _, f := range files {
				if err := os.WriteFile(f, []byte("this is not an index file"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, c := range []struct {
		name    string
		corrupt func(t *testing.T, dir string)
	}{
		{"meta garbage", overwrite("index_meta.json")},
		{"meta missing", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "index_meta.json")) }},
		{"root garbage", overwrite("store/root.bolt")},
		{"segments garbage", overwrite("store/*.zap")},
		{"store missing", func(t *testing.T, dir string) { os.RemoveAll(filepath.Join(dir, "store")) }},
		{"not an index", func(t *testing.T, dir string) {
			os.RemoveAll(dir)
			os.MkdirAll(dir, 0o700)
			os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o600)
		}},
		{"another layout", func(t *testing.T, dir string) {
			x, err := bleve.Open(dir, seg, bleve.Options{})
			if err != nil {
				t.Fatal(err)
			}
			x.Close()
			bleve.SetLayoutForTest(t, dir, "triage-bleve-0")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := build(t)
			c.corrupt(t, dir)
			x, err := bleve.Open(dir, seg, bleve.Options{})
			if err == nil {
				x.Close()
				t.Fatal("Open of a damaged index succeeded")
			}
			if !errors.Is(err, bleve.ErrCorrupt) || !triage.IsCode(err, triage.ECONFLICT) {
				t.Fatalf("Open: %v; want ErrCorrupt with code %s", err, triage.ECONFLICT)
			}
			// What the caller does next: delete and rebuild.
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			x, err = bleve.Open(dir, seg, bleve.Options{})
			if err != nil {
				t.Fatalf("Open after deleting: %v", err)
			}
			defer x.Close()
			if n, err := x.Count(context.Background(), triage.DocArticle); err != nil || n != 0 {
				t.Errorf("rebuilt index Count = %d, %v; want 0", n, err)
			}
		})
	}
}

func TestOpenEmptyDirAndFile(t *testing.T) {
	seg := testSegmenter(t)
	dir := t.TempDir() // exists and is empty: a new index
	x, err := bleve.Open(dir, seg, bleve.Options{})
	if err != nil {
		t.Fatalf("Open of an empty directory: %v", err)
	}
	x.Close()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := bleve.Open(file, seg, bleve.Options{}); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("Open of a file: %v; want %s", err, triage.EINVALID)
	}
}

// Writers and readers at once; run with -race.
func TestConcurrent(t *testing.T) {
	x := openMem(t, corpus...)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 3 {
		wg.Go(func() {
			for i := range 20 {
				owner := fmt.Sprintf("w%d-%d", w, i)
				docs := []triage.SearchDoc{
					article(owner, 0, "退款到账问题", fmt.Sprintf("第%d个文档，关于退款和发票。", i)),
					article(owner, 1, "补充说明", "手机号码变更后请重新登录。"),
				}
				if err := x.Index(ctx, docs...); err != nil {
					errs <- err
					return
				}
				if i%3 == 0 {
					if err := x.DeleteOwner(ctx, triage.DocArticle, owner); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for i := range 30 {
				q := triage.TextQuery{Text: []string{"退款到账", "手机号", `"退款到账"`, "发票 请问"}[i%4], Kind: triage.DocArticle, Exclude: "refund"}
				if _, err := x.Search(ctx, q); err != nil {
					errs <- err
					return
				}
				if _, err := x.Count(ctx, triage.DocArticle); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// 3 writers × 20 owners × 2 chunks, less the 7 owners each deleted.
	if n, err := x.Count(ctx, triage.DocArticle); err != nil || n != 9+3*(20-7)*2 {
		t.Errorf("Count = %d, %v; want %d", n, err, 9+3*(20-7)*2)
	}
}
