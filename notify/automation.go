package notify

import (
	"context"

	"github.com/triagehq/triage"
)

// HookAutomation is the webhook event an automation's webhook action
// delivers: to the one webhook it names, whatever that webhook
// subscribes to.
const HookAutomation = "automation.fired"

// AutomationData is the data of an automation.fired delivery.
type AutomationData struct {
	AutomationID   string         `json:"automation_id"`
	AutomationName string         `json:"automation_name"`
	Event          string         `json:"event"`
	Ticket         *triage.Ticket `json:"ticket"`
}

// Call queues, in tx, one delivery of data to the webhook webhookID; key
// (the firing's) makes a re-run add nothing. The delivery is sent by its
// job after tx commits, with the retries of every delivery. A webhook
// that is gone is ENOTFOUND.
func (s *Service) Call(ctx context.Context, tx triage.Tx, webhookID, key string, a *triage.Automation, event triage.TriggerEvent, t *triage.Ticket) error {
	data := AutomationData{AutomationID: a.ID, AutomationName: a.Name, Event: string(event), Ticket: t}
	w, err := tx.Webhook(ctx, webhookID)
	if err != nil {
		return err
	}
	if _, err := tx.DeliveryByEvent(ctx, w.ID, key); err == nil {
		return nil
	} else if !triage.IsCode(err, triage.ENOTFOUND) {
		return err
	}
	now := s.now()
	body, err := payload(key, HookAutomation, now, data)
	if err != nil {
		return err
	}
	_, err = s.queue(ctx, tx, w, HookAutomation, key, body, now)
	return err
}
