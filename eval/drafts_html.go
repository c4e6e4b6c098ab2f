package eval

import (
	"fmt"
	"strings"
)

// draftsSection shows a drafts report: the counts as cards, the drafts by
// mode and kind, and every draft with a finding first.
func draftsSection(l Lang, r *DraftsReport) sectionView {
	sec := sectionView{Kind: KindDrafts, Heading: l.say("草稿检查：", "Drafts: ") + nameOr(r.Name, r.Source)}
	sec.Meta = []kv{{l.say("数据", "source"), r.Source}, {l.say("工单数", "tickets"), fmt.Sprint(r.Tickets)}}
	sec.Cards = []card{
		{l.say("含外来事实的草稿", "drafts with a foreign fact"), fmt.Sprint(r.WithForeignFacts), false},
		{l.say("外来事实", "foreign facts"), fmt.Sprint(r.ForeignFacts), false},
		{l.say("引用有误的草稿", "drafts with a bad citation"), fmt.Sprint(r.BadCitations), false},
		{l.say("合格率", "clean rate"), pct(r.CleanRate), false},
	}
	counts := tableView{Title: l.say("草稿方式与类型", "Draft modes and kinds"), Head: []string{l.say("项", "what"), l.say("值", "value"), l.say("草稿数", "drafts")}, Numeric: []bool{false, false, true}}
	for _, k := range sortedKeys(r.Modes) {
		counts.Rows = append(counts.Rows, []string{l.say("方式", "mode"), k, fmt.Sprint(r.Modes[k])})
	}
	for _, k := range sortedKeys(r.Kinds) {
		counts.Rows = append(counts.Rows, []string{l.say("类型", "kind"), k, fmt.Sprint(r.Kinds[k])})
	}
	sec.Tables = append(sec.Tables, counts)
	rows := tableView{Title: l.say("各工单草稿", "Drafts by ticket"), Note: l.say("有问题的排在前面", "those with a finding first"),
		Head: []string{l.say("工单", "ticket"), l.say("标题", "title"), l.say("方式", "mode"), l.say("类型", "kind"), l.say("引用", "citations"), l.say("外来事实", "foreign facts")}}
	for pass := 0; pass < 2; pass++ {
		for _, d := range r.Rows {
			bad := !d.CitationsValid || len(d.Foreign) > 0
			if bad != (pass == 0) {
				continue
			}
			var facts []string
			for _, f := range d.Foreign {
				facts = append(facts, string(f.Kind)+" "+f.Value)
			}
			cites := l.say("有效", "valid")
			if !d.CitationsValid {
				cites = l.say("有误", "bad")
			}
			rows.Rows = append(rows.Rows, []string{d.TicketID, d.Title, d.Mode, d.DraftKind, cites, strings.Join(facts, "；")})
		}
	}
	sec.Tables = append(sec.Tables, rows)
	return sec
}
