package classify_test

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
)

// The shadower predicts with both models per running trial, skips a field
// set by hand, refuses a model that does not load, and stops a trial by id.
func TestShadower(t *testing.T) {
	m := trainToy(t, classify.TrainOptions{})
	blob, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	model := &triage.Model{ID: "m-1", Kind: triage.ModelCategory, Version: m.Version(), Blob: blob}
	s := &classify.Shadower{Segmenter: subwordSegmenter{}}
	trial := &triage.Shadow{ID: "sh-1", Kind: triage.ModelCategory, CandidateID: "m-1", StartedAt: time.Now()}
	if err := s.Start(trial, &triage.Model{ID: "m-9", Blob: []byte("junk")}, nil); !triage.IsCode(err, triage.EINVALID) {
		t.Fatalf("a model that does not load: %v, want EINVALID", err)
	}
	if len(s.Running()) != 0 {
		t.Fatalf("a refused trial runs: %v", s.Running())
	}
	if err := s.Start(trial, model, nil); err != nil {
		t.Fatal(err)
	}
	tk := &triage.Ticket{ID: "t-1", Title: "快递 丢件", Body: "怎么办", CreatedAt: time.Now()}
	tests := []struct {
		name   string
		manual triage.Manual
		want   int
	}{
		{"predicted", triage.Manual{}, 1},
		{"priority by hand does not matter", triage.Manual{Priority: true}, 1},
		{"category by hand is not predicted", triage.Manual{Category: true}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := s.Predict(t.Context(), nil, tk, tc.manual)
			if err != nil || len(ps) != tc.want {
				t.Fatalf("Predict = %v, %v; want %d", ps, err, tc.want)
			}
			if tc.want == 1 {
				p := ps[0]
				// No active model when the trial started: the active side is
				// empty, the candidate says 物流.
				if p.ShadowID != "sh-1" || p.TicketID != "t-1" || p.Active != "" || p.Candidate != "物流" || p.CandidateConfidence <= 0 {
					t.Errorf("prediction %+v", p)
				}
			}
		})
	}
	s.Stop("other")
	if len(s.Running()) != 1 {
		t.Fatal("Stop of another id stopped the trial")
	}
	s.Stop("sh-1")
	if ps, _ := s.Predict(t.Context(), nil, tk, triage.Manual{}); len(ps) != 0 {
		t.Errorf("after Stop: %v", ps)
	}
}
