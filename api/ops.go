package api

// Ops holds what the operations routes serve: webhooks, reports, metrics
// and merges. A zero Ops serves none of them.
type Ops struct{}

// opsRoutes are the routes of webhooks, reports, metrics and merges.
func (s *Server) opsRoutes() []Route { return nil }
