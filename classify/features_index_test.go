package classify

import (
	"context"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/triagehq/triage/segment"
)

// The prediction path (packed character table, first-seen order, counts in
// a hash set) must give exactly the features of the training path (string
// map, sort): the model was fitted on the one and is applied with the
// other.
func TestFeaturesPredictPathAgrees(t *testing.T) {
	seg, err := segment.New(segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	train := []string{
		"手机号码换了，怎么修改绑定的手机号？", "退款一直没到账，已经等了七天了",
		"快递显示签收但我没收到，快递员电话打不通", "checkout一直报error，会不会重复扣款",
		"登录密码忘了，验证码收不到", "退款退款退款！！！到底什么时候退款",
		"酒店房间很干净，服务也不错 😀😀", "充电器冒烟了，插座也烧黑了",
	}
	texts := append(slices.Clone(train), "",
		"手机号码换了退款没到账😀", "ERROR error Error 重复扣款扣款扣款",
		"坏\xff的字节\xfe也要能切", "完全没见过的字：饕餮龘")
	for _, opts := range []FeatureOptions{
		{},
		{CharMin: 2, CharMax: 3},
		{CharMin: 1, CharMax: 4}, // too long to pack: the string map
		{CharMax: -1},
		{WordNgrams: -1, CharWeight: 1},
		{WholeWords: true, WordMinDF: 1, CharMinDF: 1},
	} {
		f, err := FitFeaturizer(context.Background(), seg, train, opts)
		if err != nil {
			t.Fatal(err)
		}
		if packs := f.opts.CharMax > 0 && f.opts.CharMax <= packedMaxRunes; packs != (f.charTab != nil) {
			t.Errorf("%+v: packed table built %v, want %v", f.opts, f.charTab != nil, packs)
		}
		byString := &Featurizer{seg: f.seg, opts: f.opts, slots: f.slots, unigram: f.unigram, bigrams: f.bigrams, bigramTab: f.bigramTab, chars: f.chars, nWord: f.nWord, idf: f.idf}
		for _, text := range texts {
			d := segmentDoc(seg, f.opts, text)
			var want, got, viaMap SparseVector
			f.vectorize(d, &want)
			f.features(d, &got, false)
			byString.features(d, &viaMap, false)
			if !slices.IsSorted(want.Index) {
				t.Errorf("%+v %q: training features not sorted: %v", f.opts, text, want.Index)
			}
			for name, v := range map[string]SparseVector{"packed": got, "string map": viaMap} {
				// The norms are summed in another order: equal to
				// float32 rounding.
				a, b := asMap(want), asMap(v)
				if !maps.EqualFunc(a, b, func(x, y float32) bool { return math.Abs(float64(x-y)) <= 1e-6*math.Abs(float64(x)) }) {
					t.Errorf("%+v %q: %s path gives %v, training path %v", f.opts, text, name, b, a)
				}
			}
		}
	}
}

func asMap(v SparseVector) map[int32]float32 {
	m := map[int32]float32{}
	for i, fi := range v.Index {
		m[fi] = v.Value[i]
	}
	return m
}

// A saved and loaded model indexes its vocabulary again.
func TestLoadedModelPacksCharacters(t *testing.T) {
	seg, err := segment.New(segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ex []Example
	for i, text := range []string{"退款没到账", "快递没收到", "退钱了吗", "物流不动了", "原路退回", "快递丢件"} {
		ex = append(ex, Example{Text: text, Label: []string{"退款", "物流"}[i%2]})
	}
	m, err := Train(context.Background(), ex, TrainOptions{Segmenter: seg, CalibrationFolds: -1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	l, err := Load(b, seg)
	if err != nil {
		t.Fatal(err)
	}
	if l.feat.charTab == nil || l.feat.bigramTab == nil {
		t.Fatal("loaded model has no lookup tables")
	}
	for _, text := range []string{"退款", "快递到了没", "不相干"} {
		if a, b := m.Predict(text), l.Predict(text); a.Label != b.Label || a.Probability != b.Probability {
			t.Errorf("%q: trained %v %v, loaded %v %v", text, a.Label, a.Probability, b.Label, b.Probability)
		}
	}
}
