package mail

import (
	"bytes"
	"fmt"
	"mime"
	"net/mail"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jhillyerd/enmime"
	"github.com/microcosm-cc/bluemonday"

	"github.com/triagehq/triage"
)

// Address is one mailbox of a From, To, Cc or Reply-To header.
type Address struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// String formats the address for a header, encoding the name as needed.
func (a Address) String() string {
	return (&mail.Address{Name: a.Name, Address: a.Email}).String()
}

// Attachment is one file of a message: an attachment proper, or an image
// that the HTML body shows inline through a cid: URL.
type Attachment struct {
	// Filename is decoded (RFC 2231 or 2047, any charset) and stripped of
	// directories; a part without a name gets one made from its type.
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	// ContentID is the part's Content-ID without angle brackets; the HTML
	// body refers to it as cid:ContentID.
	ContentID string `json:"content_id,omitempty"`
	// Inline marks a part shown inside the body rather than listed.
	Inline  bool   `json:"inline"`
	Size    int    `json:"size"`
	Content []byte `json:"-"`
}

// Message is one parsed inbound mail: what the desk needs to thread it, to
// decide whether it is a person writing, and to show it.
type Message struct {
	// MessageID, InReplyTo and References hold message IDs without angle
	// brackets.
	MessageID  string    `json:"message_id"`
	InReplyTo  []string  `json:"in_reply_to,omitempty"`
	References []string  `json:"references,omitempty"`
	From       Address   `json:"from"`
	ReplyTo    []Address `json:"reply_to,omitempty"`
	To         []Address `json:"to,omitempty"`
	Cc         []Address `json:"cc,omitempty"`
	// Subject is the decoded subject as sent; Topic is the same without
	// reply and forward prefixes (Re:, 回复：, 答复:, Fw:, 转发:) and without
	// the ticket reference, fit for a ticket title.
	Subject string `json:"subject"`
	Topic   string `json:"topic"`
	// TicketRef is the reference found in the subject as [#REF], or "".
	TicketRef string    `json:"ticket_ref,omitempty"`
	Date      time.Time `json:"date"`

	// Text is what the sender wrote in this mail: the quoted history and
	// the signature are removed. When nothing is left (a bare forward), it
	// is the whole text.
	Text string `json:"text"`
	// FullText is the whole text body, history included, for display.
	FullText string `json:"full_text"`
	// HTML is the HTML body made safe to show (bluemonday's UGC policy,
	// cid: image URLs kept), or "" for a text-only mail.
	HTML string `json:"html,omitempty"`
	// Quoted reports that Text had history or a signature removed.
	Quoted bool `json:"quoted"`
	// Truncated reports that a body was longer than the limits and cut.
	Truncated   bool         `json:"truncated"`
	Attachments []Attachment `json:"attachments,omitempty"`

	// Auto says whether a machine wrote the mail (auto-reply, bounce,
	// bulk); such mail must never open a ticket nor get an answer.
	Auto AutoKind `json:"auto,omitempty"`
	// AutoSignal is what gave it away, with the header value or subject
	// as its Detail.
	AutoSignal AutoSignal `json:"auto_signal,omitempty"`
	AutoDetail string     `json:"auto_detail,omitempty"`
	// Bounce holds the delivery report of a bounce, when it had one.
	Bounce *Bounce `json:"bounce,omitempty"`

	// Size is the raw message's length in bytes; Raw is the message as
	// received (not copied: Parse keeps the slice it was given).
	Size int    `json:"size"`
	Raw  []byte `json:"-"`
	// Problems lists what could not be read cleanly (bad base64, a broken
	// boundary, an unknown charset), for logs; the rest was read anyway.
	Problems []string `json:"problems,omitempty"`
}

