package desk

import (
	"context"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// JobPruneBlobs removes stored content nothing refers to (what a crash
// or a rolled-back write left behind) and schedules itself a day later.
const JobPruneBlobs triage.JobKind[triage.NoArgs] = "blobs.prune"

// blobGrace is how old unreferenced content must be before a prune
// removes it: far longer than any write transaction lives.
const blobGrace = time.Hour

// Jobs are the jobs the desk does.
func (s *Service) Jobs() []triage.JobSpec {
	return []triage.JobSpec{JobPruneBlobs.Handle(s.pruneBlobs)}
}

// SchedulePruneBlobs queues the prune at at; one waits at any time.
func (s *Service) SchedulePruneBlobs(ctx context.Context, at time.Time) error {
	if s.Queue == nil {
		return nil
	}
	j, err := JobPruneBlobs.Job(triage.NoArgs{})
	if err != nil {
		return err
	}
	j.UniqueKey, j.RunAt = string(JobPruneBlobs), at
	return s.Queue.Insert(ctx, j)
}

func (s *Service) pruneBlobs(ctx context.Context, _ triage.NoArgs) error {
	if _, err := s.PruneBlobs(ctx); err != nil {
		return err
	}
	return s.SchedulePruneBlobs(ctx, s.now().Add(24*time.Hour))
}

// PruneBlobs removes content that nothing refers to and that is older
// than an hour, and returns how many blobs went.
func (s *Service) PruneBlobs(ctx context.Context) (int, error) {
	var n int
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		var err error
		n, err = tx.PruneBlobs(ctx, s.now().Add(-blobGrace))
		return err
	})
	if n > 0 && s.Log != nil {
		s.Log.Info("removed stored content nothing refers to", "blobs", n)
	}
	return n, err
}

// safeTypes are the content types a download may be served as. Anything
// else, HTML and SVG first (they run script in a browser), is served as
// application/octet-stream.
var safeTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/bmp": true,
	"application/pdf": true, "text/plain": true, "application/zip": true, "application/x-gzip": true,
	"audio/mpeg": true, "audio/wave": true, "video/mp4": true, "video/webm": true, "audio/ogg": true,
	"application/msword": true, "application/vnd.ms-excel": true, "application/vnd.ms-powerpoint": true,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   true,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         true,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": true,
	"text/csv": true,
}

// SniffContentType decides what a file is from its content (the sender's
// claim and the name only tell apart formats that share a signature, such
// as Office files inside a zip) and never answers with a type a browser
// would run: an HTML page sent as a "picture" is application/octet-stream.
func SniffContentType(name, declared string, data []byte) string {
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(data))
	byName := ""
	if ext := strings.ToLower(path.Ext(name)); ext != "" {
		byName, _, _ = mime.ParseMediaType(mime.TypeByExtension(ext))
	}
	declared, _, _ = mime.ParseMediaType(declared)
	switch {
	case strings.HasPrefix(sniffed, "image/") || sniffed == "application/pdf" || strings.HasPrefix(sniffed, "audio/") || strings.HasPrefix(sniffed, "video/"):
		if safeTypes[sniffed] {
			return sniffed
		}
	case sniffed == "application/zip":
		// docx, xlsx and pptx are zips: trust the name or the claim for
		// those, since both are still downloads.
		for _, t := range []string{byName, declared} {
			if strings.HasPrefix(t, "application/vnd.openxmlformats-officedocument.") && safeTypes[t] {
				return t
			}
		}
		return sniffed
	case sniffed == "text/plain; charset=utf-8" || strings.HasPrefix(sniffed, "text/plain"):
		if byName == "text/csv" || declared == "text/csv" {
			return "text/csv"
		}
		return "text/plain"
	case sniffed == "application/octet-stream":
		// Formats without a signature the sniffer knows (old Office files,
		// for one) keep a safe type their name or claim gives.
		for _, t := range []string{byName, declared} {
			if safeTypes[t] && !strings.HasPrefix(t, "image/") && !strings.HasPrefix(t, "text/") {
				return t
			}
		}
	case safeTypes[sniffed]:
		return sniffed
	}
	return "application/octet-stream"
}

// IsImage reports whether an attachment may be shown as a picture.
func IsImage(contentType string) bool {
	switch contentType {
	case "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp":
		return true
	}
	return false
}

// saveAttachments stores the files of a ticket's first message (commentID
// "") or of a comment, in tx.
func (s *Service) saveAttachments(ctx context.Context, tx triage.Tx, ticketID, commentID string, in []triage.NewAttachment) ([]*triage.Attachment, error) {
	out := make([]*triage.Attachment, 0, len(in))
	for _, f := range in {
		sha, err := tx.PutBlob(ctx, f.Data)
		if err != nil {
			return nil, err
		}
		a := &triage.Attachment{ID: triage.NewID(), TicketID: ticketID, CommentID: commentID, Name: f.Name,
			ContentType: SniffContentType(f.Name, f.ContentType, f.Data), SHA256: sha, ContentID: f.ContentID, Inline: f.Inline, CreatedAt: s.now()}
		if err := tx.AddAttachment(ctx, a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Attachment returns one attachment and its content.
func (s *Service) Attachment(ctx context.Context, id string) (*triage.Attachment, []byte, error) {
	a, err := s.Store.Attachment(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	b, err := s.Store.Blob(ctx, a.SHA256)
	if err != nil {
		return nil, nil, err
	}
	return a, b, nil
}
