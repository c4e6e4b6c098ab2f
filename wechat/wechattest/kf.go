package wechattest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"time"

	"github.com/triagehq/triage/wechat"
)

// Durations the docs give.
const (
	historySpan   = 72 * time.Hour   // sync_msg returns the last three days
	msgTokenLife  = 10 * time.Minute // a notification's Token
	mediaLife     = 72 * time.Hour   // a media_id
	welcomeLife   = 20 * time.Second // enter_session's welcome_code, and an end-of-session code
	transCodeLife = 48 * time.Hour   // a queue or servicer msg_code
)

type account struct {
	OpenKfID  string
	Name      string
	servicers map[string]bool // userid → receiving (接待中)
}

type sessionKey struct{ openKfID, user string }

type session struct {
	state        wechat.ServiceState
	servicer     string
	lastCustomer time.Time
	sentSince    int
	lastSent     time.Time
	lastWelcome  time.Time
	rejects      bool
}

// entry is one message or event of the sync log, in its wire form.
type entry struct {
	at       time.Time
	openKfID string
	wire     map[string]any
}

type eventCode struct {
	openKfID, user string
	state          wechat.ServiceState // the state the code is valid in; -1 for a welcome
	types          []string
	expires        time.Time
	used           bool
}

// Sent is a message the fake accepted from kf/send_msg or
// kf/send_msg_on_event.
type Sent struct {
	OpenKfID, ExternalUserID, MsgID string
	Type                            wechat.MsgType
	// Text is text.content, or a msgmenu's head and tail.
	Text string
	// MediaID, and Filename and Data of that media, for media messages.
	MediaID, Filename string
	Data              []byte
	// Code is the event code of kf/send_msg_on_event, empty otherwise.
	Code string
	// Body is the request as received.
	Body json.RawMessage
	At   time.Time
}

// AddAccount adds a 客服账号 that this app manages and returns its
// open_kfid.
func (s *Server) AddAccount(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &account{OpenKfID: "wk" + randomAlnum(30), Name: name, servicers: map[string]bool{}}
	s.accounts = append(s.accounts, a)
	return a.OpenKfID
}

// AddServicer adds a 接待人员 (receiving) to an account.
func (s *Server) AddServicer(openKfID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.account(openKfID); a != nil {
		a.servicers[userID] = true
	}
}

// SetNativeWelcome says a welcome message is configured in the admin, so
// enter_session carries no welcome_code.
func (s *Server) SetNativeWelcome(on bool) {
	s.mu.Lock()
	s.welcomeConf = on
	s.mu.Unlock()
}

// SetRejects makes the customer refuse messages: kf/send_msg still
// answers ok, and a msg_send_fail event (fail_type 10, 用户拒收) follows,
// notified on Flush.
func (s *Server) SetRejects(openKfID, user string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessionFor(openKfID, user).rejects = on
}

// State returns a session's state as kf/service_state/get would.
func (s *Server) State(openKfID, user string) wechat.ServiceState {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[sessionKey{openKfID, user}]
	if sess == nil {
		return wechat.StateEnded
	}
	return s.stateOf(sess)
}

// Sent returns what was sent to user from openKfID, in order.
func (s *Server) Sent(openKfID, user string) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, m := range s.sent {
		if m.OpenKfID == openKfID && m.ExternalUserID == user {
			out = append(out, m)
		}
	}
	return out
}

// AllSent returns everything sent, in order.
func (s *Server) AllSent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

func (s *Server) account(openKfID string) *account {
	for _, a := range s.accounts {
		if a.OpenKfID == openKfID {
			return a
		}
	}
	return nil
}

func (s *Server) sessionFor(openKfID, user string) *session {
	k := sessionKey{openKfID, user}
	sess := s.sessions[k]
	if sess == nil {
		sess = &session{state: wechat.StateEnded}
		s.sessions[k] = sess
	}
	return sess
}

// stateOf is a session's state now: a session ends 48 hours after the
// customer's last message ("在48h内…都算是一次会话").
func (s *Server) stateOf(sess *session) wechat.ServiceState {
	if sess.state != wechat.StateEnded && !sess.lastCustomer.IsZero() && !s.Clock.Now().Before(sess.lastCustomer.Add(wechat.ReplySpan)) {
		sess.state, sess.servicer = wechat.StateEnded, ""
	}
	return sess.state
}

