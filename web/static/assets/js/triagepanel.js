// The triage panel: what triage decided for category, priority and
// assignee, how sure it was, and why; and one click to correct each,
// recorded in the ticket's history as a correction of triage.

import { h, add, clear, empty, confidenceBar, pct, num, badge, busy, fmtTime } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { reasonText, reasonsText } from './explain.js';

// A correction of triage is recorded as the history note of the change,
// written by the person who made it and so in their language. The note
// starts with one of CORRECTION's prefixes (older versions wrote
// '纠正分诊 (triage correction)'), which is what the panel looks for to
// show that a decision was corrected.
export const CORRECTION = ['纠正分诊', 'Triage correction'];

/**
 * @param {string} fieldName
 * @param {string} from
 * @param {string} to
 */
export function correctionNote(fieldName, from, to) {
  return t('triage.correction_note', { field: t('field.' + fieldName, {}, fieldName), from: from || '∅', to: to || '∅' });
}

/** @param {string | undefined} note */
export function isCorrection(note) {
  return CORRECTION.some(p => (note || '').startsWith(p));
}

export function renderTriage(box, { ticket, history, canWrite, correct, patchTicket }) {
  add(clear(box), h('h2', {}, t('triage.title')));
  const rec = ticket.triage;
  if (!rec) {
    add(box, empty(t('triage.none')));
    return;
  }
  if (ticket.needs_review) {
    const ok = h('button', { type: 'button', class: 'btn btn-small', disabled: !canWrite }, t('triage.confirm'));
    ok.addEventListener('click', () => busy(ok, () => patchTicket({ needs_review: false }, t('triage.confirm_note'))));
    add(box, h('div', { class: 'alert alert-warn' }, t('triage.needs_review'), ' ', ok));
  }
  const corrections = (history || []).filter(e => isCorrection(e.note));

  add(box, 
    decision('category', rec.category, ticket.category, alternativesCategory(rec, ticket), corrections.find(e => e.field === 'category'), canWrite, correct),
    decision('priority', rec.priority, ticket.priority, api.enumValues('Priority').map(p => [p, p]), corrections.find(e => e.field === 'priority'), canWrite, correct),
    decision('assignee', rec.assignee, ticket.assignee_id, alternativesAssignee(rec), corrections.find(e => e.field === 'assignee_id'), canWrite, correct),
    evidence(rec));
}

function alternativesCategory(rec, ticket) {
  const seen = new Set();
  const out = [];
  for (const s of [...(rec.category.top || []), ...(rec.explanation.model || [])]) {
    if (!s.value || seen.has(s.value)) continue;
    seen.add(s.value);
    out.push([s.value, s.value, s.score]);
  }
  if (ticket.category && !seen.has(ticket.category)) out.push([ticket.category, ticket.category]);
  return out;
}

function alternativesAssignee(rec) {
  const out = [];
  const cands = (rec.explanation.candidates || []).slice().sort((a, b) => (b.eligible - a.eligible) || (a.load - b.load));
  for (const c of cands) {
    out.push([c.agent_id, c.name + (c.online ? '' : ' (' + t('agent.offline') + ')')]);
  }
  return out;
}

