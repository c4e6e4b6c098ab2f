package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/triagehq/triage"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// csvRow is one data row of a CSV file with its header.
type csvRow struct {
	header *csvHeader
	cells  []string
	pos    triage.ImportPosition
}

// csvHeader finds columns by name: exactly, then ignoring case and space.
type csvHeader struct {
	names []string
	index map[string]int
}

func newHeader(names []string) *csvHeader {
	h := &csvHeader{names: names, index: make(map[string]int, 2*len(names))}
	for i, n := range names {
		n = strings.TrimSpace(n)
		if _, ok := h.index[n]; !ok {
			h.index[n] = i
		}
		if _, ok := h.index[fold(n)]; !ok {
			h.index[fold(n)] = i
		}
	}
	return h
}

// col returns the index of a column, or -1.
func (h *csvHeader) col(name string) int {
	if i, ok := h.index[strings.TrimSpace(name)]; ok {
		return i
	}
	if i, ok := h.index[fold(name)]; ok {
		return i
	}
	return -1
}

func (r csvRow) at(i int) string {
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// readCSV reads a CSV export: the header, then each row handed to row with
// its position. A row that is not valid CSV, has another number of cells
// than the header or is not UTF-8 is skipped with its line, and reading
// goes on.
func readCSV(r io.Reader, e *emitter, header func(*csvHeader) error, row func(csvRow) error) error {
	c := e.cfg
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	var in io.Reader = br
	if c.gb18030 {
		in = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(in)
	cr.Comma = c.delimiter
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	names, err := cr.Read()
	if err == io.EOF {
		return nil
	} else if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return errorf(pe.Line, "the header is not valid CSV: %v", pe.Err)
		}
		return err
	}
	h := newHeader(append([]string(nil), names...))
	if err := header(h); err != nil {
		return err
	}
	for {
		offset := cr.InputOffset()
		if c.gb18030 {
			offset = -1 // offsets are in decoded text, not in the file
		}
		cells, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return err
			}
			p := triage.ImportPosition{Line: pe.StartLine, Offset: offset}
			args := []string{"error", pe.Err.Error()}
			if pe.Line > pe.StartLine {
				args = append(args, "to_line", strconv.Itoa(pe.Line))
			}
			if err := e.skip(p, triage.ImportBadLine, args...); err != nil {
				return err
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		p := triage.ImportPosition{Line: line, Offset: offset}
		if len(cells) != len(h.names) {
			if len(cells) == 1 && strings.TrimSpace(cells[0]) == "" {
				continue // a line of spaces is no record
			}
			if err := e.skip(p, triage.ImportWrongColumns, "got", strconv.Itoa(len(cells)), "want", strconv.Itoa(len(h.names))); err != nil {
				return err
			}
			continue
		}
		if !allUTF8(cells) {
			if err := e.skip(p, triage.ImportBadEncoding, "hint", "the file is not UTF-8; if Excel saved it on Chinese Windows, set \"encoding\": \"gb18030\""); err != nil {
				return err
			}
			continue
		}
		if err := row(csvRow{header: h, cells: cells, pos: p}); err != nil {
			return err
		}
	}
}

func allUTF8(cells []string) bool {
	for _, c := range cells {
		if !utf8.ValidString(c) {
			return false
		}
	}
	return true
}
