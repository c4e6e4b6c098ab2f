//go:build ignore

// gencorpus writes corpus.jsonl: customer-service sentences written for
// this project, with personal data (set "pii") or with numbers and
// addresses that only look like it (set "lookalike"). Values are made up
// and valid: identity numbers carry a correct check character, card
// numbers pass Luhn. The check digits are computed here, independently of
// package pii, so the corpus does not inherit the masker's mistakes.
//
//	go run testdata/gencorpus.go > testdata/corpus.jsonl
package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

type span struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

type example struct {
	Text string `json:"text"`
	Set  string `json:"set"`
	PII  []span `json:"pii"`
	Note string `json:"note"`
}

var rng = rand.New(rand.NewPCG(20261207, 13))

func pick[T any](xs []T) T { return xs[rng.IntN(len(xs))] }

func digits(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + rng.IntN(10)))
	}
	return b.String()
}

// --- valid values -----------------------------------------------------

var mobilePrefixes = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "145", "147", "150", "151", "152", "153",
	"155", "156", "157", "158", "159", "166", "170", "171", "173", "175", "176", "177", "178", "180", "181", "182", "183", "185",
	"186", "187", "188", "189", "191", "193", "195", "198", "199"}

func mobile() string { return pick(mobilePrefixes) + digits(8) }

var areaCodes3 = []string{"010", "020", "021", "022", "023", "024", "025", "027", "028", "029"}
var areaCodes4 = []string{"0311", "0351", "0371", "0431", "0451", "0471", "0531", "0551", "0571", "0574", "0591", "0592",
	"0731", "0755", "0757", "0769", "0851", "0871", "0898", "0931", "0951", "0991"}

// landline returns an area code and a local number (8 digits, or 7 after
// some four-digit codes), the local number starting with 2 to 8.
func landline() (string, string) {
	local := string(rune('2'+rng.IntN(7))) + digits(7)
	if rng.IntN(2) == 0 {
		return pick(areaCodes3), local
	}
	if rng.IntN(3) == 0 {
		local = local[:7]
	}
	return pick(areaCodes4), local
}

var regions = []string{"110101", "110105", "120103", "130102", "140105", "210102", "220102", "230103", "310101", "310115",
	"320102", "330106", "340104", "350203", "360102", "370202", "410105", "420106", "430104", "440106", "440305", "450103",
	"460106", "500103", "510107", "520102", "530102", "610113", "620102", "630102", "640104", "650102"}

var idWeights = []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

