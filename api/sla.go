package api

// slaRoutes are the routes of SLA policies, calendars and satisfaction
// surveys.
func (s *Server) slaRoutes() []Route { return nil }
