package desk

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// Merge merges ticket id into in.Into, the survivor: the merged ticket's
// comments move to the survivor, its history is copied there (each entry
// noting where it came from, while the merged ticket keeps its own
// trail), its text becomes a requester message on the survivor, and it
// closes with MergedInto pointing at the survivor. Closing is the
// service's doing, not a lifecycle move (a merged ticket may be new or
// open), so the status change is recorded as the system's, naming who
// asked.
//
// version is the merged ticket's If-Match (0: any); in.IntoVersion, when
// set, guards the survivor the same way. Merging again into the same
// survivor is a no-op that answers with both tickets, so a retried
// request succeeds. Merging a ticket into itself, into a closed ticket,
// a closed ticket, or a ticket others were merged into (a chain) is
// refused.
func (s *Service) Merge(ctx context.Context, id string, version int, in triage.Merge, idem *triage.Idempotency) (*triage.MergeResult, error) {
	in.Into = strings.TrimSpace(in.Into)
	switch {
	case in.Into == "":
		return nil, triage.Invalid("into", "into is required: the id of the ticket that survives")
	case in.Into == id:
		return nil, triage.Invalid("into", "a ticket cannot be merged into itself")
	case in.IntoVersion < 0:
		return nil, triage.Invalid("into_version", "into_version must be the survivor's ETag version, or 0")
	case utf8.RuneCountInString(in.Note) > 1000:
		return nil, triage.Invalid("note", "note is longer than 1000 characters")
	}
	return write(ctx, s, idem, nil, func(tx triage.Tx) (*triage.MergeResult, error) {
		src, err := tx.Ticket(ctx, id)
		if err != nil {
			return nil, err
		}
		dst, err := tx.Ticket(ctx, in.Into)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return nil, triage.Invalid("into", "into %q names no ticket", in.Into)
		} else if err != nil {
			return nil, err
		}
		if src.MergedInto == dst.ID {
			return s.merged(ctx, tx, src, dst, 0)
		}
		if err := s.mergeable(ctx, tx, src, dst, version, in.IntoVersion); err != nil {
			return nil, err
		}
		moved, err := tx.MoveComments(ctx, src.ID, dst.ID)
		if err != nil {
			return nil, err
		}
		if err := s.copyHistory(ctx, tx, src.ID, dst.ID); err != nil {
			return nil, err
		}
		if err := tx.AddComment(ctx, mergedMessage(src, dst.ID)); err != nil {
			return nil, err
		}
		who := actor(ctx)
		note := in.Note
		why := triage.Reasons{triage.NewReason(triage.ReasonMergeDuplicate)}
		if strings.TrimSpace(note) != "" {
			why = triage.Reasons{triage.Note(note)}
		}
		now := s.now()
		before := *src
		src.Status, src.MergedInto, src.ClosedAt = triage.StatusClosed, dst.ID, &now
		if src.SolvedAt == nil {
			// A merged ticket leaves the backlog as a solved one does;
			// reports tell the two apart by MergedInto.
			src.SolvedAt = &now
		}
		srcHist := []*triage.HistoryEntry{
			{Actor: "system", Field: "status", Old: string(before.Status), New: string(triage.StatusClosed), Why: triage.Reasons{triage.NewReason(triage.ReasonMergeClosed, dst.ID, who)}},
			{Actor: who, Field: "merged_into", New: dst.ID, Note: note, Why: defaultWhy(note, triage.ReasonMergeDuplicate)},
		}
		if err := s.save(ctx, tx, &before, src, srcHist); err != nil {
			return nil, err
		}
		beforeDst := *dst
		dstHist := []*triage.HistoryEntry{{Actor: who, Field: "merged_from", New: src.ID, Note: note, Why: triage.Reasons{triage.NewReason(triage.ReasonMergeFrom, src.Title)}}}
		if err := s.save(ctx, tx, &beforeDst, dst, dstHist); err != nil {
			return nil, err
		}
		link := &triage.TicketLink{FromID: src.ID, ToID: dst.ID, Kind: triage.LinkMerged, Why: why, Actor: who, CreatedAt: now}
		if err := tx.AddTicketLink(ctx, link); err != nil {
			return nil, err
		}
		return s.merged(ctx, tx, src, dst, moved)
	})
}

