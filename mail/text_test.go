package mail

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHTMLToText(t *testing.T) {
	cases := []struct {
		name, html, full, reply string
	}{
		{
			name:  "gmail quote",
			html:  `<div dir="ltr">还是连不上。</div><br><div class="gmail_quote"><div class="gmail_attr">在 2026年12月7日周一 15:04，客服 &lt;s@example.com&gt; 写道：<br></div><blockquote class="gmail_quote"><div>请先重启路由器。</div></blockquote></div>`,
			full:  "还是连不上。\n\n在 2026年12月7日周一 15:04，客服 <s@example.com> 写道：\n请先重启路由器。",
			reply: "还是连不上。",
		},
		{
			name:  "apple blockquote cite",
			html:  `<body>好的。<br><br><blockquote type="cite">您好，请确认。</blockquote></body>`,
			full:  "好的。\n\n您好，请确认。",
			reply: "好的。",
		},
		{
			name:  "outlook web reply marker runs to the end",
			html:  `<div>已处理，谢谢。</div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><b>发件人:</b> 客服</div><div>原来的内容</div>`,
			full:  "已处理，谢谢。\n----------\n发件人: 客服\n原来的内容",
			reply: "已处理，谢谢。",
		},
		{
			name:  "qq original-content",
			html:  `<div>附件已补发。</div><div id="original-content">------------------ 原始邮件 ------------------<br>发件人: 客服</div>`,
			full:  "附件已补发。\n------------------ 原始邮件 ------------------\n发件人: 客服",
			reply: "附件已补发。",
		},
		{
			name:  "lists, tables, links, scripts and entities",
			html:  `<style>p{}</style><script>alert(1)</script><ol><li>第一步</li><li>第二步</li></ol><ul><li>甲</li></ul><table><tr><td>型号</td><td>LP-2200</td></tr></table><p>详见 <a href="https://help.example.com/a/1">帮助中心</a>&nbsp;&amp;&lt;完&gt;</p>`,
			full:  "1. 第一步\n2. 第二步\n- 甲\n型号\tLP-2200\n详见 帮助中心 <https://help.example.com/a/1> &<完>",
			reply: "1. 第一步\n2. 第二步\n- 甲\n型号\tLP-2200\n详见 帮助中心 <https://help.example.com/a/1> &<完>",
		},
		{
			name: "pre keeps its lines",
			html: `<pre>错误码:
  E1001
  E1002</pre>`,
			full:  "错误码:\n  E1001\n  E1002",
			reply: "错误码:\n  E1001\n  E1002",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			full, reply := htmlToText(c.html)
			if full != c.full {
				t.Errorf("full = %q, want %q", full, c.full)
			}
			reply, _ = splitReply(reply)
			if reply != c.reply {
				t.Errorf("reply = %q, want %q", reply, c.reply)
			}
		})
	}
}

