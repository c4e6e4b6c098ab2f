package mail

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// corpusCase is what a test expects of one message of testdata/.
type corpusCase struct {
	file       string
	from       Address
	subject    string
	topic      string
	ref        string
	messageID  string
	inReplyTo  []string
	references []string
	text       string   // Text exactly
	fullHas    []string // substrings FullText keeps
	quoted     bool
	auto       AutoKind
	signal     AutoSignal
	files      []string // attachment names in order
	inline     []string // names of the inline ones
	bounce     *Bounce
	problems   bool // Problems must not be empty
}

var corpusCases = []corpusCase{
	{
		file: "qq-gbk-new.eml", from: Address{"王喆", "wangzhe@qq.com"}, subject: "扫地机器人一直没有发货",
		topic: "扫地机器人一直没有发货", messageID: "tencent_3F2A1B4C5D6E7F8091A2B3C4@qq.com",
		text: "您好：\n\n我在你们网店买的扫地机器人（订单号 20261207001）一直没有发货，已经等了七天了。\n请尽快帮我处理，谢谢！\n\n王喆",
	},
	{
		file: "qq-reply-quoted.eml", from: Address{"王喆", "wangzhe@qq.com"},
		subject: "回复：[#T4K2] 扫地机器人一直没有发货", topic: "扫地机器人一直没有发货", ref: "T4K2",
		messageID: "tencent_99AA88BB77CC66DD@qq.com", inReplyTo: []string{"t4k2.1733557800.a1b2c3@mail.example.com"},
		references: []string{"tencent_3F2A1B4C5D6E7F8091A2B3C4@qq.com", "t4k2.1733557800.a1b2c3@mail.example.com"},
		text:       "收到了，谢谢！另外发票抬头写错了，应该是“杭州喆镕科技有限公司”。",
		fullHas:    []string{"------------------ 原始邮件 ------------------", "快递单号 SF1234567890"}, quoted: true,
	},
	{
		file: "gb2312-really-gbk.eml", from: Address{"李喆", "lizhe@163.com"}, subject: "镕金保温杯杯盖漏水", topic: "镕金保温杯杯盖漏水",
		messageID: "2026120809120012345@163.com",
		text:      "客服你好，我叫李喆，朋友陈玥推荐我买的镕金保温杯，杯盖漏水，想申请换货。",
	},
	{
		file: "gb18030-four-byte.eml", from: Address{"𠮷田", "jitian@example.org"}, subject: "会员积分", topic: "会员积分",
		messageID: "gb18030-4@example.org", text: "我的名字是𠮷田，会员卡号 88001234，积分没有到账。",
	},
	{
		file: "foxmail-reply.eml", from: Address{"张三", "zhangsan@foxmail.com"}, subject: "回复: [#T7Q9] 关于退货上门取件",
		topic: "关于退货上门取件", ref: "T7Q9", messageID: "202612071602113210456@foxmail.com",
		references: []string{"t7q9.1@mail.example.com"},
		text:       "好的，我周三在家，可以上门取件。\n\nzhangsan@foxmail.com",
		fullHas:    []string{"发件人： 客服中心", "请确认是否方便"}, quoted: true,
	},
	{
		file: "outlook-html-only.eml", from: Address{"赵敏", "zhaomin@corp.example.cn"}, subject: "打印机无法联网", topic: "打印机无法联网",
		messageID: "SG2PR01MB1234ABCD5678EF90@SG2PR01MB1234.apcprd01.prod.outlook.com",
		text:      "您好，\n\n我们公司采购的20台打印机中有3台无法联网，型号LP-2200，麻烦安排工程师上门。\n\n赵敏\n行政部 | 分机 8021",
		fullHas:   []string{"发送时间: 2026年12月7日 14:20", "请问贵司打印机保修几年？"}, quoted: true,
	},
	{
		file: "gmail-reply.eml", from: Address{"刘洋", "liuyang@gmail.com"}, subject: "Re: [#T5R2] 路由器连不上网", topic: "路由器连不上网",
		ref: "T5R2", messageID: "CAF8sQ2x3Yh5Z-9k1mN0pQrStUvWxYz+AbCdEf@mail.gmail.com",
		inReplyTo: []string{"t5r2.1@mail.example.com"}, references: []string{"t5r2.1@mail.example.com"},
		text:    "已经重启过路由器了，还是连不上，指示灯一直是红色的。",
		fullHas: []string{"写道：", "> 您好，请先重启路由器"}, quoted: true,
	},
	{
		file: "apple-reply.eml", from: Address{"陈静", "chenjing@icloud.com"}, subject: "Re: 工程师上门时间", topic: "工程师上门时间",
		messageID: "A1B2C3D4-E5F6-4A5B-8C7D-9E0F1A2B3C4D@icloud.com",
		inReplyTo: []string{"t9p3.1@mail.example.com"}, references: []string{"t9p3.1@mail.example.com"},
		text: "好的，明天下午两点可以。", fullHas: []string{"发自我的iPhone", "请问两点方便吗"}, quoted: true,
	},
	{
		file: "english-reply.eml", from: Address{"Tom Lee", "tom@example.net"}, subject: "Re: [#T2X8] Replacement unit",
		topic: "Replacement unit", ref: "T2X8", messageID: "en-reply-1@example.net", inReplyTo: []string{"t2x8.1@mail.example.com"},
		text: "Thanks, the replacement arrived and works fine.\n\nBest,\nTom", fullHas: []string{"Tom Lee | Procurement", "wrote:"}, quoted: true,
	},
	{
		file: "big5-taiwan.eml", from: Address{"林志明", "lin@example.com.tw"}, subject: "詢問退貨流程", topic: "詢問退貨流程",
		messageID: "big5-1@example.com.tw", text: "您好，請問退貨流程需要幾天？發票要一併寄回嗎？\n\n林志明 敬上",
	},
	{
		file: "raw-8bit-headers.eml", from: Address{"孙丽", "sunli@example.cn"}, subject: "账户无法登录", topic: "账户无法登录",
		messageID: "raw8bit@example.cn", text: "输入密码后一直提示“账户异常”，无法登录。",
	},
	{
		file: "attachments-chinese-names.eml", from: Address{"周杰", "zhoujie@example.cn"}, subject: "报销发票和订单明细",
		topic: "报销发票和订单明细", messageID: "attach-1@example.cn", text: "附件是发票、订单明细和截图，请查收。",
		files: []string{"发票（2026年12月）.pdf", "订单明细表-第二季度-华东区域-完整版.xlsx", "错误截图.png", "log.txt"},
	},
	{
		file: "inline-image.eml", from: Address{"吴刚", "wugang@example.cn"}, subject: "报错截图", topic: "报错截图",
		messageID: "inline-1@example.cn", text: "报错界面如下：\n\n[截图]\n\n请帮忙看看。",
		files: []string{"image001.png", "说明书.docx"}, inline: []string{"image001.png"},
	},
	{
		file: "autoreply-qq.eml", from: Address{"王喆", "wangzhe@qq.com"}, subject: "自动回复: [#T4K2] 扫地机器人已发货",
		topic: "扫地机器人已发货", ref: "T4K2", messageID: "tencent_auto_1@qq.com", auto: AutoReply, signal: SignalSubject,
		text: "这是来自QQ邮箱的假期自动回复邮件。\n您好，我最近正在休假中，无法亲自回复您的邮件。",
	},
	{
		file: "autoreply-exchange.eml", from: Address{"赵敏", "zhaomin@corp.example.cn"}, subject: "自动答复: 休假", topic: "休假",
		messageID: "oof-1@corp.example.cn", auto: AutoReply, signal: SignalAutoSubmitted,
		text: "我 12 月 7 日至 12 月 11 日休假，期间邮件将延迟处理。",
	},
	{
		file: "autoreply-163.eml", from: Address{"", "lizhe@163.com"}, subject: "Re: [#T9M1] order", topic: "order", ref: "T9M1",
		messageID: "auto-163@163.com", auto: AutoReply, signal: SignalXAutoreply, text: "您的来信已收到，我会尽快回复。",
	},
	{
		file: "bulk-newsletter.eml", from: Address{"", "news@shop.example.com"}, subject: "双十二大促", topic: "双十二大促",
		messageID: "news-1@shop.example.com", auto: AutoBulk, signal: SignalPrecedence, text: "双十二大促\n全场五折起。",
	},
	{
		file: "bounce-postfix.eml", from: Address{"Mail Delivery System", "MAILER-DAEMON@mail.example.com"},
		subject: "Undelivered Mail Returned to Sender", topic: "Undelivered Mail Returned to Sender",
		messageID: "20261207073320.4C1B2A3D@mail.example.com", auto: AutoBounce, signal: SignalReport,
		fullHas: []string{"550 Mailbox not found"},
		bounce: &Bounce{Recipients: []string{"nobody@qq.com"}, Status: "5.1.1", Diagnostic: "550 Mailbox not found.",
			Permanent: true, OriginalMessageID: "t4k2.1733557800.a1b2c3@mail.example.com"},
		files: []string{"附件-1.txt", "附件-2.txt"},
	},
	{
		file: "bounce-qq-text.eml", from: Address{"系统退信", "PostMaster@qq.com"}, subject: "系统退信", topic: "系统退信",
		messageID: "bounce-qq-1@qq.com", auto: AutoBounce, signal: SignalMailerDaemon, fullHas: []string{"退信原因：收件人不存在。"},
		bounce: &Bounce{Permanent: true, OriginalMessageID: "t8w1.55@mail.example.com"},
	},
	{
		file: "broken-mime.eml", from: Address{"", "broken@example.cn"}, subject: "=?x-unknown?B?abc?= 坏邮件",
		topic: "=?x-unknown?B?abc?= 坏邮件", messageID: "broken-1@example.cn", text: "正文是GBK，但字符集写错了。",
		files: []string{"data.bin"}, problems: true,
	},
}

func TestParseCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(corpusCases) {
		t.Errorf("testdata has %d messages and the table %d: every message needs its case", len(files), len(corpusCases))
	}
	p := NewParser(Limits{})
	for _, c := range corpusCases {
		t.Run(strings.TrimSuffix(c.file, ".eml"), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			m, err := p.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, got, want any) {
				t.Helper()
				if !equalAny(got, want) {
					t.Errorf("%s = %#v, want %#v", what, got, want)
				}
			}
			check("From", m.From, c.from)
			check("Subject", m.Subject, c.subject)
			check("Topic", m.Topic, c.topic)
			check("TicketRef", m.TicketRef, c.ref)
			check("MessageID", m.MessageID, c.messageID)
			check("InReplyTo", m.InReplyTo, c.inReplyTo)
			check("References", m.References, c.references)
			if c.text != "" || c.auto != AutoBounce {
				check("Text", m.Text, c.text)
			}
			check("Quoted", m.Quoted, c.quoted)
			check("Auto", m.Auto, c.auto)
			check("AutoSignal", m.AutoSignal, c.signal)
			for _, s := range c.fullHas {
				if !strings.Contains(m.FullText, s) {
					t.Errorf("FullText lacks %q:\n%s", s, m.FullText)
				}
			}
			if !strings.Contains(m.FullText, strings.Split(m.Text, "\n")[0]) {
				t.Errorf("FullText does not start with what Text holds")
			}
			var names, inline []string
			for _, a := range m.Attachments {
				names = append(names, a.Filename)
				if a.Inline {
					inline = append(inline, a.Filename)
				}
				if a.Size != len(a.Content) || a.Size == 0 {
					t.Errorf("attachment %q: size %d, content %d bytes", a.Filename, a.Size, len(a.Content))
				}
			}
			check("attachments", names, c.files)
			check("inline", inline, c.inline)
			if c.bounce != nil || m.Bounce != nil {
				if m.Bounce == nil || c.bounce == nil {
					t.Fatalf("Bounce = %+v, want %+v", m.Bounce, c.bounce)
				}
				check("Bounce", *m.Bounce, *c.bounce)
			}
			check("has problems", len(m.Problems) > 0, c.problems)
			for _, s := range []string{m.Subject, m.Text, m.FullText, m.HTML, m.From.Name} {
				if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
					t.Errorf("invalid or replaced text: %q", s)
				}
			}
			if m.Requester().Email != strings.ToLower(c.from.Email) {
				t.Errorf("Requester() = %+v", m.Requester())
			}
		})
	}
}

func equalAny(got, want any) bool {
	switch g := got.(type) {
	case []string:
		w, _ := want.([]string)
		return len(g) == 0 && len(w) == 0 || slices.Equal(g, w)
	case Bounce:
		w := want.(Bounce)
		return slices.Equal(g.Recipients, w.Recipients) && g.Status == w.Status && g.Diagnostic == w.Diagnostic &&
			g.Permanent == w.Permanent && g.OriginalMessageID == w.OriginalMessageID
	}
	return got == want
}