// Requester is the sender as the root package's requester: Reply-To wins
// over From, as a person's mail client would answer it.
func (m *Message) Requester() triage.Requester {
	a := m.From
	if len(m.ReplyTo) > 0 && m.ReplyTo[0].Email != "" {
		a = m.ReplyTo[0]
	}
	name := a.Name
	if utf8.RuneCountInString(name) > triage.MaxNameRunes {
		name = string([]rune(name)[:triage.MaxNameRunes])
	}
	return triage.Requester{Name: name, Email: strings.ToLower(a.Email)}
}

// Limits bound what Parse returns, whatever the input.
type Limits struct {
	// MaxTextBytes bounds Text (default triage.MaxCommentSize).
	MaxTextBytes int
	// MaxFullBytes bounds FullText and HTML each (default 1 MiB).
	MaxFullBytes int
	// MaxAttachments bounds the number of attachments kept (default 100);
	// the rest are counted in Problems.
	MaxAttachments int
	// MaxParts bounds the MIME parts walked (default 1000).
	MaxParts int
}

func (l Limits) withDefaults() Limits {
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = triage.MaxCommentSize
	}
	if l.MaxFullBytes <= 0 {
		l.MaxFullBytes = 1 << 20
	}
	if l.MaxAttachments <= 0 {
		l.MaxAttachments = 100
	}
	if l.MaxParts <= 0 {
		l.MaxParts = 1000
	}
	return l
}

// Parser reads raw mail. It holds the HTML policy, which is built once;
// a Parser is safe for concurrent use.
type Parser struct {
	limits Limits
	policy *bluemonday.Policy
}

// NewParser returns a parser with the given limits (zero values take the
// defaults).
func NewParser(l Limits) *Parser {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto", "cid")
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return &Parser{limits: l.withDefaults(), policy: p}
}

// Parse reads one raw message. Malformed content never fails it: what
// could not be read is listed in Problems and the rest is kept. It fails
// only when raw holds no message header at all.
func (p *Parser) Parse(raw []byte) (*Message, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, triage.Invalid("message", "the message is empty")
	}
	m := &Message{Size: len(raw), Raw: raw}
	parser := enmime.NewParser(
		enmime.RawContent(true), // see decodeParts
		enmime.DisableCharacterDetection(true),
		enmime.DisableTextConversion(true),
		enmime.SkipMalformedParts(true),
		enmime.MaxStoredPartErrors(20),
	)
	root, err := parser.ReadParts(bytes.NewReader(raw))
	if err != nil {
		// The MIME structure is beyond repair: keep the headers we can
		// read and show the rest as text.
		m.Problems = append(m.Problems, "mime: "+err.Error())
		root = fallbackPart(raw)
		if root == nil {
			return nil, triage.Invalid("message", "the message has no readable header")
		}
	}
	m.Problems = append(m.Problems, decodeParts(root)...)
	p.readHeader(m, root)

	w := walker{limits: p.limits}
	text, html := w.body(root, 0)
	m.Attachments = w.attachments
	m.Problems = append(m.Problems, w.problems...)
	_ = root.DepthMatchAll(func(part *enmime.Part) bool {
		for _, e := range part.Errors {
			if len(m.Problems) < 50 {
				m.Problems = append(m.Problems, e.Error())
			}
		}
		return false
	})
	markInline(m.Attachments, html)

	var reply string
	if strings.TrimSpace(text) == "" && html != "" {
		text, reply = htmlToText(html)
		reply, _ = splitReply(reply)
	} else {
		text = normalizeText(text)
		reply, _ = splitReply(text)
	}
	m.FullText = p.cut(m, text, p.limits.MaxFullBytes)
	if reply == "" {
		reply = text
	}
	m.Quoted = reply != strings.TrimSpace(text)
	m.Text = p.cut(m, reply, p.limits.MaxTextBytes)
	if html != "" {
		m.HTML = p.cut(m, p.policy.Sanitize(html), p.limits.MaxFullBytes)
	}
	detectAuto(m, root)
	dropNUL(m)
	return m, nil
}

