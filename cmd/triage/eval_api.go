package main

import "github.com/triagehq/triage/api"

// apiEval is what the API serves of saved evaluation reports.
func (m *Main) apiEval() api.Eval { return api.Eval{} }
