package mail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds the parser arbitrary bytes, starting from the corpus: it
// must never panic, and what it returns stays within its limits whatever
// the input.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte("Subject: =?gb2312?B?\r\n\r\n"))
	f.Add([]byte("From: \"a\x00b\" <x@y.z>\r\nSubject: a\x00b\r\n\r\nbo\x00dy"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x--"))
	limits := Limits{MaxTextBytes: 4096, MaxFullBytes: 16384, MaxAttachments: 8, MaxParts: 64}
	p := NewParser(limits)
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := p.Parse(raw)
		if err != nil {
			return
		}
		if len(m.Text) > limits.MaxTextBytes || len(m.FullText) > limits.MaxFullBytes || len(m.HTML) > limits.MaxFullBytes {
			t.Fatalf("bodies past the limits: text %d, full %d, html %d", len(m.Text), len(m.FullText), len(m.HTML))
		}
		if len(m.Attachments) > limits.MaxAttachments {
			t.Fatalf("%d attachments", len(m.Attachments))
		}
		// No text of a parsed mail holds a NUL, which one store cannot
		// keep and the other can.
		for _, s := range []string{m.Subject, m.Topic, m.MessageID, m.From.Name, m.From.Email, m.Text, m.FullText, m.HTML} {
			if strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("a NUL is left in %q", s)
			}
		}
		total := 0
		for _, a := range m.Attachments {
			total += len(a.Content)
			if a.Filename == "" || !utf8.ValidString(a.Filename) {
				t.Fatalf("attachment name %q", a.Filename)
			}
		}
		if total > 3*len(raw)+1024 {
			t.Fatalf("attachments hold %d bytes from a %d-byte message", total, len(raw))
		}
		for _, s := range []string{m.Subject, m.Topic, m.Text, m.FullText, m.HTML, m.From.Name, m.MessageID} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8: %q", s)
			}
		}
	})
}
