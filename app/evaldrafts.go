package app

import (
	"context"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/eval"
	"github.com/triagehq/triage/kb"
)

// EvalDrafts drafts a reply, as the service would now, for every ticket of
// the store, or for tickets when given, and checks each draft (see
// eval.DraftsReport). It indexes the store in memory first (the App must
// be opened with MemIndex) and writes nothing.
func (a *App) EvalDrafts(ctx context.Context, tickets []eval.DraftTicket, progress kb.Progress) (*eval.DraftsReport, error) {
	if err := a.Indexer.Rebuild(ctx, false, progress); err != nil {
		return nil, err
	}
	if tickets == nil {
		var err error
		if tickets, err = a.storedDraftTickets(ctx); err != nil {
			return nil, err
		}
	}
	return eval.Drafts(ctx, tickets, eval.DraftsOptions{Suggest: a.Suggest.Compute, Article: a.Store.Article, Progress: progress})
}

// storedDraftTickets reads every ticket of the store with its public
// comments: what a draft may take its facts from.
func (a *App) storedDraftTickets(ctx context.Context) ([]eval.DraftTicket, error) {
	var out []eval.DraftTicket
	cursor := ""
	for {
		page, next, err := a.Store.Tickets(ctx, triage.TicketFilter{Cursor: cursor, Limit: triage.MaxPageSize})
		if err != nil {
			return nil, err
		}
		for _, t := range page {
			comments, err := a.Store.Comments(ctx, t.ID)
			if err != nil {
				return nil, err
			}
			var public []*triage.Comment
			for _, c := range comments {
				if c.Public {
					public = append(public, c)
				}
			}
			out = append(out, eval.DraftTicket{Ticket: t, Comments: public})
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}
