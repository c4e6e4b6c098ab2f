package kefu_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/wechat"
	"github.com/triagehq/triage/wechat/wechattest"
)

// TestMessageKinds sends every kind of message and event the README's
// table names, and the send outcomes: what each becomes, and how a reply
// 企业微信 refuses, fails later (msg_send_fail) or must retry ends.
func TestMessageKinds(t *testing.T) {
	e := newEnv(t, opts{start: true})
	const user = "wm-kinds-customer"
	ctx := e.ctx
	if _, _, err := e.fake.EnterSession(ctx, e.kf, user, "0", ""); err != nil {
		t.Fatal(err)
	}
	for _, in := range []wechattest.Incoming{
		{Type: wechat.MsgText, Text: "在吗？"},
		{Type: wechat.MsgLocation, Location: &wechat.Location{Latitude: 31.2304, Longitude: 121.4737, Name: "人民广场店", Address: "上海市黄浦区"}},
		{Type: wechat.MsgLink, Link: &wechat.Link{Title: "订单详情", Desc: "订单 2026120711111", URL: "https://shop.example/o/2026120711111"}},
		{Type: wechat.MsgFile, Filename: "发票.pdf", Data: []byte("%PDF-1.4 发票")},
		{Type: wechat.MsgVoice, Filename: "voice.amr", Data: []byte("#!AMR\n\x00\x01")},
	} {
		in.OpenKfID, in.ExternalUserID = e.kf, user
		if _, err := e.fake.Write(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "six records", 20*time.Second, func() bool { return len(e.customer(user)) == 6 })
	recs := e.customer(user)
	var ticketID string
	for _, r := range recs {
		switch {
		case r.Type == "event":
			if r.Status != triage.MailSkipped || r.Reason == nil || r.Reason.Code != triage.ReasonWeChatEvent || r.TicketID != "" {
				t.Errorf("enter_session: %+v", r)
			}
		case r.Status != triage.MailImported:
			t.Errorf("%s: %+v", r.Type, r)
		default:
			ticketID = r.TicketID
		}
	}
	tk := e.ticket(ticketID)
	for _, want := range []string{"在吗？", "[位置] 人民广场店 上海市黄浦区 (31.230400, 121.473700)", "[链接] 订单详情 订单 2026120711111 https://shop.example/o/2026120711111", "[文件]", "[语音]"} {
		if !strings.Contains(tk.Body, want) {
			t.Errorf("the ticket's text lacks %q:\n%s", want, tk.Body)
		}
	}
	if tk.Title != "订单详情" {
		t.Errorf("title %q: a greeting is not a title, the link's is", tk.Title)
	}
	waitFor(t, "two files", 20*time.Second, func() bool { atts, _ := e.app.Store.Attachments(ctx, ticketID); return len(atts) == 2 })

	reply := func(body string) *triage.WeChatMessage {
		t.Helper()
		c, err := e.app.Desk.AddComment(ctx, ticketID, triage.NewComment{Body: body, Public: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c.WeChat
	}
	settled := func(id string) *triage.WeChatMessage {
		t.Helper()
		var r *triage.WeChatMessage
		waitFor(t, "the reply settled", 30*time.Second, func() bool {
			r, _ = e.app.Store.WeChatMessage(ctx, id)
			return r != nil && r.Status != triage.MailQueued
		})
		return r
	}

	t.Run("refused for the window by 企业微信", func(t *testing.T) {
		e.fake.FailNext("kf/send_msg", 1, wechat.CodeReplyWindow, 0)
		r := settled(reply("您好，已为您查询。").ID)
		if r.Status != triage.MailFailed || r.Reason == nil || r.Reason.Code != triage.ReasonWeChatCannotReply || !strings.Contains(r.Error, "95002") {
			t.Fatalf("record %+v", r)
		}
		hist, _ := e.app.Desk.History(ctx, ticketID)
		if !slices.ContainsFunc(hist, func(h *triage.HistoryEntry) bool { return h.Field == "wechat" && h.New == triage.MailFailed }) {
			t.Fatal("the failure is not in the ticket's history")
		}
	})
	t.Run("busy, then sent", func(t *testing.T) {
		e.fake.FailNext("kf/send_msg", 1, wechat.CodeBusy, 0)
		r := settled(reply("您的发票已开具。").ID)
		if r.Status != triage.MailSent || r.Attempts != 2 {
			t.Fatalf("record %+v", r)
		}
	})
	t.Run("msg_send_fail", func(t *testing.T) {
		r := settled(reply("请查收。").ID)
		if r.Status != triage.MailSent {
			t.Fatalf("record %+v", r)
		}
		e.fake.Event(ctx, e.kf, map[string]any{"event_type": "msg_send_fail", "open_kfid": e.kf, "external_userid": user, "fail_msgid": r.MsgID, "fail_type": 10})
		waitFor(t, "the reply marked failed", 20*time.Second, func() bool {
			r, _ = e.app.Store.WeChatMessage(ctx, r.ID)
			return r.Status == triage.MailFailed
		})
		if r.Reason == nil || r.Reason.Code != triage.ReasonWeChatSendFail {
			t.Fatalf("record %+v", r)
		}
	})
	t.Run("recall", func(t *testing.T) {
		w, err := e.fake.Text(ctx, e.kf, user, "发错了")
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the message", 20*time.Second, func() bool {
			return slices.ContainsFunc(e.customer(user), func(r *triage.WeChatMessage) bool { return r.MsgID == w.MsgID })
		})
		e.fake.Recall(ctx, e.kf, user, w.MsgID)
		waitFor(t, "the recall", 20*time.Second, func() bool {
			return slices.ContainsFunc(e.customer(user), func(r *triage.WeChatMessage) bool {
				return r.Reason != nil && r.Reason.Code == triage.ReasonWeChatRecalled && r.TicketID == ticketID
			})
		})
	})

	t.Run("a reply with a photo, then the quota", func(t *testing.T) {
		// The customer wrote last in "recall": a new window, five
		// messages: a text with a photo is two of them.
		pic := photo(t)
		c, err := e.app.Desk.AddComment(ctx, ticketID, triage.NewComment{Body: "请看示意图。", Public: true,
			Attachments: []triage.NewAttachment{{Name: "示意图.png", Data: pic}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r := settled(c.WeChat.ID); r.Status != triage.MailSent {
			t.Fatalf("the reply with a photo: %+v", r)
		}
		sent := e.fake.Sent(e.kf, user)
		last := sent[len(sent)-1]
		if last.Type != wechat.MsgImage || !bytes.Equal(last.Data, pic) || sent[len(sent)-2].Text != "请看示意图。" {
			t.Fatalf("the fake got %s %q, then %s (%d bytes)", sent[len(sent)-2].Type, sent[len(sent)-2].Text, last.Type, len(last.Data))
		}
		for i := range wechat.ReplyLimit - 2 {
			if r := settled(reply(fmt.Sprintf("第 %d 条回复", i+1)).ID); r.Status != triage.MailSent {
				t.Fatalf("reply %d: %+v", i+1, r)
			}
		}
		before := len(e.fake.Sent(e.kf, user))
		_, err = e.app.Desk.AddComment(ctx, ticketID, triage.NewComment{Body: "第 6 条", Public: true}, nil)
		var te *triage.Error
		if !asError(err, &te) || te.Code != triage.ECONFLICT || !slices.Contains(te.Allowed, wechat.ReasonReplyLimit) {
			t.Fatalf("the sixth reply: %v", err)
		}
		if got := len(e.fake.Sent(e.kf, user)); got != before {
			t.Fatalf("the refused reply was sent (%d → %d)", before, got)
		}
	})
}