function decision(key, dec, current, alts, corrected, canWrite, correct) {
  const fieldName = key === 'assignee' ? 'assignee_id' : key;
  const show = v => key === 'assignee' ? (v ? api.agentName(v) : t('inbox.unassigned')) : (v || '—');
  const changed = (dec.value || '') !== (current || '');
  const head = h('div', { class: 'dec-head' },
    h('span', { class: 'dec-label' }, t('ticket.' + key)),
    h('strong', { class: 'dec-value', data: { field: key } }, show(dec.value)),
    confidenceBar(dec.confidence),
    badge(t('source.' + dec.source, {}, dec.source), 'badge-src'));
  const body = [head];
  if (changed) {
    body.push(h('div', { class: 'dec-now' },
      badge(corrected ? t('triage.corrected_badge') : t('triage.changed_badge'), corrected ? 'badge-ok' : ''),
      ' ', t('triage.now'), ' ', h('strong', {}, show(current)),
      corrected ? h('span', { class: 'muted small' }, ' · ', api.actorName(corrected.actor), ' · ', fmtTime(corrected.at)) : null));
  }
  if (dec.why && dec.why.length) {
    body.push(h('ul', { class: 'why' }, dec.why.map(w => h('li', {}, reasonText(w)))));
  }
  if (dec.top && dec.top.length > 1 && key !== 'assignee') {
    body.push(h('div', { class: 'top-list' }, dec.top.slice(0, 4).map(s =>
      h('span', { class: 'top-item' + (s.value === current ? ' is-current' : '') }, s.value, ' ', h('span', { class: 'muted' }, pct(s.score))))));
  }
  if (canWrite) {
    const options = alts.filter(([v]) => v !== current);
    if (options.length) {
      const row = h('div', { class: 'correct-row' }, h('span', { class: 'muted small' }, t('triage.correct_to')));
      for (const [v, label] of options.slice(0, key === 'category' ? 3 : 4)) {
        const b = h('button', { type: 'button', class: 'btn btn-small btn-correct', data: { field: fieldName, value: v } }, label);
        b.addEventListener('click', () => busy(b, () => correct(fieldName, v)));
        add(row, b);
      }
      body.push(row);
    }
  }
  return h('div', { class: 'decision dec-' + key }, body);
}

// evidence is everything behind the decisions, folded away: the rules that
// fired, the model's probabilities, the neighbours that voted, the
// priority signals and every agent routing considered.
function evidence(rec) {
  const ex = rec.explanation || {};
  const parts = [];
  if (ex.rules && ex.rules.length) {
    parts.push(h('h3', {}, t('triage.rules')), h('ul', { class: 'plain' }, ex.rules.map(r =>
      h('li', {}, h('strong', {}, r.name), ' — ', t('triage.matched'), ' ', (r.matched || []).map(m => h('mark', {}, m)), ' → ', reasonsText(r.effect)))));
  }
  if (ex.model && ex.model.length) {
    parts.push(h('h3', {}, t('triage.model'), ' ', h('span', { class: 'muted small mono' }, rec.model_version || '')),
      h('div', { class: 'prob-list' }, ex.model.map(s => h('div', { class: 'prob' }, h('span', { class: 'prob-label' }, s.value), confidenceBar(s.score)))));
  }
  if (ex.neighbours && ex.neighbours.length) {
    parts.push(h('h3', {}, t('triage.neighbours')), h('ul', { class: 'plain' }, ex.neighbours.map(n =>
      h('li', {}, h('a', { href: '/app/tickets/' + encodeURIComponent(n.ticket_id) }, n.ticket_id.slice(-8)), ' ', n.category, ' ', h('span', { class: 'muted' }, t('triage.similarity'), ' ', num(n.similarity))))));
  }
  if (ex.signals && ex.signals.length) {
    parts.push(h('h3', {}, t('triage.signals')), h('ul', { class: 'plain' }, ex.signals.map(s =>
      h('li', {}, badge(t('signal.' + s.name, {}, s.name)), ' ', reasonText(s.detail), s.sets ? h('span', { class: 'muted' }, ' → ' + s.sets) : null))));
  }
  if (ex.candidates && ex.candidates.length) {
    parts.push(h('h3', {}, t('triage.candidates')), h('div', { class: 'table-wrap' }, h('table', { class: 'table compact' },
      h('thead', {}, h('tr', {}, h('th', {}, t('agent.name')), h('th', {}, t('agent.load')), h('th', {}, t('agent.online')), h('th', {}, t('triage.reason')))),
      h('tbody', {}, ex.candidates.map(c => h('tr', { class: c.eligible ? '' : 'muted' },
        h('td', {}, c.name), h('td', {}, `${c.open}/${c.capacity} (${num(c.load, 1)})`),
        h('td', {}, c.online ? '●' : '○'), h('td', {}, reasonText(c.reason))))))));
  }
  if (!parts.length) return h('p', { class: 'muted small' }, t('triage.no_evidence'));
  return h('details', { class: 'evidence' }, h('summary', {}, t('triage.evidence')), parts);
}
