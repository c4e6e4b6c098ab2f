package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// MediaType is media/upload's type.
type MediaType string

// Media types and their limits ("上传临时素材": every file more than 5
// bytes; image 10 MB JPG/PNG, voice 2 MB AMR of at most 60 s, video 10 MB
// MP4, file 20 MB). A media_id lives three days.
const (
	MediaImage MediaType = "image"
	MediaVoice MediaType = "voice"
	MediaVideo MediaType = "video"
	MediaFile  MediaType = "file"

	MinMediaBytes = 6
	MaxImageBytes = 10 << 20
	MaxVoiceBytes = 2 << 20
	MaxVideoBytes = 10 << 20
	MaxFileBytes  = 20 << 20
)

// MaxBytes is t's size limit, 0 for an unknown type.
func (t MediaType) MaxBytes() int {
	switch t {
	case MediaImage:
		return MaxImageBytes
	case MediaVideo:
		return MaxVideoBytes
	case MediaVoice:
		return MaxVoiceBytes
	case MediaFile:
		return MaxFileBytes
	}
	return 0
}

// MsgType is the message type that sends media of type t.
func (t MediaType) MsgType() MsgType { return MsgType(t) }

// Uploaded is what media/upload returns.
type Uploaded struct {
	Type      MediaType
	MediaID   string
	CreatedAt time.Time
}

// UploadMedia uploads data as a temporary media (media/upload), for an
// image, voice, video or file message. filename is what the customer sees
// for a file.
func (c *Client) UploadMedia(ctx context.Context, t MediaType, filename string, data []byte) (Uploaded, error) {
	const op = "media/upload"
	limit := t.MaxBytes()
	if limit == 0 {
		return Uploaded{}, triage.Invalid("type", "type %q is not image, voice, video or file", t)
	}
	if len(data) < MinMediaBytes || len(data) > limit {
		return Uploaded{}, &triage.Error{Code: triage.ETOOLARGE, Field: "media", Message: fmt.Sprintf("a %s must be %d bytes to %d MB", t, MinMediaBytes, limit>>20)}
	}
	filename = path.Base(strings.ReplaceAll(filename, "\\", "/"))
	if filename == "" || filename == "." || filename == "/" {
		return Uploaded{}, triage.Invalid("filename", "filename is required")
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	// The doc's example names the length too: filename, filelength and
	// content-type are expected in the part's header.
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="media"; filename="%s"; filelength=%d`, quoteEscaper.Replace(filename), len(data)))
	h.Set("Content-Type", "application/octet-stream")
	part, err := w.CreatePart(h)
	if err == nil {
		_, err = part.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return Uploaded{}, &APIError{Op: op, Msg: "building the upload", Err: err}
	}
	payload, contentType := body.Bytes(), w.FormDataContentType()
	ans, err := c.call(ctx, op, func(token string) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint(op, url.Values{"access_token": {token}, "type": {string(t)}}), bytes.NewReader(payload))
		if err == nil {
			req.Header.Set("Content-Type", contentType)
		}
		return req, err
	}, maxJSONAnswer, false)
	if err != nil {
		return Uploaded{}, err
	}
	var up struct {
		Type      MediaType   `json:"type"`
		MediaID   string      `json:"media_id"`
		CreatedAt json.Number `json:"created_at"` // a string in the doc's example
	}
	if err := json.Unmarshal(ans.body, &up); err != nil || up.MediaID == "" {
		return Uploaded{}, &APIError{Op: op, Msg: "answer without media_id", Err: err}
	}
	secs, _ := strconv.ParseInt(up.CreatedAt.String(), 10, 64)
	return Uploaded{Type: up.Type, MediaID: up.MediaID, CreatedAt: time.Unix(secs, 0)}, nil
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", "")

// Download is a fetched media.
type Download struct {
	// Filename is the name 企业微信 gave, without directories; the media
	// id when it gave none.
	Filename    string
	ContentType string
	Data        []byte
}

// GetMedia fetches a media by its id (media/get): what a customer sent
// (valid three days) or what was uploaded. maxBytes bounds the download;
// 0 means MaxFileBytes, the largest a customer's file can be (larger ones
// arrive as a text notice instead).
func (c *Client) GetMedia(ctx context.Context, mediaID string, maxBytes int64) (Download, error) {
	const op = "media/get"
	if mediaID == "" {
		return Download{}, triage.Invalid("media_id", "media_id is required")
	}
	if maxBytes <= 0 {
		maxBytes = MaxFileBytes
	}
	ans, err := c.call(ctx, op, func(token string) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint(op, url.Values{"access_token": {token}, "media_id": {mediaID}}), nil)
	}, maxBytes, true)
	if err != nil {
		return Download{}, err
	}
	if !isFile(ans.header) {
		// A JSON body with errcode 0 and no file: nothing to return.
		return Download{}, &APIError{Op: op, Msg: "answer without a file"}
	}
	d := Download{Filename: filenameOf(ans.header), ContentType: ans.header.Get("Content-Type"), Data: ans.body}
	if d.Filename == "" {
		d.Filename = mediaID
	}
	return d, nil
}

// isFile tells a media/get file from its JSON error: a file comes with a
// Content-Disposition naming it, an error without one.
func isFile(h http.Header) bool {
	return h != nil && h.Get("Content-Disposition") != ""
}

// filenameOf reads the filename of a Content-Disposition, keeping only its
// last path element. 企业微信 may send raw UTF-8 in the quoted name, which
// mime.ParseMediaType accepts, or RFC 2231's filename*, which it decodes.
func filenameOf(h http.Header) string {
	_, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := params["filename"]
	if err != nil {
		// Lenient fallback for a header the strict parser refuses.
		v := h.Get("Content-Disposition")
		if i := strings.Index(v, `filename="`); i >= 0 {
			rest := v[i+len(`filename="`):]
			if j := strings.IndexByte(rest, '"'); j >= 0 {
				name = rest[:j]
			}
		}
	}
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" {
		return ""
	}
	return name
}
