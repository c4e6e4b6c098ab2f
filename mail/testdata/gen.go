//go:build ignore

// gen writes the corpus of inbound mail the parser tests read: messages
// shaped like what QQ邮箱, Foxmail, Outlook, Gmail, Apple Mail, Taiwanese
// clients, auto-responders and MTAs really send, written by us. The text
// is kept here in UTF-8 and encoded the way each client encodes it (GBK
// labelled gb2312, GB18030, Big5, base64, quoted-printable, raw 8-bit).
//
//	go run ./mail/testdata/gen.go   (from the repository root)
package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/quotedprintable"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

func enc(cs, s string) []byte {
	var e encoding.Encoding
	switch cs {
	case "gbk", "gb2312":
		e = simplifiedchinese.GBK
	case "gb18030":
		e = simplifiedchinese.GB18030
	case "big5":
		e = traditionalchinese.Big5
	default:
		return []byte(s)
	}
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(fmt.Sprintf("%s cannot encode %q: %v", cs, s, err))
	}
	return b
}

// word is an RFC 2047 B-encoded word in the given charset.
func word(cs, s string) string {
	return "=?" + cs + "?B?" + base64.StdEncoding.EncodeToString(enc(cs, s)) + "?="
}

// qword is an RFC 2047 Q-encoded word in the given charset.
func qword(cs, s string) string {
	var b strings.Builder
	for _, c := range enc(cs, s) {
		fmt.Fprintf(&b, "=%02X", c)
	}
	return "=?" + cs + "?Q?" + b.String() + "?="
}

func b64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	out.WriteString(s + "\r\n")
	return out.String()
}

func qp(b []byte) string {
	var buf bytes.Buffer
	w := quotedprintable.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.String() + "\r\n"
}

func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

var corpus = map[string]func() string{}

