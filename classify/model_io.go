package classify

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/triagehq/triage"
)

// Saved form:
//
//	magic "TRGCLSF" | format version (1 byte) | uvarint length + JSON ModelInfo
//	| DEFLATE(content)
//
// content holds everything that decides predictions (labels, feature
// options, vocabulary, IDF, weights) and nothing else, so its hash is a
// version that changes exactly when predictions can change.
const (
	modelMagic  = "TRGCLSF"
	modelFormat = 2
)

// maxSavedLen bounds counts read from a saved model, so a corrupt file
// fails instead of allocating without limit.
const maxSavedLen = 1 << 30

// Load reads a model saved by MarshalBinary and gives it seg.
func Load(data []byte, seg triage.Segmenter) (*Model, error) {
	m := &Model{}
	if err := m.UnmarshalBinary(data); err != nil {
		return nil, err
	}
	m.SetSegmenter(seg)
	return m, nil
}

// MarshalBinary saves the model (without its segmenter).
func (m *Model) MarshalBinary() ([]byte, error) {
	info, err := json.Marshal(m.info)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteString(modelMagic)
	out.WriteByte(modelFormat)
	out.Write(binary.AppendUvarint(nil, uint64(len(info))))
	out.Write(info)
	zw, err := flate.NewWriter(&out, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(m.content()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func (m *Model) contentHash() string {
	h := sha256.Sum256(m.content())
	return hex.EncodeToString(h[:6])
}

func (m *Model) content() []byte {
	f := m.feat
	var b []byte
	putStr := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	putF32 := func(xs []float32) {
		for _, x := range xs {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
	}
	opts, _ := json.Marshal(f.opts)
	putStr(string(opts))
	b = binary.AppendUvarint(b, uint64(len(m.labels)))
	for _, l := range m.labels {
		putStr(l)
	}
	b = binary.AppendUvarint(b, uint64(len(f.idf)))
	b = binary.AppendUvarint(b, uint64(f.nWord))
	b = binary.AppendUvarint(b, uint64(len(f.slotStr)))
	for s, w := range f.slotStr {
		putStr(w)
		b = binary.AppendVarint(b, int64(f.unigram[s]))
	}
	// Bigrams and character n-grams in feature order, so the saved bytes
	// do not depend on map iteration.
	type bg struct {
		key uint64
		fi  int32
	}
	bgs := make([]bg, 0, len(f.bigrams))
	for k, fi := range f.bigrams {
		bgs = append(bgs, bg{k, fi})
	}
	slices.SortFunc(bgs, func(a, b bg) int { return int(a.fi) - int(b.fi) })
	b = binary.AppendUvarint(b, uint64(len(bgs)))
	for _, x := range bgs {
		b = binary.AppendUvarint(b, x.key>>32)
		b = binary.AppendUvarint(b, x.key&math.MaxUint32)
		b = binary.AppendUvarint(b, uint64(x.fi))
	}
	chars := make([]string, len(f.idf)-f.nWord)
	for g, fi := range f.chars {
		chars[int(fi)-f.nWord] = g
	}
	b = binary.AppendUvarint(b, uint64(len(chars)))
	for _, g := range chars {
		putStr(g)
	}
	putF32(f.idf)
	putF32(m.weights)
	putF32(m.bias)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(m.scale))
	return b
}

var errCorrupt = errors.New("classify: saved model is corrupt")

// UnmarshalBinary restores a model saved by MarshalBinary. The model has no
// segmenter until SetSegmenter; Load does both.
func (m *Model) UnmarshalBinary(data []byte) error {
	bad := func(format string, args ...any) error {
		return &triage.Error{Code: triage.EINVALID, Field: "model", Message: "not a saved classifier model: " + fmt.Sprintf(format, args...), Err: errCorrupt}
	}
	if len(data) < len(modelMagic)+1 || string(data[:len(modelMagic)]) != modelMagic {
		return bad("bad magic")
	}
	if v := data[len(modelMagic)]; v != modelFormat {
		return bad("format version %d, this build reads %d", v, modelFormat)
	}
	rest := data[len(modelMagic)+1:]
	n, k := binary.Uvarint(rest)
	if k <= 0 || n > uint64(len(rest)-k) {
		return bad("truncated header")
	}
	var info ModelInfo
	if err := json.Unmarshal(rest[k:k+int(n)], &info); err != nil {
		return bad("header: %v", err)
	}
	content, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(rest[k+int(n):])), 4*maxSavedLen))
	if err != nil {
		return bad("content: %v", err)
	}
	r := &byteReader{b: content}
	nm := &Model{info: info}
	f := &Featurizer{slots: map[string]int32{}, bigrams: map[uint64]int32{}, chars: map[string]int32{}}
	if err := json.Unmarshal([]byte(r.str()), &f.opts); err != nil {
		return bad("options: %v", err)
	}
	nl := r.count()
	for range nl {
		nm.labels = append(nm.labels, r.str())
	}
	dim := r.count()
	f.nWord = r.count()
	nslots := r.count()
	f.slotStr = make([]string, 0, min(nslots, len(content)))
	for s := range nslots {
		w := r.str()
		u := r.varint()
		if r.err != nil {
			break
		}
		if u < -1 || u >= int64(dim) {
			return bad("word feature out of range")
		}
		f.slots[w] = int32(s)
		f.slotStr = append(f.slotStr, w)
		f.unigram = append(f.unigram, int32(u))
	}
	nbg := r.count()
	for range nbg {
		a, b, fi := r.uvarint(), r.uvarint(), r.uvarint()
		if r.err != nil {
			break
		}
		if a >= uint64(nslots) || b >= uint64(nslots) || fi >= uint64(dim) {
			return bad("bigram out of range")
		}
		f.bigrams[a<<32|b] = int32(fi)
	}
	nch := r.count()
	if r.err == nil && f.nWord+nch != dim {
		return bad("feature counts disagree")
	}
	for i := range nch {
		f.chars[r.str()] = int32(f.nWord + i)
	}
	f.idf = r.f32s(dim)
	nm.weights = r.f32s(dim * nl)
	nm.bias = r.f32s(nl)
	nm.scale = r.f64()
	if r.err != nil {
		return bad("%v", r.err)
	}
	if r.off != len(r.b) {
		return bad("trailing bytes")
	}
	if nl < 2 || f.opts.validate() != nil || !(nm.scale > 0) || math.IsInf(nm.scale, 0) {
		return bad("bad options or labels")
	}
	f.index()
	nm.feat = f
	nm.version = nm.contentHash()
	*m = Model{feat: nm.feat, labels: nm.labels, weights: nm.weights, bias: nm.bias, scale: nm.scale, info: nm.info, version: nm.version}
	return nil
}

