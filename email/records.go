package email

import (
	"context"
	"encoding/base64"
	"regexp"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/mail"
)

// Messages lists mail records for admins, newest first: what came in and
// what it became (skipped mail with its reason included), what went out
// and how it stands.
func (s *Service) Messages(ctx context.Context, f triage.MailFilter) ([]*triage.MailMessage, string, error) {
	switch f.Direction {
	case "", triage.MailIn, triage.MailOut:
	default:
		return nil, "", &triage.Error{Code: triage.EINVALID, Field: "direction", Message: "direction must be in or out", Allowed: []string{triage.MailIn, triage.MailOut}}
	}
	for _, st := range f.Status {
		if !containsAny(st, triage.MailStatuses(triage.MailIn), triage.MailStatuses(triage.MailOut)) {
			return nil, "", triage.Invalid("status", "status %q is not one of imported, skipped, queued, sent, failed", st)
		}
	}
	if f.Limit < 0 || f.Limit > triage.MaxPageSize {
		return nil, "", triage.Invalid("limit", "limit must be between 1 and %d", triage.MaxPageSize)
	}
	return s.Store.MailMessages(ctx, f)
}

// TicketMail lists a ticket's mail records, oldest first.
func (s *Service) TicketMail(ctx context.Context, ticketID string) ([]*triage.MailMessage, error) {
	if _, err := s.Store.Ticket(ctx, ticketID); err != nil {
		return nil, err
	}
	return s.Store.TicketMail(ctx, ticketID)
}

// Message returns one mail record.
func (s *Service) Message(ctx context.Context, id string) (*triage.MailMessage, error) {
	return s.Store.MailMessage(ctx, id)
}

func containsAny(s string, lists ...[]string) bool {
	for _, l := range lists {
		for _, x := range l {
			if x == s {
				return true
			}
		}
	}
	return false
}

// Original is an inbound mail as it was written, for the "original mail"
// view: the whole text, quotes and signature included, and the HTML made
// safe, its inline images (cid:) turned into data: URLs so that the view
// needs nothing from anywhere.
type Original struct {
	ID       string         `json:"id"`
	From     mail.Address   `json:"from"`
	To       []mail.Address `json:"to"`
	Cc       []mail.Address `json:"cc,omitempty"`
	Subject  string         `json:"subject"`
	Date     time.Time      `json:"date"`
	Text     string         `json:"text"`
	HTML     string         `json:"html,omitempty"`
	Problems []string       `json:"problems,omitempty"`
}

// maxInlineImage bounds an image put into the original view as a data:
// URL; a larger one stays a broken cid: link (it is listed as a file).
const maxInlineImage = 2 << 20

var cidRe = regexp.MustCompile(`(?i)(["'(])cid:([^"')\s]+)`)

// Original reads a stored inbound mail.
func (s *Service) Original(ctx context.Context, id string) (*Original, error) {
	s.init()
	rec, err := s.Store.MailMessage(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec.Direction != triage.MailIn || rec.RawSHA256 == "" {
		return nil, triage.Errorf(triage.ENOTFOUND, "mail %s has no stored original", id)
	}
	raw, err := s.Store.Blob(ctx, rec.RawSHA256)
	if err != nil {
		return nil, err
	}
	m, err := s.Parser.Parse(raw)
	if err != nil {
		return nil, err
	}
	o := &Original{ID: rec.ID, From: m.From, To: m.To, Cc: m.Cc, Subject: m.Subject, Date: m.Date, Text: m.FullText, Problems: m.Problems}
	if m.HTML != "" {
		images := map[string]string{}
		for _, a := range m.Attachments {
			ct := desk.SniffContentType(a.Filename, a.ContentType, a.Content)
			if a.ContentID != "" && desk.IsImage(ct) && len(a.Content) <= maxInlineImage {
				images[strings.ToLower(a.ContentID)] = "data:" + ct + ";base64," + base64.StdEncoding.EncodeToString(a.Content)
			}
		}
		o.HTML = cidRe.ReplaceAllStringFunc(m.HTML, func(s string) string {
			sm := cidRe.FindStringSubmatch(s)
			if url, ok := images[strings.ToLower(sm[2])]; ok {
				return sm[1] + url
			}
			return s
		})
	}
	return o, nil
}
