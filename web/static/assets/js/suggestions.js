// The suggestions panel: KB articles and similar resolved tickets with the
// scores that ranked them and why, and a draft reply whose [n] citations
// link to those sources. The agent can insert, accept, edit or reject;
// each verdict goes back to the API as feedback, which is how editors
// learn what the KB fails to answer and how drafts are measured.

import { h, add, clear, empty, badge, num, busy, toast, showError, modal } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { reasonText } from './explain.js';

const REASONS = ['irrelevant', 'wrong', 'outdated', 'incomplete', 'tone'];

export function renderSuggestions(box, { suggestions: sg, composer, feedback, canFeedback, refresh }) {
  // Recomputing writes a row and may call the LLM: the API lets only the
  // roles that work tickets do it, and refresh is null for the others.
  let refreshBtn = null;
  if (refresh) {
    refreshBtn = h('button', { type: 'button', class: 'btn btn-small btn-ghost', title: t('sugg.refresh') }, '↻ ', t('sugg.refresh'));
    refreshBtn.addEventListener('click', () => busy(refreshBtn, refresh));
  }
  add(clear(box), h('div', { class: 'panel-head' }, h('h2', {}, t('sugg.title')), refreshBtn));
  if (!sg) {
    add(box, empty(t('sugg.none')));
    return;
  }
  const sources = [...(sg.articles || []), ...(sg.tickets || [])];
  const byN = new Map(sources.map(s => [s.n, s]));

  const send = async (kind, id, action, extra = {}) => {
    try {
      await api.post('/v1/suggestions/' + encodeURIComponent(sg.id) + '/feedback', { source_kind: kind, source_id: id, action, ...extra });
      feedback.set(kind + ':' + id, action);
      toast(t('sugg.feedback_saved'));
      return true;
    } catch (err) {
      showError(err);
      return false;
    }
  };

  add(box, draftCard(sg, byN, composer, feedback, canFeedback, send, box));

  add(box, h('h3', {}, t('sugg.articles'), ' ', h('span', { class: 'muted small' }, '(' + (sg.articles || []).length + ')')));
  if ((sg.articles || []).length) {
    add(box, h('ol', { class: 'sources' }, sg.articles.map(s => sourceCard(s, composer, feedback, canFeedback, send))));
  } else {
    add(box, empty(t('sugg.no_articles')));
  }
  add(box, h('h3', {}, t('sugg.tickets'), ' ', h('span', { class: 'muted small' }, '(' + (sg.tickets || []).length + ')')));
  if ((sg.tickets || []).length) {
    add(box, h('ol', { class: 'sources' }, sg.tickets.map(s => sourceCard(s, composer, feedback, canFeedback, send))));
  } else {
    add(box, empty(t('sugg.no_tickets')));
  }
}

function draftCard(sg, byN, composer, feedback, canFeedback, send, box) {
  const d = sg.draft || { mode: 'none', text: '' };
  const card = h('div', { class: 'draft', id: 'draft' });
  add(card, h('div', { class: 'draft-head' },
    h('strong', {}, t('sugg.draft')),
    badge(t('draft.' + d.mode, {}, d.mode), 'badge-ai'),
    d.model ? h('span', { class: 'muted small' }, d.model) : null));
  if (d.fallback) add(card, h('p', { class: 'muted small' }, t('sugg.fallback'), ' ', reasonText(d.fallback)));
  if (d.mode === 'none' || !d.text) {
    add(card, h('p', { class: 'muted' }, t('sugg.no_draft')));
    return card;
  }
  add(card, h('div', { class: 'draft-text' }, citedText(d.text, byN, box)));
  const used = (d.citations || []).map(n => byN.get(n)).filter(Boolean);
  if (used.length) {
    add(card, h('div', { class: 'draft-cites small' }, t('sugg.cites'), ' ',
      used.map(s => h('a', { href: '#src-' + s.n, class: 'cite-ref', on: { click: ev => jump(ev, box, s.n) } }, `[${s.n}] ${s.title}`))));
  }
  const verdict = feedback.get('draft:');
  if (verdict) {
    add(card, h('div', { class: 'verdict' }, badge(t('feedback.' + verdict), 'badge-ok')));
    return card;
  }
  const acts = h('div', { class: 'actions' });
  const mk = (act, label, key, cls = '') => {
    const b = h('button', { type: 'button', class: 'btn btn-small ' + cls, data: { act } }, label, key ? h('kbd', {}, key) : null);
    add(acts, b);
    return b;
  };
  const accept = mk('accept', t('sugg.accept'), 'a', 'btn-primary');
  const edit = mk('edit', t('sugg.edit'), 'e');
  const insert = mk('insert', t('sugg.insert'), '');
  const reject = mk('reject', t('sugg.reject'), 'x', 'btn-danger-ghost');
  accept.addEventListener('click', () => { composer.useDraft(d.text, 'accept'); card.classList.add('is-used'); toast(t('sugg.accepted_hint')); });
  edit.addEventListener('click', () => { composer.useDraft(d.text, 'edit'); card.classList.add('is-used'); });
  insert.addEventListener('click', () => { composer.useDraft(d.text, 'insert'); card.classList.add('is-used'); });
  reject.addEventListener('click', async () => {
    const reason = await askReason(t('sugg.reject_draft'));
    if (reason === null) return;
    if (await send('draft', '', 'rejected', { reason })) {
      acts.replaceWith(h('div', { class: 'verdict' }, badge(t('feedback.rejected'), 'badge-warn'), ' ', reason));
    }
  });
  if (!canFeedback) for (const b of [accept, edit, insert, reject]) b.disabled = true;
  add(card, acts);
  return card;
}