// byteReader reads the content section; the first error sticks and every
// later read returns zero values.
type byteReader struct {
	b   []byte
	off int
	err error
}

func (r *byteReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("truncated %s at byte %d", what, r.off)
	}
}

func (r *byteReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail("number")
		return 0
	}
	r.off += n
	return v
}

func (r *byteReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.fail("number")
		return 0
	}
	r.off += n
	return v
}

// count reads a length that must fit what is left of the input.
func (r *byteReader) count() int {
	v := r.uvarint()
	if v > maxSavedLen || v > uint64(len(r.b)) {
		r.fail("count")
		return 0
	}
	return int(v)
}

func (r *byteReader) str() string {
	n := r.count()
	if r.err != nil || r.off+n > len(r.b) {
		r.fail("string")
		return ""
	}
	s := string(r.b[r.off : r.off+n])
	r.off += n
	return s
}

func (r *byteReader) f64() float64 {
	if r.err != nil || len(r.b)-r.off < 8 {
		r.fail("float")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.off:]))
	r.off += 8
	return v
}

func (r *byteReader) f32s(n int) []float32 {
	if r.err != nil || n < 0 || n > (len(r.b)-r.off)/4 {
		r.fail("floats")
		return nil
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(r.b[r.off:]))
		r.off += 4
	}
	return out
}