func idCheck(d17 string) byte {
	sum := 0
	for i, w := range idWeights {
		sum += int(d17[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

func birth() string {
	y := 1945 + rng.IntN(63)
	m := 1 + rng.IntN(12)
	d := 1 + rng.IntN(28)
	return fmt.Sprintf("%04d%02d%02d", y, m, d)
}

// idCard returns an 18-character identity number; withX asks for one
// whose check character is X.
func idCard(withX bool) string {
	for {
		d17 := pick(regions) + birth() + digits(3)
		c := idCheck(d17)
		if withX == (c == 'X') {
			return d17 + string(c)
		}
	}
}

func luhnDigit(body string) byte {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		v := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return byte('0' + (10-sum%10)%10)
}

func luhnBad(body string) byte { return byte('0' + (int(luhnDigit(body)-'0')+1+rng.IntN(9))%10) }

var cardIssuers = []struct {
	prefix string
	n      int
}{
	{"622202", 19}, {"622848", 19}, {"621226", 16}, {"621700", 19}, {"622588", 16}, {"625807", 16}, {"623668", 19},
	{"4", 16}, {"4563", 16}, {"51", 16}, {"55", 16}, {"2221", 16}, {"3528", 16}, {"9558", 19}, {"37", 15}, {"34", 15},
}

func card() string {
	is := pick(cardIssuers)
	body := is.prefix + digits(is.n-1-len(is.prefix))
	return body + string(luhnDigit(body))
}

// mailLocals: the first eight are no phone number, see the look-alikes.
var mailLocals = []string{"zhangsan", "li.si", "wang_wu88", "kf-2024", "chen+shop", "xiaoming1990", "Liu.Yang", "service", "13800138000", "hr.dept", "a1b2c3"}
var mailDomains = []string{"qq.com", "163.com", "126.com", "sina.com.cn", "gmail.com", "foxmail.com", "outlook.com", "example.com",
	"company.com.cn", "例子.中国", "公司.cn", "测试.公司", "mail.example.org", "vip.163.com", "网店.中国"}

func email() string { return pick(mailLocals) + "@" + pick(mailDomains) }

// --- how people type them --------------------------------------------

var invisibles = []string{"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}

func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '!' && r <= '~' {
			return r - '!' + '！'
		}
		return r
	}, s)
}

// sprinkle puts invisible characters between some of the characters of s,
// never at either end.
func sprinkle(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		b.WriteRune(r)
		if i < len(rs)-1 && rng.IntN(3) == 0 {
			b.WriteString(pick(invisibles))
		}
	}
	return b.String()
}

func split(s string, sep string, sizes ...int) string {
	var parts []string
	for _, n := range sizes {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	if s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, sep)
}

func mobileForm(m string) (string, string) {
	switch rng.IntN(16) {
	case 0:
		return split(m, " ", 3, 4), "spaces"
	case 1:
		return split(m, "-", 3, 4), "dashes"
	case 2:
		return split(m, ".", 3, 4), "dots"
	case 3:
		return split(m, "—", 3, 4), "em dashes"
	case 4:
		return split(m, "——", 3, 4), "double em dashes"
	case 5:
		return "+86-" + m, "+86-"
	case 6:
		return "+86 " + split(m, " ", 3, 4), "+86 spaced"
	case 7:
		return "0086" + m, "0086"
	case 8:
		return "0086-" + split(m, "-", 3, 4), "0086 dashed"
	case 9:
		return sprinkle(m), "invisible characters"
	case 10:
		return fullWidth(m), "full-width"
	case 11:
		return fullWidth(split(m, " ", 3, 4)), "full-width spaced"
	case 12:
		return split(m, "\u3000", 3, 4), "ideographic spaces"
	case 13:
		return sprinkle(split(m, " ", 3, 4)), "spaces and invisible characters"
	case 14:
		return "+86" + m, "+86"
	}
	return m, "plain"
}

func landlineForm(area, local string) (string, string) {
	switch rng.IntN(11) {
	case 0:
		return area + " " + local, "space"
	case 1:
		return "(" + area + ")" + local, "parentheses"
	case 2:
		return "（" + area + "）" + local, "full-width parentheses"
	case 3:
		return area + "-" + local[:len(local)-4] + "-" + local[len(local)-4:], "dashes"
	case 4:
		return "+86 " + area[1:] + " " + local, "+86"
	case 5:
		return "0086-" + area[1:] + "-" + local, "0086"
	case 6:
		return fullWidth(area + "-" + local), "full-width"
	case 7:
		return sprinkle(area + "-" + local), "invisible characters"
	case 8:
		return area + local, "plain"
	case 9:
		return area + "—" + local, "em dash"
	}
	return area + "-" + local, "dash"
}

func idForm(id string) (string, string) {
	switch rng.IntN(8) {
	case 0:
		return split(id, " ", 6, 8), "6 8 4"
	case 1:
		return fullWidth(id), "full-width"
	case 2:
		return sprinkle(id), "invisible characters"
	case 3:
		return split(id, " ", 6, 4, 4), "6 4 4 4"
	}
	return id, "plain"
}

func cardForm(c string) (string, string) {
	switch rng.IntN(7) {
	case 0:
		if len(c) == 15 {
			return split(c, " ", 4, 6), "4 6 5"
		}
		return split(c, " ", 4, 4, 4, 4), "groups of four"
	case 1:
		if len(c) == 15 {
			return split(c, "-", 4, 6), "4-6-5"
		}
		return split(c, "-", 4, 4, 4, 4), "dashes"
	case 2:
		return fullWidth(c), "full-width"
	case 3:
		return sprinkle(c), "invisible characters"
	}
	return c, "plain"
}

func emailForm(e string) (string, string) {
	switch rng.IntN(7) {
	case 0:
		return strings.Replace(e, "@", "＠", 1), "full-width at"
	case 1:
		return fullWidth(e), "full-width"
	case 2:
		return sprinkle(e), "invisible characters"
	case 3:
		return strings.ToUpper(e[:1]) + e[1:], "capital"
	}
	return e, "plain"
}

// --- sentences ----------------------------------------------------------

var phoneTemplates = []string{
	"我的手机号是%s，请尽快联系我", "联系电话：%s", "请打%s找我，白天都在", "客户留的号码%s一直打不通", "%s是我的新号码，旧的停机了",
	"收件人：陈女士 %s", "麻烦回电%s，谢谢", "我手机%s收不到验证码", "换绑手机到%s", "号码%s，微信同号",
	"用户%s反馈无法登录", "Tel: %s", "打%s", "快递员让我联系%s", "家属电话 %s，有事请找他",
}
var landlineTemplates = []string{
	"公司座机%s，工作日可打", "办公室电话：%s", "固话 %s 找财务", "请拨打我们前台%s", "电话%s转人事部",
	"客户留了座机%s", "联系方式：%s（白天）", "门店电话%s一直占线",
}
var idTemplates = []string{
	"身份证号%s，实名认证一直失败", "我的身份证：%s", "证件号码 %s 提示格式不对", "实名信息：张三，%s", "身份证%s被别人注册了",
	"请核对身份证号码%s", "%s是我的身份证号", "提交的证件号是 %s",
}
var cardTemplates = []string{
	"退款请退到这张卡%s", "银行卡号：%s", "卡号 %s 扣款两次", "信用卡%s被盗刷了", "我的储蓄卡%s提现失败",
	"收款账户%s", "绑定的卡是%s，请解绑", "还款卡 %s 没扣到钱",
}
var emailTemplates = []string{
	"邮箱%s收不到发票", "麻烦发到%s", "我的邮箱是 %s", "电子发票请发送至%s，谢谢", "联系人邮箱：%s",
	"账号%s登录不了", "回复到%s就行", "E-mail: %s",
}

func gen(kind string, tmpl string, value, note string) example {
	return example{Text: fmt.Sprintf(tmpl, value), Set: "pii", PII: []span{{Kind: kind, Value: value}}, Note: note}
}

func piiCases() []example {
	var out []example
	for range 90 {
		v, note := mobileForm(mobile())
		out = append(out, gen("phone", pick(phoneTemplates), v, "mobile, "+note))
	}
	for range 50 {
		v, note := landlineForm(landline())
		out = append(out, gen("landline", pick(landlineTemplates), v, "landline, "+note))
	}
	for i := range 60 {
		v, note := idForm(idCard(i%3 == 0))
		if i%6 == 0 {
			v, note = strings.ToLower(v), note+", lower-case x"
		}
		out = append(out, gen("id_card", pick(idTemplates), v, "identity number, "+note))
	}
	for range 50 {
		v, note := cardForm(card())
		out = append(out, gen("bank_card", pick(cardTemplates), v, "bank card, "+note))
	}
	for range 50 {
		v, note := emailForm(email())
		out = append(out, gen("email", pick(emailTemplates), v, "e-mail, "+note))
	}
	// Several values in one ticket, in the order they appear.
	for range 30 {
		m, _ := mobileForm(mobile())
		id, _ := idForm(idCard(false))
		c, _ := cardForm(card())
		e, _ := emailForm(email())
		order := pick(orderNumbers)()
		out = append(out, example{
			Text: fmt.Sprintf("订单%s退款没到账。姓名王芳，手机%s，身份证%s，退款卡%s，邮箱%s，请尽快处理。", order, m, id, c, e),
			Set:  "pii", Note: "a whole ticket",
			PII: []span{{"phone", m}, {"id_card", id}, {"bank_card", c}, {"email", e}},
		})
	}
	return out
}

// --- look-alikes ------------------------------------------------------

func date() string {
	return fmt.Sprintf("20%02d%02d%02d", 18+rng.IntN(9), 1+rng.IntN(12), 1+rng.IntN(28))
}

var orderNumbers = []func() string{
	func() string { return date() + digits(8) },                         // 16 digits, date first
	func() string { return date() + digits(10) },                        // 18
	func() string { return date() + digits(12) },                        // 20
	func() string { return string(rune('1'+rng.IntN(3))) + digits(17) }, // Taobao-style 18
	func() string { return date()[2:] + "-" + digits(15) },              // Pinduoduo-style
	func() string { return "2" + digits(11) },                           // JD-style 12
	func() string { return "E" + date() + digits(6) },
}

var trackingNumbers = []func() string{
	func() string { return "SF" + digits(13) },
	func() string { return "SF " + digits(12) },
	func() string { return "YT" + digits(13) },
	func() string { return "JD" + digits(13) },
	func() string { return "JDVA" + digits(11) },
	func() string { return "JT" + digits(13) },
	func() string { return "EA" + digits(9) + "CN" },
	func() string { return "DPK" + digits(12) },
	func() string { return "7" + digits(13) }, // 中通-style 14 digits
	func() string { return "43" + digits(11) },
	func() string { return "1" + digits(12) },
}

func amount() string {
	switch rng.IntN(6) {
	case 0:
		return fmt.Sprintf("¥%d,%03d.%02d", 1+rng.IntN(99), rng.IntN(1000), rng.IntN(100))
	case 1:
		return fmt.Sprintf("%d.%02d元", rng.IntN(100000000), rng.IntN(100))
	case 2:
		return fmt.Sprintf("￥%d", 1+rng.IntN(1000000))
	case 3:
		return fmt.Sprintf("%d,%03d,%03d.%02d元", 1+rng.IntN(99), rng.IntN(1000), rng.IntN(1000), rng.IntN(100))
	case 4:
		return fmt.Sprintf("%d万元", 1+rng.IntN(10000))
	}
	return fmt.Sprintf("%d元", 1+rng.IntN(100000))
}

func when() string {
	d := date()
	y, m, dd := d[:4], d[4:6], d[6:]
	switch rng.IntN(8) {
	case 0:
		return y + "-" + m + "-" + dd
	case 1:
		return y + "年" + strings.TrimPrefix(m, "0") + "月" + strings.TrimPrefix(dd, "0") + "日"
	case 2:
		return d
	case 3:
		return y + "/" + m + "/" + dd + fmt.Sprintf(" %02d:%02d:%02d", rng.IntN(24), rng.IntN(60), rng.IntN(60))
	case 4:
		return y + "." + m + "." + dd
	case 5:
		return y + "-" + m + "-" + dd + fmt.Sprintf("T%02d:%02d:00+08:00", rng.IntN(24), rng.IntN(60))
	case 6:
		return fmt.Sprintf("17%08d", rng.IntN(100000000)) // Unix seconds
	}
	return fmt.Sprintf("17%011d", rng.IntN(100000000000)) // Unix milliseconds
}

var lookalikeTemplates = []struct {
	tmpl string
	val  func() string
	note string
}{
	{"订单号%s还没发货", func() string { return pick(orderNumbers)() }, "order number, labelled"},
	{"我的订单%s一直显示待发货", func() string { return pick(orderNumbers)() }, "order number, labelled"},
	{"%s这个订单能退吗", func() string { return pick(orderNumbers)() }, "order number, unlabelled"},
	{"下单后生成了%s号订单", func() string { return pick(orderNumbers)() }, "order number"},
	{"快递单号%s三天没更新", func() string { return pick(trackingNumbers)() }, "tracking number, labelled"},
	{"物流%s显示已签收但我没收到", func() string { return pick(trackingNumbers)() }, "tracking number"},
	{"包裹%s到哪了", func() string { return pick(trackingNumbers)() }, "tracking number"},
	{"退款%s什么时候到账", amount, "amount"},
	{"实付%s，优惠券没用上", amount, "amount"},
	{"余额显示%s不对", amount, "amount"},
	{"%s下的单", when, "date"},
	{"预计%s送达", when, "date"},
	{"发票代码%s", func() string { return "0" + digits(11) }, "invoice code"},
	{"发票号码%s", func() string { return digits(8) }, "invoice number"},
	{"验证码%s五分钟内有效", func() string { return digits(6) }, "verification code"},
	{"邮编%s", func() string { return digits(6) }, "postcode"},
	{"QQ号%s", func() string { return string(rune('1'+rng.IntN(9))) + digits(5+rng.IntN(5)) }, "QQ number"},
	{"客服热线%s", func() string { return "400-" + digits(3) + "-" + digits(4) }, "400 hotline"},
	{"IMEI %s", func() string { b := "35" + digits(12); return b + string(luhnDigit(b)) }, "IMEI"},
	{"会员号%s", func() string { return digits(16) }, "member number"},
	{"工单%s已受理", func() string { return digits(12) }, "ticket number"},
	{"商品编码%s", func() string { return "69" + digits(11) }, "barcode"},
	{"流水号%s", func() string { b := "6222" + digits(14); return b + string(luhnDigit(b)) }, "transaction number that passes Luhn"},
	{"交易号：%s", func() string { return mobile() }, "transaction number that fits a mobile number"},
	{"卡号%s输错了一位", func() string { b := "6222" + digits(14); return b + string(luhnBad(b)) }, "card number with a wrong check digit"},
	{"%s这张卡号不对吧", func() string { b := "6217" + digits(11); return b + string(luhnBad(b)) }, "card number with a wrong check digit"},
	{"身份证号%s提示无效", func() string {
		d := pick(regions) + birth() + digits(3)
		wrong := strings.ReplaceAll("0123456789X", string(idCheck(d)), "")
		return d + string(wrong[rng.IntN(len(wrong))])
	}, "identity number with a wrong check character"},
	{"型号%s", func() string { return pick([]string{"SM-G", "MI-", "HW-", "V"}) + digits(4) }, "model number"},
	{"版本号v%s", func() string { return fmt.Sprintf("%d.%d.%d", rng.IntN(20), rng.IntN(100), rng.IntN(1000)) }, "version"},
	{"IP是%s", func() string {
		return fmt.Sprintf("%d.%d.%d.%d", rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256))
	}, "IP address"},
	{"坐标%s", func() string {
		return fmt.Sprintf("%d.%06d,%d.%06d", 100+rng.IntN(30), rng.IntN(1000000), 20+rng.IntN(25), rng.IntN(1000000))
	}, "coordinates"},
	{"房间号%s", func() string { return digits(4) }, "room number"},
	{"车牌%s", func() string { return pick([]string{"京A", "粤B", "沪C", "浙A"}) + digits(5) }, "licence plate"},
	{"@%s 请跟进这个工单", func() string { return pick([]string{"张三", "客服小王", "售后组"}) }, "mention"},
	{"网址是%s", func() string {
		return pick([]string{"www.example.com", "https://shop.example.cn/item/" + digits(12), "m.tb.cn/h." + digits(6)})
	}, "web address"},
	{"邮箱写成了%s，少了后缀", func() string { return pick(mailLocals[:8]) + "@" + pick([]string{"qq", "163", "gmail"}) }, "address without a domain"},
	{"共%s件商品", func() string { return fmt.Sprint(1 + rng.IntN(50)) }, "count"},
	{"第%s期分期还款", func() string { return fmt.Sprintf("%d/%d", 1+rng.IntN(12), 12) }, "instalment"},
	{"取件码%s", func() string { return fmt.Sprintf("%d-%d-%04d", 1+rng.IntN(30), 1+rng.IntN(9), rng.IntN(10000)) }, "pickup code"},
	{"统一社会信用代码%s", func() string { return "91" + digits(6) + "MA" + digits(7) + "X" }, "company code"},
	{"ISBN %s", func() string { return "978-7-" + digits(3) + "-" + digits(5) + "-" + digits(1) }, "ISBN"},
	{"航班CA%s", func() string { return digits(4) }, "flight"},
	{"比分%s", func() string { return fmt.Sprintf("%d:%d", rng.IntN(5), rng.IntN(5)) }, "score"},
}

func lookalikes() []example {
	var out []example
	for i := range 300 {
		l := lookalikeTemplates[i%len(lookalikeTemplates)]
		out = append(out, example{Text: fmt.Sprintf(l.tmpl, l.val()), Set: "lookalike", PII: []span{}, Note: l.note})
	}
	return out
}

func main() {
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for _, e := range append(piiCases(), lookalikes()...) {
		if err := enc.Encode(e); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
