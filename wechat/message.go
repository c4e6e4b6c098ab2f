package wechat

import (
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// MsgType is a message's msgtype.
type MsgType string

// The message types of kf/sync_msg and kf/send_msg ("接收消息和事件",
// "发送消息"). Types the channel does not turn into ticket content still
// decode: Raw keeps them whole.
const (
	MsgText         MsgType = "text"
	MsgImage        MsgType = "image"
	MsgVoice        MsgType = "voice"
	MsgVideo        MsgType = "video"
	MsgFile         MsgType = "file"
	MsgLocation     MsgType = "location"
	MsgLink         MsgType = "link"
	MsgBusinessCard MsgType = "business_card"
	MsgMiniProgram  MsgType = "miniprogram"
	MsgMenu         MsgType = "msgmenu"
	MsgEvent        MsgType = "event"
)

// Origin says who a synced message is from.
type Origin int

// Origins ("origin" of kf/sync_msg).
const (
	OriginCustomer Origin = 3 // 微信客户发送的消息
	OriginSystem   Origin = 4 // 系统推送的事件消息
	OriginServicer Origin = 5 // 接待人员在企业微信客户端发送的消息
)

// EventType is an event message's event_type.
type EventType string

// Event types of kf/sync_msg ("事件消息").
const (
	EventEnterSession            EventType = "enter_session"          // 用户进入会话事件
	EventMsgSendFail             EventType = "msg_send_fail"          // 消息发送失败事件
	EventServicerStatusChange    EventType = "servicer_status_change" // 接待人员接待状态变更事件
	EventSessionStatusChange     EventType = "session_status_change"  // 会话状态变更事件
	EventUserRecallMsg           EventType = "user_recall_msg"        // 用户撤回消息事件
	EventServicerRecallMsg       EventType = "servicer_recall_msg"    // 接待人员撤回消息事件
	EventRejectCustomerMsgSwitch EventType = "reject_customer_msg_switch_change"
)

// FailType is why an accepted kf/send_msg was not delivered
// (msg_send_fail's fail_type).
type FailType int

// Fail types named by the doc.
const (
	FailUnknown          FailType = 0
	FailAccountDeleted   FailType = 1
	FailAppClosed        FailType = 2
	FailSessionExpired   FailType = 4 // 会话已过期，超过48小时
	FailSessionClosed    FailType = 5
	FailTooMany          FailType = 6 // 超过5条限制
	FailUnverified       FailType = 8
	FailRejectedByUser   FailType = 10 // 用户拒收
	FailNoMemberLoggedIn FailType = 11
	FailForbiddenType    FailType = 12
)

// ServiceState is a session's service_state.
type ServiceState int

// Session states ("分配客服会话").
const (
	StateUntreated ServiceState = 0 // 未处理: new; the API may answer
	StateBot       ServiceState = 1 // 由智能助手接待: the API answers
	StateQueued    ServiceState = 2 // 待接入池排队中
	StateServicer  ServiceState = 3 // 由人工接待: a servicer answers in 企业微信
	StateEnded     ServiceState = 4 // 已结束/未开始
)

// APISendable reports whether kf/send_msg may send in state s: the doc
// allows it only for 未处理 and 由智能助手接待; otherwise 95018.
func (s ServiceState) APISendable() bool { return s == StateUntreated || s == StateBot }

// Message is one entry of kf/sync_msg's msg_list. The pointer field named
// after Type is set; Raw is the entry as received.
type Message struct {
	MsgID string `json:"msgid"`
	// OpenKfID and ExternalUserID are copied from the event for event
	// messages, which do not carry them at the top level.
	OpenKfID       string  `json:"open_kfid"`
	ExternalUserID string  `json:"external_userid"`
	SendTime       int64   `json:"send_time"`
	Origin         Origin  `json:"origin"`
	ServicerUserID string  `json:"servicer_userid"`
	Type           MsgType `json:"msgtype"`

	Text     *Text     `json:"text,omitempty"`
	Image    *Media    `json:"image,omitempty"`
	Voice    *Media    `json:"voice,omitempty"`
	Video    *Media    `json:"video,omitempty"`
	File     *Media    `json:"file,omitempty"`
	Location *Location `json:"location,omitempty"`
	Link     *Link     `json:"link,omitempty"`
	Event    *Event    `json:"event,omitempty"`

	Raw json.RawMessage `json:"-"`
}

// Sent is SendTime as a time.
func (m Message) Sent() time.Time { return time.Unix(m.SendTime, 0) }

// MediaID is the media_id of an image, voice, video or file message.
func (m Message) MediaID() string {
	for _, p := range []*Media{m.Image, m.Voice, m.Video, m.File} {
		if p != nil {
			return p.MediaID
		}
	}
	return ""
}

// Text is a text message. MenuID is set when the customer clicked a menu
// item of a msgmenu message.
type Text struct {
	Content string `json:"content"`
	MenuID  string `json:"menu_id,omitempty"`
}

// Media is an image, voice, video or file by media_id: valid three days,
// fetched with GetMedia.
type Media struct {
	MediaID string `json:"media_id"`
}

// Location is a shared position.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name"`
	Address   string  `json:"address"`
}

