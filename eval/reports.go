package eval

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// Reports is a read-mostly store of saved reports: files in one directory
// (<data>/reports), <id>.json with the report and <id>.html beside it.
// Files rather than database rows because a report is written by a CLI
// run that may not have the store open, is read whole, and should be easy
// to copy off the machine.
type Reports struct {
	Dir string
}

// ReportInfo lists one saved report.
type ReportInfo struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	// Titles is Title in each language the UI speaks, by tag (zh-CN, en).
	Titles map[Lang]string `json:"titles"`
	// SavedAt is the JSON file's modification time.
	SavedAt time.Time `json:"saved_at"`
	HTML    bool      `json:"html"`
	// Headline holds the report's headline metrics by path (e.g.
	// "hybrid.recall@5"), for a list to show without opening each.
	Headline map[string]float64 `json:"headline"`
}

// reportID keeps ids to characters that are safe in a file name and a URL
// path, and leaves out '.', so "{id}.html" is never ambiguous.
var reportID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$`)

func checkID(id string) error {
	if !reportID.MatchString(id) {
		return triage.Invalid("id", "a report id is 1 to 128 letters, digits, '-' or '_', got %q", id)
	}
	return nil
}

// NewReportID names a report saved at t: sortable by time, then kind and
// set name.
func NewReportID(t time.Time, kind, name string) string {
	var b strings.Builder
	b.WriteString(t.UTC().Format("20060102T150405Z"))
	for _, part := range []string{kind, name} {
		clean := strings.Map(func(r rune) rune {
			if r < 128 && (r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return r
			}
			return '_'
		}, part)
		if clean != "" {
			b.WriteString("-" + clean)
		}
	}
	id := b.String()
	return id[:min(len(id), 128)]
}

// List returns the saved reports, newest first (by id, which starts with
// the time). A missing directory is an empty list. Files that are not
// reports are skipped, so a stray file cannot break the listing.
func (r Reports) List() ([]ReportInfo, error) {
	entries, err := os.ReadDir(r.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return []ReportInfo{}, nil
	} else if err != nil {
		return nil, err
	}
	out := []ReportInfo{}
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() || checkID(id) != nil {
			continue
		}
		info, err := r.info(id)
		if err != nil {
			continue
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b ReportInfo) int { return cmp.Compare(b.ID, a.ID) })
	return out, nil
}

func (r Reports) info(id string) (ReportInfo, error) {
	path := filepath.Join(r.Dir, id+".json")
	st, err := os.Stat(path)
	if err != nil {
		return ReportInfo{}, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ReportInfo{}, err
	}
	d, err := DecodeReport(id+".json", b)
	if err != nil {
		return ReportInfo{}, err
	}
	m, err := Metrics(b)
	if err != nil {
		return ReportInfo{}, err
	}
	info := ReportInfo{ID: id, Kind: d.Kind, Title: d.Title(), SavedAt: st.ModTime().UTC(), Headline: map[string]float64{},
		Titles: map[Lang]string{LangZH: d.TitleIn(LangZH), LangEN: d.TitleIn(LangEN)}}
	for k, v := range m {
		if IsHeadline(k) {
			info.Headline[k] = v
		}
	}
	_, err = os.Stat(filepath.Join(r.Dir, id+".html"))
	info.HTML = err == nil
	return info, nil
}

// Info describes one saved report; ENOTFOUND when there is none.
func (r Reports) Info(id string) (ReportInfo, error) {
	if err := checkID(id); err != nil {
		return ReportInfo{}, err
	}
	info, err := r.info(id)
	if errors.Is(err, fs.ErrNotExist) {
		return ReportInfo{}, triage.Errorf(triage.ENOTFOUND, "report %s not found", id)
	}
	return info, err
}

// JSON returns a saved report as written.
func (r Reports) JSON(id string) ([]byte, error) { return r.read(id, ".json") }

// HTML returns a saved report's HTML page.
func (r Reports) HTML(id string) ([]byte, error) { return r.read(id, ".html") }

func (r Reports) read(id, ext string) ([]byte, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(r.Dir, id+ext))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, triage.Errorf(triage.ENOTFOUND, "report %s%s not found", id, ext)
	}
	return b, err
}

// Save writes a report and its page (html may be nil). Each file is
// written to a temporary name and renamed, so a reader never sees half a
// report; the JSON goes last because its presence is what lists the
// report.
func (r Reports) Save(id string, jsonReport, html []byte) error {
	if err := checkID(id); err != nil {
		return err
	}
	if _, err := DecodeReport(id+".json", jsonReport); err != nil {
		return err
	}
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return err
	}
	if html != nil {
		if err := writeAtomic(filepath.Join(r.Dir, id+".html"), html); err != nil {
			return err
		}
	}
	return writeAtomic(filepath.Join(r.Dir, id+".json"), jsonReport)
}

func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}