// accountList: kf/account/list, paged by offset and limit (1 to 100).
func (s *Server) accountList(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		Offset int `json:"offset"`
		Limit  int `json:"limit"`
	}
	if len(body) > 0 && json.Unmarshal(body, &req) != nil || req.Offset < 0 || req.Limit < 0 || req.Limit > 100 {
		writeErr(w, wechat.CodeInvalidParameter, "invalid offset or limit")
		return
	}
	if req.Limit == 0 {
		req.Limit = 100
	}
	list := []map[string]any{}
	for i := req.Offset; i < len(s.accounts) && len(list) < req.Limit; i++ {
		a := s.accounts[i]
		list = append(list, map[string]any{"open_kfid": a.OpenKfID, "name": a.Name, "avatar": "https://wework.qpic.cn/wwhead/" + a.OpenKfID, "manage_privilege": true})
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "account_list": list})
}

// syncMsg: kf/sync_msg. Cursors are opaque and remembered; a page holds at
// most min(limit, PageSize) entries of the last three days.
func (s *Server) syncMsg(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		Cursor      string `json:"cursor"`
		Token       string `json:"token"`
		Limit       int    `json:"limit"`
		VoiceFormat int    `json:"voice_format"`
		OpenKfID    string `json:"open_kfid"`
	}
	now := s.Clock.Now()
	if json.Unmarshal(body, &req) != nil || req.Limit < 0 || req.Limit > wechat.MaxSyncLimit || len(req.Cursor) > 64 || len(req.Token) > 128 {
		writeErr(w, wechat.CodeInvalidParameter, "invalid parameter")
		return
	}
	if req.Token != "" {
		if exp, ok := s.msgTokens[req.Token]; !ok || !now.Before(exp) {
			writeErr(w, wechat.CodeInvalidMsgToken, "invalid msg token")
			return
		}
	} else if l := s.limits["kf/sync_msg#notoken"]; l != nil && !l.allow(now) {
		writeErr(w, wechat.CodeRateLimited, "api freq out of limit")
		return
	}
	if req.OpenKfID != "" && s.account(req.OpenKfID) == nil {
		writeErr(w, wechat.CodeOpenKfIDNotExist, "open_kfid not exist")
		return
	}
	pos := 0
	if req.Cursor != "" {
		p, ok := s.cursors[req.Cursor]
		if !ok {
			writeErr(w, wechat.CodeInvalidParameter, "invalid cursor") // assumed errcode
			return
		}
		pos = p
	}
	limit := req.Limit
	if limit == 0 {
		limit = wechat.MaxSyncLimit
	}
	limit = min(limit, s.pageSize)
	list := []map[string]any{}
	if s.emptyPages > 0 {
		s.emptyPages--
		s.writePage(w, list, pos, true)
		return
	}
	matches := func(e *entry) bool {
		return (req.OpenKfID == "" || e.openKfID == req.OpenKfID) && now.Sub(e.at) < historySpan
	}
	for ; pos < len(s.log) && len(list) < limit; pos++ {
		if e := s.log[pos]; matches(e) {
			list = append(list, e.wire)
		}
	}
	more := false
	for _, e := range s.log[pos:] {
		if matches(e) {
			more = true
			break
		}
	}
	s.writePage(w, list, pos, more)
}

func (s *Server) writePage(w http.ResponseWriter, list []map[string]any, pos int, more bool) {
	cursor := randomAlnum(20)
	s.cursors[cursor] = pos
	hasMore := 0
	if more {
		hasMore = 1
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "next_cursor": cursor, "has_more": hasMore, "msg_list": list})
}

