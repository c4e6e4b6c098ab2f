package embed

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/triagehq/triage"
)

// localMagic starts a marshalled local model; the version after it lets a
// later format be read side by side with this one.
const (
	localMagic   = "TRIAGE-LOCAL-EMBED"
	localVersion = 2 // 1 stored feature strings, 2 their hashes
)

// MarshalBinary encodes the trained model (options, vocabulary, idf and
// projection) for the store. The segmenter is not part of it: the service
// injects the same one at load time.
func (l *Local) MarshalBinary() ([]byte, error) {
	if l.vocab == nil {
		return nil, triage.Errorf(triage.EINVALID, "the local embedder is not trained; there is nothing to store")
	}
	var b bytes.Buffer
	b.WriteString(localMagic)
	o := l.opts
	words := uint8(0)
	if !o.NoWords {
		words = 1
	}
	put := func(vs ...any) {
		for _, v := range vs {
			_ = binary.Write(&b, binary.LittleEndian, v)
		}
	}
	put(uint16(localVersion), uint32(o.Dim), uint32(o.LSADim), uint32(o.MaxNgram), words,
		o.HashWeight, uint32(o.HashTop), uint32(o.MaxRunes), uint32(l.docs), uint32(l.lsaRank), l.unseen, uint32(len(l.keys)))
	put(l.keys, l.idf, l.proj)
	return b.Bytes(), nil
}

// UnmarshalBinary loads a model written by MarshalBinary, keeping the
// receiver's segmenter and progress callback.
func (l *Local) UnmarshalBinary(data []byte) error {
	bad := func(err error) error {
		return &triage.Error{Code: triage.EINVALID, Message: "the stored local embedding model is damaged or of another version", Err: err}
	}
	r := bytes.NewReader(data)
	magic := make([]byte, len(localMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != localMagic {
		return bad(errors.New("bad magic"))
	}
	var (
		version                                             uint16
		dim, lsaDim, maxN, hashTop, maxRunes, docs, rank, n uint32
		words                                               uint8
		hashWeight                                          float64
		unseen                                              float32
	)
	for _, p := range []any{&version, &dim, &lsaDim, &maxN, &words, &hashWeight, &hashTop, &maxRunes, &docs, &rank, &unseen, &n} {
		if err := binary.Read(r, binary.LittleEndian, p); err != nil {
			return bad(err)
		}
	}
	if version != localVersion {
		return bad(fmt.Errorf("version %d", version))
	}
	if dim == 0 || lsaDim >= dim || rank > lsaDim || maxN == 0 || maxN > 8 || int64(n)*int64(lsaDim)*4 > int64(len(data)) || math.IsNaN(hashWeight) {
		return bad(fmt.Errorf("implausible header dim=%d lsa=%d rank=%d n=%d", dim, lsaDim, rank, n))
	}
	if words == 1 && l.opts.Segmenter == nil {
		return triage.Errorf(triage.EINVALID, "the stored local embedding model was trained with segmenter words; load it with the segmenter")
	}
	keys := make([]uint64, n)
	idf := make([]float32, n)
	proj := make([]float32, int(n)*int(lsaDim))
	for _, p := range []any{keys, idf, proj} {
		if err := binary.Read(r, binary.LittleEndian, p); err != nil {
			return bad(err)
		}
	}
	vocab := make(map[uint64]int32, n)
	for i, k := range keys {
		if _, dup := vocab[k]; dup {
			return bad(fmt.Errorf("feature %x twice", k))
		}
		vocab[k] = int32(i)
	}
	if r.Len() != 0 {
		return bad(errors.New("trailing bytes"))
	}
	o := l.opts
	o.Dim, o.LSADim, o.MaxNgram, o.NoWords = int(dim), int(lsaDim), int(maxN), words == 0
	o.HashWeight, o.HashTop, o.MaxRunes = hashWeight, int(hashTop), int(maxRunes)
	*l = Local{opts: o, ex: newExtractor(o), docs: int(docs), vocab: vocab, keys: keys, idf: idf,
		unseen: unseen, proj: proj, lsaRank: int(rank)}
	l.setTrainedModel()
	return nil
}