// Link is a shared link (received) or a 图文链接 (sent, with a thumbnail).
type Link struct {
	Title        string `json:"title"`
	Desc         string `json:"desc,omitempty"`
	URL          string `json:"url"`
	PicURL       string `json:"pic_url,omitempty"`
	ThumbMediaID string `json:"thumb_media_id,omitempty"`
}

// Event is the event of an event message; which fields are set depends on
// EventType.
type Event struct {
	EventType      EventType `json:"event_type"`
	OpenKfID       string    `json:"open_kfid"`
	ExternalUserID string    `json:"external_userid,omitempty"`
	ServicerUserID string    `json:"servicer_userid,omitempty"`
	// enter_session
	Scene       string `json:"scene,omitempty"`
	SceneParam  string `json:"scene_param,omitempty"`
	WelcomeCode string `json:"welcome_code,omitempty"`
	// msg_send_fail
	FailMsgID string   `json:"fail_msgid,omitempty"`
	FailType  FailType `json:"fail_type,omitempty"`
	// servicer_status_change: 1 接待中, 2 停止接待; StopType 0 停止, 1 挂起
	Status   int `json:"status,omitempty"`
	StopType int `json:"stop_type,omitempty"`
	// session_status_change: 1 接入, 2 转接, 3 结束, 4 重新接入
	ChangeType        int    `json:"change_type,omitempty"`
	OldServicerUserID string `json:"old_servicer_userid,omitempty"`
	NewServicerUserID string `json:"new_servicer_userid,omitempty"`
	MsgCode           string `json:"msg_code,omitempty"`
	// user_recall_msg, servicer_recall_msg
	RecallMsgID string `json:"recall_msgid,omitempty"`
	// reject_customer_msg_switch_change
	RejectSwitch int `json:"reject_switch,omitempty"`
}

// UnmarshalJSON keeps the raw entry and lifts an event's customer to the
// top level, so every message says whose it is the same way.
func (m *Message) UnmarshalJSON(b []byte) error {
	type plain Message
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*m = Message(p)
	m.Raw = append(json.RawMessage(nil), b...)
	if m.Event != nil {
		if m.OpenKfID == "" {
			m.OpenKfID = m.Event.OpenKfID
		}
		if m.ExternalUserID == "" {
			m.ExternalUserID = m.Event.ExternalUserID
		}
	}
	return nil
}

// Limits of kf/send_msg ("发送消息").
const (
	// MaxTextBytes is text.content's limit: 2048 bytes, not characters;
	// about 680 Chinese characters.
	MaxTextBytes = 2048
	// MaxMsgIDBytes is msgid's limit; it must match [0-9a-zA-Z_-]*.
	MaxMsgIDBytes = 32
	// MaxMenuItems is msgmenu.list's limit.
	MaxMenuItems = 10
)

// Outgoing is a message for kf/send_msg. Build it with NewText,
// NewMediaMessage or NewMenu; MsgID makes a retried send idempotent: pick
// one per reply (e.g. from its comment id) and reuse it on retries.
type Outgoing struct {
	ToUser   string  `json:"touser"`
	OpenKfID string  `json:"open_kfid"`
	MsgID    string  `json:"msgid,omitempty"`
	Type     MsgType `json:"msgtype"`

	Text     *Text     `json:"text,omitempty"`
	Image    *Media    `json:"image,omitempty"`
	Voice    *Media    `json:"voice,omitempty"`
	Video    *Media    `json:"video,omitempty"`
	File     *Media    `json:"file,omitempty"`
	Link     *Link     `json:"link,omitempty"`
	Location *Location `json:"location,omitempty"`
	Menu     *Menu     `json:"msgmenu,omitempty"`
}

// Menu is a msgmenu: text around up to ten clickable items, e.g. a
// satisfaction survey.
type Menu struct {
	HeadContent string     `json:"head_content,omitempty"`
	List        []MenuItem `json:"list"`
	TailContent string     `json:"tail_content,omitempty"`
}

// MenuItem is one item: Click replies with its id in Text.MenuID, View
// opens a URL.
type MenuItem struct {
	Type  string     `json:"type"`
	Click *MenuClick `json:"click,omitempty"`
	View  *MenuView  `json:"view,omitempty"`
}