func TestSplitReply(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"qq separator", "好的\n\n------------------ 原始邮件 ------------------\n发件人: a", "好的"},
		{"old outlook separator", "ok\n-----Original Message-----\nFrom: a", "ok"},
		{"outlook underscores", "收到\n________________________________\n发件人: 客服 <s@x.com>\n发送时间: 2026年12月7日 15:04", "收到"},
		{"english outlook block", "Done.\n\nFrom: Support <s@x.com>\nSent: Monday, December 7, 2026 3:04 PM\nTo: me", "Done."},
		{"foxmail block with full-width colons", "可以\n\n发件人：客服中心\n发送时间：2026-12-07 15:30", "可以"},
		{"gmail attribution on one line", "谢谢\n\n在 2026年12月7日周一 下午3:04，客服 <s@x.com> 写道：\n> 旧", "谢谢"},
		{"gmail attribution wrapped", "谢谢\n\n在 2026年12月7日周一 下午3:04，客服中心\n<s@x.com> 写道：\n\n> 旧", "谢谢"},
		{"apple attribution", "好\n\n2026年12月7日 15:04，客服 <s@x.com> 写道：\n\n> 旧", "好"},
		{"english attribution wrapped", "Thanks\n\nOn Mon, Dec 7, 2026 at 3:04 PM Support <s@x.com>\nwrote:\n> old", "Thanks"},
		{"bottom quote without attribution", "ok\n> a\n>\n> b", "ok"},
		{"interleaved answers are kept", "> 问题一\n答一\n> 问题二\n答二", "> 问题一\n答一\n> 问题二\n答二"},
		{"signature dash dash space", "内容\n-- \n张三\n销售部", "内容"},
		{"mobile signatures", "内容\n\n发自我的iPhone", "内容"},
		{"netease signature", "内容\n发自网易邮箱大师", "内容"},
		{"sent from my", "ok\n\nSent from my iPhone", "ok"},
		{"a line mentioning 发件人 in prose stays", "发件人：我本人，但是没有收到货", "发件人：我本人，但是没有收到货"},
		{"写道 in prose stays", "我在信里写道：尽快发货。\n谢谢", "我在信里写道：尽快发货。\n谢谢"},
		{"all history", "------------------ 原始邮件 ------------------\n发件人: a", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := splitReply(c.text)
			if got != c.want {
				t.Errorf("splitReply(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

func TestSubjectRef(t *testing.T) {
	cases := []struct{ subject, ref, topic string }{
		{"Re: [#T4K2] 扫地机器人", "T4K2", "扫地机器人"},
		{"回复：回复： 【#ab-12】订单", "ab-12", "订单"},
		{"答复: ［＃X1］ 发票", "X1", "发票"},
		{"转发: 报价单", "", "报价单"},
		{"RE[2]: Fwd: question", "", "question"},
		{"[#] 空引用", "", "[#] 空引用"},
		{"订单问题 [#019ab3c4-5d6e-7f80-9a1b-2c3d4e5f6071]", "019ab3c4-5d6e-7f80-9a1b-2c3d4e5f6071", "订单问题"},
	}
	for _, c := range cases {
		t.Run(c.subject, func(t *testing.T) {
			ref, topic := SubjectRef(c.subject)
			if ref != c.ref || topic != c.topic {
				t.Errorf("SubjectRef(%q) = %q, %q; want %q, %q", c.subject, ref, topic, c.ref, c.topic)
			}
		})
	}
}

func TestDecodeHeader(t *testing.T) {
	cases := []struct{ name, raw, want string }{
		{"gb2312 label on gbk", "=?gb2312?B?wO6GtA==?=", "李喆"},
		{"quoted word", `"=?GBK?B?1cW3qw==?=" <a@b.c>`, `"张帆" <a@b.c>`},
		{"adjacent words join", "=?UTF-8?B?5L2g?= =?UTF-8?B?5aW9?=", "你好"},
		{"glued word", "Re:=?UTF-8?B?5L2g5aW9?=", "Re:你好"},
		{"big5", "=?big5?B?pKSk5Q==?=", "中文"},
		{"raw gbk bytes", "\xd6\xd0\xce\xc4", "中文"},
		{"plain", "hello", "hello"},
		{"unknown charset left readable", "=?x-nope?B?YWJj?=", "=?x-nope?B?YWJj?="},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := decodeHeader(c.raw); got != c.want {
				t.Errorf("decodeHeader(%q) = %q, want %q", c.raw, got, c.want)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	body := strings.Repeat("这是一段很长的正文。", 20000) // 600 KB
	raw := "From: a@example.com\r\nSubject: long\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body
	p := NewParser(Limits{MaxTextBytes: 1000, MaxFullBytes: 5000})
	m, err := p.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Text) > 1000 || len(m.FullText) > 5000 || !m.Truncated {
		t.Errorf("Text %d bytes, FullText %d bytes, Truncated %v", len(m.Text), len(m.FullText), m.Truncated)
	}
	if !utf8.ValidString(m.Text) || !utf8.ValidString(m.FullText) {
		t.Error("a cut split a rune")
	}
	if _, err := p.Parse([]byte("  \r\n")); err == nil {
		t.Error("an empty message parsed")
	}
}

func TestTransferDecoding(t *testing.T) {
	b64 := []struct {
		in, want string
		bad      bool
	}{
		{"5L2g5aW9", "你好", false},
		{"5L2g\r\n5aW9\r\n", "你好", false},
		{"5L2g5aW9==", "你好", false},
		{"aGk=\r\n", "hi", false},
		{"5L2g!!5aW9", "你好", true},
		{"aGk", "hi", false},
		{"aGkx2", "hi1", true},
	}
	for _, c := range b64 {
		got, bad := decodeBase64([]byte(c.in))
		if string(got) != c.want || bad != c.bad {
			t.Errorf("decodeBase64(%q) = %q, %v; want %q, %v", c.in, got, bad, c.want, c.bad)
		}
	}
	qp := []struct{ in, want string }{
		{"=E4=BD=A0=e5=a5=bd", "你好"},
		{"soft=\r\nbreak", "softbreak"},
		{"soft= \t\nbreak", "softbreak"},
		{"a=b c", "a=b c"},
		{"1+1=2", "1+1=2"},
		{"end=", "end"},
		{"tab\there\x01", "tab\there\x01"},
	}
	for _, c := range qp {
		if got := string(decodeQP([]byte(c.in))); got != c.want {
			t.Errorf("decodeQP(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
