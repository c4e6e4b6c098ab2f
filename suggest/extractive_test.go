package suggest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

func TestExtractiveDraft(t *testing.T) {
	article := triage.Source{N: 1, Kind: triage.DocArticle, Title: "退款到账时间", Fused: 0.05,
		Snippet: "## 退款说明\n退款审核通过后，款项将**原路退回**。一般1-3个工作日到账，信用卡可能需要更久[3]。" +
			"如需发票，请在订单页申请。运费由商家承担。"}
	resolved := triage.Source{N: 2, Kind: triage.DocTicket, Title: "退款一直没到账", Fused: 0.04,
		Snippet:    "申请退款五天了还没到账，怎么回事？",
		Resolution: "您好，已核实退款已提交银行，请以银行入账时间为准。您可以在退款单中查看退款流水号，凭流水号向银行查询退款。已联系客户【手机号1】确认。请问还有其他问题吗？感谢您的耐心等待！"}
	unresolved := triage.Source{N: 3, Kind: triage.DocTicket, Title: "退款", Fused: 0.06, Snippet: "我的退款到账了吗？"}
	english := triage.Source{N: 1, Kind: triage.DocArticle, Title: "Refunds", Fused: 0.05,
		Snippet: "Refunds are returned to the original payment method. They usually arrive within 1-3 working days. Invoices are issued on request."}

	tests := []struct {
		name    string
		title   string
		body    string
		sources []triage.Source
		want    string
		cites   []int
	}{
		{"chinese, article and resolution", "退款什么时候到账", "我申请了退款，还没到账，多久能到账？",
			[]triage.Source{article, resolved, unresolved},
			"您好，关于您反馈的问题，以下信息供您参考：\n" +
				"退款审核通过后，款项将原路退回[1]。\n" +
				"一般1-3个工作日到账，信用卡可能需要更久[1]。\n" +
				"您可以在退款单中查看退款流水号，凭流水号向银行查询退款[2]。\n" +
				"如还有其他问题，欢迎随时联系我们。",
			[]int{1, 2}},
		{"resolution when it is the only source", "退款没到账", "退款还没到",
			[]triage.Source{resolved},
			"您好，关于您反馈的问题，以下信息供您参考：\n您可以在退款单中查看退款流水号，凭流水号向银行查询退款[2]。\n如还有其他问题，欢迎随时联系我们。",
			[]int{2}},
		{"english", "Where is my refund?", "I asked for a refund last week, when will it arrive?",
			[]triage.Source{english},
			"Hello, thank you for contacting us. Here is what should help:\n" +
				"Refunds are returned to the original payment method [1].\n" +
				"They usually arrive within 1-3 working days [1].\n" +
				"If you have any other questions, please let us know.",
			[]int{1}},
		{"no shared word: the first sentence of the best source", "发票", "开票",
			[]triage.Source{{N: 4, Kind: triage.DocArticle, Fused: 1, Snippet: "我们支持七天无理由退货。运费由商家承担。"}},
			"您好，关于您反馈的问题，以下信息供您参考：\n我们支持七天无理由退货[4]。\n如还有其他问题，欢迎随时联系我们。",
			[]int{4}},
		{"nothing quotable", "退款", "退款到账了吗", []triage.Source{unresolved}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, cites := extractiveDraft(tt.title, tt.body, isChinese(tt.title+tt.body), tt.sources)
			if text != tt.want || !slices.Equal(cites, tt.cites) {
				t.Errorf("extractiveDraft =\n%s\n%v\nwant\n%s\n%v", text, cites, tt.want, tt.cites)
			}
			// Whatever it writes passes the checks an LLM draft must pass.
			if text != "" {
				if _, _, reason := validateDraft(text, draftCheck{sources: tt.sources, ticket: tt.title + "\n" + tt.body, chinese: isChinese(tt.title + tt.body)}); reason != nil {
					t.Errorf("the extractive draft fails validation: %s", reason.Text)
				}
			}
		})
	}
}

