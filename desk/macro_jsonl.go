package desk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/triagehq/triage"
)

// Macros in JSON Lines: Export writes one macro per line as the API shows
// it; Import reads the same lines (the counts, times and version are
// ignored) and creates each macro or, when its id exists, saves it as a
// new version if anything changed. The whole file commits in one
// transaction, so a bad line leaves the store as it was.

// MacroImport counts what an import did.
type MacroImport struct {
	Lines     int `json:"lines"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// maxMacroLine bounds one line: the largest body JSON-escaped, with room.
const maxMacroLine = 6*triage.MaxMacroBodyBytes + 16<<10

// ExportMacros writes every macro the caller may see as JSON Lines and
// returns how many.
func (s *Service) ExportMacros(ctx context.Context, w io.Writer) (int, error) {
	ms, err := s.Macros(ctx)
	if err != nil {
		return 0, err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i, m := range ms {
		if err := enc.Encode(m); err != nil {
			return i, err
		}
	}
	return len(ms), nil
}

// ImportMacros reads JSON Lines of macros; an error names the line.
func (s *Service) ImportMacros(ctx context.Context, r io.Reader) (MacroImport, error) {
	var lines []*triage.Macro
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxMacroLine)
	for n := 1; sc.Scan(); n++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var m triage.Macro
		dec := json.NewDecoder(bytes.NewReader(b))
		if err := dec.Decode(&m); err != nil {
			return MacroImport{}, triage.Invalid(fmt.Sprintf("line %d", n), "line %d is not a JSON macro: %v", n, err)
		}
		if err := defaultScope(ctx, s.Store, &m); err != nil {
			return MacroImport{}, err
		}
		if err := triage.ValidateMacro(&m); err != nil {
			return MacroImport{}, lineErr(n, err)
		}
		m.Version = n // the line number, for errors; replaced below
		lines = append(lines, &m)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return MacroImport{}, triage.Errorf(triage.ETOOLARGE, "a line is longer than %d bytes", maxMacroLine)
		}
		return MacroImport{}, triage.Invalid("body", "reading the lines: %v", err)
	}
	res := MacroImport{Lines: len(lines)}
	_, err := write(ctx, s, nil, nil, func(tx triage.Tx) (struct{}, error) {
		for _, in := range lines {
			n := in.Version
			if err := s.importMacro(ctx, tx, in, &res); err != nil {
				return struct{}{}, lineErr(n, err)
			}
		}
		return struct{}{}, nil
	})
	if err != nil {
		return MacroImport{}, err
	}
	return res, nil
}

func (s *Service) importMacro(ctx context.Context, tx triage.Tx, in *triage.Macro, res *MacroImport) error {
	now := s.now()
	var old *triage.Macro
	if in.ID != "" {
		m, err := tx.Macro(ctx, in.ID)
		if err != nil && !triage.IsCode(err, triage.ENOTFOUND) {
			return err
		}
		old = m
	}
	if old == nil {
		m := &triage.Macro{ID: in.ID, Title: in.Title, Body: in.Body, Scope: in.Scope, TeamID: in.TeamID, AgentID: in.AgentID,
			Actions: in.Actions, Archived: in.Archived, AuthorID: actor(ctx), CreatedAt: now, UpdatedAt: now}
		if m.ID == "" {
			m.ID = triage.NewID()
		}
		res.Created++
		return s.createMacro(ctx, tx, m, "imported")
	}
	if err := canManage(ctx, tx, old); err != nil {
		return err
	}
	m := *old
	m.Title, m.Body, m.Scope, m.TeamID, m.AgentID, m.Actions, m.Archived = in.Title, in.Body, in.Scope, in.TeamID, in.AgentID, in.Actions, in.Archived
	if a, b := macroVersion(old, "", ""), macroVersion(&m, "", ""); jsonEqual(a, b) {
		res.Unchanged++
		return nil
	}
	res.Updated++
	return s.updateMacro(ctx, tx, &m, "imported")
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// lineErr names the line in an *Error's field and message.
func lineErr(n int, err error) error {
	var e *triage.Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	if c.Field != "" {
		c.Field = fmt.Sprintf("line %d: %s", n, c.Field)
	}
	c.Message = fmt.Sprintf("line %d: %s", n, c.Message)
	return &c
}
