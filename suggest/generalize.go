package suggest

import (
	"regexp"
	"slices"
	"strings"

	"github.com/triagehq/triage/pii"
)

// A similar ticket's resolution answered another customer: its amounts,
// order and tracking numbers, dates, models and names are that customer's,
// and its "已为您…" and "经查询…" report what was done for them. A sentence
// of it reaches a draft only as general advice: sentences that report or
// promise something done for that case are dropped, and the specifics left
// in the others become placeholders the agent must fill (【订单号】,
// 【金额】) unless this ticket or a quoted article states them.

// caseRE finds sentences that only make sense for the case they were
// written for: what was checked, done or promised for that customer.
var caseRE = regexp.MustCompile(
	`(?:已|已经|刚刚|这边|我们|我这边|现|现已|特)(?:为|帮|给|替|向)(?:您|你)` +
		`|(?:为|帮|给|替)(?:您|你)(?:申请|补发|发放|安排|办理|退|换|登记|备注|提交|处理|重新|加急|催|联系|核实|查询|开具|开通|修改|恢复|解除|取消|升级|延长|赠送|补偿)` +
		`|经(?:过)?(?:查询|核查|核实|确认|查|调查|检测|排查|了解)|(?:查询|核实|核查|确认|查看|检测)(?:到|后|发现|结果)` +
		`|已于|已(?:经)?(?:安排|发出|寄出|补发|重发|退回|原路退回|到账|退款|处理|登记|提交|备注|联系|通知|加急|催促|申请|开具|寄回|签收|恢复|解除|修改|升级|取消|赔付|补偿|核实|确认|转交|上报)` +
		`|(?:今天|今日|明天|昨天|前天|刚才|刚刚|稍后|下午|上午|晚上|本周|下周|马上)` +
		`|\p{Han}{1,2}(?:先生|女士|小姐)|由我|我本人|本人会|我会` +
		`|您(?:的|购买的|这台|这件|这款|这边)?(?:新|旧)?(?:机器|设备|产品|耳机|手机|电脑|平板|手表|手环|充电器|电视|冰箱|洗衣机|空调|牙刷|音箱|商品|订单|包裹|快递|退款|发票|情况)(?:已|目前|现在|还|在|是|属于)`)

// generalize returns a resolution's sentence fit for another customer's
// draft, or false when it is not.
func generalize(sent string, grounds []string) (string, bool) {
	if caseRE.MatchString(sent) {
		return "", false
	}
	foreign := pii.Foreign(sent, grounds...)
	if len(foreign) == 0 {
		return sent, true
	}
	if slices.ContainsFunc(foreign, func(f pii.Fact) bool { return f.Kind == pii.FactNumber }) {
		// A count or a time limit the sources do not give cannot be
		// turned into a blank worth filling: 【数量】个工作日 is no advice.
		return "", false
	}
	var b strings.Builder
	last := 0
	for _, f := range foreign {
		b.WriteString(sent[last:f.Start])
		b.WriteString(pii.FactLabel(f.Kind))
		last = f.End
	}
	b.WriteString(sent[last:])
	return b.String(), true
}
