package api

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

// ImportRequest is an export sent to POST /v1/imports: the file's content
// as text (it must fit the request body limit; larger exports go through
// `triage import tickets`), its format and the mapping file's JSON.
type ImportRequest struct {
	// Format is zendesk, zammad, freshdesk, csv or jsonl.
	Format string `json:"format"`
	// Mapping is the mapping file, as JSON; required for csv and jsonl.
	Mapping json.RawMessage `json:"mapping,omitempty"`
	// Data is the export's content.
	Data string `json:"data"`
	// StartAt skips the records before it.
	StartAt int `json:"start_at,omitempty"`
	// Train queues training of the category and priority models and of
	// the embedder when tickets were imported; true by default.
	Train *bool `json:"train,omitempty"`
}

// ImportResult is the import's summary and the training it queued.
type ImportResult struct {
	Summary triage.ImportSummary `json:"summary"`
	// Queued names the training jobs queued after the import.
	Queued []string `json:"queued"`
}

// importTickets handles POST /v1/imports. The import writes in small
// transactions, so agents are not held up while it runs.
func (s *Server) importTickets(c echo.Context) error {
	var in ImportRequest
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if err := triage.Required("format", in.Format); err != nil {
		return err
	}
	if err := triage.Required("data", in.Data); err != nil {
		return err
	}
	if in.StartAt < 0 {
		return triage.Invalid("start_at", "start_at must not be negative")
	}
	if s.imports == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "imports are not configured on this server")
	}
	res, err := s.imports(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, res)
}
