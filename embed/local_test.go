package embed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/triagehq/triage"
)

// charSegmenter stands in for package segment: every letter is a word.
// Unit tests need no dictionary; the shared-data harness uses the real one.
type charSegmenter struct{}

func (charSegmenter) Normalize(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
func (charSegmenter) Words(s string) []string {
	var out []string
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, string(r))
		}
	}
	return out
}
func (c charSegmenter) Tokens(s string) []triage.Term {
	var out []triage.Term
	for i, w := range c.Words(s) {
		out = append(out, triage.Term{Text: w, Position: i})
	}
	return out
}

// pairSegmenter yields two-character words, so the word features are used.
type pairSegmenter struct{ charSegmenter }

func (pairSegmenter) Words(s string) []string {
	rs := []rune(s)
	var out []string
	for i := 0; i+1 < len(rs); i += 2 {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

var testCorpus = []string{
	"花呗怎么还款", "花呗还款日是哪天", "借呗额度怎么提升", "借呗为什么不能借款了",
	"如何修改绑定的手机号", "手机号换了怎么办", "银行卡解绑失败", "怎么更换还款银行卡",
	"退款什么时候到账", "申请退款后多久到账", "订单一直没有发货", "快递显示签收但是没收到",
	"发票怎么开", "电子发票在哪里下载", "账户被冻结了怎么解冻", "登录密码忘记了",
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func cos(a, b []float32) float64 { return float64(dot(a, b)) }

func TestLocalUntrained(t *testing.T) {
	e := NewLocal(LocalOptions{Segmenter: charSegmenter{}})
	if e.Trained() || e.Dim() != 384 || !strings.HasPrefix(e.Model(), "local:hash-") || !strings.HasSuffix(e.Model(), "@384") {
		t.Fatalf("untrained embedder: trained=%v dim=%d model=%q", e.Trained(), e.Dim(), e.Model())
	}
	vecs, err := e.Embed(context.Background(), []string{"花呗怎么还款", "花呗如何还款", "快递没收到", ""})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vecs[:3] {
		if math.Abs(norm(v)-1) > 1e-5 {
			t.Errorf("vector %d has norm %f", i, norm(v))
		}
	}
	if norm(vecs[3]) != 0 {
		t.Errorf("empty text has norm %f, want a zero vector", norm(vecs[3]))
	}
	if near, far := cos(vecs[0], vecs[1]), cos(vecs[0], vecs[2]); near <= far {
		t.Errorf("paraphrase similarity %.3f not above unrelated %.3f", near, far)
	}
	other := NewLocal(LocalOptions{Segmenter: charSegmenter{}, MaxNgram: 3})
	if other.Model() == e.Model() {
		t.Errorf("different n-gram settings share model name %q", e.Model())
	}
}

func TestLocalTrain(t *testing.T) {
	ctx := context.Background()
	var stages []string
	opts := LocalOptions{Segmenter: pairSegmenter{}, Dim: 64, LSADim: 16, Progress: func(stage string, done, total int) {
		if len(stages) == 0 || stages[len(stages)-1] != stage {
			stages = append(stages, stage)
		}
		if done > total {
			t.Errorf("progress %s %d/%d", stage, done, total)
		}
	}}
	e, err := Train(ctx, testCorpus, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stages, []string{"features", "svd"}) {
		t.Errorf("progress stages %v", stages)
	}
	if !e.Trained() || e.Dim() != 64 || !strings.HasPrefix(e.Model(), "local:lsa-") {
		t.Fatalf("trained embedder: dim=%d model=%q", e.Dim(), e.Model())
	}
	again, err := Train(ctx, testCorpus, opts)
	if err != nil {
		t.Fatal(err)
	}
	if again.Model() != e.Model() {
		t.Errorf("training is not deterministic: %q then %q", e.Model(), again.Model())
	}
	other, err := Train(ctx, testCorpus[:12], opts)
	if err != nil {
		t.Fatal(err)
	}
	if other.Model() == e.Model() {
		t.Errorf("a model trained on another corpus has the same name %q", e.Model())
	}

	docs, err := e.Embed(ctx, testCorpus)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range testCorpus { // the batch above took the parallel path
		one, _ := e.Embed(ctx, []string{text})
		if !slices.Equal(one[0], docs[i]) {
			t.Errorf("vector of %q differs between a batch and a single call", text)
		}
	}
	idx := NewIndex(e.Dim())
	for i, v := range docs {
		if math.Abs(norm(v)-1) > 1e-5 {
			t.Errorf("vector of %q has norm %f", testCorpus[i], norm(v))
		}
		if err := idx.Add(fmt.Sprint(i), v); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ query, want string }{
		{"花呗的还款日", "花呗还款日是哪天"},
		{"退款多久能到账", "申请退款后多久到账"},
		{"忘记登录密码", "登录密码忘记了"},
		{"想换绑银行卡", "怎么更换还款银行卡"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := e.Embed(ctx, []string{tt.query})
			if err != nil {
				t.Fatal(err)
			}
			hits, err := idx.Search(q[0], 3, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				var i int
				fmt.Sscan(h.ID, &i)
				got = append(got, testCorpus[i])
			}
			if !slices.Contains(got, tt.want) {
				t.Errorf("top 3 for %q = %v, want %q among them", tt.query, got, tt.want)
			}
		})
	}
}

func TestLocalMarshal(t *testing.T) {
	ctx := context.Background()
	opts := LocalOptions{Segmenter: pairSegmenter{}, Dim: 48, LSADim: 8}
	e, err := Train(ctx, testCorpus, opts)
	if err != nil {
		t.Fatal(err)
	}
	data, err := e.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	loaded := NewLocal(LocalOptions{Segmenter: pairSegmenter{}})
	if err := loaded.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if loaded.Model() != e.Model() || loaded.Dim() != 48 {
		t.Errorf("loaded model %q dim %d, want %q dim 48", loaded.Model(), loaded.Dim(), e.Model())
	}
	texts := []string{"花呗还款", "快递没有收到怎么办", "完全无关的English words"}
	want, _ := e.Embed(ctx, texts)
	got, _ := loaded.Embed(ctx, texts)
	for i := range texts {
		if !slices.Equal(want[i], got[i]) {
			t.Errorf("vector of %q differs after a round trip", texts[i])
		}
	}

	tests := []struct {
		name string
		data []byte
		into *Local
	}{
		{"empty", nil, NewLocal(LocalOptions{Segmenter: pairSegmenter{}})},
		{"truncated", data[:len(data)/2], NewLocal(LocalOptions{Segmenter: pairSegmenter{}})},
		{"trailing", append(slices.Clone(data), 0), NewLocal(LocalOptions{Segmenter: pairSegmenter{}})},
		{"bad magic", append([]byte("X"), data[1:]...), NewLocal(LocalOptions{Segmenter: pairSegmenter{}})},
		{"no segmenter for a model with words", data, NewLocal(LocalOptions{})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.into.UnmarshalBinary(tt.data)
			if !triage.IsCode(err, triage.EINVALID) {
				t.Errorf("UnmarshalBinary: %v, want an EINVALID error", err)
			}
		})
	}
	if _, err := NewLocal(LocalOptions{}).MarshalBinary(); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("marshalling an untrained embedder: %v, want EINVALID", err)
	}
}

