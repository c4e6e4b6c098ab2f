package wechattest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/triagehq/triage/wechat"
)

// Incoming is what a customer sends. Set the field that goes with Type.
type Incoming struct {
	OpenKfID, ExternalUserID string
	Type                     wechat.MsgType
	// Text is a text message's content; MenuID marks a menu click.
	Text, MenuID string
	// Filename and Data are an image's, voice's, video's or file's.
	Filename string
	Data     []byte
	Location *wechat.Location
	Link     *wechat.Link
	// Quiet queues the message without a notification; Flush sends it.
	Quiet bool
}

// Written is what Write did.
type Written struct {
	MsgID   string
	MediaID string
	// Delivery is the notification's outcome (zero when Quiet).
	Delivery Delivery
}

// Delivery is one notification to the callback URL.
type Delivery struct {
	OpenKfID string
	// Token is the Token the notification carried for kf/sync_msg.
	Token string
	// Attempts counts the POSTs; a failed one is repeated (the same
	// signed request) up to CallbackRetries times.
	Attempts int
	// Status is the last HTTP status, 0 when none was received.
	Status int
	Err    error
}

// OK reports whether the callback answered 200.
func (d Delivery) OK() bool { return d.Status == http.StatusOK }

// ErrNoCallbackURL is a Delivery's Err when no callback URL is set.
var ErrNoCallbackURL = errors.New("wechattest: no callback URL set")

// Text makes a customer write content to an account and notifies.
func (s *Server) Text(ctx context.Context, openKfID, user, content string) (Written, error) {
	return s.Write(ctx, Incoming{OpenKfID: openKfID, ExternalUserID: user, Type: wechat.MsgText, Text: content})
}

// Image makes a customer send a picture and notifies.
func (s *Server) Image(ctx context.Context, openKfID, user, filename string, data []byte) (Written, error) {
	return s.Write(ctx, Incoming{OpenKfID: openKfID, ExternalUserID: user, Type: wechat.MsgImage, Filename: filename, Data: data})
}

// Write makes a customer send in: the message joins the sync log (media
// stored for media/get), the session becomes 未处理 if it had ended, the
// reply window restarts, and a notification is POSTed unless in.Quiet.
// The error is for a message the fake cannot represent; a failed
// notification is reported in Written.Delivery.
func (s *Server) Write(ctx context.Context, in Incoming) (Written, error) {
	s.mu.Lock()
	if s.account(in.OpenKfID) == nil {
		s.mu.Unlock()
		return Written{}, fmt.Errorf("wechattest: no account %q", in.OpenKfID)
	}
	if in.ExternalUserID == "" {
		s.mu.Unlock()
		return Written{}, errors.New("wechattest: ExternalUserID is required")
	}
	now := s.Clock.Now()
	wire := map[string]any{
		"msgid": randomAlnum(32), "open_kfid": in.OpenKfID, "external_userid": in.ExternalUserID,
		"send_time": now.Unix(), "origin": int(wechat.OriginCustomer), "msgtype": string(in.Type),
	}
	var w Written
	switch in.Type {
	case wechat.MsgText:
		text := map[string]any{"content": in.Text}
		if in.MenuID != "" {
			text["menu_id"] = in.MenuID
		}
		wire["text"] = text
	case wechat.MsgImage, wechat.MsgVoice, wechat.MsgVideo, wechat.MsgFile:
		if len(in.Data) == 0 {
			s.mu.Unlock()
			return Written{}, errors.New("wechattest: a media message needs Data")
		}
		w.MediaID = s.storeMedia(string(in.Type), in.Filename, in.Data)
		wire[string(in.Type)] = map[string]any{"media_id": w.MediaID}
	case wechat.MsgLocation:
		if in.Location == nil {
			s.mu.Unlock()
			return Written{}, errors.New("wechattest: a location message needs Location")
		}
		wire["location"] = map[string]any{"latitude": in.Location.Latitude, "longitude": in.Location.Longitude, "name": in.Location.Name, "address": in.Location.Address}
	case wechat.MsgLink:
		if in.Link == nil {
			s.mu.Unlock()
			return Written{}, errors.New("wechattest: a link message needs Link")
		}
		wire["link"] = map[string]any{"title": in.Link.Title, "desc": in.Link.Desc, "url": in.Link.URL, "pic_url": in.Link.PicURL}
	default:
		s.mu.Unlock()
		return Written{}, fmt.Errorf("wechattest: customers do not send %q here", in.Type)
	}
	w.MsgID = wire["msgid"].(string)
	s.log = append(s.log, &entry{at: now, openKfID: in.OpenKfID, wire: wire})
	sess := s.sessionFor(in.OpenKfID, in.ExternalUserID)
	if s.stateOf(sess) == wechat.StateEnded {
		sess.state = wechat.StateUntreated
	}
	sess.lastCustomer, sess.sentSince = now, 0
	s.pending[in.OpenKfID] = true
	s.mu.Unlock()
	if !in.Quiet {
		w.Delivery = s.notify(ctxOr(ctx), in.OpenKfID)
	}
	return w, nil
}

