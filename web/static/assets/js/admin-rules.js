// Admin: keyword rules with a dry-run box, the user dictionary, and the
// trained model versions.

import { h, add, clear, empty, errorBox, timeEl, select, busy, toast, showError, modal, confirmDialog, badge, confidenceBar, num, pct, stack } from './dom.js';
import { t } from './i18n.js';
import { reasonText, reasonsText } from './explain.js';
import * as api from './api.js';
import { adminPage, listInput } from './admin-nav.js';
import { shadowPanel } from './admin-shadow.js';


export async function render(ctx) {
  const section = ctx.params[0];
  if (section === 'rules') return rulesPage(ctx);
  if (section === 'dictionary') return dictPage(ctx);
  return modelsPage(ctx);
}

// Rules --------------------------------------------------------------------

async function rulesPage(ctx) {
  const isAdmin = api.can('POST', '/v1/rules');
  const addBtn = isAdmin ? h('button', { type: 'button', class: 'btn btn-primary' }, '+ ', t('rule.add')) : null;
  const body = adminPage(ctx, 'rules', addBtn);
  const cats = await api.categories();
  const listBox = h('div');
  const dryBox = h('section', { class: 'card dry-run', id: 'dry-run' });
  add(body, h('div', { class: 'rules-grid' }, listBox, dryBox));

  const editRule = async r => {
    let last = null;
    for (;;) {
      const v = last || r;
      const chans = new Set(v.channels || []);
      const form = h('div', { class: 'form-grid' },
        h('label', { for: 'ru-name' }, t('rule.name')), h('input', { id: 'ru-name', name: 'name', value: v.name || '', required: true }),
        h('label', { for: 'ru-any' }, t('rule.any')), h('input', { id: 'ru-any', name: 'any', value: (v.any || []).join(', '), placeholder: t('rule.words_hint') }),
        h('label', { for: 'ru-all' }, t('rule.all')), h('input', { id: 'ru-all', name: 'all', value: (v.all || []).join(', ') }),
        h('label', { for: 'ru-none' }, t('rule.none')), h('input', { id: 'ru-none', name: 'none', value: (v.none || []).join(', ') }),
        h('label', { for: 'ru-regex' }, t('rule.regex')), h('input', { id: 'ru-regex', name: 'regex', value: v.regex || '', class: 'mono', placeholder: 'RE2' }),
        h('span', { class: 'label' }, t('rule.channels')),
        h('div', { class: 'checks' }, api.enumValues('Channel').map(c => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'ch:' + c, checked: chans.has(c) }), ' ', t('channel.' + c)))),
        h('label', { for: 'ru-tiers' }, t('rule.tiers')), h('input', { id: 'ru-tiers', name: 'tiers', value: (v.tiers || []).join(', '), placeholder: 'vip' }),
        h('label', { for: 'ru-cat' }, t('rule.set_category')), select([['', '—'], ...cats.map(c => [c, c])], v.set_category || '', { id: 'ru-cat', name: 'set_category' }),
        h('label', { for: 'ru-prio' }, t('rule.set_priority')), select([['', '—'], ...api.enumValues('Priority')], v.set_priority || '', { id: 'ru-prio', name: 'set_priority' }),
        h('label', { for: 'ru-tags' }, t('rule.add_tags')), h('input', { id: 'ru-tags', name: 'add_tags', value: (v.add_tags || []).join(', ') }),
        h('label', { for: 'ru-mode' }, t('rule.mode')), select([['override', t('rule.mode.override')], ['bias', t('rule.mode.bias')]], v.mode || 'override', { id: 'ru-mode', name: 'mode' }),
        h('label', { for: 'ru-weight' }, t('rule.weight')), h('input', { id: 'ru-weight', name: 'weight', type: 'number', min: '0', max: '1', step: '0.05', value: String(v.weight ?? 0) }),
        h('label', { for: 'ru-pos' }, t('rule.position')), h('input', { id: 'ru-pos', name: 'position', type: 'number', min: '0', value: String(v.position ?? 0) }),
        h('label', { class: 'check span2' }, h('input', { type: 'checkbox', name: 'enabled', checked: v.enabled !== false }), ' ', t('rule.enabled')),
        h('label', { class: 'check span2' }, h('input', { type: 'checkbox', name: 'stop', checked: !!v.stop }), ' ', t('rule.stop')),
        // Off by default: 「没有漏电」 does not fire a rule on 漏电.
        h('label', { class: 'check span2', title: t('rule.match_negated_hint') }, h('input', { type: 'checkbox', name: 'match_negated', id: 'ru-negated', checked: !!v.match_negated }), ' ', t('rule.match_negated')));
      const res = await modal(r.id ? t('rule.edit', { name: r.name }) : t('rule.add'), form, { submitLabel: t('common.save') });
      if (!res) return;
      const b = {
        name: res.name.trim(), any: listInput(res.any), all: listInput(res.all), none: listInput(res.none), regex: res.regex.trim(),
        channels: api.enumValues('Channel').filter(c => res['ch:' + c]), tiers: listInput(res.tiers), set_category: res.set_category, set_priority: res.set_priority,
        add_tags: listInput(res.add_tags), mode: res.mode, weight: Number(res.weight) || 0, position: Number(res.position) || 0,
        enabled: res.enabled === 'on', stop: res.stop === 'on', match_negated: res.match_negated === 'on',
      };
      try {
        if (r.id) await api.patch('/v1/rules/' + encodeURIComponent(r.id), b, api.etagOf(r));
        else await api.post('/v1/rules', b);
        toast(t('common.saved'));
        await load();
        return;
      } catch (err) {
        showError(err);
        last = { ...r, ...b };
      }
    }
  };
  if (addBtn) addBtn.addEventListener('click', () => editRule({ enabled: true, mode: 'override' }));

  const load = async () => {
    const rules = (await api.get('/v1/rules')).items || [];
    clear(listBox);
    if (!rules.length) { add(listBox, empty(t('rule.none_yet'))); return; }
    add(listBox, h('ol', { class: 'rule-list' }, rules.map((r, i) => {
      const cond = [];
      if ((r.any || []).length) cond.push([t('rule.any'), r.any]);
      if ((r.all || []).length) cond.push([t('rule.all'), r.all]);
      if ((r.none || []).length) cond.push([t('rule.none'), r.none]);
      if (r.regex) cond.push([t('rule.regex'), [r.regex]]);
      if ((r.channels || []).length) cond.push([t('rule.channels'), r.channels.map(c => t('channel.' + c))]);
      if ((r.tiers || []).length) cond.push([t('rule.tiers'), r.tiers]);
      const acts = [];
      if (r.set_category) acts.push(t('rule.sets_category', { c: r.set_category }) + (r.mode === 'bias' ? ` (${t('rule.mode.bias')} +${r.weight})` : ''));
      if (r.set_priority) acts.push(t('rule.sets_priority', { p: r.set_priority }));
      if ((r.add_tags || []).length) acts.push(t('rule.adds_tags', { tags: r.add_tags.join(', ') }));
      if (r.stop) acts.push(t('rule.stops'));
      if (r.match_negated) acts.push(t('rule.matches_negated'));
      const toggle = h('input', { type: 'checkbox', class: 'switch', checked: r.enabled, disabled: !isAdmin, 'aria-label': t('rule.enabled') + ' ' + r.name });
      toggle.addEventListener('change', async () => {
        try { await api.patch('/v1/rules/' + encodeURIComponent(r.id), { enabled: toggle.checked }, api.etagOf(r)); await load(); } catch (err) { showError(err); toggle.checked = !toggle.checked; }
      });
      const btn = (label, fn, cls = '') => { const b = h('button', { type: 'button', class: 'btn btn-small ' + cls }, label); b.addEventListener('click', () => busy(b, fn)); return b; };
      const move = to => async () => {
        try { await api.patch('/v1/rules/' + encodeURIComponent(r.id), { position: to }, api.etagOf(r)); await load(); } catch (err) { showError(err); }
      };
      return h('li', { class: 'card rule' + (r.enabled ? '' : ' is-disabled') },
        h('div', { class: 'panel-head' },
          h('div', {}, h('span', { class: 'muted small' }, '#' + r.position + ' '), h('strong', {}, r.name)),
          h('div', { class: 'actions' }, toggle,
            isAdmin && i > 0 ? btn('↑', move(rules[i - 1].position), 'btn-ghost') : null,
            isAdmin && i < rules.length - 1 ? btn('↓', move(rules[i + 1].position), 'btn-ghost') : null,
            isAdmin ? btn(t('common.edit'), () => editRule(r)) : null,
            isAdmin ? btn(t('common.delete'), async () => {
              if (!(await confirmDialog(t('rule.delete'), t('rule.delete_confirm', { name: r.name }), t('common.delete')))) return;
              try { await api.del('/v1/rules/' + encodeURIComponent(r.id), api.etagOf(r)); toast(t('common.deleted')); await load(); } catch (err) { showError(err); }
            }, 'btn-danger-ghost') : null)),
        h('dl', { class: 'facts small' },
          cond.map(([k, vs]) => [h('dt', {}, k), h('dd', {}, vs.map(x => h('span', { class: 'tag' }, x)))]),
          h('dt', {}, t('rule.then')), h('dd', {}, acts.join('；') || '—')));
    })));
  };

  // The dry-run box: what triage would do with a text, storing nothing.
  const title = h('input', { id: 'dr-title', name: 'title', placeholder: t('dry.title_ph'), required: true });
  const text = h('textarea', { id: 'dr-body', name: 'body', rows: '5', placeholder: t('dry.body_ph') });
  const channel = select(api.enumValues('Channel').map(c => [c, t('channel.' + c)]), 'web', { id: 'dr-channel', name: 'channel' });
  const tier = h('input', { id: 'dr-tier', name: 'tier', placeholder: 'vip', size: '6' });
  const run = h('button', { type: 'submit', class: 'btn btn-primary' }, t('dry.run'));
  const out = h('div', { class: 'dry-out', 'aria-live': 'polite' });
  const form = h('form', {},
    h('div', { class: 'field' }, h('label', { for: 'dr-title' }, t('dry.title')), title),
    h('div', { class: 'field' }, h('label', { for: 'dr-body' }, t('dry.body')), text),
    h('div', { class: 'row' }, h('label', { for: 'dr-channel' }, t('ticket.channel')), channel, h('label', { for: 'dr-tier' }, t('dry.tier')), tier, h('span', { class: 'spacer' }), run));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    busy(run, async () => {
      try {
        const r = await api.post('/v1/rules/dry-run', { title: title.value, body: text.value, channel: channel.value, requester: tier.value.trim() ? { tier: tier.value.trim() } : {} });
        add(clear(out), dryResult(r));
      } catch (err) {
        add(clear(out), errorBox(err));
      }
    });
  });
  add(dryBox, h('h2', {}, t('dry.heading')), h('p', { class: 'muted small' }, t('dry.lead')), form, out);
  await load();
}

