package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jsonItem is one JSON value of an export and where it starts.
type jsonItem struct {
	raw    []byte
	line   int
	offset int64 // where reading could start again; -1 when it cannot
}

// maxLine bounds one line of JSON Lines: a ticket with thousands of
// comments fits, a runaway file does not exhaust memory.
const maxLine = 64 << 20

// readJSON calls item for each ticket-level JSON value of r: each line of
// JSON Lines, each top-level value of a document, and each element of a
// top-level array (streamed, so a large array is never held whole).
//
// JSON Lines is read line by line: a broken line goes to bad with its line
// number and reading goes on. A document is read by one streaming decoder,
// and a syntax error ends the read with an error naming the line, because
// after it nothing says where the next ticket starts.
func readJSON(r io.Reader, item func(jsonItem) error, bad func(line int, offset int64, err string) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	// The first non-blank line decides: a line that is a whole JSON value
	// (or looks like one broken object) means JSON Lines.
	var head bytes.Buffer
	line, offset := 0, int64(0)
	for {
		l, tooLong, err := readLine(br)
		if err != nil && err != io.EOF {
			return err
		}
		line++
		if tooLong {
			return errorf(line, "the first line is longer than %d MiB", maxLine>>20)
		}
		head.Write(l)
		t := bytes.TrimSpace(l)
		if len(t) == 0 {
			if err == io.EOF {
				return nil // empty input: nothing to import
			}
			offset += int64(len(l))
			continue
		}
		if json.Valid(t) || t[0] == '{' && t[len(t)-1] == '}' {
			return readJSONLines(br, l, line, offset, err == io.EOF, item, bad)
		}
		lc := &lineCounter{r: io.MultiReader(bytes.NewReader(head.Bytes()), br)}
		return readJSONDocument(lc, t[0] == '[', item)
	}
}

// readLine reads one line with its newline; a line past maxLine is read to
// its end and dropped.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		frag, e := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(frag) > maxLine {
				tooLong, line = true, nil
			} else {
				line = append(line, frag...)
			}
		}
		if e != bufio.ErrBufferFull {
			return line, tooLong, e
		}
	}
}

func readJSONLines(br *bufio.Reader, first []byte, line int, offset int64, eof bool, item func(jsonItem) error, bad func(int, int64, string) error) error {
	l := first
	for {
		if t := bytes.TrimSpace(l); len(t) > 0 {
			var err error
			switch {
			case !json.Valid(t):
				err = bad(line, offset, describeJSONError(t))
			case t[0] == '[':
				err = eachElement(jsonItem{raw: t, line: line, offset: -1}, item)
			default:
				err = item(jsonItem{raw: t, line: line, offset: offset})
			}
			if err != nil {
				return err
			}
		}
		if eof {
			return nil
		}
		offset += int64(len(l))
		var tooLong bool
		var err error
		l, tooLong, err = readLine(br)
		line++
		if err == io.EOF {
			eof = true
		} else if err != nil {
			return err
		}
		if tooLong {
			if err := bad(line, offset, "the line is longer than "+strconv.Itoa(maxLine>>20)+" MiB"); err != nil {
				return err
			}
			l = nil
		}
	}
}

// describeJSONError says what is wrong with a line that is not JSON.
func describeJSONError(b []byte) string {
	var v any
	err := json.Unmarshal(b, &v)
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		col := utf8.RuneCount(b[:min(max(syn.Offset, 0), int64(len(b)))]) + 1
		return "column " + strconv.Itoa(col) + ": " + syn.Error()
	}
	if err != nil {
		return err.Error()
	}
	return "not a JSON value"
}

