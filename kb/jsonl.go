package kb

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// ImportBatch is how many articles one import transaction writes: large
// enough to amortise a commit, small enough not to hold the embedded
// store's one writer for long.
const ImportBatch = 200

// SourceTagPrefix starts the tag that remembers which line of an imported
// file an article came from ("src:<id>"), so that importing the file again
// updates the articles instead of duplicating them.
const SourceTagPrefix = "src:"

// maxImportLine bounds one line of an import: the largest body, JSON-escaped
// (a \u escape is six bytes for three), with room for the other fields.
const maxImportLine = 2*triage.MaxArticleBodyBytes + 64<<10

// ImportOptions tunes Import.
type ImportOptions struct {
	// Status is given to new articles whose line names none; "" means
	// published, since an import is usually an existing, reviewed KB.
	Status triage.ArticleStatus
	// Progress, when set, is called with the number of lines written
	// after each committed batch, and with 0 before the first.
	Progress func(done, total int)
}

// ImportResult counts what an import did.
type ImportResult struct {
	Lines     int `json:"lines"` // articles in the file
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// importLine is one line of an import file: the schema of the shared
// evaluation data ({"id","title","body"}) with optional category, tags and
// status, and the extra fields Export writes, which are ignored.
type importLine struct {
	ID        string               `json:"id"`
	Title     string               `json:"title"`
	Body      string               `json:"body"`
	Category  string               `json:"category"`
	Tags      []string             `json:"tags"`
	Status    triage.ArticleStatus `json:"status"`
	Version   json.RawMessage      `json:"version"`
	UpdatedAt json.RawMessage      `json:"updated_at"`
}

// imported is a line that passed its checks.
type imported struct {
	line   int
	srcTag string
	a      triage.Article // title, body, category and tags, normalised
	status triage.ArticleStatus
	target string // the existing article it updates, or ""
}

// Import creates or updates one article per line of a JSON Lines file.
// A line's "id" is kept as the tag "src:<id>"; an article that carries it,
// or whose own id it is (a file made by Export), is updated instead of
// duplicated: the file wins for title, body, category and tags, and the
// article keeps its status unless the line names one, so that an article
// archived since the last import is not published again.
//
// The whole file is checked before anything is written, so a bad line
// (an *triage.Error EINVALID whose message starts "line N:") imports
// nothing. The articles are then written in transactions of ImportBatch;
// if the store fails part way, the batches before stay committed, and the
// result counts them.
func (s *Service) Import(ctx context.Context, r io.Reader, opts ImportOptions) (ImportResult, error) {
	var res ImportResult
	if err := authorize(triage.PrincipalFromContext(ctx), nil, change{bulk: true}); err != nil {
		return res, err
	}
	if opts.Status == "" {
		opts.Status = triage.ArticlePublished
	} else if !opts.Status.Valid() {
		return res, triage.Invalid("status", "status %q is not one of %s", opts.Status, joinStatuses(triage.ArticleStatuses()))
	}
	lines, err := readImport(r)
	if err != nil {
		return res, err
	}
	res.Lines = len(lines)
	if err := s.matchExisting(ctx, lines); err != nil {
		return res, err
	}
	if opts.Progress != nil {
		opts.Progress(0, len(lines))
	}
	for lo := 0; lo < len(lines); lo += ImportBatch {
		batch := lines[lo:min(lo+ImportBatch, len(lines))]
		counts, err := write(ctx, s, nil, func(tx triage.Tx) (ImportResult, error) {
			var c ImportResult
			for _, in := range batch {
				if err := s.importOne(ctx, tx, in, opts.Status, &c); err != nil {
					return c, err
				}
			}
			return c, nil
		})
		if err != nil {
			return res, err
		}
		res.Created += counts.Created
		res.Updated += counts.Updated
		res.Unchanged += counts.Unchanged
		if opts.Progress != nil {
			opts.Progress(lo+len(batch), len(lines))
		}
	}
	return res, nil
}

// lineError is the error of a bad line.
func lineError(n int, err error) error {
	var e *triage.Error
	if errors.As(err, &e) {
		c := *e
		c.Code, c.Message = triage.EINVALID, fmt.Sprintf("line %d: %s", n, e.Message)
		return &c
	}
	return &triage.Error{Code: triage.EINVALID, Message: fmt.Sprintf("line %d: %v", n, err)}
}

// readImport reads and checks every line of an import file.
func readImport(r io.Reader) ([]*imported, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxImportLine)
	var out []*imported
	seen := map[string]int{} // source tag → line
	n := 0
	for sc.Scan() {
		n++
		b := bytes.TrimSpace(sc.Bytes())
		if n == 1 {
			b = bytes.TrimPrefix(b, []byte("\uFEFF"))
		}
		if len(b) == 0 {
			continue
		}
		in, err := parseImportLine(b)
		if err != nil {
			return nil, lineError(n, err)
		}
		in.line = n
		if first, ok := seen[in.srcTag]; ok {
			return nil, lineError(n, triage.Invalid("id", "id %q repeats line %d (ids are compared without case)", strings.TrimPrefix(in.srcTag, SourceTagPrefix), first))
		}
		seen[in.srcTag] = n
		out = append(out, in)
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return nil, lineError(n+1, triage.Errorf(triage.EINVALID, "the line is longer than %d bytes", maxImportLine))
	} else if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func parseImportLine(b []byte) (*imported, error) {
	if !utf8.Valid(b) {
		// encoding/json would quietly turn a GB18030 file into U+FFFD.
		return nil, triage.Invalid("", "the line is not UTF-8 text; convert the file first, e.g. iconv -f GB18030 -t UTF-8")
	}
	var l importLine
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("not a JSON object of an article: %v", err)
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value; put one article on each line")
	}
	l.ID = strings.TrimSpace(l.ID)
	if l.ID == "" {
		return nil, triage.Invalid("id", "id is required: it is how a second import recognises the article")
	}
	src, err := triage.CleanTags("id", []string{SourceTagPrefix + l.ID})
	if err != nil {
		return nil, triage.Invalid("id", "id %q cannot be kept as a tag: use at most %d letters, digits and _-.:/", l.ID, triage.MaxTagRunes-len(SourceTagPrefix))
	}
	if l.Status != "" && !l.Status.Valid() {
		return nil, triage.Invalid("status", "status %q is not one of %s", l.Status, joinStatuses(triage.ArticleStatuses()))
	}
	in := &imported{srcTag: src[0], status: l.Status}
	in.a = triage.Article{ID: l.ID, Title: l.Title, Body: l.Body, Category: l.Category, Tags: l.Tags}
	if err := triage.ValidateArticle(&in.a); err != nil {
		return nil, err
	}
	return in, nil
}