function dryResult(r) {
  const rec = r.triage || {};
  const dec = (label, d, show) => d ? h('div', { class: 'decision' },
    h('div', { class: 'dec-head' }, h('span', { class: 'dec-label' }, label), h('strong', { class: 'dec-value' }, show(d.value)), confidenceBar(d.confidence), badge(t('source.' + d.source, {}, d.source), 'badge-src')),
    (d.why || []).length ? h('ul', { class: 'why' }, d.why.map(w => h('li', {}, reasonText(w)))) : null) : null;
  return h('div', {},
    h('h3', {}, t('dry.rules_fired', { n: (r.rules || []).length })),
    (r.rules || []).length ? h('ul', { class: 'plain' }, r.rules.map(x => h('li', {}, h('strong', {}, x.name), ' ', (x.matched || []).map(m => h('mark', {}, m)), ' → ', reasonsText(x.effect)))) : h('p', { class: 'muted' }, t('dry.no_rules')),
    dec(t('ticket.category'), rec.category, v => v || '—'),
    dec(t('ticket.priority'), rec.priority, v => v || '—'),
    dec(t('ticket.assignee'), rec.assignee, v => v ? api.agentName(v) : t('inbox.unassigned')),
    rec.needs_review ? h('div', { class: 'alert alert-warn' }, t('triage.needs_review')) : null);
}