// readJSONDocument reads a document of one or more JSON values. When the
// first is an array (Zammad's ticket list, tickets saved as an array), its
// elements are streamed one by one.
func readJSONDocument(lc *lineCounter, array bool, item func(jsonItem) error) error {
	dec := json.NewDecoder(lc)
	fail := func(err error) error {
		var syn *json.SyntaxError
		if !errors.As(err, &syn) && err != io.ErrUnexpectedEOF {
			return err
		}
		// The decoder's offsets are not where the error is when white
		// space precedes the value, so find it in what the decoder holds:
		// the broken value starts there, after a separator.
		base := dec.InputOffset()
		rest, _ := io.ReadAll(dec.Buffered())
		skip := len(rest) - len(bytes.TrimLeft(rest, " \t\r\n"))
		if skip < len(rest) && (rest[skip] == ',' || rest[skip] == ':') {
			skip++
			skip = len(rest) - len(bytes.TrimLeft(rest[skip:], " \t\r\n"))
		}
		off := base + int64(len(rest))
		var v any
		var where *json.SyntaxError
		if errors.As(json.Unmarshal(rest[skip:], &v), &where) && where.Offset > 0 {
			off = base + int64(skip) + where.Offset - 1
		}
		if syn == nil {
			return errorf(lc.lineAt(off), "the file ends inside a JSON value; it was cut short")
		}
		return errorf(lc.lineAt(off), "%s", syn.Error())
	}
	if array {
		if _, err := dec.Token(); err != nil {
			return fail(err)
		}
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return fail(err)
			}
			start := dec.InputOffset() - int64(len(raw))
			if err := item(jsonItem{raw: raw, line: lc.lineAt(start), offset: -1}); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return fail(err)
		}
	}
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return nil
		} else if err != nil {
			return fail(err)
		}
		start := dec.InputOffset() - int64(len(raw))
		it := jsonItem{raw: raw, line: lc.lineAt(start), offset: -1}
		var err error
		if raw[0] == '[' {
			err = eachElement(it, item)
		} else {
			err = item(it)
		}
		if err != nil {
			return err
		}
	}
}

// lineCounter counts the newlines of what a decoder reads, so that a byte
// offset the decoder reports can be named by its line. Offsets must be
// asked for in increasing order; only newlines not yet passed are kept.
type lineCounter struct {
	r    io.Reader
	n    int64   // bytes read
	nl   []int64 // offsets of newlines not yet passed
	line int     // newlines passed
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			c.nl = append(c.nl, c.n+int64(i))
		}
	}
	c.n += int64(n)
	return n, err
}

// lineAt returns the 1-based line of byte offset off.
func (c *lineCounter) lineAt(off int64) int {
	i := 0
	for i < len(c.nl) && c.nl[i] < off {
		i++
	}
	c.line += i
	c.nl = c.nl[i:]
	return c.line + 1
}

// eachMember calls fn for each member of a JSON object, with its line.
func eachMember(it jsonItem, fn func(key string, v jsonItem) error) error {
	dec := json.NewDecoder(bytes.NewReader(it.raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errorf(it.line, "expected a JSON object")
	}
	lt := rawLines{data: it.raw, line: it.line}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return errorf(it.line, "%v", err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return errorf(it.line, "%v", err)
		}
		if err := fn(key, jsonItem{raw: raw, line: lt.at(dec.InputOffset() - int64(len(raw))), offset: -1}); err != nil {
			return err
		}
	}
	return nil
}

// eachElement calls fn for each element of a JSON array, with its line.
func eachElement(it jsonItem, fn func(jsonItem) error) error {
	dec := json.NewDecoder(bytes.NewReader(it.raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return errorf(it.line, "expected a JSON array")
	}
	lt := rawLines{data: it.raw, line: it.line}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return errorf(it.line, "%v", err)
		}
		if err := fn(jsonItem{raw: raw, line: lt.at(dec.InputOffset() - int64(len(raw))), offset: -1}); err != nil {
			return err
		}
	}
	return nil
}

// rawLines names the lines of offsets into one value already in memory.
type rawLines struct {
	data []byte
	pos  int64
	line int
}

func (l *rawLines) at(off int64) int {
	if off > l.pos && off <= int64(len(l.data)) {
		l.line += bytes.Count(l.data[l.pos:off], []byte{'\n'})
		l.pos = off
	}
	return l.line
}

// flexID is an id written as a number or as a string; it keeps the digits
// as written, so 123 and "123" are the same id.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexID(strings.TrimSpace(s))
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = flexID(n.String())
	}
	return nil
}

// flexText is a value shown as text: a string as is, a number as written,
// true/false, a list joined with commas, null as empty. Custom fields hold
// any of these.
type flexText string

func (f *flexText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexText(s)
	case b[0] == '[':
		var list []flexText
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		parts := make([]string, 0, len(list))
		for _, v := range list {
			if v != "" {
				parts = append(parts, string(v))
			}
		}
		*f = flexText(strings.Join(parts, ","))
	case b[0] == '{':
		*f = flexText(b) // kept as JSON; nothing reads inside it
	default:
		*f = flexText(b) // a number, true or false as written
	}
	return nil
}

// unmarshalError turns a decoding error of one record into the args of a
// bad_value skip.
func unmarshalError(err error) []string {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		field := typ.Field
		if field == "" {
			field = "(record)"
		}
		return []string{"field", field, "value", typ.Value, "error", "must be " + typ.Type.String()}
	}
	return []string{"field", "(record)", "error", err.Error()}
}