// outgoing is kf/send_msg's body as the fake reads it, independently of
// the wechat package's types.
type outgoing struct {
	ToUser   string `json:"touser"`
	OpenKfID string `json:"open_kfid"`
	MsgID    string `json:"msgid"`
	Code     string `json:"code"`
	MsgType  string `json:"msgtype"`
	Text     *struct {
		Content string `json:"content"`
	} `json:"text"`
	Image *mediaRef `json:"image"`
	Voice *mediaRef `json:"voice"`
	Video *mediaRef `json:"video"`
	File  *mediaRef `json:"file"`
	Menu  *struct {
		HeadContent string            `json:"head_content"`
		List        []json.RawMessage `json:"list"`
		TailContent string            `json:"tail_content"`
	} `json:"msgmenu"`
}

type mediaRef struct {
	MediaID string `json:"media_id"`
}

var msgIDPattern = regexp.MustCompile(`^[0-9a-zA-Z_-]{1,32}$`)

// sendable types of kf/send_msg ("发送消息": 文本、图片、语音、视频、文件、
// 图文、小程序、菜单消息、地理位置、获客链接).
var sendable = map[string]bool{"text": true, "image": true, "voice": true, "video": true, "file": true, "link": true, "miniprogram": true, "msgmenu": true, "location": true, "ca_link": true}

// content checks a message's body, returning the errcode of what is
// wrong, and fills in what Sent records.
func (s *Server) content(m outgoing, rec *Sent) (int, string) {
	rec.Type = wechat.MsgType(m.MsgType)
	switch m.MsgType {
	case "text":
		if m.Text == nil || m.Text.Content == "" {
			return wechat.CodeEmptyContent, "empty content"
		}
		if len(m.Text.Content) > wechat.MaxTextBytes {
			return wechat.CodeContentTooLong, "content size out of limit"
		}
		rec.Text = m.Text.Content
	case "image", "voice", "video", "file":
		ref := map[string]*mediaRef{"image": m.Image, "voice": m.Voice, "video": m.Video, "file": m.File}[m.MsgType]
		if ref == nil || ref.MediaID == "" {
			return wechat.CodeInvalidMediaID, "invalid media_id"
		}
		item := s.media[ref.MediaID]
		if item == nil || !s.Clock.Now().Before(item.created.Add(mediaLife)) || item.typ != m.MsgType {
			return wechat.CodeInvalidMediaID, "invalid media_id"
		}
		rec.MediaID, rec.Filename, rec.Data = ref.MediaID, item.filename, item.data
	case "msgmenu":
		if m.Menu == nil || len(m.Menu.List) == 0 || len(m.Menu.List) > wechat.MaxMenuItems {
			return wechat.CodeInvalidParameter, "invalid msgmenu"
		}
		rec.Text = m.Menu.HeadContent + "\n" + m.Menu.TailContent
	default:
		if !sendable[m.MsgType] {
			return wechat.CodeInvalidMsgType, "invalid msgtype"
		}
	}
	return 0, ""
}

