package wechat

import (
	"context"
	"fmt"
	"strings"

	"github.com/triagehq/triage"
)

// Account is a 客服账号.
type Account struct {
	OpenKfID string `json:"open_kfid"`
	Name     string `json:"name"`
	Avatar   string `json:"avatar"`
	// ManagePrivilege says whether this app may manage the account and
	// send and receive its messages ("通过API管理微信客服账号").
	ManagePrivilege bool `json:"manage_privilege"`
}

// accountPage is kf/account/list's largest limit.
const accountPage = 100

// Accounts lists the corp's 客服账号 (kf/account/list), all pages. It is
// the connection test: it needs a token (so the corp id and secret are
// right) and the 微信客服 API permission.
func (c *Client) Accounts(ctx context.Context) ([]Account, error) {
	var all []Account
	for offset := 0; ; offset += accountPage {
		var ans struct {
			AccountList []Account `json:"account_list"`
		}
		if err := c.postJSON(ctx, "kf/account/list", map[string]int{"offset": offset, "limit": accountPage}, &ans); err != nil {
			return nil, err
		}
		all = append(all, ans.AccountList...)
		if len(ans.AccountList) < accountPage {
			return all, nil
		}
	}
}

// Limits of kf/sync_msg's request.
const (
	MaxSyncLimit  = 1000
	maxCursorLen  = 64
	maxMsgTokenLn = 128
)

// SyncRequest asks kf/sync_msg for the messages after Cursor.
type SyncRequest struct {
	// Cursor is the NextCursor of the previous page; empty starts from the
	// earliest message of the last three days.
	Cursor string `json:"cursor,omitempty"`
	// Token is the notification's Token (valid ten minutes). Without it
	// kf/sync_msg is strictly rate-limited.
	Token string `json:"token,omitempty"`
	// Limit is 1 to 1000; 0 asks for the default, 1000.
	Limit int `json:"limit,omitempty"`
	// VoiceFormat is 0 for AMR (the default), 1 for SILK.
	VoiceFormat int `json:"voice_format,omitempty"`
	// OpenKfID restricts the page to one account, which the doc
	// recommends when there are many.
	OpenKfID string `json:"open_kfid,omitempty"`
}

// SyncPage is one page of kf/sync_msg.
type SyncPage struct {
	Messages []Message
	// NextCursor continues after this page. Store it in the same
	// transaction as what the page's messages produced: then a crash
	// repeats the page (msgid de-duplicates it) and loses nothing.
	NextCursor string
	// HasMore says to call again with NextCursor. An empty page may still
	// have more: stop on HasMore, never on an empty Messages.
	HasMore bool
}

// SyncMsg reads one page of messages and events (kf/sync_msg): what
// customers wrote, what servicers wrote in 企业微信, send failures and
// session events of the last three days; never what kf/send_msg sent.
func (c *Client) SyncMsg(ctx context.Context, r SyncRequest) (SyncPage, error) {
	switch {
	case r.Limit < 0 || r.Limit > MaxSyncLimit:
		return SyncPage{}, triage.Invalid("limit", "limit is 1 to %d", MaxSyncLimit)
	case len(r.Cursor) > maxCursorLen:
		return SyncPage{}, triage.Invalid("cursor", "cursor is at most %d bytes", maxCursorLen)
	case len(r.Token) > maxMsgTokenLn:
		return SyncPage{}, triage.Invalid("token", "token is at most %d bytes", maxMsgTokenLn)
	case r.VoiceFormat != 0 && r.VoiceFormat != 1:
		return SyncPage{}, triage.Invalid("voice_format", "voice_format is 0 (AMR) or 1 (SILK)")
	}
	var ans struct {
		NextCursor string    `json:"next_cursor"`
		HasMore    int       `json:"has_more"`
		MsgList    []Message `json:"msg_list"`
	}
	if err := c.postJSON(ctx, "kf/sync_msg", r, &ans); err != nil {
		return SyncPage{}, err
	}
	next := ans.NextCursor
	if next == "" {
		// Nothing new: stay where we were rather than restart from the
		// beginning of the three days.
		next = r.Cursor
	}
	return SyncPage{Messages: ans.MsgList, NextCursor: next, HasMore: ans.HasMore == 1}, nil
}

// maxEmptyPages bounds the empty pages with has_more that SyncEach
// follows in a row: the doc says they happen, not that they go on.
const maxEmptyPages = 50

// SyncEach reads pages from r.Cursor until has_more is 0, calling fn with
// each, empty ones included, so that fn stores every NextCursor. fn should
// store a page's messages and its NextCursor in one transaction; when it
// fails, SyncEach stops and returns its error, and the next run resumes
// from the last cursor fn stored. The Token of r is used for every page.
// It returns the last cursor read.
func (c *Client) SyncEach(ctx context.Context, r SyncRequest, fn func(SyncPage) error) (string, error) {
	empty := 0
	for {
		page, err := c.SyncMsg(ctx, r)
		if err != nil {
			return r.Cursor, err
		}
		if err := fn(page); err != nil {
			return r.Cursor, err
		}
		r.Cursor = page.NextCursor
		if !page.HasMore {
			return r.Cursor, nil
		}
		if len(page.Messages) == 0 {
			if empty++; empty >= maxEmptyPages {
				return r.Cursor, &APIError{Op: "kf/sync_msg", Msg: fmt.Sprintf("%d empty pages in a row with has_more", empty)}
			}
		} else {
			empty = 0
		}
	}
}