// cut shortens s to at most n bytes on a rune boundary and records it.
func (p *Parser) cut(m *Message, s string, n int) string {
	if len(s) <= n {
		return s
	}
	m.Truncated = true
	// The input is valid UTF-8, so only a rune split at the end can be
	// invalid.
	s = s[:n]
	return strings.ToValidUTF8(s, "")
}

// fallbackPart reads only the header block of a message whose MIME
// structure enmime refused, and keeps the rest as a plain text body.
func fallbackPart(raw []byte) *enmime.Part {
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		head, body, _ = bytes.Cut(raw, []byte("\n\n"))
	}
	msg, err := mail.ReadMessage(bytes.NewReader(append(append([]byte{}, head...), "\r\n\r\n"...)))
	if err != nil {
		return nil
	}
	part := enmime.NewPart("text/plain")
	for k, v := range msg.Header {
		part.Header[k] = v
	}
	part.Content = body // decodeParts and partText decode it like any part
	return part
}

var (
	idRe        = regexp.MustCompile(`<([^<>\s]+)>`)
	ticketRefRe = regexp.MustCompile(`[\[［【]\s*[#＃]\s*([A-Za-z0-9][A-Za-z0-9_\-]{0,63})\s*[\]］】]`)
	// replyPrefixRe matches the reply and forward prefixes clients put in
	// front of a subject, in the languages our customers' clients speak.
	replyPrefixRe = regexp.MustCompile(`(?i)^\s*(re|fw|fwd|aw|wg|sv|答复|回复|转发|回覆|轉寄|转寄|自动回复|自动答复|自動回覆)\s*(\[\d+\])?\s*[:：]\s*`)
)

func (p *Parser) readHeader(m *Message, root *enmime.Part) {
	h := root.Header
	m.MessageID = firstID(h.Get("Message-Id"))
	m.InReplyTo = ids(h.Get("In-Reply-To"))
	m.References = ids(strings.Join(h.Values("References"), " "))
	if from := addresses(h.Get("From")); len(from) > 0 {
		m.From = from[0]
	} else if s := addresses(h.Get("Sender")); len(s) > 0 {
		m.From = s[0]
	}
	m.ReplyTo = addresses(h.Get("Reply-To"))
	m.To = addresses(strings.Join(h.Values("To"), ", "))
	m.Cc = addresses(strings.Join(h.Values("Cc"), ", "))
	subject := strings.Join(strings.Fields(decodeHeader(h.Get("Subject"))), " ")
	if utf8.RuneCountInString(subject) > triage.MaxTitleRunes {
		subject = string([]rune(subject)[:triage.MaxTitleRunes])
		m.Truncated = true
	}
	m.Subject = subject
	m.TicketRef, m.Topic = SubjectRef(subject)
	if d, err := mail.ParseDate(strings.TrimSpace(h.Get("Date"))); err == nil {
		m.Date = d
	}
}

// SubjectRef returns the ticket reference written as [#REF] in a subject
// (also with full-width brackets or 【】), and the subject without it and
// without reply or forward prefixes.
func SubjectRef(subject string) (ref, topic string) {
	if loc := ticketRefRe.FindStringSubmatchIndex(subject); loc != nil {
		ref = subject[loc[2]:loc[3]]
		subject = subject[:loc[0]] + " " + subject[loc[1]:]
	}
	topic = strings.TrimSpace(subject)
	for range 10 {
		next := replyPrefixRe.ReplaceAllString(topic, "")
		if next == topic {
			break
		}
		topic = strings.TrimSpace(next)
	}
	return ref, strings.Join(strings.Fields(topic), " ")
}

func firstID(v string) string {
	v = strings.ToValidUTF8(v, "")
	if l := ids(v); len(l) > 0 {
		return l[0]
	}
	return strings.Trim(strings.TrimSpace(v), "<>")
}