// Dictionary -----------------------------------------------------------------

async function dictPage(ctx) {
  const canEdit = api.can('POST', '/v1/dictionary');
  const body = adminPage(ctx, 'dictionary');
  const words = h('textarea', { id: 'dict-words', name: 'words', rows: '4', placeholder: t('dict.placeholder') });
  const addBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, t('dict.add'));
  const form = h('form', { class: 'card' }, h('h2', {}, t('dict.add_heading')), h('p', { class: 'muted small' }, t('dict.lead')),
    h('label', { for: 'dict-words' }, t('dict.words')), words, h('div', { class: 'row' }, h('span', { class: 'spacer' }), addBtn));
  const filter = h('input', { type: 'search', placeholder: t('dict.filter'), 'aria-label': t('dict.filter') });
  const listBox = h('div', { class: 'dict-list' });
  if (canEdit) add(body, form);
  add(body, h('section', { class: 'card' }, h('div', { class: 'panel-head' }, h('h2', {}, t('dict.list')), filter), listBox));
  let all = [];
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    const entries = words.value.split('\n').map(l => l.trim()).filter(Boolean).map(l => {
      const [word, freq, tag] = l.split(/\s+/);
      return { word, freq: Number(freq) || 0, tag: tag || '' };
    });
    if (!entries.length) return;
    busy(addBtn, async () => {
      try {
        await api.post('/v1/dictionary', { words: entries });
        toast(t('dict.added', { n: entries.length }));
        words.value = '';
        await load();
      } catch (err) { showError(err); }
    });
  });
  const show = () => {
    const q = filter.value.trim().toLowerCase();
    const items = all.filter(w => !q || w.word.toLowerCase().includes(q));
    clear(listBox);
    if (!items.length) { add(listBox, empty(q ? t('dict.none_match') : t('dict.none'))); return; }
    add(listBox, h('p', { class: 'muted small' }, t('dict.count', { n: items.length })), h('ul', { class: 'chips' }, items.map(w => {
      const del = canEdit ? h('button', { type: 'button', class: 'chip-x', 'aria-label': t('common.delete') + ' ' + w.word, title: t('common.delete') }, '×') : null;
      if (del) del.addEventListener('click', async () => {
        try {
          // Dictionary entries are replaced whole, never edited: their
          // ETag is always "1".
          await api.del('/v1/dictionary/' + encodeURIComponent(w.word), '"1"');
          toast(t('common.deleted'));
          await load();
        } catch (err) { showError(err); }
      });
      return h('li', { class: 'chip', title: `freq ${w.freq || '—'} ${w.tag || ''}` }, w.word, w.tag ? h('span', { class: 'muted small' }, ' ' + w.tag) : null, del);
    })));
  };
  filter.addEventListener('input', show);
  const load = async () => { all = (await api.get('/v1/dictionary')).items || []; show(); };
  await load();
}

