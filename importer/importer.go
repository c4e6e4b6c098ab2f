package importer

import (
	"context"
	"io"
	"iter"
	"strings"

	"github.com/triagehq/triage"
)

// Format names an export format.
type Format string

const (
	FormatZendesk   Format = "zendesk"
	FormatZammad    Format = "zammad"
	FormatFreshdesk Format = "freshdesk"
	FormatCSV       Format = "csv"   // generic CSV, described by a mapping
	FormatJSONL     Format = "jsonl" // generic JSON Lines, described by a mapping
)

// Formats lists every format.
func Formats() []Format {
	return []Format{FormatZendesk, FormatZammad, FormatFreshdesk, FormatCSV, FormatJSONL}
}

// Record is one ticket record of an export: a ticket, or the reason it was
// skipped. Exactly one of Ticket and Skip is set.
type Record struct {
	Pos    triage.ImportPosition
	Ticket *triage.ImportedTicket
	Skip   *triage.ImportReason
}

// Options configures a read.
type Options struct {
	// Mapping is what a mapping file says: value mappings that override
	// the format's defaults, the category rule and, for the generic
	// formats, which column holds what.
	Mapping
	// StartAt resumes an import: records before this index are read but
	// neither yielded nor checked.
	StartAt int
}

// Read returns the records of an export in the order it holds them. The
// sequence ends after the last record, or with one non-nil error when the
// input cannot be read on (an I/O error, a JSON document broken in a way
// that hides where the next ticket starts, a mapping that is wrong); the
// error names the line. Bad records are Skip records, not errors.
func Read(ctx context.Context, r io.Reader, f Format, opt Options) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		cfg, err := opt.compile(f)
		if err != nil {
			yield(Record{}, err)
			return
		}
		e := &emitter{ctx: ctx, yield: yield, start: opt.StartAt, cfg: cfg}
		switch f {
		case FormatZendesk:
			err = readZendesk(r, e)
		case FormatZammad:
			err = readZammad(r, e)
		case FormatFreshdesk:
			err = readFreshdesk(r, e)
		case FormatCSV:
			err = readGenericCSV(r, e)
		case FormatJSONL:
			err = readGenericJSONL(r, e)
		}
		if err != nil && !e.stopped {
			e.stopped = true
			yield(Record{}, err)
		}
	}
}

// emitter hands records to the caller: it numbers them, skips those before
// the resume point, cleans tickets and stops when the caller or the context
// says so.
type emitter struct {
	ctx     context.Context
	yield   func(Record, error) bool
	start   int
	next    int
	cfg     *config
	stopped bool
}

// errStop ends a reader's loop when the caller stopped; it never reaches
// the caller.
type errStop struct{}

func (errStop) Error() string { return "stopped" }

// ticket emits a ticket, or the reason it is skipped when Clean refuses it.
func (e *emitter) ticket(pos triage.ImportPosition, t *triage.ImportedTicket) error {
	return e.emit(pos, t, nil)
}

// skip emits a skipped record.
func (e *emitter) skip(pos triage.ImportPosition, code triage.ImportReasonCode, kv ...string) error {
	r := triage.NewImportReason(code, kv...)
	return e.emit(pos, nil, &r)
}

func (e *emitter) emit(pos triage.ImportPosition, t *triage.ImportedTicket, skip *triage.ImportReason) error {
	if e.stopped {
		return errStop{}
	}
	pos.Record = e.next
	e.next++
	if pos.Record < e.start {
		return nil
	}
	if err := e.ctx.Err(); err != nil {
		e.stopped = true
		e.yield(Record{}, err)
		return errStop{}
	}
	if skip == nil {
		if s := t.Clean(); s != nil {
			skip = s
		}
	}
	rec := Record{Pos: pos, Ticket: t, Skip: skip}
	if skip != nil {
		rec.Ticket = nil
	}
	if !e.yield(rec, nil) {
		e.stopped = true
		return errStop{}
	}
	return nil
}

// done reports whether err only says the caller stopped.
func done(err error) error {
	if _, ok := err.(errStop); ok {
		return nil
	}
	return err
}

// splitList splits a list held in one text (tags in a CSV cell) on any of
// seps, trimming and dropping empty parts.
func splitList(s, seps string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
