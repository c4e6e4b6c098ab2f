package api

import (
	"net/http"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/sla"
)

// slaRoutes are the routes of SLA policies, calendars and satisfaction
// surveys. The two survey routes under /v1/csat are public: the survey
// token in the path is the credential.
func (s *Server) slaRoutes() []Route {
	routes := []Route{
		{Method: "GET", Path: "/v1/sla/policies", Tag: "sla", Summary: "SLA policies, by priority", Roles: anyone(), Handler: s.listSLAPolicies, Response: List[triage.SLAPolicy]{}},
		{Method: "POST", Path: "/v1/sla/policies", Tag: "sla", Summary: "Create an SLA policy: targets in business time for a priority, optionally narrowed by team, category or tag", Roles: admins(), Handler: s.createSLAPolicy, Request: triage.NewSLAPolicy{}, Response: triage.SLAPolicy{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/v1/sla/policies/:id", Tag: "sla", Summary: "Get an SLA policy", Roles: anyone(), Handler: s.getSLAPolicy, Response: triage.SLAPolicy{}},
		{Method: "PATCH", Path: "/v1/sla/policies/:id", Tag: "sla", Summary: "Change an SLA policy; running clocks are retargeted", Roles: admins(), Handler: s.updateSLAPolicy, Request: triage.SLAPolicyUpdate{}, Response: triage.SLAPolicy{}, Conditional: true},
		{Method: "DELETE", Path: "/v1/sla/policies/:id", Tag: "sla", Summary: "Delete an SLA policy", Roles: admins(), Handler: s.deleteSLAPolicy, Status: http.StatusNoContent, Conditional: true},

		{Method: "GET", Path: "/v1/calendars", Tag: "sla", Summary: "Business-hours calendars", Roles: anyone(), Handler: s.listCalendars, Response: List[triage.Calendar]{}},
		{Method: "POST", Path: "/v1/calendars", Tag: "sla", Summary: "Create a business-hours calendar: time zone, weekly hours, holidays, make-up working days", Roles: admins(), Handler: s.createCalendar, Request: triage.NewCalendar{}, Response: triage.Calendar{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/v1/calendars/:id", Tag: "sla", Summary: "Get a calendar with its holidays and make-up days", Roles: anyone(), Handler: s.getCalendar, Response: triage.Calendar{}},
		{Method: "PATCH", Path: "/v1/calendars/:id", Tag: "sla", Summary: "Change a calendar (its holidays, or make it the default)", Roles: admins(), Handler: s.updateCalendar, Request: triage.CalendarUpdate{}, Response: triage.Calendar{}, Conditional: true},
		{Method: "DELETE", Path: "/v1/calendars/:id", Tag: "sla", Summary: "Delete a calendar that is not the default and that no policy uses", Roles: admins(), Handler: s.deleteCalendar, Status: http.StatusNoContent, Conditional: true},
		{Method: "GET", Path: "/v1/calendars/:id/business-time", Tag: "sla", Summary: "Business-time calculator: when a duration from an instant falls due, or how much passed between two", Roles: anyone(), Handler: s.businessTime, Response: sla.BusinessTime{},
			Query: []Param{{"from", "string", "RFC 3339 time (required)"}, {"add", "string", "business time to add, like 8h"}, {"to", "string", "RFC 3339 time to measure to"}}},

		{Method: "GET", Path: "/v1/tickets/:id/sla", Tag: "sla", Summary: "A ticket's SLA clocks as of now: targets, due, met or breached, and the warnings and breaches recorded", Roles: anyone(), Handler: s.ticketSLA, Response: sla.TicketView{}},

		{Method: "GET", Path: "/v1/tickets/:id/csat", Tag: "csat", Summary: "A ticket's satisfaction survey", Roles: anyone(), Handler: s.ticketSurvey, Response: sla.SurveyStatus{}},
		{Method: "POST", Path: "/v1/tickets/:id/csat", Tag: "csat", Summary: "Mail a new survey link to a solved ticket's requester (never returned: staff do not hold links); the previous link stops working; not for the ticket's assignee nor a requester on the staff; 409 when the requester cannot be mailed; written to the ticket's history", Roles: workers(), Handler: s.issueSurvey, Response: sla.SurveyStatus{}, Status: http.StatusAccepted},
		{Method: "GET", Path: "/v1/csat/:token", Tag: "csat", Summary: "Public: what a survey link shows (no login; the token is the credential)", Handler: s.publicSurvey, Response: sla.SurveyView{}},
		{Method: "POST", Path: "/v1/csat/:token", Tag: "csat", Summary: "Public: answer a survey once with a rating of 1-5 and a comment; 409 once answered or after 28 days", Handler: s.answerSurvey, Request: triage.SurveyAnswer{}, Response: sla.SurveyView{}},
	}
	for i := range routes {
		routes[i].Handler = s.needSLA(routes[i].Handler)
	}
	return routes
}
