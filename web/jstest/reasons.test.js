// Unit tests of reasons.js, the pure module that says the server's
// reasons in Chinese or English. The dictionary's completeness against the
// server's catalogue is checked in Go (reason_test.go); these check the
// formatting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REASONS, formatReason, formatReasons, formatDuration } from '../static/assets/js/reasons.js';

const dict = {
  'channel.web': ['网页', 'Web'],
  'field.body': ['正文', 'body'],
  'field.tags': ['标签', 'tags'],
  'status.draft': ['草稿', 'Draft'],
  'status.published': ['已发布', 'Published'],
  'sla.metric.first_response': ['首次响应', 'First response'],
  'via.phone': ['电话', 'phone'],
};
const say = lang => ({
  lang,
  t: (key, _params, fallback) => (dict[key] ? dict[key][lang === 'en' ? 1 : 0] : fallback),
  actor: id => (id === 'agent:a1' ? '张伟' : id),
});
const zh = say('zh-CN'), en = say('en');

test('a reason in each language', () => {
  const r = { code: 'priority.urgent', args: { words: ['紧急', '马上'], priority: 'P2' }, text: 'Urgent wording (紧急, 马上): P2.' };
  assert.equal(formatReason(r, zh), '措辞紧急（紧急、马上）：P2。');
  assert.equal(formatReason(r, en), 'Urgent wording (紧急, 马上): P2.');
});

test('numbers are shown as sent', () => {
  assert.equal(formatReason({ code: 'category.model', args: { category: '退款', score: 0.9 } }, zh), '模型：退款 0.9');
  assert.equal(formatReason({ code: 'route.at_capacity', args: { open: 10, capacity: 10 } }, zh), '已满额（10 / 10）');
});

test('a nested reason and a list of reasons', () => {
  const tone = { code: 'signal.tone_words', args: { score: -0.82, words: ['垃圾'] } };
  assert.equal(formatReason({ code: 'priority.tone_raises', args: { tone, from: 'P3', to: 'P2' } }, zh), '强烈负面情绪（情绪分 -0.82：垃圾）：优先级由 P3 提高到 P2。');
  const sla = { code: 'sla.breached', args: { metric: 'first_response', target: '1h', policy: '标准', actions: [{ code: 'sla.raised_priority', args: { from: 'P3', to: 'P2' } }, { code: 'sla.to_lead' }] } };
  assert.equal(formatReason(sla, zh), 'SLA「首次响应」目标 1h 已超时（策略 标准）：优先级 P3 → P2，分配给团队负责人');
  assert.equal(formatReason(sla, en), 'SLA First response target 1h breached (policy 标准): priority P3 → P2, assigned to the team lead');
});

test('filters: enums, actors and durations', () => {
  assert.equal(formatReason({ code: 'ticket.created', args: { channel: 'web' } }, zh), '通过网页创建工单');
  assert.equal(formatReason({ code: 'ticket.created', args: { channel: 'fax' } }, zh), '通过fax创建工单', 'an unknown enum value shows as sent');
  assert.equal(formatReason({ code: 'article.edited', args: { fields: ['body', 'tags'] } }, zh), '修改了正文、标签');
  assert.equal(formatReason({ code: 'article.moved', args: { from: 'draft', to: 'published' } }, en), 'Draft → Published');
  assert.equal(formatReason({ code: 'merge.closed', args: { ticket: 't-1', actor: 'agent:a1' } }, zh), '合并到工单 t-1 后关闭（张伟 操作）');
  assert.equal(formatReason({ code: 'duplicate.similar', args: { via: 'phone', seconds: 7500, score: 0.71, threshold: 0.6, n: 2, words: ['退款', '到账'] } }, zh),
    '同一客户（电话），相隔 2 小时 5 分钟；文本相似度 0.71（词集 Jaccard，阈值 0.6），共有 2 个词：退款、到账');
});

test('older sentences and unknown codes are shown as written', () => {
  assert.equal(formatReason('Urgent wording (紧急): P2.', zh), 'Urgent wording (紧急): P2.');
  assert.equal(formatReason({ text: 'model: 退款 0.91' }, zh), 'model: 退款 0.91');
  assert.equal(formatReason({ code: 'later.unknown_code', args: {}, text: 'a code of a later version' }, zh), 'a code of a later version');
  assert.equal(formatReason(null, zh), '');
  assert.equal(formatReason({ code: 'route.no_skill', args: {} }, zh), '无人可分配：没有客服具备「{skill}」技能', 'a missing argument stays visible');
});

test('a list of reasons', () => {
  const list = [{ code: 'route.from_queue' }, 'assigned to 张伟: least loaded (1)'];
  assert.equal(formatReasons(list, zh), '从队列中分配；assigned to 张伟: least loaded (1)');
  assert.equal(formatReasons(list, en), 'from the queue; assigned to 张伟: least loaded (1)');
  assert.equal(formatReasons(undefined, zh), '');
  const sentences = [{ code: 'priority.urgent', args: { words: ['尽快'], priority: 'P2' } }, { code: 'priority.repeat_few', args: { n: 1, needed: 2 } }];
  assert.equal(formatReasons(sentences, zh), '措辞紧急（尽快）：P2。该客户近期另有 1 个工单；达到 2 个才提高优先级。');
  assert.equal(formatReasons(sentences, en), 'Urgent wording (尽快): P2. Other tickets from this requester recently: 1; it takes 2 to raise the priority.');
});

test('durations', () => {
  assert.equal(formatDuration(30, 'zh-CN'), '30 秒');
  assert.equal(formatDuration(0, 'zh-CN'), '不到 1 分钟');
  assert.equal(formatDuration(90000, 'zh-CN'), '1 天 1 小时');
  assert.equal(formatDuration(3900, 'en'), '1h 5m');
  assert.equal(formatDuration(0.15, 'en'), '0.15s');
});

test('every entry names the same arguments in both languages', () => {
  const names = s => [...s.matchAll(/\{(\w+)(?:\|\w+)?\}/g)].map(m => m[1]).sort().join(',');
  for (const [code, [zhText, enText]] of Object.entries(REASONS)) {
    assert.ok(zhText && enText, code + ' lacks a language');
    assert.equal(names(zhText), names(enText), code);
  }
});