// citedText splits the draft at its [n] markers and links each to its
// source; the text itself only ever becomes text nodes.
function citedText(text, byN, box) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(/\[(\d+)\]/g)) {
    out.push(text.slice(last, m.index));
    const n = Number(m[1]);
    const src = byN.get(n);
    out.push(src
      ? h('a', { href: '#src-' + n, class: 'cite', title: src.title, on: { click: ev => jump(ev, box, n) } }, `[${n}]`)
      : h('span', { class: 'cite cite-missing', title: t('sugg.cite_missing') }, `[${n}]`));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

function jump(ev, box, n) {
  ev.preventDefault();
  const el = box.querySelector('#src-' + n);
  if (!el) return;
  el.scrollIntoView({ behavior: 'smooth', block: 'center' });
  el.classList.remove('flash');
  void el.offsetWidth; // restart the animation
  el.classList.add('flash');
  const d = el.querySelector('details');
  if (d) d.open = true;
}

function sourceCard(s, composer, feedback, canFeedback, send) {
  const href = s.kind === 'article' ? '/app/kb/' + encodeURIComponent(s.id) : '/app/tickets/' + encodeURIComponent(s.id);
  const insertText = s.kind === 'ticket' ? (s.resolution || s.snippet) : s.snippet;
  const scores = h('div', { class: 'scores small' },
    score(t('sugg.lexical'), s.lexical_rank, s.lexical_score),
    score(t('sugg.vector'), s.vector_rank, s.vector_score),
    h('span', { class: 'score fused' }, t('sugg.fused'), ' ', h('strong', {}, num(s.fused, 4))));
  const verdict = feedback.get(s.kind + ':' + s.id);
  const acts = h('div', { class: 'actions' });
  if (verdict) {
    add(acts, badge(t('feedback.' + verdict), verdict === 'rejected' ? 'badge-warn' : 'badge-ok'));
  } else {
    const ins = h('button', { type: 'button', class: 'btn btn-small', disabled: !insertText }, t('sugg.insert'));
    ins.addEventListener('click', () => composer.insertSource(s, insertText));
    const up = h('button', { type: 'button', class: 'btn btn-small', disabled: !canFeedback, title: t('sugg.helpful') }, t('sugg.helpful'));
    up.addEventListener('click', () => busy(up, async () => {
      if (await send(s.kind, s.id, 'accepted')) acts.replaceChildren(badge(t('feedback.accepted'), 'badge-ok'));
    }));
    const down = h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost', disabled: !canFeedback, title: t('sugg.not_relevant') }, t('sugg.not_relevant'));
    down.addEventListener('click', async () => {
      const reason = await askReason(t('sugg.reject_source', { title: s.title }));
      if (reason === null) return;
      if (await send(s.kind, s.id, 'rejected', { reason })) acts.replaceChildren(badge(t('feedback.rejected'), 'badge-warn'), ' ', reason);
    });
    add(acts, ins, up, down);
  }
  return h('li', { class: 'source source-' + s.kind, id: 'src-' + s.n },
    h('div', { class: 'source-head' },
      h('span', { class: 'cite-n' }, `[${s.n}]`),
      h('a', { href, class: 'source-title' }, s.title || s.id),
      s.category ? h('span', { class: 'badge' }, s.category) : null),
    scores,
    s.why ? h('div', { class: 'why-line small muted' }, t('sugg.why'), ' ', reasonText(s.why)) : null,
    h('details', { class: 'snippet' },
      h('summary', {}, s.kind === 'ticket' ? t('sugg.question_and_answer') : t('sugg.excerpt')),
      h('div', { class: 'snippet-text' }, s.snippet || ''),
      s.resolution ? h('div', { class: 'resolution' }, h('strong', {}, t('sugg.resolution')), ' ', s.resolution) : null),
    acts);
}

function score(label, rank, value) {
  if (!rank) return h('span', { class: 'score muted' }, label, ' —');
  return h('span', { class: 'score' }, label, ' #', String(rank), ' ', h('span', { class: 'muted' }, '(' + num(value, 3) + ')'));
}

// askReason asks why a suggestion is wrong; editors read these reasons in
// the KB gap list, so a quick choice plus free text.
async function askReason(title) {
  const radios = h('div', { class: 'reasons' }, REASONS.map((r, i) =>
    h('label', { class: 'radio' }, h('input', { type: 'radio', name: 'quick', value: t('reason.' + r), checked: i === 0 }), ' ', t('reason.' + r))));
  const detail = h('textarea', { name: 'detail', rows: '3', placeholder: t('sugg.reason_detail'), maxlength: '400' });
  const r = await modal(title, h('div', {}, radios, detail), { submitLabel: t('sugg.reject'), danger: true });
  if (r === null) return null;
  return [r.quick, (r.detail || '').trim()].filter(Boolean).join('：');
}
