package desk

import (
	"context"
	"slices"

	"github.com/triagehq/triage"
)

// ViewerBeat is a heartbeat from an open ticket: the caller is viewing it,
// writing a reply (Typing), or has left it (Leaving).
type ViewerBeat struct {
	Typing  bool `json:"typing"`
	Leaving bool `json:"leaving"`
}

// Viewing records the caller's presence on a ticket and returns the
// others who have it open now, so each sees who else is there and who is
// writing a reply. A caller who is not an agent (an integration's token)
// is shown the others and recorded nowhere.
func (s *Service) Viewing(ctx context.Context, ticketID string, beat ViewerBeat) ([]*triage.Viewer, error) {
	if _, err := s.Store.Ticket(ctx, ticketID); err != nil {
		return nil, err
	}
	me := ""
	if p := triage.PrincipalFromContext(ctx); p != nil {
		me = p.AgentID
	}
	now := s.now()
	if me != "" {
		err := s.Store.Update(ctx, func(tx triage.Tx) error {
			if beat.Leaving {
				return tx.DeleteViewer(ctx, ticketID, me)
			}
			return tx.PutViewer(ctx, &triage.Viewer{TicketID: ticketID, AgentID: me, Typing: beat.Typing, SeenAt: now})
		})
		if err != nil {
			return nil, err
		}
	}
	all, err := s.Store.Viewers(ctx, ticketID, now.Add(-triage.ViewerTTL))
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(v *triage.Viewer) bool { return v.AgentID == me }), nil
}
