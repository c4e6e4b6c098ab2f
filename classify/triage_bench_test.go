package classify_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
)

// BenchmarkTriage measures the whole intake decision for one 500-character
// ticket, without I/O: normalise, segment, 20 keyword rules, the category
// and priority models, the priority signals and routing among 30 agents.
// It reports the median as well as the mean, since the budget is a
// median (2 ms).
func BenchmarkTriage(b *testing.B) {
	seg := testSegmenter(b)
	var ex []classify.Example
	cats := []string{"支付与退款", "订单与物流", "设备使用与故障", "账户与登录", "发票与报销", "会员与优惠", "商品质量与售后"}
	words := []string{"退款", "快递", "蓝牙", "密码", "发票", "积分", "质量", "到账", "物流", "连不上", "验证码", "抬头", "优惠券", "破损"}
	for i := range 700 {
		c := cats[i%len(cats)]
		ex = append(ex, classify.Example{Text: fmt.Sprintf("%s 问题 %s %s %d", c, words[i%len(words)], words[(i*7)%len(words)], i), Label: c})
	}
	catModel, err := classify.Train(b.Context(), ex, classify.TrainOptions{Segmenter: seg})
	if err != nil {
		b.Fatal(err)
	}
	for i := range ex {
		ex[i].Label = string(triage.Priorities()[i%4])
	}
	prioModel, err := classify.Train(b.Context(), ex, classify.TrainOptions{Segmenter: seg})
	if err != nil {
		b.Fatal(err)
	}
	tr := &classify.Triager{Segmenter: seg}
	for _, m := range []*classify.Model{catModel, prioModel} {
		blob, _ := m.MarshalBinary()
		kind := triage.ModelCategory
		if m == prioModel {
			kind = triage.ModelPriority
		}
		if err := tr.UseModel(&triage.Model{Kind: kind, Blob: blob}); err != nil {
			b.Fatal(err)
		}
	}
	var rules []*triage.Rule
	for i := range 20 {
		r := &triage.Rule{ID: fmt.Sprint(i), Name: fmt.Sprint("rule ", i), Enabled: true, Any: []string{words[i%len(words)], words[(i+3)%len(words)], "不满意"}, SetCategory: cats[i%len(cats)], Mode: triage.RuleBias, Weight: 0.2}
		if err := r.Validate(seg.Normalize); err != nil {
			b.Fatal(err)
		}
		rules = append(rules, r)
	}
	set, err := classify.CompileRules(rules)
	if err != nil {
		b.Fatal(err)
	}
	var agents []*triage.Agent
	loads := map[string]triage.AgentLoad{}
	for i := range 30 {
		id := fmt.Sprint("a", i)
		agents = append(agents, &triage.Agent{ID: id, Name: id, Skills: []string{cats[i%len(cats)], cats[(i+1)%len(cats)]}, Capacity: 10, Online: i%5 != 0})
		loads[id] = triage.AgentLoad{Open: i % 10, ByPriority: map[triage.Priority]int{triage.P3: i % 10}}
	}
	body := strings.Repeat("您好，我上周在极光商城买的手环一直连不上蓝牙，申请退款也没到账，客服电话打不通，非常不满意。", 12)
	body = string([]rune(body)[:480])
	in := classify.Input{Title: "手环连不上蓝牙，退款也没到账", Body: body, Channel: triage.ChannelWeb, Tier: "vip"}
	router := &classify.Router{}

	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		res := tr.Decide(in, set)
		_ = router.Choose(res.Category.Value, agents, loads, nil)
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(len([]rune(in.Title+in.Body))), "chars")
}
