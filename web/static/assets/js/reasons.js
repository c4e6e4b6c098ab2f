// The server explains what it decided and did as reasons, {code, args,
// text}: a code from the catalogue in triage's reason.go, its arguments,
// and an English text for logs. The UI says each code in its own
// language from this dictionary, Chinese first; reason_test.go (in the
// module root) fails when a code lacks an entry here or an entry names an
// argument the code does not have. A reason without a code is a text
// kept as written: a sentence an older version stored, or a person's
// note. This module is pure (no DOM, no imports), so `node --test` can
// check it; explain.js binds it to the page's language.
//
// {name} is replaced by the argument; {name|filter} says how to show it:
// an enum translated by the i18n prefix the filter names (channel, field,
// status, sla_metric, via), an actor's name (actor), or seconds as a
// duration (duration). A list is joined with 、 in Chinese; a nested
// reason is said in the same language.

/** @typedef {{ code?: string, args?: Record<string, unknown>, text?: string }} Reason */
/** @typedef {{ lang: string, t?: (key: string, params?: object, fallback?: string) => string, actor?: (id: string) => string }} Say */

/** @type {Record<string, [string, string]>} */
export const REASONS = {
  // Triage: the category.
  'category.manual': ['创建工单时手动设定', 'set by hand when the ticket was created'],
  'category.rule': ['规则「{rule}」直接设定类别（覆盖模型）', 'rule "{rule}" sets the category (override)'],
  'category.no_model': ['还没有训练好的模型，也没有规则决定类别：留给人工判断', 'no trained model yet and no rule decided the category; left for a person'],
  'category.model': ['模型：{category} {score}', 'model: {category} {score}'],
  'category.neighbours': ['{n} 个相似的已解决工单投票（权重 {weight}）', '{n} similar resolved tickets voted (weight {weight})'],
  'category.rule_bias': ['规则 {rules} 为「{category}」加 {weight}', 'rules {rules} add {weight} to {category}'],
  'category.below_threshold': ['最佳猜测「{category}」置信度 {score}，低于阈值 {threshold}：留给人工判断', 'best guess {category} at {score} is below the threshold {threshold}: left for a person'],

  // Triage: what a keyword rule did.
  'rule.sets_category': ['设定类别 {category}（覆盖）', 'sets category {category} (override)'],
  'rule.category_overruled': ['本会设定类别 {category}（覆盖），但规则「{by}」已设为 {by_category}', 'would set category {category} (override), but rule "{by}" already set {by_category}'],
  'rule.bias_overruled': ['本会为类别 {category} 加 {weight}（偏向），但规则「{by}」覆盖了类别', 'would add {weight} to category {category} (bias), but rule "{by}" overrides the category'],
  'rule.adds_bias': ['为类别 {category} 加 {weight}（偏向）', 'adds {weight} to category {category} (bias)'],
  'rule.sets_priority': ['设优先级 {priority}', 'sets priority {priority}'],
  'rule.priority_outranked': ['本会设优先级 {priority}，但规则「{by}」设了更紧急的 {by_priority}', 'would set priority {priority}, but rule "{by}" sets the more urgent {by_priority}'],
  'rule.adds_tags': ['加标签 {tags}', 'adds tags {tags}'],
  'rule.stops': ['停止后续规则', 'stops rule evaluation'],
  'rule.no_action': ['命中（无动作）', 'matches (no action)'],

  // Triage: the priority.
  'priority.default': ['没有优先级信号：默认 P3。', 'No priority signal: the default P3.'],
  'priority.rule': ['规则「{rule}」设为 {priority}。', 'Rule "{rule}" sets {priority}.'],
  'priority.tier': ['客户等级 {tier}：至少 P2。', 'Customer tier {tier}: at least P2.'],
  'priority.calm': ['措辞不紧急（{words}），也没有更紧迫的信号：P4。', 'Low-urgency wording ({words}) and nothing more pressing: P4.'],
  'priority.calm_outweighed': ['措辞不紧急（{words}），但其他信号更重要。', 'Low-urgency wording ({words}), outweighed by the other signals.'],
  'priority.manual': ['创建时指定：{priority}。', 'Set by the client: {priority}.'],
  'priority.would_have': ['分诊本会选择 {priority}。', 'Triage would have chosen {priority}.'],
  'priority.model': ['优先级模型判断为 {priority}（{score}）。', 'The priority model says {priority} ({score}).'],
  'priority.model_unsure': ['优先级模型的最佳猜测 {priority}（{score}）低于 {threshold}，未采用。', "The priority model's best guess, {priority} at {score}, is below {threshold} and not used."],
  'priority.tone_weak': ['负面情绪（{tone}），不足以提高优先级。', 'Negative tone ({tone}), not strong enough to raise the priority.'],
  'priority.tone_at_most': ['强烈负面情绪（{tone}）；优先级已是 {priority}。', 'Strongly negative tone ({tone}); the priority is already {priority}.'],
  'priority.tone_raises': ['强烈负面情绪（{tone}）：优先级由 {from} 提高到 {to}。', 'Strongly negative tone ({tone}): raises {from} to {to}.'],
  'priority.repeat_few': ['该客户近期另有 {n} 个工单；达到 {needed} 个才提高优先级。', 'Other tickets from this requester recently: {n}; it takes {needed} to raise the priority.'],
  'priority.repeat_at_most': ['该客户近期另有 {n} 个工单；优先级已是 {priority}。', 'Other tickets from this requester recently: {n}; the priority is already {priority}.'],
  'priority.repeat_raises': ['该客户近期另有 {n} 个工单：优先级由 {from} 提高到 {to}。', 'Other tickets from this requester recently: {n}, which raises {from} to {to}.'],
  'priority.safety': ['安全隐患（{words}）：{priority}。', 'A safety hazard ({words}): {priority}.'],
  'priority.threat': ['扬言找监管、媒体、律师或报警（{words}）：{priority}。', 'Threatens to take it outside: a regulator, the media, a lawyer or the police ({words}): {priority}.'],
  'priority.compensation': ['要求赔偿（{words}）：{priority}。', 'Claims compensation ({words}): {priority}.'],
  'priority.urgent': ['措辞紧急（{words}）：{priority}。', 'Urgent wording ({words}): {priority}.'],
  'priority.complaint': ['投诉措辞（{words}）：{priority}。', 'Complaint wording ({words}): {priority}.'],
  'priority.negated': ['被否定（{words}）：不计入。', 'Negated ({words}): not counted.'],

  // Triage: the signals the priority weighed.
  'signal.default': ['没有其他信号', 'no other signal'],
  'signal.manual': ['创建时指定', 'set by the client'],
  'signal.rule': ['{rule}', '{rule}'],
  'signal.tier': ['{tier}', '{tier}'],
  'signal.model': ['{priority}（{score}）', '{priority} at {score}'],
  'signal.safety': ['{words}（安全隐患）', '{words} (safety hazard)'],
  'signal.threat': ['{words}（找监管、媒体、律师或报警）', '{words} (threat)'],
  'signal.compensation': ['{words}（要求赔偿）', '{words} (compensation)'],
  'signal.urgent': ['{words}（紧急）', '{words} (urgency)'],
  'signal.complaint': ['{words}（投诉）', '{words} (complaint)'],
  'signal.negated': ['{words}（被否定）', '{words} (negated)'],
  'signal.calm': ['{words}（不紧急）', '{words} (low urgency)'],
  'signal.repeat': ['该客户近期另有 {n} 个工单', 'other tickets from this requester recently: {n}'],
  'signal.tone': ['情绪分 {score}', 'sentiment {score}'],
  'signal.tone_words': ['情绪分 {score}：{words}', 'sentiment {score}: {words}'],

  // Routing.
  'route.offline': ['离线', 'offline'],
  'route.at_capacity': ['已满额（{open} / {capacity}）', 'at capacity ({open} of {capacity})'],
  'route.chosen': ['选中：负载最低（{load}）', 'chosen: least loaded ({load})'],
  'route.chosen_tie': ['选中：负载最低（{load}），且距上次分配最久', 'chosen: least loaded ({load}), longest since last assignment'],
  'route.eligible': ['可分配，负载 {load}', 'eligible, load {load}'],
  'route.assigned': ['分配给 {agent}：在 {n} 位具备「{skill}」技能的可分配客服中负载最低（{load}）', 'assigned to {agent}: least loaded ({load}) among {n} eligible agents with skill {skill}'],
  'route.assigned_tie': ['分配给 {agent}：在 {n} 位具备「{skill}」技能的可分配客服中负载最低（{load}），且距上次分配最久', 'assigned to {agent}: least loaded ({load}), longest since last assignment among {n} eligible agents with skill {skill}'],
  'route.no_category': ['无人可分配：类别未定，无法按技能匹配', 'nobody to assign: the category is not decided, so no skill can be matched'],
  'route.no_skill': ['无人可分配：没有客服具备「{skill}」技能', 'nobody to assign: no agent has the skill {skill}'],
  'route.all_busy': ['无人可分配：具备「{skill}」技能的 {n} 位客服都离线或已满额', 'nobody to assign: all {n} agents with skill {skill} are offline or at capacity'],
  'route.team_queue': ['在团队「{team}」的队列中等待', 'waiting in the queue of team {team}'],
  'route.manual': ['创建工单时手动分配', 'assigned by hand when the ticket was created'],
  'route.would_have': ['自动路由会选择 {agent}', 'routing would have chosen {agent}'],
  'route.preview': ['将分配给 {agent}', 'would be assigned to {agent}'],
  'route.preview_queue': ['将在队列中等待：没有空闲的可分配客服', 'would wait in a queue: nobody eligible is free'],
  'route.from_queue': ['从队列中分配', 'from the queue'],
  'route.rerouted': ['重新分配：原处理人不在线', 'rerouted: the assignee is away'],
  'route.queue_team_set': ['路由：进入该团队的队列等待', 'routing: the team whose queue it waits in'],
  'triage.tags_from_rules': ['规则添加的标签', 'tags added by rules'],
  'route.team_given': ['团队「{team}」：工单带来的团队（来自邮箱或手动设置）', 'team {team}: the team it arrived with (its mailbox\'s, or set by hand)'],
  'route.team_owns': ['团队「{team}」：负责「{skill}」', 'team {team}: it handles {skill}'],
  'route.team_of_agent': ['团队「{team}」：处理人所在团队', 'team {team}: the assignee\'s team'],
  'route.team_skilled': ['团队「{team}」：没有团队负责「{skill}」，该团队成员具备此技能', 'team {team}: no team handles {skill}, and its members have the skill'],

  // Search answered from the words alone.
  'search.vector_timeout': ['仅按词匹配：向量服务 {seconds|duration} 内没有回复', 'words only: the embedding service did not answer within {seconds|duration}'],
  'search.vector_failed': ['仅按词匹配：向量服务出错：{error}', 'words only: the embedding service failed: {error}'],
  'search.vector_breaker_open': ['仅按词匹配：向量服务连续出错，{seconds|duration} 内暂停调用', 'words only: the embedding service failed repeatedly and is not called for {seconds|duration}'],
  'csat.link_reissued': ['已把新的满意度调查链接发送到 {to}，之前的链接已失效', 'a new survey link was mailed to {to}; the previous link no longer works'],

  // Suggestions and drafts.
  'source.both': ['词匹配第 {lexical_rank}（BM25 {lexical_score}）；语义第 {vector_rank}（余弦 {vector_score}）；融合 {fused}', 'words: #{lexical_rank} (BM25 {lexical_score}); meaning: #{vector_rank} (cosine {vector_score}); fused {fused}'],
  'source.words': ['词匹配第 {lexical_rank}（BM25 {lexical_score}）；融合 {fused}', 'words: #{lexical_rank} (BM25 {lexical_score}); fused {fused}'],
  'source.meaning': ['语义第 {vector_rank}（余弦 {vector_score}）；融合 {fused}', 'meaning: #{vector_rank} (cosine {vector_score}); fused {fused}'],
  'source.fused': ['融合 {fused}', 'fused {fused}'],
  'draft.timeout': ['大模型 {seconds|duration} 内没有回复', 'LLM timed out after {seconds|duration}'],
  'draft.deadline': ['大模型调用超过了请求的时限', "LLM call outlived the request's deadline"],
  'draft.cancelled': ['大模型调用已取消', 'LLM call cancelled'],
  'draft.llm_error': ['大模型出错：{error}', 'LLM error: {error}'],
  'draft.invalid': ['大模型草稿未通过检查：{why}', 'invalid LLM draft: {why}'],
  'draft.unsafe_markup': ['含有不安全的标记（脚本、框架、事件处理或脚本链接）', 'unsafe markup (script, frame, event handler or script URL)'],
  'draft.too_short': ['太短', 'too short'],
  'draft.too_long': ['太长（{n} 个字）', 'too long ({n} characters)'],
  'draft.language': ['与客户使用的语言不同', "not in the customer's language"],
  'draft.cites_unknown': ['引用了 [{n}]，但没有这个来源', 'cites [{n}], which is not a source'],
  'draft.cites_none': ['没有引用任何来源', 'cites no source'],
  'draft.amount': ['写了来源中没有的金额（{amount}）', 'states an amount no source gives ({amount})'],
  'draft.ignore_rules': ['复述了“忽略规则”的指令', 'repeats an instruction to ignore the rules'],
  'draft.reveals_prompt': ['泄露了提示词', 'reveals the prompt'],
  'draft.foreign_link': ['给出了来源中没有的链接 {url}', 'links to {url}, which no source gives'],
  'draft.obeys_ticket': ['执行了工单里夹带的指令', 'carries out an instruction from the ticket'],
  'draft.foreign_fact': ['写了工单和所引文章中都没有的 {value}', 'states {value}, found in neither the ticket nor a cited article'],

  // Tickets: history, merges and duplicates.
  'ticket.created': ['通过{channel|channel}创建工单', 'ticket created via {channel|channel}'],
  'ticket.assigned_at_creation': ['创建时手动分配', 'assigned by hand at creation'],
  'ticket.assigned_by_hand': ['手动分配', 'assigned by hand'],
  'ticket.first_reply': ['首次公开回复', 'first public reply'],
  'ticket.agent_replied': ['客服已回复', 'an agent replied'],
  'ticket.newer_reply': ['另一位客服在你开始写回复之后已回复了客户（评论 {comment_id}）；确认后可仍然发送', 'another agent replied after you began writing (comment {comment_id}); you may send yours anyway'],
  'ticket.requester_replied': ['客户已回复', 'the requester replied'],
  'ticket.note_added': ['内部备注', 'internal note'],
  'ticket.reply_added': ['回复', 'reply'],
  'ticket.requester_message': ['客户消息', 'requester message'],
  'merge.duplicate': ['作为重复工单合并', 'merged as a duplicate'],
  'merge.closed': ['合并到工单 {ticket} 后关闭（{actor|actor} 操作）', 'closed by merging into {ticket}, as {actor|actor} asked'],
  'merge.from': ['合并自：{title}', 'merged from: {title}'],
  'merge.copied': ['来自工单 {ticket}', 'from ticket {ticket}'],
  'ticket.imported': ['从 {source} 导入（原工单 {id}）', 'imported from {source}, ticket {id} there'],
  'mailbox.priority': ['邮箱的默认优先级 {priority}：没有其他优先级信号', 'the default priority of the mailbox, {priority}: no priority signal spoke'],
  'mailbox.category': ['邮箱的默认分类「{category}」：分诊无法判断', 'the category of the mailbox, {category}: triage could not decide'],
  'duplicate.similar': ['同一客户（{via|via}），相隔 {seconds|duration}；文本相似度 {score}（词集 Jaccard，阈值 {threshold}），共有 {n} 个词：{words}',
    'same requester ({via|via}), {seconds|duration} apart; text similarity {score} (Jaccard of the word sets, threshold {threshold}): {n} words shared: {words}'],

  // Knowledge base: article versions.
  'article.created': ['创建', 'created'],
  'article.edited': ['修改了{fields|field}', 'edited {fields|field}'],
  'article.moved': ['{from|status} → {to|status}', '{from|status} → {to|status}'],
  'article.reverted': ['恢复到版本 {version}', 'reverted to version {version}'],
  'article.imported': ['导入', 'imported'],
  'article.reimported': ['重新导入', 're-imported'],
  'article.approved': ['{author|actor} 的修订，由 {reviewer|actor} 审核通过', 'revision by {author|actor} approved by {reviewer|actor}'],
  'article.self_approved': ['{author|actor} 的修订，由管理员本人批准：{reason}', 'revision by {author|actor} approved by its author, an admin: {reason}'],

  // Mail: why a mail made no ticket, or why one of ours failed.
  'mail.auto_reply': ['自动回复（{signal}）：不建工单，也不回复', 'an automatic reply ({signal}): no ticket, no answer'],
  'mail.bounce': ['退信（{signal}）：不建工单；它退回的邮件已标记为发送失败', 'a delivery failure report ({signal}): no ticket; the mail it reports is marked failed'],
  'mail.bulk': ['群发或订阅邮件（{signal}）：不建工单', 'bulk or list mail ({signal}): no ticket'],
  'mail.own_address': ['来自本系统自己的地址 {from}：已忽略', 'from our own address {from}: ignored'],
  'mail.throttled': ['{from} 每分钟来信超过 {per_minute} 封：暂缓导入，邮件已保留', '{from} wrote more than {per_minute} mails a minute: held back, kept'],
  'mail.invalid': ['无法建立工单：{error}', 'could not become a ticket: {error}'],
  'mail.released': ['管理员确认后导入（原因：{was}）', 'imported by an admin after all (was: {was})'],
  'mail.rejected': ['邮件服务器拒收', 'refused by the mail server'],
  'mail.bounced': ['被对方服务器退回', 'bounced by the receiving server'],
  'mail.gave_up': ['重试 {attempts} 次仍未成功，已放弃', 'gave up after {attempts} attempts'],
  'mail.not_configured': ['未配置发信服务器，客户收不到', 'no outbound mail server is configured (--smtp-url)'],
  'mail.failed': ['发给 {to} 的{purpose|mail_purpose}邮件发送失败：{why}：{answer}', 'the {purpose|mail_purpose} mail to {to} failed: {why}: {answer}'],

  // WeChat (微信客服).
  'wechat.event': ['会话事件（{event}）：已记录，不建工单', 'a session event ({event}): recorded, no ticket'],
  'wechat.servicer': ['接待人员在企业微信中发送：已记录，不加评论', 'written by a servicer in 企业微信: recorded, no comment'],
  'wechat.recalled': ['客户撤回了消息 {msgid}', 'the customer recalled message {msgid}'],
  'wechat.cannot_reply': ['微信现在无法送达（超过48小时、回复条数已用完或会话状态不允许）：{answer}', 'WeChat will not deliver it now (48-hour window, reply quota or session state): {answer}'],
  'wechat.rejected': ['企业微信拒绝：{answer}', 'refused by 企业微信: {answer}'],
  'wechat.gave_up': ['重试 {attempts} 次仍未成功，已放弃', 'gave up after {attempts} attempts'],
  'wechat.send_fail': ['企业微信报告未送达（失败类型 {fail_type}）', '企业微信 reported it undelivered (fail_type {fail_type})'],
  'wechat.failed': ['发给微信客户的回复失败：{why}', 'the WeChat reply to the customer failed: {why}'],
  'wechat.media_failed': ['客户发送的{type}无法下载：{error}', "the customer's {type} could not be downloaded: {error}"],
  'wechat.bot_answer': ['机器人已根据公开文章在微信上回复', 'answered on WeChat by the bot from public articles'],
  'wechat.handover': ['机器人已将微信会话转人工（{why}）：{to}', 'the bot handed the WeChat session to a person ({why}): {to}'],
  'wechat.session_state': ['企业微信中的会话状态：{state|wechat_session} {servicer}', 'the WeChat session in 企业微信 is now {state|wechat_session} {servicer}'],

  // SLA escalations.
  'sla.warning': ['SLA「{metric|sla_metric}」目标 {target} 即将超时（策略 {policy}）：{actions}', 'SLA {metric|sla_metric} target {target} about to breach (policy {policy}): {actions}'],
  'sla.breached': ['SLA「{metric|sla_metric}」目标 {target} 已超时（策略 {policy}）：{actions}', 'SLA {metric|sla_metric} target {target} breached (policy {policy}): {actions}'],
  'sla.raised_priority': ['优先级 {from} → {to}', 'priority {from} → {to}'],
  'sla.to_lead': ['分配给团队负责人', 'assigned to the team lead'],
  'sla.to_queue': ['退回队列', 'back to the queue'],
  'sla.solved_closed': ['已解决满 {after}（工作时间）无回复，自动关闭', 'closed after {after} of business time solved'],
  'automation.fired': ['自动化「{automation}」在「{event|auto_event}」时触发', 'automation {automation} fired on {event|auto_event}'],
  'automation.condition': ['{field|auto_field}{op|auto_op}「{value}」', '{field|auto_field} {op|auto_op} "{value}"'],
  'automation.age': ['{since|auto_since}满 {after}', '{after} since {since|auto_since}'],
  'automation.set': ['{field|field}：{from} → {to}', '{field|field}: {from} → {to}'],
  'automation.tags_added': ['添加标签：{tags}', 'tags added: {tags}'],
  'automation.tags_removed': ['移除标签：{tags}', 'tags removed: {tags}'],
  'automation.note': ['添加了内部备注', 'internal note added'],
  'automation.reply': ['向客户发送了公开回复', 'public reply sent'],
  'automation.macro': ['用快捷回复 {macro} 回复了客户', 'reply sent with macro {macro}'],
  'automation.email': ['已排队发邮件给 {to}', 'e-mail queued to {to}'],
  'automation.webhook': ['已调用回调 {webhook}', 'webhook {webhook} called'],
  'automation.stopped': ['自动化「{automation}」设置了停止：后面的不再执行', 'automation {automation} stops the later ones'],
  'automation.action_skipped': ['{action} 未执行：{why}', '{action} not done: {why}'],
};

