package mail

import "strings"

// dropNUL removes NUL characters from every text of m. A mail may carry
// them (a broken client, a hostile sender); PostgreSQL cannot store them
// in text and SQLite can, so they are dropped here, once, for both
// stores and every way a mail comes in (the MTA pipe, POST
// /v1/mail/inbound, IMAP). A NUL is never a character a person wrote,
// so nothing readable is lost; the raw message and attachments' bytes
// are kept as they are, and the mail's Problems say what was dropped.
func dropNUL(m *Message) {
	n := 0
	clean := func(s *string) {
		if strings.IndexByte(*s, 0) >= 0 {
			n += strings.Count(*s, "\x00")
			*s = strings.ReplaceAll(*s, "\x00", "")
		}
	}
	cleanAll := func(ss []string) {
		for i := range ss {
			clean(&ss[i])
		}
	}
	cleanAddrs := func(as []Address) {
		for i := range as {
			clean(&as[i].Name)
			clean(&as[i].Email)
		}
	}
	clean(&m.MessageID)
	cleanAll(m.InReplyTo)
	cleanAll(m.References)
	clean(&m.From.Name)
	clean(&m.From.Email)
	cleanAddrs(m.ReplyTo)
	cleanAddrs(m.To)
	cleanAddrs(m.Cc)
	clean(&m.Subject)
	clean(&m.Topic)
	clean(&m.TicketRef)
	clean(&m.Text)
	clean(&m.FullText)
	clean(&m.HTML)
	clean(&m.AutoDetail)
	for i := range m.Attachments {
		a := &m.Attachments[i]
		clean(&a.Filename)
		clean(&a.ContentType)
		clean(&a.ContentID)
	}
	if b := m.Bounce; b != nil {
		cleanAll(b.Recipients)
		clean(&b.Status)
		clean(&b.Diagnostic)
		clean(&b.OriginalMessageID)
	}
	cleanAll(m.Problems)
	if n > 0 {
		m.Problems = append(m.Problems, "NUL characters removed from the mail's texts")
	}
}
