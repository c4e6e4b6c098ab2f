package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/triagehq/triage"
)

// Report kinds, the "kind" field every report carries.
const (
	KindClassify = "classify"
	KindRetrieve = "retrieve"
	KindLive     = "live"
	KindSuite    = "suite"
)

// KindDrafts is declared with its report in drafts.go.

// Suite is a combined report of several sets, each under its name: what
// the CI gate and bench runs produce, and what compare accepts like any
// single report.
type Suite struct {
	Kind string `json:"kind"` // "suite"
	// Sets holds each set's report as written (classify or retrieve).
	Sets map[string]json.RawMessage `json:"sets"`
}

// NewSuite combines reports under their names.
func NewSuite(reports map[string]any) (*Suite, error) {
	s := &Suite{Kind: KindSuite, Sets: map[string]json.RawMessage{}}
	for name, r := range reports {
		if name == "" || strings.ContainsAny(name, ". ") {
			return nil, triage.Invalid("name", "a set name must be non-empty without dots or spaces, got %q", name)
		}
		b, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		s.Sets[name] = b
	}
	return s, nil
}

// Decoded is a report read back from JSON: exactly one field is set.
type Decoded struct {
	Kind     string
	Classify *ClassifyReport
	Retrieve *RetrieveReport
	Live     *LiveReport
	Drafts   *DraftsReport
	Suite    *Suite
	// Raw is the JSON as read.
	Raw []byte
}

// DecodeReport reads a report of any kind. Errors name what is wrong with
// it; where names the file for the message.
func DecodeReport(where string, b []byte) (*Decoded, error) {
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, triage.Errorf(triage.EINVALID, "%s: not a JSON report: %s", where, jsonErr(b, err))
	}
	d := &Decoded{Kind: head.Kind, Raw: b}
	var target any
	switch head.Kind {
	case KindClassify:
		d.Classify = &ClassifyReport{}
		target = d.Classify
	case KindRetrieve:
		d.Retrieve = &RetrieveReport{}
		target = d.Retrieve
	case KindLive:
		d.Live = &LiveReport{}
		target = d.Live
	case KindDrafts:
		d.Drafts = &DraftsReport{}
		target = d.Drafts
	case KindSuite:
		d.Suite = &Suite{}
		target = d.Suite
	case "":
		return nil, triage.Errorf(triage.EINVALID, `%s: no "kind": not a triage eval report`, where)
	default:
		return nil, triage.Errorf(triage.EINVALID, "%s: unknown report kind %q", where, head.Kind)
	}
	if err := json.Unmarshal(b, target); err != nil {
		return nil, triage.Errorf(triage.EINVALID, "%s: a %s report with the wrong shape: %s", where, head.Kind, jsonErr(b, err))
	}
	if d.Suite != nil {
		for _, name := range sortedKeys(d.Suite.Sets) {
			sub, err := DecodeReport(where+": set "+name, d.Suite.Sets[name])
			if err != nil {
				return nil, err
			}
			if sub.Suite != nil {
				return nil, triage.Errorf(triage.EINVALID, "%s: set %s: a suite inside a suite", where, name)
			}
		}
	}
	return d, nil
}

// ReadReport reads and decodes a report file.
func ReadReport(path string) (*Decoded, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, triage.Errorf(triage.EINVALID, "%s: no such file", path)
	} else if err != nil {
		return nil, triage.Errorf(triage.EINVALID, "%s: %v", path, err)
	}
	return DecodeReport(path, b)
}

// jsonErr says where in b a decoding error is, as a line number, since a
// report is indented JSON that a person may have edited.
func jsonErr(b []byte, err error) string {
	var off int64 = -1
	switch e := err.(type) {
	case *json.SyntaxError:
		off = e.Offset
	case *json.UnmarshalTypeError:
		off = e.Offset
	}
	if off < 0 || off > int64(len(b)) {
		return err.Error()
	}
	line := 1 + bytes.Count(b[:off], []byte("\n"))
	return fmt.Sprintf("line %d: %v", line, err)
}

// Title is a one-line name for a report, for listings and page titles.
func (d *Decoded) Title() string {
	switch {
	case d.Classify != nil:
		return "分类评估 classify: " + nameOr(d.Classify.Name, d.Classify.TestFile)
	case d.Retrieve != nil:
		return "检索评估 retrieve: " + nameOr(d.Retrieve.Name, d.Retrieve.QueriesFile)
	case d.Live != nil:
		return "线上评估 live"
	case d.Drafts != nil:
		return "草稿检查 drafts: " + nameOr(d.Drafts.Name, d.Drafts.Source)
	case d.Suite != nil:
		return fmt.Sprintf("评估汇总 suite: %d sets", len(d.Suite.Sets))
	}
	return d.Kind
}

// TitleIn is Title with its words in one language (LangBoth: Title).
func (d *Decoded) TitleIn(l Lang) string {
	switch {
	case l == LangBoth:
		return d.Title()
	case d.Classify != nil:
		return l.say("分类评估：", "Classification: ") + nameOr(d.Classify.Name, d.Classify.TestFile)
	case d.Retrieve != nil:
		return l.say("检索评估：", "Retrieval: ") + nameOr(d.Retrieve.Name, d.Retrieve.QueriesFile)
	case d.Live != nil:
		return l.say("线上评估", "Live evaluation")
	case d.Drafts != nil:
		return l.say("草稿检查：", "Drafts: ") + nameOr(d.Drafts.Name, d.Drafts.Source)
	case d.Suite != nil:
		return l.sayf("评估汇总：%d 个数据集", "Suite: %d sets", len(d.Suite.Sets))
	}
	return d.Kind
}

func nameOr(name, file string) string {
	if name != "" {
		return name
	}
	return file
}

// SetName guesses a set's name from its file: the directory that holds
// it, as in ../shared/data/<set>/dev.jsonl.
func SetName(path string) string {
	path = strings.ReplaceAll(path, "\\", "/")
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) >= 2 && parts[len(parts)-2] != "." && parts[len(parts)-2] != ".." {
		return parts[len(parts)-2]
	}
	return strings.TrimSuffix(parts[len(parts)-1], ".jsonl")
}