// FILTERS maps a {name|filter} to the i18n prefix its values are keyed by.
const FILTERS = { channel: 'channel.', field: 'field.', status: 'status.', sla_metric: 'sla.metric.', via: 'via.', mail_purpose: 'mail.purpose.', wechat_session: 'wechat.session.',
  auto_event: 'auto.ev.', auto_field: 'auto.f.', auto_op: 'auto.op.', auto_since: 'auto.since.' };

/**
 * formatDuration says a number of seconds as days, hours and minutes.
 * @param {number} seconds
 * @param {string} lang
 * @returns {string}
 */
export function formatDuration(seconds, lang) {
  const zh = lang !== 'en';
  const secs = Number(seconds);
  if (!Number.isFinite(secs) || secs <= 0) return zh ? '不到 1 分钟' : 'under a minute';
  if (secs < 60) return zh ? `${secs} 秒` : `${secs}s`;
  const mins = Math.round(secs / 60);
  const d = Math.floor(mins / 1440), h = Math.floor((mins % 1440) / 60), m = mins % 60;
  const parts = zh
    ? [d ? d + ' 天' : '', h ? h + ' 小时' : '', m ? m + ' 分钟' : '']
    : [d ? d + 'd' : '', h ? h + 'h' : '', m ? m + 'm' : ''];
  return parts.filter(Boolean).join(' ');
}

