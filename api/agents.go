package api

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
)

// AgentView is an agent with its current load, which is what a person
// looking at an agent wants to see next to its capacity.
type AgentView struct {
	*triage.Agent
	Open       int                     `json:"open"`
	ByPriority map[triage.Priority]int `json:"open_by_priority"`
}

func (s *Server) view(c echo.Context, a *triage.Agent) (AgentView, error) {
	loads, err := s.desk.AgentLoads(c.Request().Context())
	if err != nil {
		return AgentView{}, err
	}
	return agentView(a, loads), nil
}

func agentView(a *triage.Agent, loads map[string]triage.AgentLoad) AgentView {
	l := loads[a.ID]
	if l.ByPriority == nil {
		l.ByPriority = map[triage.Priority]int{}
	}
	return AgentView{Agent: a, Open: l.Open, ByPriority: l.ByPriority}
}

func (s *Server) listAgents(c echo.Context) error {
	ctx := c.Request().Context()
	agents, err := s.desk.Agents(ctx)
	if err != nil {
		return err
	}
	loads, err := s.desk.AgentLoads(ctx)
	if err != nil {
		return err
	}
	items := make([]AgentView, len(agents))
	for i, a := range agents {
		items[i] = agentView(a, loads)
	}
	return send(c, http.StatusOK, 0, List[AgentView]{Items: items})
}

func (s *Server) getAgent(c echo.Context) error {
	a, err := s.desk.Agent(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	v, err := s.view(c, a)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, a.Version, v)
}

func (s *Server) createAgent(c echo.Context) error {
	var in triage.NewAgent
	if err := s.decode(c, &in); err != nil {
		return err
	}
	a, err := s.desk.CreateAgent(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	v, err := s.view(c, a)
	if err != nil {
		return err
	}
	return created(c, "/v1/agents/"+a.ID, a.Version, v)
}

func (s *Server) updateAgent(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var u triage.AgentUpdate
	if err := s.decode(c, &u); err != nil {
		return err
	}
	p := triage.PrincipalFromContext(c.Request().Context())
	if p.Role != triage.RoleAdmin {
		if p.AgentID != c.Param("id") {
			return triage.Errorf(triage.EFORBIDDEN, "role %s may only change its own agent", p.Role)
		}
		if u.Name.Set || u.Email.Set || u.Skills.Set || u.Capacity.Set {
			return triage.Errorf(triage.EFORBIDDEN, "agents may only change their own online status; ask an admin for the rest")
		}
	}
	a, err := s.desk.UpdateAgent(c.Request().Context(), c.Param("id"), version, u)
	if err != nil {
		return err
	}
	v, err := s.view(c, a)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, a.Version, v)
}

func (s *Server) deleteAgent(c echo.Context) error {
	return remove(c, s.desk.DeleteAgent)
}

func (s *Server) listTeams(c echo.Context) error {
	items, err := s.desk.Teams(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Team]{Items: items})
}

func (s *Server) getTeam(c echo.Context) error {
	t, err := s.desk.Team(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, t.Version, t)
}

func (s *Server) createTeam(c echo.Context) error {
	var in triage.NewTeam
	if err := s.decode(c, &in); err != nil {
		return err
	}
	t, err := s.desk.CreateTeam(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/teams/"+t.ID, t.Version, t)
}

func (s *Server) updateTeam(c echo.Context) error {
	return update(s, c, s.desk.UpdateTeam, func(t *triage.Team) int { return t.Version })
}

func (s *Server) deleteTeam(c echo.Context) error {
	return remove(c, s.desk.DeleteTeam)
}

// Me is who a token belongs to.
type Me struct {
	TokenID string `json:"token_id"`
	// Actor is how the caller appears as an author (agent:<id> or
	// token:<id>), to recognise their own revisions.
	Actor string        `json:"actor"`
	Name  string        `json:"name"`
	Role  triage.Role   `json:"role"`
	Agent *triage.Agent `json:"agent"`
	// Can lists the routes this token may call, as "METHOD /path", so a
	// UI can hide what would be refused.
	Can []string `json:"can"`
}

func (s *Server) me(c echo.Context) error {
	p := triage.PrincipalFromContext(c.Request().Context())
	m := Me{TokenID: p.TokenID, Actor: p.Actor(), Name: p.Name, Role: p.Role, Can: []string{}}
	if p.AgentID != "" {
		a, err := s.desk.Agent(c.Request().Context(), p.AgentID)
		if err != nil && !triage.IsCode(err, triage.ENOTFOUND) {
			return err
		}
		m.Agent = a
	}
	for _, r := range s.routes {
		if slices.Contains(r.Roles, p.Role) {
			m.Can = append(m.Can, r.Method+" "+r.Path)
		}
	}
	return send(c, http.StatusOK, 0, m)
}

func (s *Server) listTokens(c echo.Context) error {
	items, err := s.desk.Tokens(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Token]{Items: items})
}

func (s *Server) getToken(c echo.Context) error {
	t, err := s.desk.Token(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, desk.TokenVersion(t), t)
}

func (s *Server) createToken(c echo.Context) error {
	var in triage.NewToken
	if err := s.decode(c, &in); err != nil {
		return err
	}
	t, err := s.desk.CreateToken(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/tokens/"+t.ID, desk.TokenVersion(t), t)
}

func (s *Server) revokeToken(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	if _, err := s.desk.RevokeToken(c.Request().Context(), c.Param("id"), version); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
