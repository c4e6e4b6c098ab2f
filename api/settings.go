package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

// WorkflowSettingsView is the workflow settings in force with the latest
// changes of them, the audit trail, newest first.
type WorkflowSettingsView struct {
	triage.WorkflowSettings
	// UpdatedByName is who saved them last, by name.
	UpdatedByName string               `json:"updated_by_name,omitempty"`
	Changes       []*SettingChangeView `json:"changes"`
}

// SettingChangeView is one change with its actor's name.
type SettingChangeView struct {
	*triage.SettingChange
	ActorName string `json:"actor_name"`
}

// settingsRoutes: the workflow settings, read by everyone (the KB pages
// say whether review is required), changed by admins.
func (s *Server) settingsRoutes() []Route {
	routes := []Route{
		{Method: "GET", Path: "/v1/settings/workflow", Tag: "automations", Summary: "The workflow settings in force (review of knowledge-base changes, closing of solved tickets after a business time) and their latest changes: who changed what from what to what", Roles: anyone(), Handler: s.getWorkflowSettings, Response: WorkflowSettingsView{}},
		{Method: "PATCH", Path: "/v1/settings/workflow", Tag: "automations", Summary: "Change the workflow settings: kb_review (true/false), close_solved_after (a business time such as 4d or 36h, or off); each change is kept in their audit trail", Roles: admins(), Handler: s.setWorkflowSettings, Request: triage.WorkflowSettingsUpdate{}, Response: WorkflowSettingsView{}, Conditional: true},
	}
	for i, r := range routes {
		routes[i].Handler = need(s.automations.Settings != nil, "workflow settings are", r.Handler)
	}
	return routes
}

func (s *Server) workflowView(c echo.Context) (WorkflowSettingsView, error) {
	ctx := c.Request().Context()
	set, changes, err := s.automations.Settings.Get(ctx)
	if err != nil {
		return WorkflowSettingsView{}, err
	}
	n := s.names(ctx)
	v := WorkflowSettingsView{WorkflowSettings: set, Changes: []*SettingChangeView{}}
	if set.UpdatedBy != "" {
		v.UpdatedByName = n.of(set.UpdatedBy)
	}
	for _, ch := range changes {
		v.Changes = append(v.Changes, &SettingChangeView{SettingChange: ch, ActorName: n.of(ch.Actor)})
	}
	return v, nil
}

func (s *Server) getWorkflowSettings(c echo.Context) error {
	v, err := s.workflowView(c)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, v.Version, v)
}

func (s *Server) setWorkflowSettings(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in triage.WorkflowSettingsUpdate
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if _, err := s.automations.Settings.Update(c.Request().Context(), version, in); err != nil {
		return err
	}
	return s.getWorkflowSettings(c)
}
