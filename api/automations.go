package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/automate"
	"github.com/triagehq/triage/sla"
)

// Automations serves the automations (自动化): triggers, time rules, dry
// runs and the log of firings.
type Automations struct {
	Service *automate.Service
	// Settings keep the workflow settings: the built-in closing of solved
	// tickets (shown beside the templates and edited on the automations
	// page) and the review of knowledge-base changes.
	Settings *sla.Settings
}

// automationRoutes: everyone reads automations and their log, admins
// write them and dry-run them.
func (s *Server) automationRoutes() []Route {
	logQuery := []Param{{"automation_id", "string", "only this automation's firings"}, {"ticket_id", "string", "only the firings on this ticket"}, {"limit", "integer", "how many, 1-1000, default 100"},
		{"noop", "boolean", "true: also the firings that changed nothing (logged so that a trigger fires once per event; left out by default)"}}
	routes := []Route{
		{Method: "GET", Path: "/v1/automations", Tag: "automations", Summary: "Triggers and time rules, by kind and position", Roles: anyone(), Handler: s.listAutomations, Response: List[triage.Automation]{}},
		{Method: "POST", Path: "/v1/automations", Tag: "automations", Summary: "Create a trigger (kind trigger: events → conditions → actions) or a time rule (kind time: conditions and an age → actions); a bad part is a 400 naming it, as conditions[0].op", Roles: admins(), Handler: s.createAutomation, Request: triage.NewAutomation{}, Response: triage.Automation{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/v1/automations/catalogue", Tag: "automations", Summary: "What automations may use: events, condition fields with their operators, actions", Roles: anyone(), Handler: s.automationCatalogue, Response: AutomationCatalogue{}},
		{Method: "GET", Path: "/v1/automations/templates", Tag: "automations", Summary: "Ready-made time rules (pending reminder then solve, new unassigned → team lead) and the built-in closing of solved tickets", Roles: admins(), Handler: s.automationTemplates, Response: AutomationTemplates{}},
		{Method: "POST", Path: "/v1/automations/dry-run", Tag: "automations", Summary: "What an automation (saved or not) would do to the newest tickets, changing nothing", Roles: admins(), Handler: s.dryRunAutomation, Request: automate.DryRun{}, Response: automate.DryRunResult{}},
		{Method: "GET", Path: "/v1/automations/log", Tag: "automations", Summary: "Every firing that changed something (with noop=true also the others), newest first, with why (the conditions that held) and what it changed, as reason codes", Roles: anyone(), Handler: s.automationLog, Response: List[triage.AutomationRun]{}, Query: logQuery},
		{Method: "GET", Path: "/v1/automations/:id", Tag: "automations", Summary: "Get an automation", Roles: anyone(), Handler: s.getAutomation, Response: triage.Automation{}},
		{Method: "PATCH", Path: "/v1/automations/:id", Tag: "automations", Summary: "Change, reorder, enable or disable an automation", Roles: admins(), Handler: s.updateAutomation, Request: triage.AutomationUpdate{}, Response: triage.Automation{}, Conditional: true},
		{Method: "DELETE", Path: "/v1/automations/:id", Tag: "automations", Summary: "Delete an automation with its log (disable it to keep the log)", Roles: admins(), Handler: s.deleteAutomation, Status: http.StatusNoContent, Conditional: true},
	}
	for i, r := range routes {
		routes[i].Handler = need(s.automations.Service != nil, "automations are", r.Handler)
	}
	return routes
}

// AutomationCatalogue lists what automations may use, for editors.
type AutomationCatalogue struct {
	Events     []triage.TriggerEvent   `json:"events"`
	Fields     []triage.ConditionField `json:"fields"`
	Actions    []triage.ActionType     `json:"actions"`
	Recipients []string                `json:"recipients"`
}

// AutomationTemplates are the ready-made automations and the built-in
// ones.
type AutomationTemplates struct {
	Items   []automate.Template    `json:"items"`
	Builtin []automate.BuiltinRule `json:"builtin"`
}

func (s *Server) listAutomations(c echo.Context) error {
	items, err := s.automations.Service.Automations(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Automation]{Items: items})
}

func (s *Server) automationCatalogue(c echo.Context) error {
	return send(c, http.StatusOK, 0, AutomationCatalogue{Events: triage.TriggerEvents(), Fields: triage.ConditionFields(), Actions: triage.ActionTypes(),
		Recipients: []string{triage.MailToAssignee, triage.MailToTeamLead, triage.MailToRequester}})
}

func (s *Server) automationTemplates(c echo.Context) error {
	builtin := []automate.BuiltinRule{}
	if s.automations.Settings != nil {
		set, _, err := s.automations.Settings.Get(c.Request().Context())
		if err != nil {
			return err
		}
		builtin = append(builtin, automate.CloseSolvedRule(set))
	}
	return send(c, http.StatusOK, 0, AutomationTemplates{Items: automate.Templates(), Builtin: builtin})
}

func (s *Server) getAutomation(c echo.Context) error {
	a, err := s.automations.Service.Automation(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, a.Version, a)
}

func (s *Server) createAutomation(c echo.Context) error {
	var in triage.NewAutomation
	if err := s.decode(c, &in); err != nil {
		return err
	}
	a, err := s.automations.Service.Create(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/automations/"+a.ID, a.Version, a)
}

func (s *Server) updateAutomation(c echo.Context) error {
	return update(s, c, s.automations.Service.Update, func(a *triage.Automation) int { return a.Version })
}

func (s *Server) deleteAutomation(c echo.Context) error {
	return remove(c, s.automations.Service.Delete)
}

func (s *Server) dryRunAutomation(c echo.Context) error {
	var in automate.DryRun
	if err := s.decode(c, &in); err != nil {
		return err
	}
	res, err := s.automations.Service.DryRun(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, res)
}

func (s *Server) automationLog(c echo.Context) error {
	f := triage.AutomationRunFilter{AutomationID: c.QueryParam("automation_id"), TicketID: c.QueryParam("ticket_id"), Changed: true}
	if q := c.QueryParam("noop"); q != "" {
		all, err := strconv.ParseBool(q)
		if err != nil {
			return triage.Invalid("noop", "noop must be true or false")
		}
		f.Changed = !all
	}
	if q := c.QueryParam("limit"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > 1000 {
			return triage.Invalid("limit", "limit must be a number from 1 to 1000")
		}
		f.Limit = n
	}
	items, err := s.automations.Service.Runs(c.Request().Context(), f)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return triage.Invalid("automation_id", "automation_id %q names no automation", f.AutomationID)
	} else if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.AutomationRun]{Items: items})
}
