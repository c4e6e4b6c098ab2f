package api

// opsRoutes are the routes of webhooks, reports, metrics and merges.
func (s *Server) opsRoutes() []Route { return nil }
