package main

import (
	"path/filepath"

	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/eval"
)

// apiEval is what the API serves of saved evaluation reports: the
// directory `triage eval --save --data DIR` writes to, with the same
// --data as the server's.
func (m *Main) apiEval() api.Eval {
	return api.Eval{Reports: eval.Reports{Dir: filepath.Join(m.Config.DataDir, "reports")}}
}