// ServicerSays records a message a servicer wrote in the 企业微信 client
// (origin 5), as sync_msg returns it, and notifies.
func (s *Server) ServicerSays(ctx context.Context, openKfID, user, servicer, content string) (Written, error) {
	s.mu.Lock()
	if s.account(openKfID) == nil {
		s.mu.Unlock()
		return Written{}, fmt.Errorf("wechattest: no account %q", openKfID)
	}
	now := s.Clock.Now()
	id := randomAlnum(32)
	s.log = append(s.log, &entry{at: now, openKfID: openKfID, wire: map[string]any{
		"msgid": id, "open_kfid": openKfID, "external_userid": user, "send_time": now.Unix(),
		"origin": int(wechat.OriginServicer), "servicer_userid": servicer, "msgtype": "text", "text": map[string]any{"content": content},
	}})
	s.pending[openKfID] = true
	s.mu.Unlock()
	return Written{MsgID: id, Delivery: s.notify(ctxOr(ctx), openKfID)}, nil
}

// EnterSession makes a customer open the chat (enter_session). When no
// welcome message is configured in the admin and the customer neither got
// a welcome nor a message in 48 hours, the event carries a welcome_code,
// valid 20 seconds for one kf/send_msg_on_event; it is returned.
func (s *Server) EnterSession(ctx context.Context, openKfID, user, scene, sceneParam string) (string, Delivery, error) {
	s.mu.Lock()
	if s.account(openKfID) == nil {
		s.mu.Unlock()
		return "", Delivery{}, fmt.Errorf("wechattest: no account %q", openKfID)
	}
	now := s.Clock.Now()
	sess := s.sessionFor(openKfID, user)
	ev := map[string]any{"event_type": string(wechat.EventEnterSession), "open_kfid": openKfID, "external_userid": user, "scene": scene, "scene_param": sceneParam}
	code := ""
	recent := func(t time.Time) bool { return !t.IsZero() && now.Sub(t) < wechat.ReplySpan }
	if !s.welcomeConf && !recent(sess.lastWelcome) && !recent(sess.lastSent) {
		code = randomAlnum(32)
		s.codes[code] = &eventCode{openKfID: openKfID, user: user, state: -1, types: []string{"text", "msgmenu"}, expires: now.Add(welcomeLife)}
		ev["welcome_code"] = code
	}
	s.appendEvent(openKfID, ev)
	s.mu.Unlock()
	return code, s.notify(ctxOr(ctx), openKfID), nil
}

// Recall makes a customer recall a message (user_recall_msg) and notifies.
func (s *Server) Recall(ctx context.Context, openKfID, user, msgID string) Delivery {
	return s.Event(ctx, openKfID, map[string]any{"event_type": string(wechat.EventUserRecallMsg), "open_kfid": openKfID, "external_userid": user, "recall_msgid": msgID})
}

