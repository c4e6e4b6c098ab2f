package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/triagehq/triage"
)

// Labelled is one example of a classification set.
type Labelled struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	Label string `json:"label"`
	// Line is where the example is in its file, for error messages and
	// for finding it again from a report.
	Line int `json:"line"`
}

// Article is one entry of a retrieval set's knowledge base.
type Article struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Query is one retrieval query with the ids of the articles that answer it.
type Query struct {
	ID       string   `json:"id"`
	Text     string   `json:"text"`
	Relevant []string `json:"relevant"`
	Line     int      `json:"line"`
}

// MaxLine bounds one JSON Lines record; the largest article of the shared
// sets is far below it.
const MaxLine = 16 << 20

// readLines calls fn with every non-blank line of a JSON Lines file and its
// number. Errors name the file and the line, because the person reading
// them has to fix that line.
func readLines(path string, fn func(line int, rec map[string]json.RawMessage) error) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return triage.Errorf(triage.EINVALID, "%s: no such file", path)
	} else if err != nil {
		return triage.Errorf(triage.EINVALID, "%s: %v", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	n, records := 0, 0
	for sc.Scan() {
		n++
		b := bytes.TrimSpace(sc.Bytes())
		if n == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a BOM from Windows editors
		}
		if len(b) == 0 {
			continue
		}
		records++
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(b, &rec); err != nil {
			return triage.Errorf(triage.EINVALID, "%s:%d: not a JSON object: %v", path, n, err)
		}
		if err := fn(n, rec); err != nil {
			return triage.Errorf(triage.EINVALID, "%s:%d: %s", path, n, triage.ErrorMessageOrText(err))
		}
	}
	if err := sc.Err(); err != nil {
		return triage.Errorf(triage.EINVALID, "%s:%d: %v", path, n+1, err)
	}
	if records == 0 {
		// Blank lines alone are as empty as no lines.
		return triage.Errorf(triage.EINVALID, "%s: the file is empty", path)
	}
	return nil
}

// str reads a string (or a number, for ids) field of a record.
func str(rec map[string]json.RawMessage, key string) (string, bool, error) {
	raw, ok := rec[key]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), true, nil
	}
	return "", false, fmt.Errorf("field %q must be a string", key)
}

// text reads "text", or "title" and "body" joined by a newline.
func text(rec map[string]json.RawMessage) (string, error) {
	if t, ok, err := str(rec, "text"); err != nil || ok {
		return t, err
	}
	title, ok1, err := str(rec, "title")
	if err != nil {
		return "", err
	}
	body, ok2, err := str(rec, "body")
	if err != nil {
		return "", err
	}
	if !ok1 && !ok2 {
		return "", errors.New(`no "text", "title" or "body" field`)
	}
	return strings.TrimSpace(title + "\n" + body), nil
}

// ReadLabelled reads a classification set: JSON Lines with "text" (or
// "title" and "body") and the label field.
func ReadLabelled(path, label string) ([]Labelled, error) {
	var out []Labelled
	err := readLines(path, func(line int, rec map[string]json.RawMessage) error {
		t, err := text(rec)
		if err != nil {
			return err
		}
		l, ok, err := str(rec, label)
		if err != nil {
			return err
		}
		if !ok || strings.TrimSpace(l) == "" {
			return fmt.Errorf("no %q label", label)
		}
		id, _, err := str(rec, "id")
		if err != nil {
			return err
		}
		if id == "" {
			id = strconv.Itoa(line)
		}
		out = append(out, Labelled{ID: id, Text: t, Label: strings.TrimSpace(l), Line: line})
		return nil
	})
	return out, err
}

// ReadArticles reads a knowledge base: JSON Lines with "id", "title" and
// "body".
func ReadArticles(path string) ([]Article, error) {
	var out []Article
	seen := map[string]int{}
	err := readLines(path, func(line int, rec map[string]json.RawMessage) error {
		id, ok, err := str(rec, "id")
		if err != nil {
			return err
		}
		if !ok || id == "" {
			return errors.New(`no "id"`)
		}
		if first, dup := seen[id]; dup {
			return fmt.Errorf("id %q already used on line %d", id, first)
		}
		seen[id] = line
		title, _, err := str(rec, "title")
		if err != nil {
			return err
		}
		body, _, err := str(rec, "body")
		if err != nil {
			return err
		}
		if strings.TrimSpace(title+body) == "" {
			return errors.New("both title and body are empty")
		}
		out = append(out, Article{ID: id, Title: title, Body: body})
		return nil
	})
	return out, err
}

// ReadQueries reads retrieval queries: JSON Lines with "id", "text" and
// "relevant" (a list of article ids).
func ReadQueries(path string) ([]Query, error) {
	var out []Query
	err := readLines(path, func(line int, rec map[string]json.RawMessage) error {
		id, _, err := str(rec, "id")
		if err != nil {
			return err
		}
		t, ok, err := str(rec, "text")
		if err != nil {
			return err
		}
		if !ok || strings.TrimSpace(t) == "" {
			return errors.New(`no "text"`)
		}
		var rel []string
		if raw, ok := rec["relevant"]; ok {
			if err := json.Unmarshal(raw, &rel); err != nil {
				return errors.New(`"relevant" must be a list of article ids`)
			}
		}
		if len(rel) == 0 {
			return errors.New(`"relevant" is missing or empty`)
		}
		if id == "" {
			id = strconv.Itoa(line)
		}
		out = append(out, Query{ID: id, Text: t, Relevant: rel, Line: line})
		return nil
	})
	return out, err
}
