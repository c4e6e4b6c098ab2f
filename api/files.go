package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

// FilesBodyLimit bounds a ticket or comment sent with files: the files'
// total in base64 (a third larger), and the text around them.
const FilesBodyLimit = triage.MaxAttachmentTotalBytes*4/3 + 2<<20

// decodeWithFiles reads a body that is JSON (files as base64 in its
// attachments) or multipart/form-data: a part named "json" holding the
// same JSON, and a part with a file name (any field name, "file" by
// convention) per file. files is the attachments field of v, where the
// parts' files are appended.
func (s *Server) decodeWithFiles(c echo.Context, v any, files *[]triage.NewAttachment) error {
	ct, params, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if ct != "multipart/form-data" {
		return s.decode(c, v)
	}
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	if params["boundary"] == "" {
		return triage.Invalid("Content-Type", "multipart/form-data needs a boundary")
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var parts []triage.NewAttachment
	sawJSON := false
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return triage.Invalid("body", "the multipart body does not parse: %v", err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return triage.Invalid("body", "the multipart body does not parse: %v", err)
		}
		switch name := p.FormName(); {
		case p.FileName() != "":
			parts = append(parts, triage.NewAttachment{Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
		case name == "json":
			if sawJSON {
				return triage.Invalid("json", "the multipart body has two json parts")
			}
			sawJSON = true
			if err := decodeJSON(data, v); err != nil {
				return err
			}
		default:
			return triage.Invalid(name, "unknown form field %q: send the JSON in a part named json and each file as a part with a file name", name)
		}
	}
	if !sawJSON {
		return triage.Invalid("json", "the multipart body has no part named json")
	}
	*files = append(*files, parts...)
	return nil
}