func init() {
	corpus["qq-gbk-new.eml"] = func() string {
		text := "您好：\n\n我在你们网店买的扫地机器人（订单号 20261207001）一直没有发货，已经等了七天了。\n请尽快帮我处理，谢谢！\n\n王喆\n"
		html := `<meta http-equiv="Content-Type" content="text/html; charset=GB18030"><div>您好：</div><div><br></div><div>我在你们网店买的扫地机器人（订单号 20261207001）一直没有发货，已经等了七天了。</div><div>请尽快帮我处理，谢谢！</div><div><br></div><div>王喆</div>`
		return crlf(`Received: from mail.qq.com (unknown [127.0.0.1]) by mx.example.com
From: "`+word("gb18030", "王喆")+`" <wangzhe@qq.com>
To: "`+word("gb18030", "客服中心")+`" <support@example.com>
Subject: `+word("gb18030", "扫地机器人一直没有发货")+`
Mime-Version: 1.0
Content-Type: multipart/alternative;
	boundary="----=_NextPart_6750B1D2_0C8E1F40_5E4E2A11"
Content-Transfer-Encoding: 8Bit
Date: Mon, 7 Dec 2026 15:04:05 +0800
X-Priority: 3
Message-ID: <tencent_3F2A1B4C5D6E7F8091A2B3C4@qq.com>
X-QQ-MIME: TCMime 1.0 by Tencent
X-Mailer: QQMail 2.x
X-QQ-Mailer: QQMail 2.x

This is a multi-part message in MIME format.

------=_NextPart_6750B1D2_0C8E1F40_5E4E2A11
Content-Type: text/plain;
	charset="gb18030"
Content-Transfer-Encoding: base64

`) + b64(enc("gb18030", text)) + crlf(`
------=_NextPart_6750B1D2_0C8E1F40_5E4E2A11
Content-Type: text/html;
	charset="gb18030"
Content-Transfer-Encoding: base64

`) + b64(enc("gb18030", html)) + crlf(`
------=_NextPart_6750B1D2_0C8E1F40_5E4E2A11--
`)
	}

	corpus["qq-reply-quoted.eml"] = func() string {
		html := `<div>收到了，谢谢！另外发票抬头写错了，应该是“杭州喆镕科技有限公司”。</div><div><br></div><div><div style="color:#909090;font-family:Arial Narrow;font-size:12px">------------------</div><div style="color:#000000;font-family:Arial Narrow;font-size:12px">------------------&nbsp;原始邮件&nbsp;------------------</div><div style="font-size: 12px;background:#efefef;padding:8px;"><div><b>发件人:</b>&nbsp;"客服中心"&lt;support@example.com&gt;;</div><div><b>发送时间:</b>&nbsp;2026年12月7日(星期一) 下午3:30</div><div><b>收件人:</b>&nbsp;"王喆"&lt;wangzhe@qq.com&gt;;</div><div></div><div><b>主题:</b>&nbsp;回复：[#T4K2] 扫地机器人一直没有发货</div></div><div><br></div>您好，您的订单已于今天发出，快递单号 SF1234567890。</div>`
		return crlf(`From: "`+word("gb18030", "王喆")+`" <wangzhe@qq.com>
To: "`+word("gb18030", "客服中心")+`" <support@example.com>
Subject: `+word("gb18030", "回复：[#T4K2] 扫地机器人一直没有发货")+`
Mime-Version: 1.0
Content-Type: text/html;
	charset="gb18030"
Content-Transfer-Encoding: base64
Date: Mon, 7 Dec 2026 16:10:00 +0800
Message-ID: <tencent_99AA88BB77CC66DD@qq.com>
In-Reply-To: <t4k2.1733557800.a1b2c3@mail.example.com>
References: <tencent_3F2A1B4C5D6E7F8091A2B3C4@qq.com>
	<t4k2.1733557800.a1b2c3@mail.example.com>
X-QQ-MIME: TCMime 1.0 by Tencent
X-Mailer: QQMail 2.x

`) + b64(enc("gb18030", html))
	}

	corpus["gb2312-really-gbk.eml"] = func() string {
		// GB2312 has no 喆, 镕 or 玥: the client encoded GBK and said gb2312.
		text := "客服你好，我叫李喆，朋友陈玥推荐我买的镕金保温杯，杯盖漏水，想申请换货。\n"
		return crlf(`From: `+word("gb2312", "李喆")+` <lizhe@163.com>
To: support@example.com
Subject: `+word("gb2312", "镕金保温杯杯盖漏水")+`
MIME-Version: 1.0
Content-Type: text/plain; charset="gb2312"
Content-Transfer-Encoding: base64
Date: Tue, 8 Dec 2026 09:12:00 +0800
Message-ID: <2026120809120012345@163.com>
X-Mailer: Coremail Webmail Server Version XT5.0.14

`) + b64(enc("gbk", text))
	}

	corpus["gb18030-four-byte.eml"] = func() string {
		// 𠮷 (U+20BB7) needs GB18030's four-byte form.
		text := "我的名字是𠮷田，会员卡号 88001234，积分没有到账。\n"
		return crlf(`From: =?GB18030?B?`+base64.StdEncoding.EncodeToString(enc("gb18030", "𠮷田"))+`?= <jitian@example.org>
To: support@example.com
Subject: `+qword("gb18030", "会员积分")+`
MIME-Version: 1.0
Content-Type: text/plain; charset=GB18030
Content-Transfer-Encoding: quoted-printable
Date: Tue, 8 Dec 2026 10:00:00 +0800
Message-ID: <gb18030-4@example.org>

`) + qp(enc("gb18030", text))
	}

	corpus["foxmail-reply.eml"] = func() string {
		text := "好的，我周三在家，可以上门取件。\n\n\n\nzhangsan@foxmail.com\n \n发件人： 客服中心\n发送时间： 2026-12-07 15:30\n收件人： 张三\n主题： [#T7Q9] 关于退货上门取件\n您好，我们可以安排快递员周三上门取件，请确认是否方便。\n"
		html := `<html><head><meta http-equiv="content-type" content="text/html; charset=GB2312"><style>body { line-height: 1.5; }</style></head><body><div><span></span>好的，我周三在家，可以上门取件。</div><div><br></div><hr style="width: 210px; height: 1px;" color="#b5c4df" size="1" align="left"><div><span><div style="MARGIN: 10px; FONT-FAMILY: verdana; FONT-SIZE: 10pt"><div>zhangsan@foxmail.com</div></div></span></div><blockquote style="margin-Top: 0px; margin-Bottom: 0px; margin-Left: 0.5em; margin-Right: inherit"><div>&nbsp;</div><div style="border:none;border-top:solid #B5C4DF 1.0pt;padding:3.0pt 0cm 0cm 0cm"><div style="PADDING-RIGHT: 8px; PADDING-LEFT: 8px; FONT-SIZE: 12px;FONT-FAMILY:tahoma;COLOR:#000000; BACKGROUND: #efefef; PADDING-BOTTOM: 8px; PADDING-TOP: 8px"><div><b>发件人：</b>&nbsp;客服中心</div><div><b>发送时间：</b>&nbsp;2026-12-07&nbsp;15:30</div><div><b>收件人：</b>&nbsp;张三</div><div><b>主题：</b>&nbsp;[#T7Q9] 关于退货上门取件</div></div></div><div><div>您好，我们可以安排快递员周三上门取件，请确认是否方便。</div></div></blockquote></body></html>`
		return crlf(`Date: Mon, 7 Dec 2026 16:02:11 +0800
From: "`+word("gb2312", "张三")+`" <zhangsan@foxmail.com>
To: "`+word("gb2312", "客服中心")+`" <support@example.com>
Subject: `+word("gb2312", "回复: [#T7Q9] 关于退货上门取件")+`
References: <t7q9.1@mail.example.com>
X-Priority: 3
X-GUID: 1C2D3E4F-5A6B-7C8D-9E0F-112233445566
X-Has-Attach: no
X-Mailer: Foxmail 7.2.25.228[cn]
Mime-Version: 1.0
Message-ID: <202612071602113210456@foxmail.com>
Content-Type: multipart/alternative;
	boundary="----=_001_NextPart358165325577_=----"

This is a multi-part message in MIME format.

------=_001_NextPart358165325577_=----
Content-Type: text/plain;
	charset="GB2312"
Content-Transfer-Encoding: quoted-printable

`) + qp(enc("gb2312", text)) + crlf(`
------=_001_NextPart358165325577_=----
Content-Type: text/html;
	charset="GB2312"
Content-Transfer-Encoding: quoted-printable

`) + qp(enc("gb2312", html)) + crlf(`
------=_001_NextPart358165325577_=------
`)
	}

	corpus["outlook-html-only.eml"] = func() string {
		html := `<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv=Content-Type content="text/html; charset=gb2312"><style><!-- p.MsoNormal {margin:0cm;font-size:10.5pt;} --></style></head><body lang=ZH-CN><div class=WordSection1><p class=MsoNormal>您好，<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>我们公司采购的<b>20</b>台打印机中有<span lang=EN-US>3</span>台无法联网，型号<span lang=EN-US>LP-2200</span>，麻烦安排工程师上门。<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>赵敏<o:p></o:p></p><p class=MsoNormal>行政部 | 分机 8021<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><div><div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal><b>发件人<span lang=EN-US>:</span></b><span lang=EN-US> support@example.com &lt;support@example.com&gt; <br></span><b>发送时间<span lang=EN-US>:</span></b><span lang=EN-US> 2026</span>年<span lang=EN-US>12</span>月<span lang=EN-US>7</span>日<span lang=EN-US> 14:20<br></span><b>收件人<span lang=EN-US>:</span></b><span lang=EN-US> zhaomin@corp.example.cn<br></span><b>主题<span lang=EN-US>:</span></b><span lang=EN-US> </span>打印机保修<o:p></o:p></p></div></div><p class=MsoNormal>请问贵司打印机保修几年？<o:p></o:p></p></div></body></html>`
		return crlf(`From: `+word("gb2312", "赵敏")+` <zhaomin@corp.example.cn>
To: "support@example.com" <support@example.com>
Subject: `+word("gb2312", "打印机无法联网")+`
Thread-Topic: `+word("gb2312", "打印机无法联网")+`
Thread-Index: AdtIaGVsbG8gd29ybGQgdGhpcyBpcyBmYWtl
Date: Mon, 7 Dec 2026 07:01:02 +0000
Message-ID: <SG2PR01MB1234ABCD5678EF90@SG2PR01MB1234.apcprd01.prod.outlook.com>
Accept-Language: zh-CN, en-US
Content-Language: zh-CN
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
Content-Type: text/html; charset="gb2312"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

`) + qp(enc("gb2312", html))
	}

	corpus["gmail-reply.eml"] = func() string {
		text := "已经重启过路由器了，还是连不上，指示灯一直是红色的。\n\n在 2026年12月7日周一 15:04，客服中心 <support@example.com>\n写道：\n\n> 您好，请先重启路由器，再观察指示灯颜色。\n>\n> 客服中心\n>\n"
		html := `<div dir="ltr">已经重启过路由器了，还是连不上，指示灯一直是红色的。</div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">在 2026年12月7日周一 15:04，客服中心 &lt;<a href="mailto:support@example.com">support@example.com</a>&gt; 写道：<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div>您好，请先重启路由器，再观察指示灯颜色。</div><div>客服中心</div></blockquote></div>`
		return crlf(`MIME-Version: 1.0
Date: Mon, 7 Dec 2026 15:40:12 +0800
References: <t5r2.1@mail.example.com>
In-Reply-To: <t5r2.1@mail.example.com>
Message-ID: <CAF8sQ2x3Yh5Z-9k1mN0pQrStUvWxYz+AbCdEf@mail.gmail.com>
Subject: `+word("UTF-8", "Re: [#T5R2] 路由器连不上网")+`
From: `+word("UTF-8", "刘洋")+` <liuyang@gmail.com>
To: `+word("UTF-8", "客服中心")+` <support@example.com>
Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60718"

--000000000000a1b2c3d4e5f60718
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

`) + b64([]byte(text)) + crlf(`
--000000000000a1b2c3d4e5f60718
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

`) + qp([]byte(html)) + crlf(`
--000000000000a1b2c3d4e5f60718--
`)
	}

	corpus["apple-reply.eml"] = func() string {
		text := "好的，明天下午两点可以。\n\n发自我的iPhone\n\n> 2026年12月7日 15:04，客服中心 <support@example.com> 写道：\n> \n> 您好，工程师明天下午可以上门，请问两点方便吗？\n"
		html := `<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto">好的，明天下午两点可以。<br><br><div dir="ltr">发自我的iPhone</div><div dir="ltr"><br><blockquote type="cite">2026年12月7日 15:04，客服中心 &lt;support@example.com&gt; 写道：<br><br></blockquote></div><blockquote type="cite"><div dir="ltr">您好，工程师明天下午可以上门，请问两点方便吗？</div></blockquote></body></html>`
		return crlf(`Content-Type: multipart/alternative; boundary=Apple-Mail-6A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9
Content-Transfer-Encoding: 7bit
From: `+word("utf-8", "陈静")+` <chenjing@icloud.com>
Mime-Version: 1.0 (1.0)
Date: Mon, 7 Dec 2026 15:20:33 +0800
Subject: `+word("utf-8", "Re: 工程师上门时间")+`
Message-Id: <A1B2C3D4-E5F6-4A5B-8C7D-9E0F1A2B3C4D@icloud.com>
References: <t9p3.1@mail.example.com>
In-Reply-To: <t9p3.1@mail.example.com>
To: support@example.com
X-Mailer: iPhone Mail (22B91)

--Apple-Mail-6A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9
Content-Type: text/plain;
	charset=utf-8
Content-Transfer-Encoding: quoted-printable

`) + qp([]byte(text)) + crlf(`
--Apple-Mail-6A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9
Content-Type: text/html;
	charset=utf-8
Content-Transfer-Encoding: quoted-printable

`) + qp([]byte(html)) + crlf(`
--Apple-Mail-6A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9--
`)
	}

	corpus["english-reply.eml"] = func() string {
		text := "Thanks, the replacement arrived and works fine.\n\nBest,\nTom\n-- \nTom Lee | Procurement\n\nOn Mon, Dec 7, 2026 at 3:04 PM Support Team <support@example.com>\nwrote:\n\n> Hello Tom, your replacement ships today.\n"
		return crlf(`From: Tom Lee <tom@example.net>
To: support@example.com
Subject: Re: [#T2X8] Replacement unit
Date: Tue, 8 Dec 2026 09:00:00 +0000
Message-ID: <en-reply-1@example.net>
In-Reply-To: <t2x8.1@mail.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii; format=flowed
Content-Transfer-Encoding: 7bit

` + text)
	}

	corpus["big5-taiwan.eml"] = func() string {
		text := "您好，請問退貨流程需要幾天？發票要一併寄回嗎？\n\n林志明 敬上\n"
		return crlf(`From: `+word("big5", "林志明")+` <lin@example.com.tw>
To: support@example.com
Subject: `+word("big5", "詢問退貨流程")+`
Date: Wed, 9 Dec 2026 10:00:00 +0800
Message-ID: <big5-1@example.com.tw>
MIME-Version: 1.0
Content-Type: text/plain; charset="big5"
Content-Transfer-Encoding: 8bit
X-Mailer: Microsoft Outlook 16.0

`) + string(enc("big5", text))
	}

	corpus["raw-8bit-headers.eml"] = func() string {
		// An old client that put GBK bytes straight into the headers.
		return crlf(`From: "`+string(enc("gbk", "孙丽"))+`" <sunli@example.cn>
To: support@example.com
Subject: `+string(enc("gbk", "账户无法登录"))+`
Date: Wed, 9 Dec 2026 11:00:00 +0800
Message-ID: <raw8bit@example.cn>
Content-Type: text/plain; charset=gbk
Content-Transfer-Encoding: 8bit

`) + string(enc("gbk", "输入密码后一直提示“账户异常”，无法登录。\n"))
	}

	corpus["attachments-chinese-names.eml"] = func() string {
		pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
		xlsx := append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0x11}, 300)...)
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
		// RFC 2231 in GB18030 (Thunderbird-style continuation in UTF-8 below).
		name2231 := url.PathEscape(string(enc("gb18030", "发票（2026年12月）.pdf")))
		utf := url.PathEscape("订单明细表-第二季度-华东区域-完整版.xlsx")
		half := len(utf) / 2
		for utf[half-1] == '%' || utf[half-2] == '%' {
			half++
		}
		return crlf(`From: =?GBK?B?`+base64.StdEncoding.EncodeToString(enc("gbk", "周杰"))+`?= <zhoujie@example.cn>
To: support@example.com
Subject: `+word("gbk", "报销发票和订单明细")+`
Date: Wed, 9 Dec 2026 12:00:00 +0800
Message-ID: <attach-1@example.cn>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mixed-boundary-1"

--mixed-boundary-1
Content-Type: text/plain; charset=gbk
Content-Transfer-Encoding: base64

`) + b64(enc("gbk", "附件是发票、订单明细和截图，请查收。\n")) + crlf(`
--mixed-boundary-1
Content-Type: application/pdf
Content-Disposition: attachment;
	filename*=gb18030''`+name2231+`
Content-Transfer-Encoding: base64

`) + b64(pdf) + crlf(`
--mixed-boundary-1
Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;
	name*0*=UTF-8''`+utf[:half]+`;
	name*1*=`+utf[half:]+`
Content-Disposition: attachment;
	filename*0*=UTF-8''`+utf[:half]+`;
	filename*1*=`+utf[half:]+`
Content-Transfer-Encoding: base64

`) + b64(xlsx) + crlf(`
--mixed-boundary-1
Content-Type: image/png;
	name="`+word("gbk", "错误截图.png")+`"
Content-Disposition: attachment;
	filename="`+word("gbk", "错误截图.png")+`"
Content-Transfer-Encoding: base64

`) + b64(png) + crlf(`
--mixed-boundary-1
Content-Type: text/plain; charset=utf-8; name="log.txt"
Content-Disposition: attachment; filename="../../etc/log.txt"
Content-Transfer-Encoding: 7bit

line 1 of a log file
--mixed-boundary-1--
`)
	}

	corpus["inline-image.eml"] = func() string {
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00\x00")
		doc := []byte("PK\x03\x04 docx")
		html := `<html><body><p>报错界面如下：</p><p><img src="cid:image001.png@01DB4A2B.3C4D5E60" width="300" height="200" alt="截图"></p><p>请帮忙看看。</p></body></html>`
		return crlf(`From: `+word("utf-8", "吴刚")+` <wugang@example.cn>
To: support@example.com
Subject: `+word("utf-8", "报错截图")+`
Date: Wed, 9 Dec 2026 13:00:00 +0800
Message-ID: <inline-1@example.cn>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/related; boundary="related"; type="multipart/alternative"

--related
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

`) + b64([]byte("报错界面如下：\n\n[截图]\n\n请帮忙看看。\n")) + crlf(`
--alt
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

`) + qp([]byte(html)) + crlf(`
--alt--

--related
Content-Type: image/png; name="image001.png"
Content-Description: image001.png
Content-Disposition: inline; filename="image001.png"; size=27
Content-ID: <image001.png@01DB4A2B.3C4D5E60>
Content-Transfer-Encoding: base64

`) + b64(png) + crlf(`
--related--

--outer
Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;
	name="`+word("utf-8", "说明书")+`.docx"
Content-Disposition: attachment;
	filename="`+word("utf-8", "说明书")+`.docx"
Content-Transfer-Encoding: base64

`) + b64(doc) + crlf(`
--outer--
`)
	}

	corpus["autoreply-qq.eml"] = func() string {
		return crlf(`From: "`+word("gb18030", "王喆")+`" <wangzhe@qq.com>
To: support@example.com
Subject: `+word("gb18030", "自动回复: [#T4K2] 扫地机器人已发货")+`
Date: Mon, 7 Dec 2026 15:31:00 +0800
Message-ID: <tencent_auto_1@qq.com>
Content-Type: text/plain; charset=gb18030
Content-Transfer-Encoding: base64

`) + b64(enc("gb18030", "这是来自QQ邮箱的假期自动回复邮件。\n您好，我最近正在休假中，无法亲自回复您的邮件。\n"))
	}

	corpus["autoreply-exchange.eml"] = func() string {
		return crlf(`From: `+word("gb2312", "赵敏")+` <zhaomin@corp.example.cn>
To: support@example.com
Subject: `+word("gb2312", "自动答复: 休假")+`
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: zhaomin@corp.example.cn
Date: Mon, 7 Dec 2026 15:32:00 +0800
Message-ID: <oof-1@corp.example.cn>
MIME-Version: 1.0
Content-Type: text/plain; charset=gb2312
Content-Transfer-Encoding: base64

`) + b64(enc("gb2312", "我 12 月 7 日至 12 月 11 日休假，期间邮件将延迟处理。\n"))
	}

	corpus["autoreply-163.eml"] = func() string {
		return crlf(`From: lizhe@163.com
To: support@example.com
Subject: Re: [#T9M1] order
X-Autoreply: yes
Precedence: auto_reply
Date: Tue, 8 Dec 2026 09:30:00 +0800
Message-ID: <auto-163@163.com>
Content-Type: text/plain; charset=utf-8

您的来信已收到，我会尽快回复。
`)
	}

	corpus["bulk-newsletter.eml"] = func() string {
		return crlf(`From: news@shop.example.com
To: support@example.com
Subject: ` + word("utf-8", "双十二大促") + `
Precedence: bulk
List-Unsubscribe: <mailto:unsubscribe@shop.example.com>
Date: Tue, 8 Dec 2026 08:00:00 +0800
Message-ID: <news-1@shop.example.com>
Content-Type: text/html; charset=utf-8

<h1>双十二大促</h1><p>全场五折起。</p>
`)
	}

	corpus["bounce-postfix.eml"] = func() string {
		return crlf(`Return-Path: <>
From: MAILER-DAEMON@mail.example.com (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: support@example.com
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4C1B2A3D.1733558000/mail.example.com"
Message-Id: <20261207073320.4C1B2A3D@mail.example.com>
Date: Mon,  7 Dec 2026 15:33:20 +0800 (CST)

This is a MIME-encapsulated message.

--4C1B2A3D.1733558000/mail.example.com
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.com.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<nobody@qq.com>: host mx3.qq.com[127.0.0.1] said: 550 Mailbox not found.
    (in reply to RCPT TO command)

--4C1B2A3D.1733558000/mail.example.com
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.com
X-Postfix-Queue-ID: 4C1B2A3D
Arrival-Date: Mon,  7 Dec 2026 15:33:18 +0800 (CST)

Final-Recipient: rfc822; nobody@qq.com
Original-Recipient: rfc822;nobody@qq.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx3.qq.com
Diagnostic-Code: smtp; 550 Mailbox not found.

--4C1B2A3D.1733558000/mail.example.com
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: support@example.com
To: nobody@qq.com
Subject: ` + word("UTF-8", "[#T4K2] 您的工单") + `
Message-ID: <t4k2.1733557800.a1b2c3@mail.example.com>
Date: Mon, 7 Dec 2026 15:33:18 +0800

--4C1B2A3D.1733558000/mail.example.com--
`)
	}

	corpus["bounce-qq-text.eml"] = func() string {
		body := "很抱歉您的邮件没能成功发送到以下地址：\n\nghost@qq.com\n\n退信原因：收件人不存在。\n\n----- 原邮件头 -----\nFrom: support@example.com\nTo: ghost@qq.com\nMessage-ID: <t8w1.55@mail.example.com>\n"
		return crlf(`From: "`+word("gb18030", "系统退信")+`" <PostMaster@qq.com>
To: support@example.com
Subject: `+word("gb18030", "系统退信")+`
Date: Mon, 7 Dec 2026 15:40:00 +0800
Message-ID: <bounce-qq-1@qq.com>
Content-Type: text/plain; charset=gb18030
Content-Transfer-Encoding: base64

`) + b64(enc("gb18030", body))
	}

	corpus["broken-mime.eml"] = func() string {
		// An unclosed boundary, base64 with garbage, an unknown charset
		// on GBK bytes and a header line without a colon.
		return crlf(`From: broken@example.cn
To: support@example.com
Subject: =?x-unknown?B?abc?= `+word("gbk", "坏邮件")+`
Message-ID: <broken-1@example.cn>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=x-weird-charset
Content-Transfer-Encoding: 8bit

`) + string(enc("gbk", "正文是GBK，但字符集写错了。\n")) + crlf(`
--b
Content-Type: application/octet-stream; name="data.bin"
Content-Transfer-Encoding: base64

AAEC!!!AwQF****
`)
	}
}

func main() {
	dir := filepath.Join("mail", "testdata")
	for name, f := range corpus {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(f()), 0o644); err != nil {
			panic(err)
		}
	}
	fmt.Printf("wrote %d messages to %s\n", len(corpus), dir)
}