// sendMsg: kf/send_msg.
func (s *Server) sendMsg(w http.ResponseWriter, r *http.Request, body []byte) {
	var m outgoing
	if json.Unmarshal(body, &m) != nil {
		writeErr(w, wechat.CodeInvalidParameter, "Warning: wrong json format.")
		return
	}
	now := s.Clock.Now()
	switch {
	case m.OpenKfID == "":
		writeErr(w, wechat.CodeInvalidOpenKfID, "invalid open_kfid")
		return
	case s.account(m.OpenKfID) == nil:
		writeErr(w, wechat.CodeOpenKfIDNotExist, "open_kfid not exist")
		return
	}
	sess := s.sessions[sessionKey{m.OpenKfID, m.ToUser}]
	if m.ToUser == "" || sess == nil || sess.lastCustomer.IsZero() && sess.lastWelcome.IsZero() {
		writeErr(w, wechat.CodeInvalidExternalID, "invalid external userid")
		return
	}
	if m.MsgID != "" && !msgIDPattern.MatchString(m.MsgID) {
		writeErr(w, wechat.CodeInvalidParameter, "invalid msgid") // assumed errcode
		return
	}
	if m.MsgID != "" && s.sentIDs[m.OpenKfID+"/"+m.MsgID] {
		// The doc: a msgid must be unique within the account, "否则接口返回
		// 错误". Which errcode is not documented: assumed 40058.
		writeErr(w, wechat.CodeInvalidParameter, "duplicate msgid")
		return
	}
	rec := Sent{OpenKfID: m.OpenKfID, ExternalUserID: m.ToUser, Body: append(json.RawMessage(nil), body...), At: now}
	if code, msg := s.content(m, &rec); code != 0 {
		writeErr(w, code, msg)
		return
	}
	state := s.stateOf(sess)
	switch {
	case sess.lastCustomer.IsZero() || !now.Before(sess.lastCustomer.Add(wechat.ReplySpan)):
		// 95002 or 95018 ("或者会话已经超过48小时"): which one a real corp
		// answers after 48 hours is not documented; assumed 95002.
		writeErr(w, wechat.CodeReplyWindow, "send msg out of time limit")
		return
	case !state.APISendable():
		writeErr(w, wechat.CodeSessionState, "send msg session status invalid")
		return
	case sess.sentSince >= wechat.ReplyLimit:
		writeErr(w, wechat.CodeReplyLimit, "send msg count out of limit")
		return
	}
	if m.MsgID == "" {
		m.MsgID = "msg" + randomAlnum(24)
	}
	rec.MsgID = m.MsgID
	s.sentIDs[m.OpenKfID+"/"+m.MsgID] = true
	sess.sentSince++
	sess.lastSent = now
	if state == wechat.StateUntreated {
		// Answering a new session by API is the doc's option 1 of
		// 未处理, which is state 1 (由智能助手接待). assumed.
		sess.state = wechat.StateBot
	}
	s.sent = append(s.sent, rec)
	if sess.rejects {
		s.appendEvent(m.OpenKfID, map[string]any{"event_type": string(wechat.EventMsgSendFail), "open_kfid": m.OpenKfID, "external_userid": m.ToUser, "fail_msgid": m.MsgID, "fail_type": int(wechat.FailRejectedByUser)})
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": m.MsgID})
}

// sendMsgOnEvent: kf/send_msg_on_event. A code sends one message, before
// it expires, while the session is in the state it was given for.
func (s *Server) sendMsgOnEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	var m outgoing
	if json.Unmarshal(body, &m) != nil {
		writeErr(w, wechat.CodeInvalidParameter, "Warning: wrong json format.")
		return
	}
	now := s.Clock.Now()
	c := s.codes[m.Code]
	if c == nil || c.used || !now.Before(c.expires) {
		writeErr(w, wechat.CodeInvalidParameter, "invalid code") // assumed errcode
		return
	}
	sess := s.sessionFor(c.openKfID, c.user)
	if c.state >= 0 && s.stateOf(sess) != c.state {
		writeErr(w, wechat.CodeSessionState, "send msg session status invalid") // assumed errcode
		return
	}
	allowed := false
	for _, t := range c.types {
		allowed = allowed || t == m.MsgType
	}
	if !allowed {
		writeErr(w, wechat.CodeInvalidMsgType, "invalid msgtype")
		return
	}
	if m.MsgID != "" && (!msgIDPattern.MatchString(m.MsgID) || s.sentIDs[c.openKfID+"/"+m.MsgID]) {
		writeErr(w, wechat.CodeInvalidParameter, "invalid msgid") // assumed errcode
		return
	}
	rec := Sent{OpenKfID: c.openKfID, ExternalUserID: c.user, Code: m.Code, Body: append(json.RawMessage(nil), body...), At: now}
	if code, msg := s.content(m, &rec); code != 0 {
		writeErr(w, code, msg)
		return
	}
	if m.MsgID == "" {
		m.MsgID = "msg" + randomAlnum(24)
	}
	rec.MsgID = m.MsgID
	c.used = true
	s.sentIDs[c.openKfID+"/"+m.MsgID] = true
	if c.state < 0 {
		sess.lastWelcome = now
	}
	s.sent = append(s.sent, rec)
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": m.MsgID})
}

