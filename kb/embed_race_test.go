package kb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
)

// editingEmbedder is an embedder during whose first call an editor saves
// a new body, as a concurrent request would: vectors of call n point
// along axis n-1, so the stored ones tell which call made them.
type editingEmbedder struct {
	edit  func()
	calls [][]string
}

func (e *editingEmbedder) Model() string { return "test:axes@4" }
func (e *editingEmbedder) Dim() int      { return 4 }
func (e *editingEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	e.calls = append(e.calls, texts)
	if len(e.calls) == 1 {
		e.edit()
	}
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = make([]float32, 4)
		out[i][len(e.calls)-1] = 1
	}
	return out, nil
}

// TestEmbedNeverSavesVectorsOfAnOlderText: when the text changes while it
// is being embedded, the vectors saved are those of the new text.
func TestEmbedNeverSavesVectorsOfAnOlderText(t *testing.T) {
	s := newService(t)
	ed := as(triage.RoleEditor, "")
	a := mustCreate(t, s, ed, triage.NewArticle{Title: "退款多久到账", Body: "原路退回，一般三到五个工作日。"})
	a = mustUpdate(t, s, ed, a, triage.ArticleUpdate{Status: triage.Some(triage.ArticlePublished)})
	emb := &editingEmbedder{}
	emb.edit = func() {
		mustUpdate(t, s, ed, a, triage.ArticleUpdate{Body: triage.Some("原路退回，信用卡退款最长十五个工作日。")})
	}
	ix := &kb.Indexer{Store: s.Store, Embedder: func() triage.Embedder { return emb }}
	if err := ix.Embed(context.Background(), triage.DocArticle, a.ID); err != nil {
		t.Fatal(err)
	}
	if len(emb.calls) != 2 {
		t.Fatalf("embedded %d times, want 2 (the old text, then the new)", len(emb.calls))
	}
	if !strings.Contains(strings.Join(emb.calls[1], "\n"), "十五个工作日") {
		t.Fatalf("the second call embedded %q, not the new text", emb.calls[1])
	}
	vecs, err := s.Store.OwnerVectors(context.Background(), triage.DocArticle, a.ID, emb.Model())
	if err != nil || len(vecs) == 0 {
		t.Fatalf("no vectors saved: %v", err)
	}
	for _, v := range vecs {
		if v.Vec[1] != 1 {
			t.Fatalf("saved %v: vectors of the first call, whose text is gone", v.Vec)
		}
	}
}
