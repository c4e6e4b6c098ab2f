// The server explains its decisions in English sentences (classify/ and
// suggest/ write them, and the API and logs keep them as they are). In
// Chinese the UI reads the known shapes and says them in Chinese; a
// sentence it does not know is shown as the server wrote it rather than
// hidden. The shapes follow the Sprintf formats in classify/triage.go,
// classify/priority.go, classify/route.go and suggest/suggest.go.

import { lang } from './i18n.js';
import { actorName } from './api.js';

const SENTENCES = [
  // Priority (classify/priority.go); the repeat-contact ones before the
  // general ": raises" shapes below.
  [/^No priority signal: the default P3\.$/, '没有优先级信号：默认 P3。'],
  [/^Rule "(.+)" sets (P\d)\.$/, '规则「$1」设为 $2。'],
  [/^Customer tier (.+): at least P2\.$/, '客户等级 $1：至少 P2。'],
  [/^Set by the client: (P\d)\.$/, '创建时指定：$1。'],
  [/^Triage would have chosen (.*)\.$/, '分诊本会选择 $1。'],
  [/^Threatens to take it outside: a regulator, the media, a lawyer or the police \((.+)\): (P\d)\.$/, '扬言找监管、媒体、律师或报警（$1）：$2。'],
  [/^Claims compensation \((.+)\): (P\d)\.$/, '要求赔偿（$1）：$2。'],
  [/^Urgent wording \((.+)\): (P\d)\.$/, '措辞紧急（$1）：$2。'],
  [/^Complaint wording \((.+)\): (P\d)\.$/, '投诉措辞（$1）：$2。'],
  [/^Urgent wording negated \((.+)\): not counted\.$/, '紧急措辞被否定（$1）：不计入。'],
  [/^(\d+) other tickets? from this requester recently; it takes (\d+) to raise the priority\.$/, '该客户近期另有 $1 个工单；达到 $2 个才提高优先级。'],
  [/^(\d+) other tickets? from this requester recently; the priority is already (P\d)\.$/, '该客户近期另有 $1 个工单；优先级已是 $2。'],
  [/^(\d+) other tickets? from this requester recently: raises (P\d) to (P\d)\.$/, '该客户近期另有 $1 个工单：优先级由 $2 提高到 $3。'],
  // Notes the service writes into histories and article versions.
  [/^created$/, '创建'],
  [/^reverted to version (\d+)$/, '恢复到版本 $1'],
  [/^assigned by hand$/, '手动分配'],
  [/^merged as a duplicate$/, '作为重复工单合并'],
  [/^merged as a duplicate: (.+)$/, '作为重复工单合并：$1'],
  [/^closed by merging into (\S+), as (.+) asked$/, (_, id, who) => `合并到工单 ${id} 后关闭（${actorName(who)} 操作）`],
  [/^from ticket (\S+)$/, '来自工单 $1'],
  [/^model: (.+) ([\d.]+)$/, '模型：$1 $2'],
  [/^(\d+) similar resolved tickets voted \(weight ([\d.]+)\)$/, '$1 个相似的已解决工单投票（权重 $2）'],
  [/^rules (.+) add ([\d.]+) to (.+)$/, '规则 $1 为「$3」加 $2'],
  [/^rule (.+) sets the category \(override\)$/, '规则 $1 直接设定类别（覆盖模型）'],
  [/^best guess (.+) at ([\d.]+) is below the threshold ([\d.]+): left for a person$/, '最佳猜测「$1」置信度 $2，低于阈值 $3：留给人工判断'],
  [/^The priority model says (.+) \(([\d.]+)\)\.$/, '优先级模型判断为 $1（$2）。'],
  [/^The priority model's best guess, (.+) at ([\d.]+), is below ([\d.]+) and not used\.$/, '优先级模型的最佳猜测 $1（$2）低于 $3，未采用。'],
  [/^Negative tone \((.+)\), not strong enough to raise the priority\.$/, '负面情绪（$1），不足以提高优先级。'],
  [/^Strongly negative tone \((.+)\): raises (.+) to (.+)\.$/, '强烈负面情绪（$1）：优先级由 $2 提高到 $3。'],
  [/^Strongly negative tone \((.+)\); the priority is already (.+)\.$/, '强烈负面情绪（$1）；优先级已是 $2。'],
  [/^Low-urgency wording \((.+)\) and nothing more pressing: P4\.$/, '措辞不紧急（$1），也没有更紧迫的信号：P4。'],
  [/^Low-urgency wording \((.+)\), outweighed by the other signals\.$/, '措辞不紧急（$1），但其他信号更重要。'],
  [/^(.+): raises (P\d) to (P\d)\.$/, '$1：优先级由 $2 提高到 $3。'],
  [/^(.+); it takes (\d+) to raise the priority\.$/, '$1；需要 $2 个才会提高优先级。'],
  [/^(.+); the priority is already (P\d)\.$/, '$1；优先级已是 $2。'],
  [/^assigned to (.+?): least loaded \(([\d.]+)\), longest since last assignment among (\d+) eligible agents with skill (.+)$/, '分配给 $1：在 $3 位具备「$4」技能的可分配客服中负载最低（$2），且距上次分配最久'],
  [/^assigned to (.+?): least loaded \(([\d.]+)\) among (\d+) eligible agents with skill (.+)$/, '分配给 $1：在 $3 位具备「$4」技能的可分配客服中负载最低（$2）'],
  [/^assigned by hand when the ticket was created; routing would have chosen (.+)$/, '创建工单时手动分配；自动路由会选择 $1'],
  [/^assigned by hand when the ticket was created$/, '创建工单时手动分配'],
  [/^would be assigned to (.+)$/, '将分配给 $1'],
  [/^chosen: least loaded \(([\d.]+)\), longest since last assignment$/, '选中：负载最低（$1），且距上次分配最久'],
  [/^chosen: least loaded \(([\d.]+)\)$/, '选中：负载最低（$1）'],
  [/^eligible, load ([\d.]+)$/, '可分配，负载 $1'],
  [/^at capacity \((\d+) of (\d+)\)$/, '已满额（$1 / $2）'],
  [/^offline$/, '离线'],
];

// Parts of "nobody to assign: …; waiting in the queue of team …".
const NOBODY = [
  [/^nobody to assign: /, '无人可分配：'],
  [/the category is not decided, so no skill can be matched/, '类别未定，无法按技能匹配'],
  [/no agent has the skill (.+?)(?=;|$)/, '没有客服具备「$1」技能'],
  [/all (\d+) agents with skill (.+?) are offline or at capacity/, '具备「$2」技能的 $1 位客服都离线或已满额'],
  [/; waiting in the queue of team (.+)$/, '；在团队「$1」的队列中等待'],
];

// Source reasons: "words: #1 (BM25 0.03); meaning: #2 (cosine 0.27); fused 0.0328".
const SOURCE = [
  [/words: #(\d+) \(BM25 ([\d.]+)\)/, '词匹配第 $1（BM25 $2）'],
  [/meaning: #(\d+) \(cosine ([\d.]+)\)/, '语义第 $1（余弦 $2）'],
  [/fused ([\d.]+)/, '融合 $1'],
  [/; /g, '；'],
];

// A probable duplicate (desk/duplicates.go): "same requester (e-mail),
// 2h5m0s apart; text similarity 0.71 (Jaccard of the word sets, threshold
// 0.60): 5 words shared: 退款 到账 …".
const DUPLICATE = /^same requester \((e-mail|phone)\), (\S+) apart; text similarity ([\d.]+) \(Jaccard of the word sets, threshold ([\d.]+)\): (\d+) words shared: (.*)$/;

// goDuration says a Go duration ("26h5m0s") in Chinese.
function goDuration(d) {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:[\d.]+s)?$/.exec(d);
  if (!m || (!m[1] && !m[2])) return d === '0s' ? '不到 1 分钟' : d;
  const hrs = Number(m[1] || 0), mins = Number(m[2] || 0);
  const days = Math.floor(hrs / 24);
  return [days ? days + ' 天' : '', hrs % 24 ? (hrs % 24) + ' 小时' : '', mins ? mins + ' 分钟' : ''].filter(Boolean).join(' ');
}

function duplicateText(s) {
  return s.replace(DUPLICATE, (_, via, apart, score, th, n, words) =>
    `同一客户（${via === 'phone' ? '电话' : '邮箱'}），相隔 ${goDuration(apart)}；文本相似度 ${score}（词集 Jaccard，阈值 ${th}），共有 ${n} 个词：${words}`);
}

// whyText says one of the server's reasons in the UI's language.
export function whyText(s) {
  s = String(s ?? '');
  if (lang() !== 'zh-CN') return s;
  for (const [re, zh] of SENTENCES) if (re.test(s)) return s.replace(re, zh);
  if (s.startsWith('nobody to assign: ')) return NOBODY.reduce((acc, [re, zh]) => acc.replace(re, zh), s);
  if (DUPLICATE.test(s)) return duplicateText(s);
  if (/^(words|meaning): #/.test(s)) return SOURCE.reduce((acc, [re, zh]) => acc.replace(re, zh), s);
  return s;
}

// A rule's effect in a dry run (classify/rules.go effect): parts joined
// by "; ".
const EFFECT = [
  [/^sets category (.+) \(override\)$/, '设定类别 $1（覆盖）'],
  [/^would set category (.+) \(override\), but rule "(.+)" already set (.+)$/, '本会设定类别 $1（覆盖），但规则「$2」已设为 $3'],
  [/^would add ([\d.]+) to category (.+) \(bias\), but rule "(.+)" overrides the category$/, '本会为类别 $2 加 $1（偏向），但规则「$3」覆盖了类别'],
  [/^adds ([\d.]+) to category (.+) \(bias\)$/, '为类别 $2 加 $1（偏向）'],
  [/^sets priority (P\d)$/, '设优先级 $1'],
  [/^would set priority (P\d), but rule "(.+)" sets the more urgent (P\d)$/, '本会设优先级 $1，但规则「$2」设了更紧急的 $3'],
  [/^adds tags (.+)$/, '加标签 $1'],
  [/^stops rule evaluation$/, '停止后续规则'],
  [/^matches \(no action\)$/, '命中（无动作）'],
];

export function effectText(s) {
  s = String(s ?? '');
  if (lang() !== 'zh-CN') return s;
  return s.split('; ').map(part => {
    for (const [re, zh] of EFFECT) if (re.test(part)) return part.replace(re, zh);
    return part;
  }).join('；');
}
