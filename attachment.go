package triage

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Attachment is a file that came with a ticket or a comment, by any
// channel: uploaded with an agent's reply or through the API, or a part
// of a customer's mail (an attachment proper, or an image the HTML body
// shows inline through cid:). Its bytes are a blob, kept once per
// content (SHA256) however many attachments share them.
type Attachment struct {
	ID       string `json:"id"`
	TicketID string `json:"ticket_id"`
	// CommentID is the comment the file came with, or "" for the
	// ticket's first message.
	CommentID string `json:"comment_id"`
	// Name is the file name as the sender gave it, without directories.
	Name string `json:"name"`
	// ContentType is sniffed from the content when it is stored, never
	// taken from the sender alone (desk.SniffContentType).
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	// ContentID is the Content-ID of an image an HTML mail shows inline
	// (cid:ContentID); Inline marks such an image, shown in the original
	// mail rather than listed.
	ContentID string    `json:"content_id,omitempty"`
	Inline    bool      `json:"inline"`
	CreatedAt time.Time `json:"created_at"`
}

// NewAttachment is a file to store with a new ticket or comment. In JSON
// Data is base64 (standard alphabet, with padding), as encoding/json
// writes a byte slice.
type NewAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
	// ContentID and Inline come from mail only.
	ContentID string `json:"-"`
	Inline    bool   `json:"-"`
}

// Limits on attachments: per file, per message (a ticket's first message
// or one comment) in number and in total. 25 MiB is what the common
// Chinese mail services (QQ邮箱, 网易, 阿里) let a mail carry.
const (
	MaxAttachmentBytes      = 25 << 20
	MaxAttachments          = 20
	MaxAttachmentTotalBytes = 50 << 20
	MaxAttachmentNameRunes  = 200
)

// BlobSHA256 is the key of a blob: the hex SHA-256 of its content.
func BlobSHA256(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// ValidBlobKey reports whether s is a key BlobSHA256 could have made; a
// store never builds a file path from anything else.
func ValidBlobKey(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// CheckAttachments checks the files of one message against the limits:
// EINVALID for an empty file or a bad name, ETOOLARGE for a file or a
// total over the limits, naming the field (attachments[i]) and the file.
// It cleans each name in place.
func CheckAttachments(field string, atts []NewAttachment) error {
	if len(atts) > MaxAttachments {
		return Invalid(field, "%s has %d files; at most %d may come with one message", field, len(atts), MaxAttachments)
	}
	var total int64
	for i := range atts {
		a := &atts[i]
		f := fmt.Sprintf("%s[%d]", field, i)
		a.Name = CleanFileName(a.Name)
		switch {
		case a.Name == "":
			return Invalid(f+".name", "%s.name is required", f)
		case len(a.Data) == 0:
			return Invalid(f+".data", "%s (%s) is empty", f, a.Name)
		case len(a.Data) > MaxAttachmentBytes:
			return &Error{Code: ETOOLARGE, Field: f, Message: fmt.Sprintf("%s is %d bytes; a file may have at most %d (%d MiB)", a.Name, len(a.Data), MaxAttachmentBytes, MaxAttachmentBytes>>20)}
		case utf8.RuneCountInString(a.ContentType) > 200:
			return Invalid(f+".content_type", "%s.content_type is too long", f)
		}
		total += int64(len(a.Data))
	}
	if total > MaxAttachmentTotalBytes {
		return &Error{Code: ETOOLARGE, Field: field, Message: fmt.Sprintf("the files add up to %d bytes; one message may carry at most %d (%d MiB)", total, MaxAttachmentTotalBytes, MaxAttachmentTotalBytes>>20)}
	}
	return nil
}

// CleanFileName makes a file name safe to store and to offer for
// download: the base name only, no control characters, no leading dots,
// at most MaxAttachmentNameRunes characters (the extension kept).
func CleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' || r == '"' || r == 0x7f {
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if name == "" || name == "/" {
		return ""
	}
	if utf8.RuneCountInString(name) > MaxAttachmentNameRunes {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 20 {
			ext = ""
		}
		r := []rune(strings.TrimSuffix(name, ext))
		name = string(r[:MaxAttachmentNameRunes-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}

// AsStored makes a what a store returns for it (see Agent.AsStored).
func (a *Attachment) AsStored() { a.CreatedAt = StoreTime(a.CreatedAt) }
