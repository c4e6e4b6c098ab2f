package api

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
)

// macroRoutes are the macros (快捷回复): everyone reads them, admins and
// team leads write them (the service checks leads), agents send them.
func (s *Server) macroRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/v1/macros", Tag: "macros", Summary: "The macros the caller may use, by title, with use and edited-before-send counts", Roles: anyone(), Handler: s.listMacros, Response: List[triage.Macro]{}},
		{Method: "POST", Path: "/v1/macros", Tag: "macros", Summary: "Create a macro (admins; team leads for their team); an unknown {{variable}} is a 400 naming body", Roles: workers(), Handler: s.createMacro, Request: triage.NewMacro{}, Response: triage.Macro{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/v1/macros/variables", Tag: "macros", Summary: "The variables a macro body may use", Roles: anyone(), Handler: s.macroVariables, Response: MacroVariables{}},
		{Method: "GET", Path: "/v1/macros/export", Tag: "macros", Summary: "Every macro the caller may see, as JSON Lines", Roles: workers(), Handler: s.exportMacros},
		{Method: "POST", Path: "/v1/macros/import", Tag: "macros", Summary: "Create or update macros from JSON Lines, in one transaction; a bad line is a 400 naming it", Roles: workers(), Handler: s.importMacros, Request: RawLines{}, RequestType: "application/x-ndjson", Response: desk.MacroImport{}},
		{Method: "GET", Path: "/v1/macros/:id", Tag: "macros", Summary: "Get a macro", Roles: anyone(), Handler: s.getMacro, Response: triage.Macro{}},
		{Method: "PATCH", Path: "/v1/macros/:id", Tag: "macros", Summary: "Change or archive a macro; every save is a new version", Roles: workers(), Handler: s.updateMacro, Request: triage.MacroUpdate{}, Response: triage.Macro{}, Conditional: true},
		{Method: "DELETE", Path: "/v1/macros/:id", Tag: "macros", Summary: "Delete a macro with its history and counts (archive it to keep them)", Roles: workers(), Handler: s.deleteMacro, Status: http.StatusNoContent, Conditional: true},
		{Method: "GET", Path: "/v1/macros/:id/versions", Tag: "macros", Summary: "Every saved version of a macro, oldest first", Roles: anyone(), Handler: s.listMacroVersions, Response: List[triage.MacroVersion]{}},
		{Method: "GET", Path: "/v1/macros/:id/versions/:version", Tag: "macros", Summary: "One version of a macro", Roles: anyone(), Handler: s.getMacroVersion, Response: triage.MacroVersion{}},
		{Method: "GET", Path: "/v1/tickets/:id/macros", Tag: "macros", Summary: "The macros most likely to fit a ticket, rendered for it, best first", Roles: anyone(), Handler: s.suggestMacros, Response: List[triage.MacroSuggestion]{},
			Query: []Param{{"limit", "integer", "how many, 1-50, default 5"}, {"macro", "string", "render this macro for the ticket instead of ranking"}}},
		{Method: "POST", Path: "/v1/tickets/:id/macros/:mid/apply", Tag: "macros", Summary: "Send a reply with a macro and make its changes to the ticket, recording the use and whether the reply was edited", Roles: workers(), Handler: s.applyMacro, Request: triage.MacroApply{}, Response: triage.MacroApplied{}},
	}
}

// MacroVariables lists the variables of a macro body.
type MacroVariables struct {
	Items []string `json:"items"`
}

// RawLines is a JSON Lines body, for the OpenAPI document.
type RawLines struct{}

func (s *Server) listMacros(c echo.Context) error {
	items, err := s.desk.Macros(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Macro]{Items: items})
}

func (s *Server) macroVariables(c echo.Context) error {
	return send(c, http.StatusOK, 0, MacroVariables{Items: triage.MacroVariables()})
}

func (s *Server) getMacro(c echo.Context) error {
	m, err := s.desk.Macro(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, m.Version, m)
}

func (s *Server) createMacro(c echo.Context) error {
	var in triage.NewMacro
	if err := s.decode(c, &in); err != nil {
		return err
	}
	m, err := s.desk.CreateMacro(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/macros/"+m.ID, m.Version, m)
}

func (s *Server) updateMacro(c echo.Context) error {
	return update(s, c, s.desk.UpdateMacro, func(m *triage.Macro) int { return m.Version })
}

func (s *Server) deleteMacro(c echo.Context) error {
	return remove(c, s.desk.DeleteMacro)
}

func (s *Server) listMacroVersions(c echo.Context) error {
	items, err := s.desk.MacroVersions(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.MacroVersion]{Items: items})
}

func (s *Server) getMacroVersion(c echo.Context) error {
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v < 1 {
		return triage.Invalid("version", "version must be a number from 1")
	}
	mv, err := s.desk.MacroVersion(c.Request().Context(), c.Param("id"), v)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, mv)
}

func (s *Server) suggestMacros(c echo.Context) error {
	ctx := c.Request().Context()
	if id := c.QueryParam("macro"); id != "" {
		one, err := s.desk.RenderMacroFor(ctx, c.Param("id"), id)
		if err != nil {
			return err
		}
		return send(c, http.StatusOK, 0, List[*triage.MacroSuggestion]{Items: []*triage.MacroSuggestion{one}})
	}
	limit := 0
	if q := c.QueryParam("limit"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > 50 {
			return triage.Invalid("limit", "limit must be a number from 1 to 50")
		}
		limit = n
	}
	items, err := s.desk.SuggestMacros(ctx, c.Param("id"), limit)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.MacroSuggestion]{Items: items})
}

func (s *Server) applyMacro(c echo.Context) error {
	var in triage.MacroApply
	if err := s.decode(c, &in); err != nil {
		return err
	}
	r, err := s.desk.ApplyMacro(c.Request().Context(), c.Param("id"), c.Param("mid"), in, idem(c, http.StatusOK))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, r)
}

func (s *Server) exportMacros(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentType, "application/x-ndjson; charset=utf-8")
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="macros.jsonl"`)
	c.Response().WriteHeader(http.StatusOK)
	_, err := s.desk.ExportMacros(c.Request().Context(), c.Response())
	return err
}

func (s *Server) importMacros(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	res, err := s.desk.ImportMacros(c.Request().Context(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, res)
}