// matchExisting finds the article each line updates, if any, adds the
// source tag, and refuses a line whose status the article cannot move to,
// all before anything is written.
//
// It reads every article once: a filter by tag would need a query of its
// own in both stores, and an import is rare and reads the whole file too.
func (s *Service) matchExisting(ctx context.Context, lines []*imported) error {
	byID := map[string]*triage.Article{}
	bySrc := map[string]*triage.Article{}
	f := triage.ArticleFilter{Limit: triage.MaxPageSize}
	for {
		page, next, err := s.Store.Articles(ctx, f)
		if err != nil {
			return err
		}
		for _, a := range page {
			byID[a.ID] = a
			for _, t := range a.Tags {
				if strings.HasPrefix(t, SourceTagPrefix) {
					bySrc[t] = a
				}
			}
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	claimed := map[string]int{} // article → line
	for _, in := range lines {
		a, ok := byID[in.a.ID]
		if ok {
			in.srcTag = "" // the article's own id; no tag needed
		} else {
			a, ok = bySrc[in.srcTag]
		}
		if in.srcTag != "" && !slices.Contains(in.a.Tags, in.srcTag) {
			tags, err := triage.CleanTags("tags", append(slices.Clone(in.a.Tags), in.srcTag))
			if err != nil {
				return lineError(in.line, triage.Invalid("tags", "the line has %d tags, and the import adds its own %s tag; at most %d are allowed", len(in.a.Tags), SourceTagPrefix, triage.MaxTags))
			}
			in.a.Tags = tags
		}
		if !ok {
			continue
		}
		if first, dup := claimed[a.ID]; dup {
			return lineError(in.line, triage.Invalid("id", "id %q names article %s, which line %d already imports", in.a.ID, a.ID, first))
		}
		claimed[a.ID] = in.line
		in.target = a.ID
		if in.status != "" && in.status != a.Status {
			if err := checkMove(a.Status, in.status); err != nil {
				return lineError(in.line, err)
			}
		}
	}
	return nil
}

// importOne writes one line inside a batch's transaction.
func (s *Service) importOne(ctx context.Context, tx triage.Tx, in *imported, status triage.ArticleStatus, c *ImportResult) error {
	tags := in.a.Tags
	if in.target != "" {
		a, err := tx.Article(ctx, in.target)
		if err != nil {
			return err
		}
		next := *a
		next.Title, next.Body, next.Category, next.Tags = in.a.Title, in.a.Body, in.a.Category, tags
		if err := triage.ValidateArticle(&next); err != nil {
			return lineError(in.line, err)
		}
		move := in.status != "" && in.status != a.Status
		if move {
			// Checked before the import began; checked again in case
			// the article moved since.
			if err := checkMove(a.Status, in.status); err != nil {
				return lineError(in.line, err)
			}
			next.Status = in.status
		}
		if !edited(a, &next) && !move {
			c.Unchanged++
			return nil
		}
		c.Updated++
		return s.save(ctx, tx, &next, a.Status, "", triage.Reasons{triage.NewReason(triage.ReasonArticleReimported)})
	}
	if in.status != "" {
		status = in.status
	}
	now := s.now()
	a := &triage.Article{
		ID:        triage.NewID(),
		Title:     in.a.Title,
		Body:      in.a.Body,
		Category:  in.a.Category,
		Tags:      tags,
		Status:    status,
		AuthorID:  triage.ActorFromContext(ctx),
		CreatedAt: now,
		UpdatedAt: now,
		Version:   1,
	}
	if err := triage.ValidateArticle(a); err != nil {
		return lineError(in.line, err)
	}
	if status == triage.ArticlePublished {
		a.PublishedAt = &now
	}
	if err := tx.CreateArticle(ctx, a); err != nil {
		return err
	}
	c.Created++
	return addVersion(ctx, tx, versionOf(a, a.AuthorID, "", triage.Reasons{triage.NewReason(triage.ReasonArticleImported)}))
}

// exportLine is one line of an export; Import reads it back.
type exportLine struct {
	ID        string               `json:"id"`
	Title     string               `json:"title"`
	Body      string               `json:"body"`
	Category  string               `json:"category"`
	Tags      []string             `json:"tags"`
	Status    triage.ArticleStatus `json:"status"`
	Version   int                  `json:"version"`
	UpdatedAt time.Time            `json:"updated_at"`
}

// Export writes every article the filter selects (its Cursor and Limit are
// ignored), most recently updated first, one JSON object a line, and
// returns how many it wrote.
func (s *Service) Export(ctx context.Context, w io.Writer, f triage.ArticleFilter) (int, error) {
	f.Cursor, f.Limit = "", triage.MaxPageSize
	if err := validateFilter(f); err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	n := 0
	for {
		page, next, err := s.Store.Articles(ctx, f)
		if err != nil {
			return n, err
		}
		for _, a := range page {
			l := exportLine{ID: a.ID, Title: a.Title, Body: a.Body, Category: a.Category, Tags: a.Tags, Status: a.Status, Version: a.Version, UpdatedAt: a.UpdatedAt}
			if err := enc.Encode(l); err != nil {
				return n, err
			}
			n++
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	return n, bw.Flush()
}
