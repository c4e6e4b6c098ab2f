package suggest

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/pii"
)

// Resolutions of demo tickets (app/demodata), full of another customer's
// facts and of what was done for them.
var demoResolutions = []triage.Source{
	{N: 1, Kind: triage.DocTicket, Title: "卖翻新机 要求退一赔三", Fused: 0.05, Snippet: "耳机充电盒上有明显划痕",
		Resolution: "好的，已为您创建换新单，新耳机今天发出，同时安排快递上门取回原耳机，100元补偿券已发放到您的账户。再次为此次的体验向您致歉。"},
	{N: 2, Kind: triage.DocTicket, Title: "退货一个月了还不退款 要投诉", Fused: 0.04, Snippet: "顺丰单号SF5825852258074早就显示签收了",
		Resolution: "黄先生您好，非常抱歉让您久等，这是我们的失误。经核实，您寄回的商品仓库早已签收，但质检结果没有及时同步，导致退款一直未发起。我们已加急处理，退款1899.00元已于今天原路退回，预计1–3个工作日到账；另为表歉意，已向您的账户补发50元优惠券。"},
	{N: 3, Kind: triage.DocTicket, Title: "耳机单边没有声音", Fused: 0.03, Snippet: "极光无线耳机Air2，右耳正常，左耳没声音",
		Resolution: "龚先生您好，请先用棉签轻擦左耳耳机底部的充电触点和盒内弹片，确认放入后左耳指示灯亮起。然后在手机蓝牙中忽略Aurora Air2，两只耳机放回盒中，开盖长按盒背按键10秒，指示灯红白交替闪烁后重新配对。"},
	{N: 4, Kind: triage.DocTicket, Title: "增值税专票开户行写错了需要重开", Fused: 0.02, Snippet: "专用发票上开户银行写错",
		Resolution: "王先生您好，经查询，您的专票目前尚未寄出，我们可以直接作废后重开。请您先在「发票中心-增票资质」中更新开户行及账号信息，审核通过后我们会在2个工作日内重新开具并寄出。"},
	{N: 5, Kind: triage.DocTicket, Title: "退款一周了还没到账", Fused: 0.02, Snippet: "订单号2026103007925273",
		Resolution: "您好，给您带来不便深表歉意。经查询，订单2026103007925273的退款399.00元已于3天前原路退回至您的招商银行储蓄卡。您可以在极光App「我的-退款/售后」的退款单中查看退款流水号，凭流水号可直接向银行查询。"},
}

// caseWordsRE are words a draft for one customer must not carry from
// another's resolution.
var caseWordsRE = regexp.MustCompile(`已为您|经查询|经核查|经核实|新耳机|今天|补偿券|1899|2026103007925273|399|SF5825852258074|先生|女士`)

func TestDemoTicketDrafts(t *testing.T) {
	tests := []struct {
		name, title, body string
		kind              string
		mustNot           *regexp.Regexp
		must              *regexp.Regexp
	}{
		{"counterfeit toothbrush", "卖假货 要求退一赔三", "你们卖的牙刷和官网图片完全不一样，做工粗糙，怀疑是假货。我要求退一赔三，不处理就去消协投诉。",
			triage.DraftKindEscalation, regexp.MustCompile(`耳机|1899|补偿|退回|已为您`), regexp.MustCompile(`抱歉`)},
		{"smoking charger", "扫地机器人充电座冒烟", "客户来电：扫地机器人充电时充电座发出焦糊味，有轻微冒烟，客户已拔掉电源。要求立刻派人处理，担心安全问题。",
			triage.DraftKindSafety, regexp.MustCompile(`擦拭|轻擦|触点|重新配对|\[\d+\]`), regexp.MustCompile(`停止使用.*断开电源.*远离.*联系`)},
		{"are you there", "在吗", "在吗", triage.DraftKindClarifying, regexp.MustCompile(`专票|发票|\[\d+\]`), regexp.MustCompile(`请问`)},
		{"anyone", "人呢？？", "", triage.DraftKindClarifying, regexp.MustCompile(`\[\d+\]`), regexp.MustCompile(`请问`)},
		{"not a hazard", "充电器没有冒烟也不烫", "充电器充不进电，没有冒烟也不烫，是坏了吗", triage.DraftKindNormal, nil, nil},
		{"not a threat", "我不会去12315投诉的", "退款到现在没到账，你们帮我查一下", triage.DraftKindNormal, nil, nil},
		{"refund", "退款还没到账", "退款申请了好几天了还没到账，怎么查？", triage.DraftKindNormal, caseWordsRE, regexp.MustCompile(`退款流水号.*\[5\]`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := (&Writer{}).Write(context.Background(), tt.title, tt.body, demoResolutions)
			if d.Kind != tt.kind {
				t.Fatalf("kind %q, want %q; draft %q", d.Kind, tt.kind, d.Text)
			}
			if tt.mustNot != nil && tt.mustNot.MatchString(d.Text) {
				t.Errorf("the draft says %q:\n%s", tt.mustNot.FindString(d.Text), d.Text)
			}
			if tt.must != nil && !tt.must.MatchString(d.Text) {
				t.Errorf("the draft lacks %s:\n%s", tt.must, d.Text)
			}
			if f := pii.Foreign(simpleCiteRE.ReplaceAllString(d.Text, ""), tt.title, tt.body); len(f) > 0 {
				t.Errorf("foreign facts %+v in\n%s", f, d.Text)
			}
		})
	}
}