// ids returns the message IDs of an In-Reply-To or References value, in
// order, without brackets and without repeats.
func ids(v string) []string {
	v = strings.ToValidUTF8(v, "")
	var out []string
	for _, sm := range idRe.FindAllStringSubmatch(v, 100) {
		if !containsString(out, sm[1]) {
			out = append(out, sm[1])
		}
	}
	if len(out) == 0 {
		// Some clients omit the brackets.
		for _, f := range strings.Fields(v) {
			if strings.Contains(f, "@") && !containsString(out, f) && len(out) < 100 {
				out = append(out, f)
			}
		}
	}
	return out
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

var looseAddrRe = regexp.MustCompile(`[A-Za-z0-9._%+\-=]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

// addresses parses an address list leniently: the header is made UTF-8
// first (raw GBK names are common), encoded words are decoded, and when
// the list does not parse, the addresses are picked out of it.
func addresses(raw string) []Address {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	s := toUTF8([]byte(raw))
	ap := mail.AddressParser{WordDecoder: wordDecoder}
	if list, err := ap.ParseList(s); err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: cleanName(decodeHeader(a.Name)), Email: a.Address})
		}
		return out
	}
	// Salvage: a name glued to its address, unbalanced quotes, encoded
	// words inside quotes, semicolons as separators (Foxmail).
	var out []Address
	for _, piece := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		email := looseAddrRe.FindString(piece)
		if email == "" {
			continue
		}
		name := piece
		if i := strings.Index(name, email); i >= 0 {
			name = name[:i]
		}
		out = append(out, Address{Name: cleanName(decodeHeader(name)), Email: email})
		if len(out) >= 100 {
			break
		}
	}
	return out
}

func cleanName(s string) string {
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(s), `"'<> `))
}

// walker collects the body and attachments of a part tree.
type walker struct {
	limits      Limits
	parts       int
	attachments []Attachment
	problems    []string
}

// body returns the text and HTML bodies under p, collecting every other
// leaf as an attachment.
func (w *walker) body(p *enmime.Part, depth int) (text, html string) {
	w.parts++
	if w.parts > w.limits.MaxParts || depth > 50 {
		if w.parts == w.limits.MaxParts+1 {
			w.problems = append(w.problems, fmt.Sprintf("more than %d MIME parts; the rest were skipped", w.limits.MaxParts))
		}
		return "", ""
	}
	ct := p.ContentType
	switch {
	case strings.HasPrefix(ct, "multipart/") && p.FirstChild != nil:
		alternative := ct == "multipart/alternative"
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			t, h := w.body(c, depth+1)
			if alternative {
				// Later alternatives are richer; keep one of each kind.
				if strings.TrimSpace(t) != "" {
					text = t
				}
				if strings.TrimSpace(h) != "" {
					html = h
				}
				continue
			}
			text = joinBody(text, t, "\n")
			html = joinBody(html, h, "\n")
		}
		return text, html
	case isBodyText(p, "text/plain"):
		return partText(p), ""
	case isBodyText(p, "text/html"):
		return "", partText(p)
	}
	w.attach(p)
	return "", ""
}

func joinBody(a, b, sep string) string {
	if strings.TrimSpace(b) == "" {
		return a
	}
	if strings.TrimSpace(a) == "" {
		return b
	}
	return a + sep + b
}

// isBodyText reports whether p is a text body of the given type rather
// than a text file attached to the mail.
func isBodyText(p *enmime.Part, ct string) bool {
	if p.ContentType != ct && !(ct == "text/plain" && p.ContentType == "") {
		return false
	}
	return p.Disposition != "attachment" && filename(p) == ""
}

