package suggest

import (
	"strings"
	"unicode"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
)

// Some tickets must not get an answer quoted from the sources, however
// close they are: a hazard needs the customer to stop using the product
// now, not a how-to; a threat to go to 12315, a lawyer or the media needs
// an apology and a person; a ticket that says nothing (在吗, 人呢？？) needs
// a question back. DraftKind tells them apart with words, not with the
// classifier, so that the reply does not depend on a model's mood.

// fillerWords say nothing about a problem; a ticket made only of them is
// asked what it is about.
var fillerWords = []string{
	"有人在吗", "有人吗", "在不在", "在吗", "在么", "在嘛", "人呢", "转人工", "人工客服", "人工", "客服", "你好", "您好", "请问",
	"哈喽", "喂", "亲", "急急急", "急", "快点", "回复", "回一下", "谢谢", "麻烦", "hello", "there", "anyone", "hi",
	"吗", "呢", "啊", "呀", "吧", "哦", "嗯",
}

// DraftKind says which kind of reply a ticket needs: a safety reply for a
// hazard, an escalation for a threat, a clarifying question for a ticket
// with nothing to go on, else a normal answer from the sources.
func DraftKind(title, body string) string {
	text := strings.ToLower(title + "\n" + body)
	// The safety and threat words are priority's (classify.Danger): the
	// ticket raised to P1 for a hazard is the one that gets the safety
	// reply.
	hazard, threat := classify.Danger(text)
	switch {
	case hazard:
		return triage.DraftKindSafety
	case threat:
		return triage.DraftKindEscalation
	case nothingToGoOn(text):
		return triage.DraftKindClarifying
	}
	return triage.DraftKindNormal
}

// nothingToGoOn reports a ticket that, once greetings and calls for a
// person are taken out, has fewer than three letters or digits left.
func nothingToGoOn(text string) bool {
	for _, w := range fillerWords {
		text = strings.ReplaceAll(text, w, " ")
	}
	n := 0
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n < 3
}

// The fixed replies, by kind and language. They state nothing about the
// customer's case, so they cannot state it wrongly.
var templates = map[string][2]string{
	triage.DraftKindSafety: {
		"您好，非常抱歉给您带来安全隐患。为了您和家人的安全，请立即停止使用该产品，断开电源（拔掉插头或充电线），将其放在远离易燃物、儿童和宠物的地方，不要自行拆解或继续充电。如有人受伤或身体不适，请先就医或拨打急救电话。我们已将您的反馈作为安全问题优先处理，专人会尽快与您联系跟进后续处理。",
		"Hello, we are very sorry. For your safety, please stop using the product now, unplug it, and keep it away from anything flammable, from children and from pets; do not open it or charge it again. If anyone is hurt or unwell, please seek medical help first. We are treating this as a safety issue and a member of our team will contact you shortly.",
	},
	triage.DraftKindEscalation: {
		"您好，非常抱歉给您带来不好的体验，您的诉求我们非常重视。您的问题已转交专人负责，专人会尽快与您联系，核实情况后给您明确的处理方案。",
		"Hello, we are sorry for the experience you had and take your request seriously. Your case has been passed to a senior member of our team, who will contact you shortly with a clear resolution.",
	},
	triage.DraftKindClarifying: {
		"您好，我在的，请问有什么可以帮您？请简单描述一下遇到的问题，如涉及订单，请一并提供订单号，以便尽快为您处理。",
		"Hello, I'm here. How can I help? Please describe the problem briefly and, if it concerns an order, include the order number.",
	},
}

// templateDraft is the fixed reply of a kind in the ticket's language.
func templateDraft(kind string, chinese bool) triage.Draft {
	t := templates[kind]
	text := t[1]
	if chinese {
		text = t[0]
	}
	return triage.Draft{Mode: triage.DraftTemplate, Kind: kind, Text: text, Citations: []int{}}
}
