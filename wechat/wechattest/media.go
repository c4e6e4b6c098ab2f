package wechattest

import (
	"bytes"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"github.com/triagehq/triage/wechat"
)

type mediaItem struct {
	typ, filename, contentType string
	data                       []byte
	created                    time.Time
}

// storeMedia keeps data as a media and returns its media_id. s.mu is held.
func (s *Server) storeMedia(typ, filename string, data []byte) string {
	id := randomAlnum(16) + "_" + randomAlnum(40)
	s.media[id] = &mediaItem{typ: typ, filename: filename, contentType: http.DetectContentType(data), data: append([]byte(nil), data...), created: s.Clock.Now()}
	return id
}

// Media returns a stored media's filename and bytes, for assertions.
func (s *Server) Media(mediaID string) (filename string, data []byte, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.media[mediaID]
	if m == nil {
		return "", nil, false
	}
	return m.filename, m.data, true
}

// formatOK checks the formats the doc lists per type: image JPG or PNG,
// voice AMR, video MP4; a file is anything.
func formatOK(typ string, data []byte) bool {
	switch typ {
	case "image":
		ct := http.DetectContentType(data)
		return ct == "image/jpeg" || ct == "image/png"
	case "voice":
		return bytes.HasPrefix(data, []byte("#!AMR"))
	case "video":
		return len(data) >= 8 && string(data[4:8]) == "ftyp"
	}
	return true
}

// mediaUpload: media/upload?type=…, multipart with the file in "media".
func (s *Server) mediaUpload(w http.ResponseWriter, r *http.Request, body []byte) {
	typ := r.URL.Query().Get("type")
	limit := map[string]int{"image": wechat.MaxImageBytes, "voice": wechat.MaxVoiceBytes, "video": wechat.MaxVideoBytes, "file": wechat.MaxFileBytes}[typ]
	if limit == 0 {
		writeErr(w, wechat.CodeInvalidType, "invalid type")
		return
	}
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		writeErr(w, wechat.CodeEmptyMedia, "media data missing")
		return
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var filename string
	var data []byte
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		if p.FormName() == "media" {
			filename = p.FileName()
			var b bytes.Buffer
			if _, err := b.ReadFrom(p); err == nil {
				data = b.Bytes()
			}
			break
		}
	}
	switch {
	case data == nil:
		writeErr(w, wechat.CodeEmptyMedia, "media data missing")
		return
	case len(data) < wechat.MinMediaBytes:
		writeErr(w, wechat.CodeInvalidFileSize, "invalid file size")
		return
	case len(data) > limit:
		// The doc names a size errcode per kind; which one each limit
		// answers is assumed from their descriptions.
		code := map[string]int{"image": wechat.CodeInvalidImageSize, "video": wechat.CodeInvalidVideoSize}[typ]
		if code == 0 {
			code = wechat.CodeMediaTooLarge
		}
		writeErr(w, code, "media size out of limit")
		return
	case !formatOK(typ, data):
		writeErr(w, wechat.CodeInvalidMediaType, "invalid media type")
		return
	}
	id := s.storeMedia(typ, filename, data)
	// created_at is a string in the doc's example; so it is here.
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "", "type": typ, "media_id": id, "created_at": strconv.FormatInt(s.Clock.Now().Unix(), 10)})
}

// mediaGet: media/get?media_id=…: the file with Content-Type and
// Content-disposition, or a JSON errcode (40007) for an unknown or
// expired media_id.
func (s *Server) mediaGet(w http.ResponseWriter, r *http.Request, _ []byte) {
	m := s.media[r.URL.Query().Get("media_id")]
	if m == nil || !s.Clock.Now().Before(m.created.Add(mediaLife)) {
		writeErr(w, wechat.CodeInvalidMediaID, "invalid media_id")
		return
	}
	w.Header().Set("Content-Type", m.contentType)
	w.Header().Set("Content-disposition", fmt.Sprintf(`attachment; filename="%s"`, m.filename))
	w.Header().Set("Content-Length", strconv.Itoa(len(m.data)))
	w.Header().Set("Cache-Control", "no-cache, must-revalidate")
	w.Write(m.data)
}
