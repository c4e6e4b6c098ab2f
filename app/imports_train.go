package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
)

// BacktestShare is the share of the newest closed imported tickets the
// backtest holds out: a model trained on the older ones predicts them, and
// those predictions are stored as their triage records, so `triage eval
// live` reports an accuracy at close on day one, measured on tickets the
// model did not learn from.
const BacktestShare = 0.2

// AfterImportSummary says what AfterImport did.
type AfterImportSummary struct {
	// Models are the models trained on the store's closed tickets and made
	// active, by kind; NotTrained says why a kind was not (too few
	// labels).
	Models     map[string]*triage.Model `json:"models"`
	NotTrained map[string]string        `json:"not_trained,omitempty"`
	// Backtest counts the held-out tickets given a triage record, and
	// BacktestVersion names the model that predicted them.
	Backtest        int    `json:"backtest"`
	BacktestVersion string `json:"backtest_version,omitempty"`
	// Embedded counts the resolved tickets that lacked vectors and were
	// embedded.
	Embedded int `json:"embedded"`
}

// AfterImport makes imported history useful at once: it trains the
// category and priority models on the closed tickets (the path `triage
// train` takes) and makes them active, backtests the newest closed tickets
// that have no triage record for `triage eval live`, and embeds the
// resolved tickets that lack vectors (the local embedder is trained first
// when there is none). The text index follows the change log as always.
func (a *App) AfterImport(ctx context.Context, progress func(stage string, done, total int)) (*AfterImportSummary, error) {
	if progress == nil {
		progress = func(string, int, int) {}
	}
	out := &AfterImportSummary{Models: map[string]*triage.Model{}, NotTrained: map[string]string{}}
	if err := a.backtest(ctx, out); err != nil {
		return nil, err
	}
	for _, kind := range []string{triage.ModelCategory, triage.ModelPriority} {
		rec, _, err := a.Trainer.Train(ctx, kind, nil, nil, func(done, total int) { progress("train "+kind, done, total) })
		if triage.IsCode(err, triage.ECONFLICT) {
			out.NotTrained[kind] = triage.ErrorMessage(err)
			continue
		} else if err != nil {
			return nil, err
		}
		if err := a.Triager.UseModel(rec); err != nil {
			return nil, err
		}
		rec.Blob = nil
		out.Models[kind] = rec
	}
	_, missing, err := a.Indexer.Missing(ctx)
	if err != nil {
		return nil, err
	}
	out.Embedded = len(missing)
	if err := a.Embedding.Ensure(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// heldOut is a closed ticket without a triage record.
type heldOut struct {
	t    *triage.Ticket
	text string
}

// backtest trains on the older closed tickets without a triage record and
// stores its predictions for the newest BacktestShare of them.
func (a *App) backtest(ctx context.Context, out *AfterImportSummary) error {
	var all []heldOut
	f := triage.TicketFilter{Status: []triage.Status{triage.StatusClosed}, Limit: triage.MaxPageSize}
	for {
		page, next, err := a.Store.Tickets(ctx, f)
		if err != nil {
			return err
		}
		for _, t := range page {
			if _, err := a.Store.TriageRecord(ctx, t.ID); err == nil {
				continue
			} else if !triage.IsCode(err, triage.ENOTFOUND) {
				return err
			}
			all = append(all, heldOut{t: t, text: classify.TicketText(t.Title, t.Body)})
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	slices.SortStableFunc(all, func(x, y heldOut) int {
		if c := x.t.CreatedAt.Compare(y.t.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(x.t.ID, y.t.ID)
	})
	split := len(all) - int(float64(len(all))*BacktestShare)
	train, test := all[:split], all[split:]
	if len(test) == 0 {
		return nil
	}
	models := map[string]*classify.Model{}
	for _, kind := range []string{triage.ModelCategory, triage.ModelPriority} {
		var ex []classify.Example
		classes := map[string]bool{}
		for _, h := range train {
			label := h.t.Category
			if kind == triage.ModelPriority {
				label = string(h.t.Priority)
			}
			if label != "" {
				ex = append(ex, classify.Example{Text: h.text, Label: label})
				classes[label] = true
			}
		}
		if len(ex) < classify.DefaultMinExamples || len(classes) < 2 {
			continue
		}
		opts := a.Trainer.Options
		opts.Segmenter = a.Segmenter
		m, err := classify.Train(ctx, ex, opts)
		if err != nil {
			return err
		}
		models[kind] = m
	}
	if models[triage.ModelCategory] == nil {
		return nil // nothing to measure: too few labelled tickets
	}
	version := "backtest-" + models[triage.ModelCategory].Version()
	decide := func(m *classify.Model, text string) triage.Decision {
		if m == nil {
			return triage.Decision{Source: "manual"}
		}
		p := m.Predict(text)
		return triage.Decision{Value: p.Label, Confidence: p.Probability, Source: "model", Top: p.Top(3)}
	}
	at := time.Now().UTC()
	for start := 0; start < len(test); start += DefaultImportBatch {
		batch := test[start:min(start+DefaultImportBatch, len(test))]
		err := a.Store.Update(ctx, func(tx triage.Tx) error {
			for _, h := range batch {
				rec := &triage.TriageRecord{TicketID: h.t.ID, ModelVersion: version, CreatedAt: at,
					Category: decide(models[triage.ModelCategory], h.text), Priority: decide(models[triage.ModelPriority], h.text),
					// Who took a ticket in another helpdesk is not
					// predicted: the assignee counts as set by hand.
					Assignee: triage.Decision{Source: "manual"}}
				if err := tx.SaveTriageRecord(ctx, rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	out.Backtest, out.BacktestVersion = len(test), version
	return nil
}