// MenuClick is a 回复菜单 item.
type MenuClick struct {
	ID      string `json:"id"`
	Content string `json:"content"`
}

// MenuView is a 超链接菜单 item.
type MenuView struct {
	URL     string `json:"url"`
	Content string `json:"content"`
}

// NewText returns a text message, checking the doc's limits.
func NewText(toUser, openKfID, msgID, content string) (Outgoing, error) {
	m := Outgoing{ToUser: toUser, OpenKfID: openKfID, MsgID: msgID, Type: MsgText, Text: &Text{Content: content}}
	return m, m.Validate()
}

// NewMediaMessage returns an image, voice, video or file message for an
// uploaded media_id.
func NewMediaMessage(toUser, openKfID, msgID string, t MsgType, mediaID string) (Outgoing, error) {
	m := Outgoing{ToUser: toUser, OpenKfID: openKfID, MsgID: msgID, Type: t}
	p := &Media{MediaID: mediaID}
	switch t {
	case MsgImage:
		m.Image = p
	case MsgVoice:
		m.Voice = p
	case MsgVideo:
		m.Video = p
	case MsgFile:
		m.File = p
	default:
		return m, triage.Invalid("msgtype", "msgtype %q is not image, voice, video or file", t)
	}
	return m, m.Validate()
}

// NewMenu returns a msgmenu message.
func NewMenu(toUser, openKfID, msgID string, menu Menu) (Outgoing, error) {
	m := Outgoing{ToUser: toUser, OpenKfID: openKfID, MsgID: msgID, Type: MsgMenu, Menu: &menu}
	return m, m.Validate()
}

// Validate checks what the doc states about a message before it is sent,
// so that the agent hears about it, not a delivery log. Errors are
// triage.EINVALID naming the field.
func (m Outgoing) Validate() error {
	if m.ToUser == "" {
		return triage.Invalid("touser", "touser (the customer's external_userid) is required")
	}
	if m.OpenKfID == "" {
		return triage.Invalid("open_kfid", "open_kfid is required")
	}
	if err := ValidateMsgID(m.MsgID); err != nil {
		return err
	}
	return m.validateBody()
}

func (m Outgoing) validateBody() error {
	switch m.Type {
	case MsgText:
		if m.Text == nil || m.Text.Content == "" {
			return triage.Invalid("text.content", "text.content is required")
		}
		if len(m.Text.Content) > MaxTextBytes {
			return triage.Invalid("text.content", "text.content is %d bytes; WeChat allows %d (about %d Chinese characters)", len(m.Text.Content), MaxTextBytes, MaxTextBytes/3)
		}
		if !utf8.ValidString(m.Text.Content) {
			return triage.Invalid("text.content", "text.content is not valid UTF-8")
		}
	case MsgImage, MsgVoice, MsgVideo, MsgFile:
		var p *Media
		switch m.Type {
		case MsgImage:
			p = m.Image
		case MsgVoice:
			p = m.Voice
		case MsgVideo:
			p = m.Video
		default:
			p = m.File
		}
		if p == nil || p.MediaID == "" {
			return triage.Invalid(string(m.Type)+".media_id", "%s.media_id is required", m.Type)
		}
	case MsgLink:
		if m.Link == nil || m.Link.Title == "" || m.Link.URL == "" || m.Link.ThumbMediaID == "" {
			return triage.Invalid("link", "link needs title, url and thumb_media_id")
		}
	case MsgLocation:
		if m.Location == nil {
			return triage.Invalid("location", "location is required")
		}
	case MsgMenu:
		if m.Menu == nil || len(m.Menu.List) == 0 || len(m.Menu.List) > MaxMenuItems {
			return triage.Invalid("msgmenu.list", "msgmenu.list needs 1 to %d items", MaxMenuItems)
		}
		for _, it := range m.Menu.List {
			ok := it.Type == "click" && it.Click != nil && it.Click.ID != "" && it.Click.Content != "" ||
				it.Type == "view" && it.View != nil && it.View.URL != "" && it.View.Content != ""
			if !ok {
				return triage.Invalid("msgmenu.list", "each msgmenu item is a click with id and content or a view with url and content")
			}
		}
	default:
		return triage.Invalid("msgtype", "msgtype %q cannot be sent", m.Type)
	}
	return nil
}

// ValidateMsgID checks a msgid: empty (企业微信 assigns one) or at most 32
// bytes of [0-9a-zA-Z_-].
func ValidateMsgID(id string) error {
	if len(id) > MaxMsgIDBytes {
		return triage.Invalid("msgid", "msgid is at most %d bytes", MaxMsgIDBytes)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '-') {
			return triage.Invalid("msgid", "msgid may hold only letters, digits, _ and -")
		}
	}
	return nil
}