/**
 * formatReason says a reason (or an older version's sentence) in a
 * language; an unknown code shows the server's text.
 * @param {Reason | string | null | undefined} r
 * @param {Say} say
 * @returns {string}
 */
export function formatReason(r, say) {
  if (r == null) return '';
  if (typeof r === 'string') return r;
  const entry = r.code ? REASONS[r.code] : undefined;
  if (!entry) return r.text || r.code || '';
  const template = entry[say.lang === 'en' ? 1 : 0];
  const args = r.args || {};
  return template.replace(/\{(\w+)(?:\|(\w+))?\}/g, (m, name, filter) =>
    (name in args ? formatArg(args[name], filter, say) : m));
}

/**
 * formatReasons says a list of reasons, one after another.
 * @param {Array<Reason | string> | Reason | string | null | undefined} list
 * @param {Say} say
 * @returns {string}
 */
export function formatReasons(list, say) {
  if (list == null) return '';
  if (!Array.isArray(list)) return formatReason(list, say);
  const zh = say.lang !== 'en';
  // A sentence that ends with a full stop needs no semicolon after it.
  return list.map(r => formatReason(r, say)).filter(Boolean).reduce((out, s) => {
    if (!out) return s;
    if (/[。！？.!?]$/.test(out)) return out + (zh ? '' : ' ') + s;
    return out + (zh ? '；' : '; ') + s;
  }, '');
}

/**
 * @param {unknown} v
 * @param {string | undefined} filter
 * @param {Say} say
 * @returns {string}
 */
function formatArg(v, filter, say) {
  const zh = say.lang !== 'en';
  if (Array.isArray(v)) {
    if (v.length && typeof v[0] === 'object' && v[0] !== null) return v.map(x => formatReason(/** @type {Reason} */ (x), say)).join(zh ? '，' : ', ');
    return v.map(x => formatArg(x, filter, say)).join(zh ? '、' : ', ');
  }
  if (v !== null && typeof v === 'object') return formatReason(/** @type {Reason} */ (v), say);
  if (filter === 'duration') return formatDuration(Number(v), say.lang);
  if (filter === 'actor') return say.actor ? say.actor(String(v)) : String(v);
  const prefix = filter ? FILTERS[/** @type {keyof typeof FILTERS} */ (filter)] : undefined;
  if (prefix && say.t) return say.t(prefix + v, undefined, String(v));
  return String(v);
}