// Event appends any documented event (its "event" object, with
// event_type) and notifies, e.g. a session_status_change a servicer caused
// in the 企业微信 client.
func (s *Server) Event(ctx context.Context, openKfID string, event map[string]any) Delivery {
	s.mu.Lock()
	s.appendEvent(openKfID, event)
	s.mu.Unlock()
	return s.notify(ctxOr(ctx), openKfID)
}

// Flush notifies every account with messages or events not yet notified,
// e.g. the msg_send_fail that a refused delivery produced.
func (s *Server) Flush(ctx context.Context) []Delivery {
	s.mu.Lock()
	ids := sortedKeys(s.pending)
	s.mu.Unlock()
	var out []Delivery
	for _, id := range ids {
		out = append(out, s.notify(ctxOr(ctx), id))
	}
	return out
}

// Deliveries returns every notification so far.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.notified...)
}

// notify POSTs one kf_msg_or_event notification for openKfID, encrypted
// and signed as 企业微信 does, with a fresh Token valid ten minutes.
func (s *Server) notify(ctx context.Context, openKfID string) Delivery {
	s.mu.Lock()
	target := s.callbackURL
	now := s.Clock.Now()
	token := "ENC" + randomAlnum(44)
	s.msgTokens[token] = now.Add(msgTokenLife)
	delete(s.pending, openKfID)
	s.mu.Unlock()

	d := Delivery{OpenKfID: openKfID, Token: token}
	defer func() {
		s.mu.Lock()
		s.notified = append(s.notified, d)
		s.mu.Unlock()
	}()
	if target == "" {
		d.Err = ErrNoCallbackURL
		return d
	}
	plain := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[%s]]></Event><Token><![CDATA[%s]]></Token><OpenKfId><![CDATA[%s]]></OpenKfId></xml>",
		s.CorpID, now.Unix(), wechat.EventKfMsgOrEvent, token, openKfID)
	ts := strconv.FormatInt(now.Unix(), 10)
	nonce := randomDigits(10)
	enc, sig, err := s.crypto.Seal([]byte(plain), ts, nonce)
	if err != nil {
		d.Err = err
		return d
	}
	body := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>", s.CorpID, enc)
	u, err := withQuery(target, url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}})
	if err != nil {
		d.Err = err
		return d
	}
	for d.Attempts <= s.retries {
		d.Attempts++
		d.Status, d.Err = s.post(ctx, u, body)
		if d.OK() || ctx.Err() != nil {
			break
		}
	}
	return d
}

func (s *Server) post(ctx context.Context, u, body string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("wechattest: callback answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}

// VerifyCallback does what 企业微信 does when an admin saves the callback
// URL: a GET with an encrypted echostr, expecting its plaintext back.
func (s *Server) VerifyCallback(ctx context.Context) error {
	s.mu.Lock()
	target := s.callbackURL
	now := s.Clock.Now()
	s.mu.Unlock()
	if target == "" {
		return ErrNoCallbackURL
	}
	echo := randomDigits(19)
	ts := strconv.FormatInt(now.Unix(), 10)
	nonce := randomDigits(9)
	enc, sig, err := s.crypto.Seal([]byte(echo), ts, nonce)
	if err != nil {
		return err
	}
	u, err := withQuery(target, url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {enc}})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctxOr(ctx), http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, []byte(echo)) {
		return fmt.Errorf("wechattest: URL verification failed: HTTP %d, answer %q, want %q", resp.StatusCode, got, echo)
	}
	return nil
}

func withQuery(target string, q url.Values) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", err
	}
	all := u.Query()
	for k, v := range q {
		all[k] = v
	}
	u.RawQuery = all.Encode()
	return u.String(), nil
}

func randomDigits(n int) string {
	b := []byte(randomAlnum(n * 2))
	out := make([]byte, 0, n)
	for _, c := range b {
		out = append(out, '0'+c%10)
		if len(out) == n {
			break
		}
	}
	return string(out)
}
