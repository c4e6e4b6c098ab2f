package classify

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// Trainer builds models from the store's closed tickets, where the value
// at close is the label, and from labelled files an operator adds.
type Trainer struct {
	Store     triage.Store
	Segmenter triage.Segmenter
	Options   TrainOptions
	// MinExamples is the fewest labelled examples worth a model; fewer
	// leave the current model (or the rules alone) in charge.
	MinExamples int
	// MinNew is how many tickets must have closed since the active model
	// was trained before the background job retrains.
	MinNew int
	Now    func() time.Time
}

// Defaults for Trainer.
const (
	DefaultMinExamples = 20
	DefaultMinNew      = 50
)

func (tr *Trainer) now() time.Time {
	if tr.Now != nil {
		return tr.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// TicketText is the text triage reads from a ticket; training, prediction
// and evaluation must all use the same.
func TicketText(title, body string) string { return strings.TrimSpace(title + "\n" + body) }

// StoreExamples returns the closed tickets labelled for kind (category or
// priority) and how many closed tickets there are in all.
func (tr *Trainer) StoreExamples(ctx context.Context, kind string) ([]Example, int, error) {
	f := triage.TicketFilter{Status: []triage.Status{triage.StatusClosed}, Limit: triage.MaxPageSize}
	var out []Example
	closed := 0
	for {
		page, next, err := tr.Store.Tickets(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		for _, t := range page {
			closed++
			label := t.Category
			if kind == triage.ModelPriority {
				label = string(t.Priority)
			}
			if label != "" {
				out = append(out, Example{Text: TicketText(t.Title, t.Body), Label: label})
			}
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	// Oldest first, so that the same store always gives the same order and
	// so the same model.
	slices.Reverse(out)
	return out, closed, nil
}

// Train fits a model of kind on the store's closed tickets plus extra and
// saves it as the active model. sources names where extra came from.
func (tr *Trainer) Train(ctx context.Context, kind string, extra []Example, sources []string, progress func(done, total int)) (*triage.Model, *Model, error) {
	switch kind {
	case triage.ModelCategory, triage.ModelPriority:
	default:
		return nil, nil, triage.Invalid("kind", "kind %q is not category or priority", kind)
	}
	examples, closed, err := tr.StoreExamples(ctx, kind)
	if err != nil {
		return nil, nil, err
	}
	if len(examples) > 0 {
		sources = append([]string{fmt.Sprintf("store (%d closed tickets)", len(examples))}, sources...)
	}
	examples = append(examples, extra...)
	need := tr.MinExamples
	if need <= 0 {
		need = DefaultMinExamples
	}
	classes := map[string]bool{}
	for _, e := range examples {
		classes[e.Label] = true
	}
	if len(examples) < need || len(classes) < 2 {
		return nil, nil, triage.Errorf(triage.ECONFLICT, "not enough labelled examples to train a %s model: %d examples in %d classes, need %d in at least 2", kind, len(examples), len(classes), need)
	}
	opts := tr.Options
	opts.Segmenter = tr.Segmenter
	opts.Progress = progress
	start := time.Now()
	m, err := Train(ctx, examples, opts)
	if err != nil {
		return nil, nil, err
	}
	blob, err := m.MarshalBinary()
	if err != nil {
		return nil, nil, err
	}
	info := m.Info()
	rec := &triage.Model{
		ID: triage.NewID(), Kind: kind, Version: m.Version(), Blob: blob, CreatedAt: tr.now(),
		Info: triage.ModelInfo{Examples: len(examples), Classes: m.Labels(), Sources: sources, FitSeconds: time.Since(start).Seconds(), ClosedTickets: closed,
			Metrics: map[string]float64{"features": float64(info.Features), "iterations": float64(info.Iterations)}},
	}
	if !math.IsNaN(info.Loss) && !math.IsInf(info.Loss, 0) {
		rec.Info.Metrics["loss"] = info.Loss
	}
	if err := tr.Store.Update(ctx, func(tx triage.Tx) error { return tx.SaveModel(ctx, rec) }); err != nil {
		return nil, nil, err
	}
	return rec, m, nil
}

// Due reports whether enough tickets have closed since the active model of
// kind was trained to make retraining worth it.
func (tr *Trainer) Due(ctx context.Context, kind string) (bool, error) {
	closed, err := tr.Store.CountTickets(ctx, triage.TicketFilter{Status: []triage.Status{triage.StatusClosed}})
	if err != nil {
		return false, err
	}
	since := 0
	if m, err := tr.Store.ActiveModel(ctx, kind); err == nil {
		since = m.Info.ClosedTickets
	} else if !triage.IsCode(err, triage.ENOTFOUND) {
		return false, err
	}
	need := tr.MinNew
	if need <= 0 {
		need = DefaultMinNew
	}
	return closed-since >= need, nil
}
