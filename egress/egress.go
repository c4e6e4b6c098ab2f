// Package egress is the one door through which text leaves the process
// for a third party: the LLM that drafts replies, the embeddings service,
// and whatever comes later (mail to outside parties, WeChat, a webhook
// that carries ticket text). Everything that passes it is masked with
// package pii first, so that no code path can forget to.
//
// Two ways through, for two kinds of client:
//
//   - Client (or Transport) for HTTP: every request body is masked on its
//     way out, whoever built it. JSON bodies have every string masked,
//     text and form bodies every value; a body that cannot be masked
//     (binary, multipart, broken JSON) is refused, never sent as is.
//   - Text for anything else (an SMTP message, an SDK that is not HTTP):
//     its only constructors mask, so a function that takes a Text cannot
//     be handed raw personal data.
//
// One value may pass unmasked, and only where it is the point of the
// request: the recipient of a message a company's own gateway delivers
// (the phone number an SMS sign-in code goes to). WithRecipient names it
// on the request's context, and then only the top-level JSON field
// RecipientField holding exactly that value is left as is; the same
// number anywhere else in the body (a text that quotes it) is masked as
// always.
//
// LogHandler does the same for log records, which leave the process too.
//
// The test in this package lists every place in the module that can reach
// the network and fails when one does not go through here.
package egress

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/triagehq/triage/pii"
)

// Text is text that may leave the process: its personal data is masked.
// The zero Text is empty.
type Text struct{ s string }

// Mask masks s for sending out.
func Mask(s string) Text {
	m, _ := pii.Mask(s)
	return Text{m}
}

// MaskAll masks each of texts on its own: placeholders are numbered
// within one text.
func MaskAll(texts []string) []Text {
	out := make([]Text, len(texts))
	for i, s := range texts {
		out[i] = Mask(s)
	}
	return out
}

// Strings returns the masked strings of texts.
func Strings(texts []Text) []string {
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = t.s
	}
	return out
}

// String returns the masked text.
func (t Text) String() string { return t.s }

// Client returns an HTTP client whose every request passes Transport over
// base (http.DefaultTransport when nil).
func Client(base http.RoundTripper) *http.Client {
	return &http.Client{Transport: Transport(base)}
}

// Transport returns a RoundTripper that masks the body of every request
// before base sends it. The request it passes on has a replayable body,
// so a retrying base below it resends the masked bytes.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base}
}

type transport struct{ base http.RoundTripper }

// ErrUnmaskable is returned for a request whose body egress cannot mask;
// it is not sent.
var ErrUnmaskable = errors.New("egress: the request body cannot be masked, so it is not sent")

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return t.base.RoundTrip(req)
	}
	raw, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	recipient, _ := req.Context().Value(recipientKey{}).(string)
	masked, err := MaskBodyTo(req.Header.Get("Content-Type"), raw, recipient)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(masked))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(masked)), nil }
	out.ContentLength = int64(len(masked))
	if out.Header.Get("Content-Length") != "" {
		out.Header.Set("Content-Length", strconv.Itoa(len(masked)))
	}
	return t.base.RoundTrip(out)
}

// MaskBody masks a request body of the given content type: every string of
// a JSON document (keys too), every value of a form, the whole of a text. Other types are refused with
// ErrUnmaskable. Use it where a body is built and signed before it is
// sent, so that the signature covers the masked bytes.
func MaskBody(contentType string, body []byte) ([]byte, error) {
	return MaskBodyTo(contentType, body, "")
}

// RecipientField is the JSON key of the one field WithRecipient lets
// through unmasked.
const RecipientField = "to"

type recipientKey struct{}

// WithRecipient returns a context whose requests through Transport keep
// recipient unmasked in their body's top-level RecipientField, and there
// only. An empty recipient changes nothing.
func WithRecipient(ctx context.Context, recipient string) context.Context {
	return context.WithValue(ctx, recipientKey{}, recipient)
}

// MaskBodyTo is MaskBody for a message to recipient: a JSON object's
// top-level RecipientField equal to recipient stays as it is. Use it,
// with WithRecipient on the request, where the body is signed before it
// is sent.
func MaskBodyTo(contentType string, body []byte, recipient string) ([]byte, error) {
	if len(body) == 0 {
		return body, nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("%w: content type %q", ErrUnmaskable, contentType)
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return maskJSON(body, recipient)
	case mt == "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnmaskable, err)
		}
		for _, vs := range v {
			for i := range vs {
				vs[i] = Mask(vs[i]).s
			}
		}
		return []byte(v.Encode()), nil
	case strings.HasPrefix(mt, "text/"):
		return []byte(Mask(string(body)).s), nil
	}
	return nil, fmt.Errorf("%w: content type %s", ErrUnmaskable, mt)
}

func maskJSON(body []byte, recipient string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnmaskable, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON document", ErrUnmaskable)
	}
	// The recipient, when it is where it belongs, is set aside and put
	// back after the rest is masked.
	obj, _ := v.(map[string]any)
	keep, kept := "", false
	if to, ok := obj[RecipientField].(string); ok && recipient != "" && to == recipient {
		keep, kept = to, true
		delete(obj, RecipientField)
	}
	v, err := maskValue(v)
	if err != nil {
		return nil, err
	}
	if kept {
		v.(map[string]any)[RecipientField] = keep
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnmaskable, err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// maskValue masks every string of a decoded JSON value, object keys
// included: data used as a key (a map by phone number) is still data.
// Two keys that mask the same would lose one value, so that is refused.
func maskValue(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return Mask(x).s, nil
	case []any:
		for i := range x {
			m, err := maskValue(x[i])
			if err != nil {
				return nil, err
			}
			x[i] = m
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			m, err := maskValue(e)
			if err != nil {
				return nil, err
			}
			mk := Mask(k).s
			if _, dup := out[mk]; dup {
				return nil, fmt.Errorf("%w: two object keys mask to %s", ErrUnmaskable, mk)
			}
			out[mk] = m
		}
		return out, nil
	}
	return v, nil
}