// Every demo resolution, drafted for a ticket that shares its words but
// none of its facts, gives a draft with none of its facts, promises or
// names.
func TestResolutionsLoseTheirCase(t *testing.T) {
	for _, src := range demoResolutions {
		t.Run(src.Title, func(t *testing.T) {
			src.N = 1
			title, body := "问题咨询", src.Title+"，怎么处理"
			text, _ := extractiveDraft(title, body, true, []triage.Source{src})
			if m := caseWordsRE.FindString(text); m != "" {
				t.Errorf("the draft says %q:\n%s", m, text)
			}
			if f := pii.Foreign(simpleCiteRE.ReplaceAllString(text, ""), title, body); len(f) > 0 {
				t.Errorf("foreign facts %+v in\n%s", f, text)
			}
		})
	}
}

func TestGeneralize(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"请在订单2026103007925273的详情页申请退货。", "请在订单【订单号】的详情页申请退货。", true},
		{"退款399.00元会原路退回。", "退款【金额】会原路退回。", true},
		{"退款399.00元会原路退回。", "退款399.00元会原路退回。", true}, // grounded below
		{"已为您补发新耳机。", "", false},
		{"经查询，您的包裹在转运中心。", "", false},
		{"预计3个工作日到账。", "", false},
		{"请在「发票中心」更新开户行信息。", "请在「发票中心」更新开户行信息。", true},
		{"请凭运单号SF1234567890在官网查询。", "请凭运单号【运单号】在官网查询。", true},
		{"活动2026年10月30日前有效。", "活动【日期】前有效。", true},
		{"WH-1000XM5支持主动降噪。", "【型号】支持主动降噪。", true},
		{"后续由我全程跟进，有任何问题可直接回复本工单。", "", false},
		{"您的机器已使用一年半，电池已过保修期。", "", false},
	}
	for i, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			grounds := []string{"退款问题"}
			if i == 2 {
				grounds = append(grounds, "我付了399元")
			}
			got, ok := generalize(tt.in, grounds)
			if ok != tt.ok || got != tt.want {
				t.Errorf("generalize(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestDraftKindWords(t *testing.T) {
	tests := []struct{ text, want string }{
		{"手机电池鼓包了", triage.DraftKindSafety},
		{"孩子误吞了一颗纽扣电池", triage.DraftKindSafety},
		{"插座漏电，手被电到了", triage.DraftKindSafety},
		{"再不处理我就找律师", triage.DraftKindEscalation},
		{"我要找媒体曝光你们", triage.DraftKindEscalation},
		{"没有投诉的意思，就问问", triage.DraftKindNormal},
		{"卡号6222021231512345", triage.DraftKindNormal},
		{"hi", triage.DraftKindClarifying},
		{"有人在吗？急！", triage.DraftKindClarifying},
		{"退款怎么还没到", triage.DraftKindNormal},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := DraftKind(tt.text, ""); got != tt.want {
				t.Errorf("DraftKind(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
	if strings.Contains(templates[triage.DraftKindSafety][0], "[") {
		t.Error("the safety reply cites a source")
	}
}

func TestQuotableDropsTableRows(t *testing.T) {
	got := quotableSentences("| 产品 | 保修 |\n|---|---|\n| 极光电动牙刷 T1 | 2 年 |\n极光电动牙刷 T1 2 年 2 年\n七天无理由退货，请在订单页申请。")
	if len(got) != 1 || got[0] != "七天无理由退货，请在订单页申请。" {
		t.Errorf("quotableSentences = %q", got)
	}
}
