package triage

import "context"

// SLAReader holds the store's reads for SLA policies, business-hours
// calendars, per-ticket SLA clocks and satisfaction surveys.
type SLAReader interface {
	Calendar(ctx context.Context, id string) (*Calendar, error)
	// Calendars lists calendars by name, then id.
	Calendars(ctx context.Context) ([]*Calendar, error)
	SLAPolicy(ctx context.Context, id string) (*SLAPolicy, error)
	// SLAPolicies lists policies by priority (P1 first), then name, then id.
	SLAPolicies(ctx context.Context) ([]*SLAPolicy, error)

	// TicketSLA returns a ticket's stored SLA record; ENOTFOUND when none
	// has been computed yet.
	TicketSLA(ctx context.Context, ticketID string) (*TicketSLA, error)
	// TicketSLAs pages through SLA records in ticket id order and returns
	// the id to continue after, or "" on the last page.
	TicketSLAs(ctx context.Context, f TicketSLAFilter) ([]*TicketSLA, string, error)
	// SLAEvents lists a ticket's warnings and breaches, oldest first.
	SLAEvents(ctx context.Context, ticketID string) ([]*SLAEvent, error)

	// Survey returns a ticket's survey; ENOTFOUND when it has none.
	Survey(ctx context.Context, ticketID string) (*Survey, error)
	// SurveyByHash returns the survey whose token hashes to hash.
	SurveyByHash(ctx context.Context, hash string) (*Survey, error)
	// Surveys lists the surveys created or answered in the filter's
	// window, oldest first.
	Surveys(ctx context.Context, f SurveyFilter) ([]*Survey, error)
}

// SLAWriter holds the store's writes for the same.
type SLAWriter interface {
	// CreateCalendar stores a new calendar at version 1. At most one
	// calendar is the default: a second one is ECONFLICT.
	CreateCalendar(ctx context.Context, c *Calendar) error
	UpdateCalendar(ctx context.Context, c *Calendar) error // versioned like UpdateTicket
	DeleteCalendar(ctx context.Context, id string, version int) error

	// CreateSLAPolicy stores a new policy at version 1; a second policy
	// with the same priority, team, category and tag is ECONFLICT.
	CreateSLAPolicy(ctx context.Context, p *SLAPolicy) error
	UpdateSLAPolicy(ctx context.Context, p *SLAPolicy) error // versioned like UpdateTicket
	DeleteSLAPolicy(ctx context.Context, id string, version int) error

	// SaveTicketSLA inserts a ticket's record when r.Version is 0
	// (ECONFLICT when it has one) and otherwise updates it if the stored
	// version is still r.Version (ESTALE otherwise); either way r.Version
	// is the new version afterwards. An unknown ticket is ENOTFOUND.
	SaveTicketSLA(ctx context.Context, r *TicketSLA) error
	AddSLAEvent(ctx context.Context, e *SLAEvent) error

	// CreateSurvey stores a ticket's survey at version 1: ECONFLICT when
	// the ticket has one or the token hash is in use, ENOTFOUND for an
	// unknown ticket.
	CreateSurvey(ctx context.Context, s *Survey) error
	UpdateSurvey(ctx context.Context, s *Survey) error // versioned like UpdateTicket
}
