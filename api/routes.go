package api

import (
	"net/http"

	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/suggest"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

// Route is one entry of the route table. The same table registers the
// handlers, builds the OpenAPI document and drives the route × role test.
type Route struct {
	Method  string
	Path    string // echo syntax: /v1/tickets/:id
	Summary string
	Tag     string
	// Roles may call the route; nil means no authentication.
	Roles []triage.Role
	// SelfOnly marks roles that may only act on themselves (an agent
	// changing its own online status); the handler enforces it.
	SelfOnly []triage.Role
	Handler  echo.HandlerFunc
	// Request and Response are zero values of the body types, for the
	// OpenAPI document.
	Request  any
	Response any
	Status   int
	Query    []Param
	// Conditional marks writes that require If-Match.
	Conditional bool
	// RequestType is the media type of a body that is not JSON (a raw
	// message); Multipart marks a JSON body that may also come as
	// multipart/form-data with files (see readMultipart).
	RequestType string
	Multipart   bool
	// BodyLimit replaces the server's body limit for this route (files,
	// raw mail); 0 keeps it.
	BodyLimit int64
}

// Param documents a query parameter.
type Param struct {
	Name, Type, Description string
}

// table lists every route. It fits on a screen on purpose: this is the map
// of the API.
func (s *Server) table() []Route {
	ticketQuery := ticketParams()
	routes := []Route{
		{Method: "GET", Path: "/healthz", Tag: "service", Summary: "Liveness: the process answers", Handler: s.healthz, Response: Health{}},
		{Method: "GET", Path: "/readyz", Tag: "service", Summary: "Readiness: the store is reachable and its schema current", Handler: s.readyz, Response: Health{}},
		{Method: "GET", Path: "/openapi.json", Tag: "service", Summary: "This API's OpenAPI 3 document", Handler: s.openapi},

		{Method: "GET", Path: "/v1/me", Tag: "auth", Summary: "Who the token belongs to", Roles: everyone(), Handler: s.me, Response: Me{}},
		{Method: "GET", Path: "/v1/tokens", Tag: "auth", Summary: "List API tokens", Roles: admins(), Handler: s.listTokens, Response: List[triage.Token]{}},
		{Method: "POST", Path: "/v1/tokens", Tag: "auth", Summary: "Create a token; its secret is shown once", Roles: admins(), Handler: s.createToken, Request: triage.NewToken{}, Response: triage.Token{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/v1/tokens/:id", Tag: "auth", Summary: "Get a token", Roles: admins(), Handler: s.getToken, Response: triage.Token{}},
		{Method: "DELETE", Path: "/v1/tokens/:id", Tag: "auth", Summary: "Revoke a token", Roles: admins(), Handler: s.revokeToken, Status: http.StatusNoContent, Conditional: true},

		{Method: "GET", Path: "/v1/tickets", Tag: "tickets", Summary: "List tickets, newest first", Roles: anyone(), Handler: s.listTickets, Response: List[triage.Ticket]{}, Query: ticketQuery},
		{Method: "POST", Path: "/v1/tickets", Tag: "tickets", Summary: "Create and triage a ticket (files as base64 in attachments, or multipart/form-data)", Roles: workers(), Handler: s.createTicket, Request: triage.NewTicket{}, Response: triage.Ticket{}, Status: http.StatusCreated, Multipart: true, BodyLimit: FilesBodyLimit},
		{Method: "GET", Path: "/v1/tickets/:id", Tag: "tickets", Summary: "Get a ticket with its triage record", Roles: anyone(), Handler: s.getTicket, Response: triage.Ticket{}},
		{Method: "PATCH", Path: "/v1/tickets/:id", Tag: "tickets", Summary: "Change a ticket: status, priority, category, assignment, fields", Roles: workers(), Handler: s.updateTicket, Request: triage.TicketUpdate{}, Response: triage.Ticket{}, Conditional: true},
		{Method: "GET", Path: "/v1/tickets/:id/comments", Tag: "tickets", Summary: "The conversation: replies and internal notes", Roles: anyone(), Handler: s.listComments, Response: List[triage.Comment]{}},
		{Method: "POST", Path: "/v1/tickets/:id/comments", Tag: "tickets", Summary: "Reply, add an internal note, or post the requester's message (files as base64 in attachments, or multipart/form-data); a public reply to a customer with an e-mail address is mailed", Roles: workers(), Handler: s.createComment, Request: triage.NewComment{}, Response: triage.Comment{}, Status: http.StatusCreated, Multipart: true, BodyLimit: FilesBodyLimit},
		{Method: "GET", Path: "/v1/tickets/:id/history", Tag: "tickets", Summary: "Audit trail: who changed what, when, and why", Roles: anyone(), Handler: s.listHistory, Response: List[triage.HistoryEntry]{}},

		{Method: "GET", Path: "/v1/tickets/:id/suggestions", Tag: "suggestions", Summary: "KB articles and similar resolved tickets with their scores, and a draft reply citing them", Roles: anyone(), Handler: s.suggestions, Response: triage.Suggestions{}, Query: []Param{{"refresh", "boolean", "recompute instead of serving the stored suggestions (admins and agents only: it writes a row and may call the LLM)"}}},
		{Method: "POST", Path: "/v1/suggestions/:id/feedback", Tag: "suggestions", Summary: "Accept, edit or reject a suggested source or the draft", Roles: workers(), Handler: s.addFeedback, Request: triage.NewFeedback{}, Response: triage.Feedback{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/v1/suggestions/stats", Tag: "suggestions", Summary: "Acceptance of suggestions overall, of drafts and per source", Roles: anyone(), Handler: s.suggestionStats, Response: suggest.Stats{}, Query: []Param{{"since", "string", "RFC 3339 time or date; default 30 days ago"}}},
		{Method: "GET", Path: "/v1/search", Tag: "kb", Summary: "Search the KB or resolved tickets: lexical, vector or hybrid", Roles: anyone(), Handler: s.search, Response: SearchResult{}, Query: searchParams()},
		{Method: "GET", Path: "/v1/articles", Tag: "kb", Summary: "List articles, most recently updated first", Roles: anyone(), Handler: s.listArticles, Response: List[ArticleItem]{}, Query: articleParams()},
		{Method: "POST", Path: "/v1/articles", Tag: "kb", Summary: "Create an article as a draft (agents propose, editors publish)", Roles: staff(), Handler: s.createArticle, Request: triage.NewArticle{}, Response: triage.Article{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/v1/articles/preview", Tag: "kb", Summary: "Render Markdown as an article body is rendered (the editor's preview); stores nothing", Roles: staff(), Handler: s.previewArticle, Request: PreviewRequest{}, Response: Preview{}},
		{Method: "GET", Path: "/v1/articles/export", Tag: "kb", Summary: "Every article as JSON Lines", Roles: editors(), Handler: s.exportArticles},
		{Method: "GET", Path: "/v1/articles/:id", Tag: "kb", Summary: "Get an article with its rendered HTML", Roles: anyone(), Handler: s.getArticle, Response: ArticleView{}},
		{Method: "PATCH", Path: "/v1/articles/:id", Tag: "kb", Summary: "Edit an article or move it through review (submit, publish, archive); with review required, an edit of a published article is kept as the caller's revision (in revision) and the published text stays live", Roles: staff(), Handler: s.updateArticle, Request: triage.ArticleUpdate{}, Response: ArticleView{}, Conditional: true},
		{Method: "GET", Path: "/v1/articles/:id/versions", Tag: "kb", Summary: "Every saved version, oldest first", Roles: anyone(), Handler: s.listArticleVersions, Response: List[VersionView]{}},
		{Method: "GET", Path: "/v1/articles/:id/versions/:version", Tag: "kb", Summary: "One version", Roles: anyone(), Handler: s.getArticleVersion, Response: triage.ArticleVersion{}},
		{Method: "GET", Path: "/v1/articles/:id/diff", Tag: "kb", Summary: "Line diff between two versions", Roles: anyone(), Handler: s.diffArticle, Response: kb.Diff{}, Query: []Param{{"from", "integer", "older version"}, {"to", "integer", "newer version"}}},
		{Method: "POST", Path: "/v1/articles/:id/revert", Tag: "kb", Summary: "Write an old version's text as a new version", Roles: staff(), Handler: s.revertArticle, Request: RevertRequest{}, Response: ArticleView{}, Conditional: true},
		{Method: "GET", Path: "/v1/articles/:id/revisions", Tag: "kb", Summary: "The article's revisions (proposed changes under review), newest first", Roles: anyone(), Handler: s.listArticleRevisions, Response: List[RevisionView]{}},
		{Method: "GET", Path: "/v1/kb/revisions", Tag: "kb", Summary: "Revisions of published articles, newest first: the review queue (in_review) by default", Roles: staff(), Handler: s.listRevisions, Response: List[RevisionView]{}, Query: revisionParams()},
		{Method: "GET", Path: "/v1/kb/revisions/:id", Tag: "kb", Summary: "One revision with its diff from the published text", Roles: staff(), Handler: s.getRevision, Response: RevisionView{}},
		{Method: "POST", Path: "/v1/kb/revisions/:id/review", Tag: "kb", Summary: "A review step: the author submits or withdraws; another editor or admin approves (the text goes live as the next version) or rejects; an admin approving their own change gives the reason in override", Roles: staff(), Handler: s.reviewRevision, Request: triage.RevisionAction{}, Response: ReviewResult{}},
		{Method: "GET", Path: "/v1/actors", Tag: "auth", Summary: "The name of every token's actor (token:<id>), for showing who acted by name", Roles: anyone(), Handler: s.listActors, Response: List[ActorName]{}},
		{Method: "GET", Path: "/v1/kb/gaps", Tag: "kb", Summary: "What the KB fails to answer: most rejected articles, groups of unanswered tickets", Roles: editors(), Handler: s.kbGaps, Response: suggest.Gaps{}, Query: []Param{{"since", "string", "RFC 3339 time or date; default 30 days ago"}}},

		{Method: "GET", Path: "/v1/agents", Tag: "agents", Summary: "List agents with their load", Roles: anyone(), Handler: s.listAgents, Response: List[AgentView]{}},
		{Method: "POST", Path: "/v1/agents", Tag: "agents", Summary: "Create an agent", Roles: admins(), Handler: s.createAgent, Request: triage.NewAgent{}, Response: AgentView{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/v1/agents/:id", Tag: "agents", Summary: "Get an agent", Roles: anyone(), Handler: s.getAgent, Response: AgentView{}},
		{Method: "PATCH", Path: "/v1/agents/:id", Tag: "agents", Summary: "Change an agent; agents may set their own online status", Roles: workers(), SelfOnly: agentsSelf(), Handler: s.updateAgent, Request: triage.AgentUpdate{}, Response: AgentView{}, Conditional: true},
		{Method: "DELETE", Path: "/v1/agents/:id", Tag: "agents", Summary: "Delete an agent who holds no active tickets; every token tied to it is revoked at once", Roles: admins(), Handler: s.deleteAgent, Status: http.StatusNoContent, Conditional: true},
		{Method: "GET", Path: "/v1/rules", Tag: "triage", Summary: "List keyword rules in evaluation order", Roles: anyone(), Handler: s.listRules, Response: List[triage.Rule]{}},
		{Method: "POST", Path: "/v1/rules", Tag: "triage", Summary: "Create a keyword rule", Roles: admins(), Handler: s.createRule, Request: triage.NewRule{}, Response: triage.Rule{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/v1/rules/dry-run", Tag: "triage", Summary: "Which rules fire on a text and what triage would decide, storing nothing", Roles: anyone(), Handler: s.dryRun, Request: DryRun{}, Response: DryRunResult{}},
		{Method: "GET", Path: "/v1/rules/:id", Tag: "triage", Summary: "Get a rule", Roles: anyone(), Handler: s.getRule, Response: triage.Rule{}},
		{Method: "PATCH", Path: "/v1/rules/:id", Tag: "triage", Summary: "Change a rule (also its position)", Roles: admins(), Handler: s.updateRule, Request: triage.RuleUpdate{}, Response: triage.Rule{}, Conditional: true},
		{Method: "DELETE", Path: "/v1/rules/:id", Tag: "triage", Summary: "Delete a rule", Roles: admins(), Handler: s.deleteRule, Status: http.StatusNoContent, Conditional: true},
		{Method: "GET", Path: "/v1/dictionary", Tag: "triage", Summary: "The user dictionary of domain words", Roles: anyone(), Handler: s.listDict, Response: List[triage.DictWord]{}},
		{Method: "POST", Path: "/v1/dictionary", Tag: "triage", Summary: "Add or update domain words; they apply to the next ticket", Roles: editors(), Handler: s.putDict, Request: DictWords{}, Response: List[triage.DictWord]{}, Status: http.StatusCreated},
		{Method: "DELETE", Path: "/v1/dictionary/:word", Tag: "triage", Summary: "Remove a domain word", Roles: editors(), Handler: s.deleteDict, Status: http.StatusNoContent, Conditional: true},
		{Method: "GET", Path: "/v1/models", Tag: "triage", Summary: "Trained model versions, newest first", Roles: anyone(), Handler: s.listModels, Response: List[triage.Model]{}, Query: []Param{{"kind", "string", "category (default), priority or sentiment"}}},
		{Method: "POST", Path: "/v1/models/train", Tag: "triage", Summary: "Queue a training run on the closed tickets", Roles: admins(), Handler: s.trainModel, Request: TrainRequest{}, Response: TrainAccepted{}, Status: http.StatusAccepted},
		{Method: "POST", Path: "/v1/imports", Tag: "triage", Summary: "Import ticket history from another helpdesk's export (Zendesk, Zammad, Freshdesk, CSV, JSON Lines); each ticket once", Roles: admins(), Handler: s.importTickets, Request: ImportRequest{}, Response: ImportResult{}},
		{Method: "POST", Path: "/v1/models/:id/activate", Tag: "triage", Summary: "Make a stored model version the active one (roll back)", Roles: admins(), Handler: s.activateModel, Response: triage.Model{}},

		{Method: "GET", Path: "/v1/teams", Tag: "agents", Summary: "List teams", Roles: anyone(), Handler: s.listTeams, Response: List[triage.Team]{}},
		{Method: "POST", Path: "/v1/teams", Tag: "agents", Summary: "Create a team", Roles: admins(), Handler: s.createTeam, Request: triage.NewTeam{}, Response: triage.Team{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/v1/teams/:id", Tag: "agents", Summary: "Get a team", Roles: anyone(), Handler: s.getTeam, Response: triage.Team{}},
		{Method: "PATCH", Path: "/v1/teams/:id", Tag: "agents", Summary: "Change a team", Roles: admins(), Handler: s.updateTeam, Request: triage.TeamUpdate{}, Response: triage.Team{}, Conditional: true},
		{Method: "DELETE", Path: "/v1/teams/:id", Tag: "agents", Summary: "Delete a team with an empty queue", Roles: admins(), Handler: s.deleteTeam, Status: http.StatusNoContent, Conditional: true},
	}
	routes = append(routes, s.slaRoutes()...)
	routes = append(routes, s.evalRoutes()...)
	routes = append(routes, s.mailRoutes()...)
	routes = append(routes, s.macroRoutes()...)
	routes = append(routes, s.helpRoutes()...)
	routes = append(routes, s.authRoutes()...)
	routes = append(routes, s.signInRoutes()...)
	routes = append(routes, s.wechatRoutes()...)
	routes = append(routes, s.automationRoutes()...)
	routes = append(routes, s.settingsRoutes()...)
	routes = append(routes, s.liveRoutes()...)
	routes = append(routes, s.shadowRoutes()...)
	routes = append(routes, s.bulkRoutes()...)
	routes = append(routes, s.viewRoutes()...)
	routes = append(routes, s.presenceRoutes()...)
	return append(routes, s.opsRoutes()...)
}

// Health is the body of /healthz and /readyz.
type Health struct {
	Status  string `json:"status"`
	Version string `json:"version,omitempty"`
	Error   string `json:"error,omitempty"`
	// Backup is how the scheduled backups stand, on /readyz when the
	// service makes them. A failed or stale backup does not make the
	// service unready: it still serves; monitoring reads it here and in
	// /metrics.
	Backup *triage.BackupStatus `json:"backup,omitempty"`
}

func (s *Server) healthz(c echo.Context) error {
	return send(c, http.StatusOK, 0, Health{Status: "ok", Version: s.version})
}

func (s *Server) readyz(c echo.Context) error {
	if s.ready != nil {
		if err := s.ready(c.Request().Context()); err != nil {
			return send(c, http.StatusServiceUnavailable, 0, Health{Status: "unavailable", Error: triage.ErrorMessage(err)})
		}
	}
	h := Health{Status: "ready", Version: s.version}
	if s.backup != nil {
		b := s.backup()
		h.Backup = &b
	}
	return send(c, http.StatusOK, 0, h)
}