// Models ----------------------------------------------------------------------------

// sourceName says where a model's examples came from in the reader's
// language: the trainer writes "store (N closed tickets)" for the store's
// own closed tickets, file names otherwise.
function sourceName(src) {
  const m = /^store \((\d+) closed tickets\)$/.exec(src);
  return m ? t('model.source_store', { n: m[1] }) : src;
}

async function modelsPage(ctx) {
  const kind = ctx.query.get('kind') || 'category';
  const isAdmin = api.can('POST', '/v1/models/train');
  const train = isAdmin ? h('button', { type: 'button', class: 'btn btn-primary' }, t('model.train')) : null;
  const body = adminPage(ctx, 'models', train);
  if (train) train.addEventListener('click', () => busy(train, async () => {
    try { await api.post('/v1/models/train', { kind }); toast(t('model.queued')); } catch (err) { showError(err); }
  }));
  const tabs = h('div', { class: 'tabs' }, ['category', 'priority', 'embedder'].map(k =>
    h('a', { href: '/app/admin/models?kind=' + k, class: 'tab' + (k === kind ? ' active' : '') }, t('model.kind.' + k))));
  const listBox = h('div');
  // Shadow trials compare a field: category or priority, not the embedder.
  const shadow = kind === 'embedder' ? null : shadowPanel(kind, isAdmin, () => load());
  add(body, tabs, shadow, listBox);
  const load = async () => {
    const items = (await api.get('/v1/models', { kind })).items || [];
    clear(listBox);
    if (!items.length) { add(listBox, empty(t('model.none'))); return; }
    add(listBox, h('div', { class: 'table-wrap card' }, stack(h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', {}, t('model.version')), h('th', {}, t('model.trained')), h('th', {}, t('model.examples')), h('th', {}, t('model.classes')), h('th', {}, t('model.fit')), h('th', {}, t('model.metrics')), h('th', {}))),
      h('tbody', {}, items.map(m => {
        const act = m.active ? badge(t('model.active'), 'badge-ok') : (isAdmin ? h('button', { type: 'button', class: 'btn btn-small' }, t('model.activate')) : null);
        if (!m.active && act) act.addEventListener('click', () => busy(act, async () => {
          if (!(await confirmDialog(t('model.activate'), t('model.activate_confirm', { v: m.version }), t('model.activate'), false))) return;
          try { await api.post('/v1/models/' + encodeURIComponent(m.id) + '/activate'); toast(t('model.activated')); await load(); } catch (err) { showError(err); }
        }));
        const metrics = Object.entries(m.info.metrics || {}).map(([k, v]) => `${k} ${k.includes('acc') || k.includes('f1') ? pct(v, 1) : Number.isInteger(v) ? String(v) : num(v, 3)}`).join(' · ');
        return h('tr', { class: m.active ? 'is-current' : '' },
          h('td', { class: 'mono' }, m.version),
          h('td', { class: 'nowrap' }, timeEl(m.created_at)),
          h('td', {}, String(m.info.examples || 0), h('div', { class: 'muted small model-sources' }, (m.info.sources || []).map(sourceName).join('、'))),
          h('td', {}, (m.info.classes || []).map(c => h('span', { class: 'tag' }, c))),
          h('td', {}, num(m.info.fit_seconds, 2) + ' s'),
          h('td', { class: 'small' }, metrics || '—'),
          h('td', {}, act));
      }))))));
  };
  await load();
}