// mergeable refuses the merges that would lose or tangle something.
func (s *Service) mergeable(ctx context.Context, tx triage.Tx, src, dst *triage.Ticket, version, intoVersion int) error {
	if src.MergedInto != "" {
		return &triage.Error{Code: triage.ECONFLICT, Field: "into", Message: "ticket " + src.ID + " was already merged into " + src.MergedInto}
	}
	if err := checkVersion("ticket "+src.ID, src.Version, version); err != nil {
		return err
	}
	if err := checkVersion("ticket "+dst.ID, dst.Version, intoVersion); err != nil {
		return err
	}
	if src.Status == triage.StatusClosed {
		return triage.Errorf(triage.ECONFLICT, "ticket %s is closed; closed tickets are final and cannot be merged", src.ID)
	}
	if dst.Status == triage.StatusClosed {
		msg := "ticket " + dst.ID + " is closed; merge into an open ticket"
		if dst.MergedInto != "" {
			msg = "ticket " + dst.ID + " was itself merged into " + dst.MergedInto + "; merge into that one"
		}
		return &triage.Error{Code: triage.ECONFLICT, Field: "into", Message: msg}
	}
	links, err := tx.TicketLinks(ctx, src.ID)
	if err != nil {
		return err
	}
	var from []string
	for _, l := range links {
		if l.Kind == triage.LinkMerged && l.ToID == src.ID {
			from = append(from, l.FromID)
		}
	}
	if len(from) > 0 {
		return triage.Errorf(triage.ECONFLICT, "tickets %s were merged into %s; merging it on would make a chain: merge %s into %s instead",
			strings.Join(from, ", "), src.ID, dst.ID, src.ID)
	}
	return nil
}

// copyHistory copies a ticket's trail to the survivor, each entry noting
// where it came from, in its original time and order.
func (s *Service) copyHistory(ctx context.Context, tx triage.Tx, from, to string) error {
	hist, err := tx.History(ctx, from)
	if err != nil || len(hist) == 0 {
		return err
	}
	copies := make([]*triage.HistoryEntry, len(hist))
	for i, h := range hist {
		c := *h
		c.ID, c.TicketID = triage.NewID(), to
		c.Why = append(triage.Reasons{triage.NewReason(triage.ReasonMergeCopied, from)}, h.Why...)
		copies[i] = &c
	}
	return tx.AddHistory(ctx, copies...)
}

// mergedMessage is the merged ticket's own text as a message from the
// requester on the survivor, at the time the requester wrote it, so the
// survivor's conversation holds everything the customer said.
func mergedMessage(src *triage.Ticket, to string) *triage.Comment {
	head := "[merged from ticket " + src.ID + "] " + src.Title
	body := head
	if strings.TrimSpace(src.Body) != "" {
		body += "\n\n" + src.Body
	}
	for len(body) > triage.MaxCommentSize {
		_, size := utf8.DecodeLastRuneInString(body)
		body = body[:len(body)-size]
	}
	return &triage.Comment{ID: triage.NewID(), TicketID: to, FromRequester: true, Public: true, Body: body, CreatedAt: src.CreatedAt}
}

// merged answers a merge with both tickets as stored, and their triage
// records.
func (s *Service) merged(ctx context.Context, tx triage.Tx, src, dst *triage.Ticket, moved int) (*triage.MergeResult, error) {
	src, err := s.withTriage(ctx, tx, src)
	if err != nil {
		return nil, err
	}
	dst, err = s.withTriage(ctx, tx, dst)
	if err != nil {
		return nil, err
	}
	return &triage.MergeResult{Merged: src, Survivor: dst, Moved: moved}, nil
}

// Links lists a ticket's links (probable duplicates, merges) as the
// ticket sees them, with the other ticket's title and status.
func (s *Service) Links(ctx context.Context, id string) ([]triage.LinkView, error) {
	if _, err := s.Store.Ticket(ctx, id); err != nil {
		return nil, err
	}
	links, err := s.Store.TicketLinks(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]triage.LinkView, 0, len(links))
	for _, l := range links {
		v := l.View(id)
		if other, err := s.Store.Ticket(ctx, v.TicketID); err == nil {
			v.Title, v.Status = other.Title, other.Status
		} else if !triage.IsCode(err, triage.ENOTFOUND) {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
