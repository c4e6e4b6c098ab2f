package api

// Eval holds what the evaluation routes serve: the saved reports of
// `triage eval`. A zero Eval serves none of them.
type Eval struct{}

// evalRoutes are the routes of saved evaluation reports.
func (s *Server) evalRoutes() []Route { return nil }