func TestLocalTrainErrors(t *testing.T) {
	ctx := context.Background()
	for _, corpus := range [][]string{nil, {"只有一条"}, {"", " "}} {
		t.Run(fmt.Sprint(len(corpus)), func(t *testing.T) {
			if _, err := Train(ctx, corpus, LocalOptions{}); !triage.IsCode(err, triage.EINVALID) {
				t.Errorf("Train(%q): %v, want EINVALID", corpus, err)
			}
		})
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Train(cancelled, testCorpus, LocalOptions{}); !triage.IsCode(err, triage.EUNAVAILABLE) {
		t.Errorf("Train with a cancelled context: %v, want EUNAVAILABLE", err)
	}
}

// TestLocalTinyCorpus trains on fewer texts than latent dimensions: the
// unused dimensions stay zero and vectors are still unit length.
func TestLocalTinyCorpus(t *testing.T) {
	e, err := Train(context.Background(), []string{"花呗还款", "借呗还款", "花呗借呗"}, LocalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := e.Embed(context.Background(), []string{"花呗怎么还款"})
	if math.Abs(norm(v[0])-1) > 1e-5 || math.IsNaN(norm(v[0])) {
		t.Errorf("norm %f", norm(v[0]))
	}
}

// zipfText draws Chinese characters with a Zipf law, so that a corpus of
// them has the long tail of n-grams real tickets have.
func zipfText(z *rand.Zipf, n int) string {
	rs := make([]rune, n)
	for i := range rs {
		rs[i] = rune(0x4e00 + z.Uint64())
	}
	return string(rs)
}

// BenchmarkLocalEmbed500 embeds one 500-character ticket with a full-size
// model (32k-feature vocabulary, 256 latent dimensions).
func BenchmarkLocalEmbed500(b *testing.B) {
	z := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.1, 1, 3500)
	corpus := make([]string, 3000)
	for i := range corpus {
		corpus[i] = zipfText(z, 300)
	}
	e, err := Train(context.Background(), corpus, LocalOptions{Segmenter: pairSegmenter{}})
	if err != nil {
		b.Fatal(err)
	}
	texts := []string{zipfText(z, 500)}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Embed(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
}