// SendMsg sends m (kf/send_msg) and returns its msgid: m.MsgID when set,
// else the one 企业微信 assigned. Success means accepted, not delivered:
// a later msg_send_fail event names the msgid that did not arrive.
// Sending is allowed only while the session is 未处理 or 由智能助手接待,
// within 48 hours of the customer's last message and five messages after
// it; otherwise the error is KindCannotReply (errors.Is ErrCannotReply).
func (c *Client) SendMsg(ctx context.Context, m Outgoing) (string, error) {
	if err := m.Validate(); err != nil {
		return "", err
	}
	m = m.clean()
	var ans struct {
		MsgID string `json:"msgid"`
	}
	if err := c.postJSON(ctx, "kf/send_msg", m, &ans); err != nil {
		return "", err
	}
	return ans.MsgID, nil
}

// SendOnEvent answers an event with the code it carried
// (kf/send_msg_on_event): a welcome_code of enter_session (valid 20
// seconds, one message, when no welcome message is configured in the
// admin), or a msg_code of session_status_change or TransServiceState.
// m is a text or msgmenu message; its ToUser and OpenKfID are not used.
func (c *Client) SendOnEvent(ctx context.Context, code string, m Outgoing) (string, error) {
	if code == "" {
		return "", triage.Invalid("code", "code is required")
	}
	if m.Type != MsgText && m.Type != MsgMenu {
		return "", triage.Invalid("msgtype", "an event reply is text or msgmenu")
	}
	if err := ValidateMsgID(m.MsgID); err != nil {
		return "", err
	}
	if err := m.validateBody(); err != nil {
		return "", err
	}
	m = m.clean()
	body := struct {
		Code  string  `json:"code"`
		MsgID string  `json:"msgid,omitempty"`
		Type  MsgType `json:"msgtype"`
		Text  *Text   `json:"text,omitempty"`
		Menu  *Menu   `json:"msgmenu,omitempty"`
	}{code, m.MsgID, m.Type, m.Text, m.Menu}
	var ans struct {
		MsgID string `json:"msgid"`
	}
	if err := c.postJSON(ctx, "kf/send_msg_on_event", body, &ans); err != nil {
		return "", err
	}
	return ans.MsgID, nil
}

// ServiceState returns a session's state and, for StateServicer, the
// servicer's userid (kf/service_state/get).
func (c *Client) ServiceState(ctx context.Context, openKfID, externalUserID string) (ServiceState, string, error) {
	if openKfID == "" || externalUserID == "" {
		return 0, "", triage.Invalid("open_kfid", "open_kfid and external_userid are required")
	}
	var ans struct {
		ServiceState   ServiceState `json:"service_state"`
		ServicerUserID string       `json:"servicer_userid"`
	}
	err := c.postJSON(ctx, "kf/service_state/get", map[string]string{"open_kfid": openKfID, "external_userid": externalUserID}, &ans)
	return ans.ServiceState, ans.ServicerUserID, err
}

// TransServiceState moves a session to state to (kf/service_state/trans),
// with servicerUserID required for StateServicer. It returns the msg_code
// 企业微信 gives for some moves (to the queue, to a servicer, to ended),
// usable once with SendOnEvent. Moving a session to StateServicer hands
// it to a person answering in 企业微信: kf/send_msg is refused (95018)
// until it is back in StateBot or the customer writes after it ended.
func (c *Client) TransServiceState(ctx context.Context, openKfID, externalUserID string, to ServiceState, servicerUserID string) (string, error) {
	if openKfID == "" || externalUserID == "" {
		return "", triage.Invalid("open_kfid", "open_kfid and external_userid are required")
	}
	if to < StateUntreated || to > StateEnded {
		return "", triage.Invalid("service_state", "service_state is 0 to 4")
	}
	if to == StateServicer && servicerUserID == "" {
		return "", triage.Invalid("servicer_userid", "servicer_userid is required to hand the session to a servicer")
	}
	body := struct {
		OpenKfID       string       `json:"open_kfid"`
		ExternalUserID string       `json:"external_userid"`
		ServiceState   ServiceState `json:"service_state"`
		ServicerUserID string       `json:"servicer_userid,omitempty"`
	}{openKfID, externalUserID, to, servicerUserID}
	var ans struct {
		MsgCode string `json:"msg_code"`
	}
	err := c.postJSON(ctx, "kf/service_state/trans", body, &ans)
	return ans.MsgCode, err
}

// clean returns m with the characters that encoding/json writes as \uXXXX
// (C0 controls other than tab and newlines, U+2028, U+2029) replaced:
// 企业微信 refuses such a body with 40033.
func (m Outgoing) clean() Outgoing {
	if m.Text != nil {
		t := *m.Text
		t.Content = cleanText(t.Content)
		m.Text = &t
	}
	if m.Menu != nil {
		menu := *m.Menu
		menu.HeadContent = cleanText(menu.HeadContent)
		menu.TailContent = cleanText(menu.TailContent)
		menu.List = append([]MenuItem(nil), menu.List...)
		for i, it := range menu.List {
			if it.Click != nil {
				c := *it.Click
				c.Content = cleanText(c.Content)
				menu.List[i].Click = &c
			}
			if it.View != nil {
				v := *it.View
				v.Content = cleanText(v.Content)
				menu.List[i].View = &v
			}
		}
		m.Menu = &menu
	}
	return m
}

func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		case r == '\u2028' || r == '\u2029':
			return '\n'
		}
		return r
	}, s)
}
