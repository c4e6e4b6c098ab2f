package desk

import (
	"context"

	"github.com/triagehq/triage"
)

// The writes automations make, inside the transaction of their firing
// (package automate), through the same paths as a person's: history,
// routing, events and the mail outbox follow exactly as they would.

// UpdateTicketTx applies a partial update to a ticket in tx, as
// UpdateTicket does at any version.
func (s *Service) UpdateTicketTx(ctx context.Context, tx triage.Tx, id string, u triage.TicketUpdate) (*triage.Ticket, error) {
	t, err := tx.Ticket(ctx, id)
	if err != nil {
		return nil, err
	}
	before := *t
	hist, err := s.applyUpdate(ctx, tx, t, u)
	if err != nil || len(hist) == 0 {
		return t, err
	}
	return t, s.save(ctx, tx, &before, t, hist)
}

// ApplyMacroTx sends a reply with a macro and makes its changes in tx,
// as ApplyMacro does.
func (s *Service) ApplyMacroTx(ctx context.Context, tx triage.Tx, ticketID, macroID string) (*triage.MacroApplied, error) {
	return s.applyMacro(ctx, tx, ticketID, macroID, triage.MacroApply{})
}

// TicketVars are the values of the macro variables for a ticket, for
// texts an automation writes (a note, an e-mail).
func (s *Service) TicketVars(ctx context.Context, tx triage.Reader, t *triage.Ticket) (map[string]string, error) {
	return macroVars(ctx, tx, t)
}