func TestExtractiveLimits(t *testing.T) {
	var long strings.Builder
	for i := range 10 {
		fmt.Fprintf(&long, "退款第%d步：退款到账需要核对退款单号和到账银行。", i)
	}
	sources := []triage.Source{
		{N: 1, Kind: triage.DocArticle, Fused: 0.5, Snippet: long.String()},
		{N: 2, Kind: triage.DocArticle, Fused: 0.4, Snippet: "退款到账后会有短信通知。" + strings.Repeat("退款到账", 60) + "，请留意。"},
		{N: 3, Kind: triage.DocArticle, Fused: 0.3, Snippet: "退款到账慢可以联系银行。"},
		{N: 4, Kind: triage.DocArticle, Fused: 0.2, Snippet: "退款到账退款到账退款单号银行核对。"},
	}
	text, cites := extractiveDraft("退款到账", "退款到账要多久", true, sources)
	lines := strings.Split(text, "\n")
	if len(lines) != 2+maxExtractSentences {
		t.Fatalf("%d lines, want greeting, %d sentences, closing:\n%s", len(lines), maxExtractSentences, text)
	}
	if strings.Count(text, "[1]") > maxPerSource || slices.Contains(cites, 4) {
		t.Errorf("more than %d sentences from one source, or one from the fourth source:\n%s", maxPerSource, text)
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > maxSentenceRunes+8 {
			t.Errorf("line of %d characters: %s", n, l)
		}
	}
	again, _ := extractiveDraft("退款到账", "退款到账要多久", true, sources)
	if again != text {
		t.Error("the same input gave another draft")
	}
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"一。二！三？四", []string{"一。", "二！", "三？", "四"}},
		{"他说：“好的。”然后走了。", []string{"他说：“好的。”", "然后走了。"}},
		{"Refunds take 1.5 days. Mail a.b@example.com now", []string{"Refunds take 1.5 days.", "Mail a.b@example.com now"}},
		{"第一行\n\n第二行", []string{"第一行", "第二行"}},
		{"\n\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := splitSentences(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("splitSentences(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWithCitation(t *testing.T) {
	tests := []struct{ in, want string }{
		{"七天内可退货。", "七天内可退货[1]。"},
		{"七天内可退货", "七天内可退货[1]。"},
		{"他说“好的。”", "他说“好的。”[1]"},
		{"在「我的-退款/售后」", "在「我的-退款/售后」[1]。"},
		{"打开「我的-退款/售后」。", "打开「我的-退款/售后」[1]。"},
		{"Returns are free.", "Returns are free [1]."},
		{"Returns are free", "Returns are free [1]."},
	}
	for _, tt := range tests {
		if got := withCitation(tt.in, 1); got != tt.want {
			t.Errorf("withCitation(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkExtractiveDraft(b *testing.B) {
	var sources []triage.Source
	for i := range 10 {
		var snip strings.Builder
		for j := range 8 {
			fmt.Fprintf(&snip, "第%d条：退款审核通过后，款项将在%d个工作日内原路退回，信用卡可能需要更久。", j, i+j)
		}
		sources = append(sources, triage.Source{N: i + 1, Kind: triage.DocArticle, Fused: 1 / float64(i+1), Snippet: snip.String()})
	}
	sources[1].Kind, sources[1].Resolution = triage.DocTicket, "您好，已为您提交退款，请留意银行短信通知。"
	title, body := "退款什么时候到账", "我上周申请了退款，到现在还没到账，请问退款多久能到账？订单号123456。"
	b.ReportAllocs()
	for b.Loop() {
		extractiveDraft(title, body, true, sources)
	}
}

// Another customer's name, greeted in a resolved ticket's reply, must not
// reach the draft for this one; nor the pleasantry at the end of a useful
// sentence.
func TestQuotableDropsNamesAndPleasantries(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"龚先生您好，请先用棉签轻擦左耳耳机底部的充电触点。", "请先用棉签轻擦左耳耳机底部的充电触点。"},
		{"陈女士，退款已原路退回您的银行卡账户。", "退款已原路退回您的银行卡账户。"},
		{"尊敬的欧阳女士您好！订单已经重新发货并更新了物流单号。", "订单已经重新发货并更新了物流单号。"},
		{"若以后再出现类似情况，重置耳机通常就可以解决，祝您使用愉快！", "若以后再出现类似情况，重置耳机通常就可以解决。"},
		{"重置后请重新配对，感谢您的耐心等待。", "重置后请重新配对。"},
		{"先生们的订单已经合并发货，请注意查收包裹。", "先生们的订单已经合并发货，请注意查收包裹。"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got := quotableSentences(c.in)
			if len(got) != 1 || got[0] != c.want {
				t.Errorf("quotableSentences(%q) = %q, want [%q]", c.in, got, c.want)
			}
		})
	}
}
