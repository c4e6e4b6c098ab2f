// Admin: shadow trials on the models page. A candidate model or rule set
// runs beside the active one; this panel shows the comparison at close
// (accuracy, macro-F1, per class, McNemar's test, the tickets where they
// disagree) and promotes or discards the candidate with one click.

import { h, add, clear, busy, toast, showError, confirmDialog, badge, pct, num, stack } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';

// shadowPanel returns the panel for one kind (category or priority) and
// fills it; onEnd runs after a promote or discard (the model list changes).
export function shadowPanel(kind, isAdmin, onEnd) {
  const box = h('div', { id: 'shadow-panel' });
  const load = async () => {
    clear(box);
    let items;
    try { items = (await api.get('/v1/shadows')).items || []; } catch (err) { showError(err); return; }
    const running = items.filter(s => s.kind === kind && s.status === 'running');
    for (const s of running) {
      let rep;
      try { rep = await api.get('/v1/shadows/' + encodeURIComponent(s.id)); } catch (err) { showError(err); continue; }
      add(box, trialCard(s, rep, isAdmin, async () => { await load(); if (onEnd) await onEnd(); }));
    }
  };
  load();
  return box;
}

function candidateName(s) {
  if (s.candidate_id) return t('shadow.model', { v: s.candidate_version });
  return t('shadow.rules', { n: (s.candidate_rules || []).length });
}

function trialCard(s, rep, isAdmin, after) {
  const m = rep.mcnemar;
  const verdict = rep.scored === 0 ? badge(t('shadow.no_data'), '')
    : m.significant ? badge(t(m.better === 'candidate' ? 'shadow.better_candidate' : 'shadow.better_active'), m.better === 'candidate' ? 'badge-ok' : 'badge-warn')
      : badge(t('shadow.not_significant'), '');
  const side = (name, x) => h('tr', {},
    h('th', { scope: 'row' }, name),
    h('td', { class: 'num' }, pct(x.accuracy, 1)),
    h('td', { class: 'num' }, pct(x.macro_f1, 1)),
    h('td', { class: 'num' }, String(x.right)));
  const summary = h('table', { class: 'table shadow-summary' },
    h('thead', {}, h('tr', {}, h('th', {}), h('th', {}, t('shadow.accuracy')), h('th', {}, t('shadow.macro_f1')), h('th', {}, t('shadow.right')))),
    h('tbody', {}, side(t('shadow.active') + (s.active_version ? ' ' + s.active_version : ''), rep.active), side(t('shadow.candidate') + ' · ' + candidateName(s), rep.candidate)));
  const classes = h('table', { class: 'table small' },
    h('thead', {}, h('tr', {}, h('th', {}, t('shadow.class')), h('th', {}, t('shadow.support')), h('th', {}, t('shadow.f1_active')), h('th', {}, t('shadow.f1_candidate')))),
    h('tbody', {}, (rep.classes || []).map(c => h('tr', {},
      h('td', {}, c.class), h('td', { class: 'num' }, String(c.support)),
      h('td', { class: 'num' }, pct(c.active.f1, 1)), h('td', { class: 'num' }, pct(c.candidate.f1, 1))))));
  const dis = (rep.disagreements || []).slice(0, 10);
  const disagree = h('table', { class: 'table small' },
    h('thead', {}, h('tr', {}, h('th', {}, t('shadow.ticket')), h('th', {}, t('shadow.final')), h('th', {}, t('shadow.active')), h('th', {}, t('shadow.candidate')))),
    h('tbody', {}, dis.map(d => h('tr', {},
      h('td', {}, h('a', { href: '/app/tickets/' + encodeURIComponent(d.ticket_id) }, d.title || d.ticket_id)),
      h('td', {}, d.final), h('td', {}, d.active), h('td', {}, d.candidate)))));
  const actions = h('div', { class: 'row gap' });
  if (isAdmin) {
    const promote = h('button', { type: 'button', class: 'btn btn-primary shadow-promote' }, t('shadow.promote'));
    const discard = h('button', { type: 'button', class: 'btn shadow-discard' }, t('shadow.discard'));
    const act = (btn, path, title, body, done) => btn.addEventListener('click', () => busy(btn, async () => {
      if (!(await confirmDialog(title, body, title, path === 'discard'))) return;
      try { await api.post('/v1/shadows/' + encodeURIComponent(s.id) + '/' + path); toast(t(done)); await after(); } catch (err) { showError(err); }
    }));
    act(promote, 'promote', t('shadow.promote'), t('shadow.promote_confirm', { c: candidateName(s) }), 'shadow.promoted');
    act(discard, 'discard', t('shadow.discard'), t('shadow.discard_confirm', { c: candidateName(s) }), 'shadow.discarded');
    add(actions, promote, discard);
  }
  return h('section', { class: 'card shadow-trial', 'data-shadow': s.id },
    h('h3', {}, t('shadow.title'), ' ', verdict),
    h('p', { class: 'muted small' }, t('shadow.counts', { p: rep.predictions, s: rep.scored, o: rep.open, d: rep.disagree })),
    h('p', { class: 'small shadow-test' }, t('shadow.mcnemar', { m: m.method === 'exact' ? t('shadow.exact') : t('shadow.chi2'), b: m.active_only, c: m.candidate_only, p: num(m.p_value, 4) })),
    h('div', { class: 'table-wrap' }, stack(summary)),
    rep.classes && rep.classes.length ? h('div', { class: 'table-wrap' }, stack(classes)) : null,
    dis.length ? h('div', { class: 'table-wrap' }, h('h4', {}, t('shadow.disagreements')), stack(disagree)) : null,
    actions);
}