// serviceStateGet: kf/service_state/get.
func (s *Server) serviceStateGet(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		OpenKfID       string `json:"open_kfid"`
		ExternalUserID string `json:"external_userid"`
	}
	json.Unmarshal(body, &req)
	if s.account(req.OpenKfID) == nil {
		writeErr(w, wechat.CodeOpenKfIDNotExist, "open_kfid not exist")
		return
	}
	sess := s.sessions[sessionKey{req.OpenKfID, req.ExternalUserID}]
	if sess == nil {
		writeErr(w, wechat.CodeInvalidExternalID, "invalid external userid")
		return
	}
	ans := map[string]any{"errcode": 0, "errmsg": "ok", "service_state": int(s.stateOf(sess))}
	if sess.state == wechat.StateServicer {
		ans["servicer_userid"] = sess.servicer
	}
	writeJSON(w, ans)
}

// transitions are the moves kf/service_state/trans allows ("分配客服会话"):
// 未处理 → 智能助手, 待接入池 or a servicer; 智能助手 → 待接入池 or a
// servicer; 待接入池 → a servicer; a servicer → another servicer or end.
// Nothing leaves 已结束 by API. Ending from 0, 1 and 2 is assumed allowed
// ("企业通过API结束会话").
var transitions = map[wechat.ServiceState][]wechat.ServiceState{
	wechat.StateUntreated: {wechat.StateBot, wechat.StateQueued, wechat.StateServicer, wechat.StateEnded},
	wechat.StateBot:       {wechat.StateQueued, wechat.StateServicer, wechat.StateEnded},
	wechat.StateQueued:    {wechat.StateServicer, wechat.StateEnded},
	wechat.StateServicer:  {wechat.StateServicer, wechat.StateEnded},
}

// serviceStateTrans: kf/service_state/trans. A move to the queue, to a
// servicer or to the end returns a msg_code for one kf/send_msg_on_event.
func (s *Server) serviceStateTrans(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		OpenKfID       string              `json:"open_kfid"`
		ExternalUserID string              `json:"external_userid"`
		ServiceState   wechat.ServiceState `json:"service_state"`
		ServicerUserID string              `json:"servicer_userid"`
	}
	json.Unmarshal(body, &req)
	a := s.account(req.OpenKfID)
	if a == nil {
		writeErr(w, wechat.CodeOpenKfIDNotExist, "open_kfid not exist")
		return
	}
	sess := s.sessions[sessionKey{req.OpenKfID, req.ExternalUserID}]
	if sess == nil {
		writeErr(w, wechat.CodeInvalidExternalID, "invalid external userid")
		return
	}
	from := s.stateOf(sess)
	ok := false
	for _, to := range transitions[from] {
		ok = ok || to == req.ServiceState
	}
	if !ok {
		writeErr(w, wechat.CodeBadTransition, "service state transfer not allowed")
		return
	}
	if req.ServiceState == wechat.StateServicer {
		receiving, known := a.servicers[req.ServicerUserID]
		switch {
		case !known:
			writeErr(w, wechat.CodeNotServicer, "user is not servicer")
			return
		case !receiving:
			writeErr(w, wechat.CodeServicerNotActive, "servicer stopped receiving")
			return
		}
	}
	sess.state, sess.servicer = req.ServiceState, ""
	if req.ServiceState == wechat.StateServicer {
		sess.servicer = req.ServicerUserID
	}
	ans := map[string]any{"errcode": 0, "errmsg": "ok"}
	switch req.ServiceState {
	case wechat.StateQueued, wechat.StateServicer, wechat.StateEnded:
		life, types := transCodeLife, []string{"text"}
		if req.ServiceState == wechat.StateEnded {
			life, types = welcomeLife, []string{"text", "msgmenu"}
		}
		code := randomAlnum(32)
		s.codes[code] = &eventCode{openKfID: req.OpenKfID, user: req.ExternalUserID, state: req.ServiceState, types: types, expires: s.Clock.Now().Add(life)}
		ans["msg_code"] = code
	}
	writeJSON(w, ans)
}

// appendEvent adds an event (origin 4) to the log and marks its account
// for the next Flush. s.mu is held.
func (s *Server) appendEvent(openKfID string, event map[string]any) {
	now := s.Clock.Now()
	s.log = append(s.log, &entry{at: now, openKfID: openKfID, wire: map[string]any{
		"msgid": randomAlnum(32), "send_time": now.Unix(), "origin": int(wechat.OriginSystem), "msgtype": "event", "event": event,
	}})
	s.pending[openKfID] = true
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
