// Admin: shadow trials on the models page. A candidate model or rule set
// runs beside the active one; this panel shows the comparison at close
// (accuracy, macro-F1, per class, McNemar's test, the tickets where they
// disagree) and promotes or discards the candidate with one click.

import { h, add, clear, busy, toast, showError, confirmDialog, badge, pct, num, stack, select, markFieldError, empty } from './dom.js';
import { listInput } from './admin-nav.js';
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
    // One trial per kind runs at a time: the form shows when none does.
    if (isAdmin && !running.length) add(box, await startForm(kind, load));
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

// startForm starts a trial: a stored model of this kind that is not
// active, or a candidate rule set, the stored rules plus one new rule
// (the rule an admin wants to try before it decides anything).
async function startForm(kind, after) {
  let models = [];
  try { models = ((await api.get('/v1/models', { kind })).items || []).filter(m => !m.active); } catch (err) { showError(err); }
  const cats = kind === 'category' ? await api.categories() : [];
  const what = select([['rules', t('shadow.start_rules')], ['model', t('shadow.start_model')]], models.length ? 'model' : 'rules', { name: 'what', id: 'shadow-what' });
  const model = select(models.map(m => [m.id, m.version]), models.length ? models[0].id : '', { name: 'candidate_id', id: 'shadow-model' });
  const name = h('input', { name: 'name', id: 'shadow-rule-name', placeholder: t('shadow.rule_name_hint') });
  const words = h('input', { name: 'any', id: 'shadow-rule-any', placeholder: t('shadow.rule_words_hint') });
  const value = kind === 'category'
    ? select([['', '—'], ...cats.map(c => [c, c])], '', { name: 'set_category', id: 'shadow-rule-value' })
    : select([['', '—'], ...api.enumValues('Priority').map(p => [p, p])], '', { name: 'set_priority', id: 'shadow-rule-value' });
  const modelRow = h('div', { class: 'form-grid shadow-model-fields' },
    h('label', { for: 'shadow-model' }, t('shadow.start_model')), models.length ? model : empty(t('shadow.no_candidates')));
  const rulesRow = h('div', { class: 'form-grid shadow-rule-fields' },
    h('p', { class: 'muted small span2' }, t('shadow.rules_lead')),
    h('label', { for: 'shadow-rule-name' }, t('shadow.rule_name')), name,
    h('label', { for: 'shadow-rule-any' }, t('shadow.rule_words')), words,
    h('label', { for: 'shadow-rule-value' }, t(kind === 'category' ? 'shadow.rule_category' : 'shadow.rule_priority')), value);
  const show = () => { modelRow.hidden = what.value !== 'model'; rulesRow.hidden = what.value !== 'rules'; };
  what.addEventListener('change', show);
  show();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'shadow-start' }, t('shadow.start'));
  const form = h('form', { class: 'card shadow-start', id: 'shadow-start-form' },
    h('h3', {}, t('shadow.start_title')),
    h('p', { class: 'muted small' }, t('shadow.start_lead')),
    h('div', { class: 'form-grid' }, h('label', { for: 'shadow-what' }, t('shadow.start_what')), what),
    modelRow, rulesRow, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    busy(submit, async () => {
      try {
        const body = { kind };
        if (what.value === 'model') {
          body.candidate_id = model.value;
        } else {
          // The candidate is the whole rule set that would replace the
          // stored one: today's rules in their order, then the new one.
          const stored = (await api.get('/v1/rules')).items || [];
          const fields = ['name', 'enabled', 'any', 'all', 'none', 'regex', 'channels', 'tiers', 'set_category', 'set_priority', 'add_tags', 'mode', 'weight', 'stop', 'match_negated'];
          const keep = stored.map(r => Object.fromEntries(fields.filter(f => f in r).map(f => [f, r[f]])));
          const rule = { name: name.value.trim(), any: listInput(words.value), mode: 'override' };
          rule[kind === 'category' ? 'set_category' : 'set_priority'] = value.value;
          body.candidate_rules = [...keep, rule];
        }
        await api.post('/v1/shadows', body);
        toast(t('shadow.started'));
        await after();
      } catch (err) {
        // candidate_rules[3].any names the new rule's field: the last one.
        const m = err.field && /^candidate_rules\[\d+\]\.(\w+)$/.exec(err.field);
        if (m) err.field = m[1];
        if (!markFieldError(form, err)) showError(err);
      }
    });
  });
  return form;
}