func (w *walker) attach(p *enmime.Part) {
	if len(w.attachments) >= w.limits.MaxAttachments {
		if len(w.attachments) == w.limits.MaxAttachments {
			w.problems = append(w.problems, fmt.Sprintf("more than %d attachments; the rest were dropped", w.limits.MaxAttachments))
			w.limits.MaxAttachments = -1 // report once
		}
		return
	}
	ct := p.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	name := filename(p)
	if name == "" {
		name = fmt.Sprintf("附件-%d%s", len(w.attachments)+1, extension(ct))
	}
	w.attachments = append(w.attachments, Attachment{
		Filename:    name,
		ContentType: ct,
		ContentID:   contentID(p),
		Inline:      p.Disposition == "inline" && strings.HasPrefix(ct, "image/"),
		Size:        len(p.Content),
		Content:     p.Content,
	})
}

// contentID returns a part's Content-ID without brackets; some clients
// leave the brackets out, which enmime does not accept.
func contentID(p *enmime.Part) string {
	id := p.ContentID
	if id == "" {
		id = p.Header.Get("Content-Id")
	}
	return strings.ToValidUTF8(strings.Trim(strings.TrimSpace(id), "<>"), "")
}

// filename returns the decoded, directory-free name of a part: enmime's
// reading first, then the RFC 2231 forms it cannot decode (GBK and Big5
// charsets, continuations), then the raw value with encoded words inside
// quotes.
func filename(p *enmime.Part) string {
	name := p.FileName
	if name == "" || strings.Contains(name, "=?") || !utf8.ValidString(name) {
		for _, h := range []string{"Content-Disposition", "Content-Type"} {
			if n := rawParam(p.Header.Get(h)); n != "" {
				name = n
				break
			}
		}
	}
	return cleanFilename(name)
}

// rawParam finds the file name in a raw Content-Disposition or
// Content-Type value: filename*=charset”…, filename*0*=…; filename*1*=…,
// or filename="…" / name="…" holding raw bytes or encoded words.
func rawParam(v string) string {
	params := map[string]string{}
	for _, piece := range strings.Split(v, ";")[1:] {
		k, val, ok := strings.Cut(piece, "=")
		if !ok {
			continue
		}
		params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(val), `"`)
	}
	for _, key := range []string{"filename", "name"} {
		if ext, ok := params[key+"*"]; ok {
			if s, ok := decodeRFC2231(ext); ok {
				return s
			}
		}
		if _, ok := params[key+"*0*"]; ok || params[key+"*0"] != "" {
			var joined strings.Builder
			for i := 0; i < 100; i++ {
				if s, ok := params[fmt.Sprintf("%s*%d*", key, i)]; ok {
					joined.WriteString(s)
				} else if s, ok := params[fmt.Sprintf("%s*%d", key, i)]; ok {
					joined.WriteString(percentEscape(s))
				} else {
					break
				}
			}
			if s, ok := decodeRFC2231(joined.String()); ok {
				return s
			}
		}
		if s := params[key]; s != "" {
			return decodeHeader(s)
		}
	}
	return ""
}

// percentEscape escapes a plain continuation so that it can be joined to
// extended ones and decoded together.
func percentEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' || c == '\'' || c >= 0x80 {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// cleanFilename keeps the last path element and drops control characters,
// so that a name can never point outside a directory.
func cleanFilename(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == "/" || name == ".." {
		return ""
	}
	if utf8.RuneCountInString(name) > 200 {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 20 {
			ext = ""
		}
		name = string([]rune(name)[:200-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}

func extension(ct string) string {
	switch ct {
	case "image/jpeg":
		return ".jpg"
	case "message/rfc822":
		return ".eml"
	case "text/plain", "message/delivery-status", "text/rfc822-headers":
		return ".txt"
	}
	if exts, err := mime.ExtensionsByType(ct); err == nil && len(exts) > 0 {
		return exts[0]
	}
	return ".bin"
}

// markInline marks the attachments the HTML body shows through cid: URLs.
func markInline(atts []Attachment, html string) {
	if html == "" {
		return
	}
	for i := range atts {
		if atts[i].ContentID != "" && strings.Contains(html, "cid:"+atts[i].ContentID) {
			atts[i].Inline = true
		}
	}
}
