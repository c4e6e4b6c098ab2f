// Admin: automations (自动化). Triggers run on a ticket's events, time
// rules on its age; both test conditions and take actions. The editor is
// built from /v1/automations/catalogue, so a field or action the server
// adds shows here without a change; a dry run over recent tickets says
// what a rule would do before it is saved, and the log says what each one
// did, with its reasons in the reader's language.

import { h, add, clear, empty, select, busy, toast, showError, confirmDialog, badge, markFieldError, timeEl, errorBox, stack } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { adminPage, listInput } from './admin-nav.js';
import { reasonsText } from './explain.js';

const enc = encodeURIComponent;

export async function render(ctx) {
  if (!api.exists('GET', '/v1/automations')) {
    add(adminPage(ctx, 'automations'), empty(t('admin.not_yet'), h('p', { class: 'muted small mono' }, 'GET /v1/automations')));
    return;
  }
  const canWrite = api.can('POST', '/v1/automations');
  const addBtn = canWrite ? h('button', { type: 'button', class: 'btn btn-primary', id: 'add-automation' }, '+ ', t('auto.add')) : null;
  const body = adminPage(ctx, 'automations', addBtn);
  // The button is drawn at once but the editor needs the catalogue: a
  // click before it arrives opens the editor when it does, not never.
  /** @type {(v?: any) => void} */
  let ready = () => {};
  const loaded = new Promise(resolve => { ready = resolve; });
  if (addBtn) addBtn.addEventListener('click', async () => { await loaded; openEditor(null); });
  const editor = h('div', { class: 'auto-editor' });
  const listBox = h('div', {});
  const extras = h('div', {});
  const logBox = h('section', { class: 'card auto-log' });
  add(body, editor, listBox, extras, logBox);

  let cat, refs;
  try {
    cat = await api.get('/v1/automations/catalogue', null, { signal: ctx.signal });
    refs = await references(canWrite);
  } catch (err) {
    if (err.name !== 'AbortError') add(clear(body), errorBox(err));
    return;
  }
  let autos = [];
  const nameOf = id => (autos.find(a => a.id === id) || {}).name || id;

  const load = async () => {
    try {
      autos = (await api.get('/v1/automations', null, { signal: ctx.signal })).items || [];
    } catch (err) {
      if (err.name !== 'AbortError') add(clear(listBox), errorBox(err));
      return;
    }
    clear(listBox);
    if (!autos.length) add(listBox, empty(t('auto.none')));
    else add(listBox, h('div', { class: 'table-wrap card' }, stack(h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', {}, t('auto.name')), h('th', {}, t('auto.when')), h('th', {}, t('auto.conditions')), h('th', {}, t('auto.actions')), h('th', {}, t('auto.state')), h('th', {}))),
      h('tbody', {}, autos.map(row))))));
    await showLog();
  };

  const row = a => {
    const act = (label, cls, fn) => {
      const b = h('button', { type: 'button', class: 'btn btn-small ' + cls }, label);
      b.addEventListener('click', () => busy(b, async () => { try { await fn(); } catch (err) { showError(err); } }));
      return b;
    };
    const tag = async () => (await api.getWithTag('/v1/automations/' + enc(a.id))).etag;
    return h('tr', { data: { id: a.id } },
      h('td', {}, h('span', { class: 'muted small' }, '#' + a.position + ' '), h('strong', {}, a.name), a.stop ? h('div', { class: 'muted small' }, t('auto.stop')) : null),
      h('td', {}, a.kind === 'time'
        ? t('auto.age_text', { since: t('auto.since.' + a.age.since), after: a.age.after }) + (a.age.business ? ' · ' + t('auto.business') : '')
        : (a.events || []).map(e => t('auto.ev.' + e, {}, e)).join('、')),
      h('td', {}, (a.conditions || []).length ? h('ul', { class: 'plain small' }, a.conditions.map(c => h('li', {}, conditionText(c)))) : t('auto.always')),
      h('td', {}, h('ul', { class: 'plain small' }, (a.actions || []).map(x => h('li', {}, actionText(x, refs))))),
      h('td', {}, a.enabled ? badge(t('auto.on'), 'badge-ok') : badge(t('auto.off'), 'badge-warn')),
      h('td', { class: 'row-actions' },
        act(t('auto.log'), '', () => showLog(a.id)),
        canWrite ? act(t('auto.dry_run'), '', () => dryRun({ automation_id: a.id }, a.name)) : null,
        canWrite ? act(t('common.edit'), '', () => openEditor(a)) : null,
        canWrite ? act(a.enabled ? t('auto.disable') : t('auto.enable'), '', async () => {
          await api.patch('/v1/automations/' + enc(a.id), { enabled: !a.enabled }, await tag());
          await load();
        }) : null,
        canWrite ? act(t('common.delete'), 'btn-danger-ghost', async () => {
          if (!(await confirmDialog(t('common.delete'), t('auto.delete_confirm', { name: a.name }), t('common.delete')))) return;
          await api.del('/v1/automations/' + enc(a.id), await tag());
          toast(t('common.deleted'));
          await load();
        }) : null));
  };

  const dryOut = h('div', { class: 'dry-out' });
  const dryRun = async (req, name) => {
    const res = await api.post('/v1/automations/dry-run', { ...req, limit: 100 });
    add(clear(dryOut), h('section', { class: 'card' },
      h('h2', {}, t('auto.dry_title', { name: name || '' })),
      h('p', {}, t('auto.dry_summary', { checked: res.checked, fired: res.fired })),
      res.items.length ? h('div', { class: 'table-wrap' }, stack(h('table', { class: 'table compact' },
        h('thead', {}, h('tr', {}, h('th', {}, t('auto.ticket')), h('th', {}, t('auto.why')), h('th', {}, t('auto.changes')))),
        h('tbody', {}, res.items.map(i => h('tr', {},
          h('td', {}, h('a', { href: '/app/tickets/' + i.ticket_id }, i.title)),
          h('td', { class: 'small' }, reasonsText(i.why)),
          h('td', { class: 'small' }, reasonsText(named(i.changes, refs))))))))) : null));
    if (!editor.contains(dryOut)) add(extras, dryOut);
    dryOut.scrollIntoView({ block: 'nearest' });
  };

  const showLog = async id => {
    const page = await api.get('/v1/automations/log', id ? { automation_id: id, limit: 50 } : { limit: 50 });
    const items = page.items || [];
    add(clear(logBox), h('h2', {}, id ? t('auto.log_of', { name: nameOf(id) }) : t('auto.log_all')),
      !items.length ? empty(t('auto.log_none')) : h('div', { class: 'table-wrap' }, stack(h('table', { class: 'table compact' },
        h('thead', {}, h('tr', {}, h('th', {}, t('auto.when_fired')), h('th', {}, t('auto.name')), h('th', {}, t('auto.ticket')), h('th', {}, t('auto.why')), h('th', {}, t('auto.changes')))),
        h('tbody', {}, items.map(r => h('tr', { data: { automation: r.automation_id } },
          h('td', {}, timeEl(r.at)),
          h('td', {}, nameOf(r.automation_id)),
          h('td', {}, h('a', { href: '/app/tickets/' + r.ticket_id, class: 'mono' }, r.ticket_id.slice(-8))),
          h('td', { class: 'small' }, reasonsText(r.why)),
          h('td', { class: 'small' }, reasonsText(named(r.changes, refs))))))))));
  };

  const openEditor = (a) => {
    const draft = a ? JSON.parse(JSON.stringify(a)) : { name: '', kind: 'trigger', events: [cat.events[0]], match: 'all',
      conditions: [{ field: 'title', op: 'contains', value: '' }], actions: [{ type: 'set_team', value: '' }], stop: false, enabled: true };
    add(clear(editor), automationForm(draft, cat, refs, {
      save: async (value, form) => {
        try {
          if (a) {
            const { kind, ...change } = value; // the kind of an automation does not change
            await api.patch('/v1/automations/' + enc(a.id), kind === a.kind ? change : value, (await api.getWithTag('/v1/automations/' + enc(a.id))).etag);
          }
          else await api.post('/v1/automations', value);
          toast(t('common.saved'));
          clear(editor);
          await load();
        } catch (err) { if (!markFieldError(form, err)) showError(err); }
      },
      dry: async (value, form) => {
        try { await dryRun({ automation: value }, value.name); } catch (err) {
          if (err.field) err.field = err.field.replace(/^automation\./, '');
          if (!markFieldError(form, err)) showError(err);
        }
      },
      cancel: () => clear(editor),
    }), dryOut);
    editor.querySelector('input[name=name]').focus();
  };
  ready();

  const showTemplates = async () => {
    try {
      const [tpl, set] = await Promise.all([api.get('/v1/automations/templates'),
        api.exists('GET', '/v1/settings/workflow') ? api.getWithTag('/v1/settings/workflow') : null]);
      add(clear(extras), h('section', { class: 'card' }, h('h2', {}, t('auto.templates')),
        h('ul', { class: 'plain auto-templates' },
          (tpl.builtin || []).map(b => builtinItem(b, set, showTemplates)),
          (tpl.items || []).map(x => {
            const b = h('button', { type: 'button', class: 'btn btn-small', data: { template: x.id } }, t('auto.use_template'));
            b.addEventListener('click', () => fill(x.automation));
            return h('li', {}, x.automation.name, ' ', b);
          }))));
    } catch (err) { showError(err); }
  };
  if (canWrite) await showTemplates();
  // fill puts a template into the open editor.
  const fill = tplAutomation => {
    add(clear(editor), automationForm({ ...JSON.parse(JSON.stringify(tplAutomation)), enabled: true, stop: false, events: tplAutomation.events || [], match: tplAutomation.match || 'all' }, cat, refs, {
      save: async (value, form) => {
        try { await api.post('/v1/automations', value); toast(t('common.saved')); clear(editor); await load(); } catch (err) { if (!markFieldError(form, err)) showError(err); }
      },
      dry: async (value, form) => { try { await dryRun({ automation: value }, value.name); } catch (err) { if (!markFieldError(form, err)) showError(err); } },
      cancel: () => clear(editor),
    }), dryOut);
    editor.scrollIntoView({ block: 'nearest' });
  };

  await load();
}

// builtinItem is a rule the service runs by itself (the closing of solved
// tickets): its time in force, who set it, and a form to change it or
// turn it off, saved as a workflow setting whose changes are kept.
function builtinItem(b, set, reload) {
  const on = h('input', { type: 'checkbox', name: 'enabled', checked: b.enabled, id: 'builtin-' + b.id + '-on' });
  const after = h('input', { name: 'after', value: b.enabled ? b.after : '4d', size: '6', class: 'mono', id: 'builtin-' + b.id + '-after', 'aria-label': t('auto.builtin_time') });
  const save = h('button', { type: 'submit', class: 'btn btn-small btn-primary' }, t('common.save'));
  const form = h('form', { class: 'row gap builtin-form', data: { builtin: b.id } },
    h('label', { class: 'check', for: on.id }, on, ' ', t('auto.builtin_on')),
    h('label', { for: after.id }, t('auto.builtin_time')), after, save);
  const setOn = () => { after.disabled = !on.checked; };
  on.addEventListener('change', setOn);
  setOn();
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    busy(save, async () => {
      try {
        await api.patch('/v1/settings/workflow', { [b.setting]: on.checked ? after.value.trim() : 'off' }, set && set.data.version > 0 ? set.etag : '*');
        toast(t('common.saved'));
        await reload();
      } catch (err) {
        if (err.field === b.setting) err.field = 'after';
        if (!markFieldError(form, err)) showError(err);
      }
    });
  });
  const who = b.updated_by ? t('auto.builtin_set_by', { who: (set && set.data.updated_by_name) || api.actorName(b.updated_by) }) : t('auto.builtin_default');
  return h('li', { class: 'builtin-rule', data: { builtin: b.id } }, badge(t('auto.builtin')), ' ', b.name, ' · ',
    h('strong', { class: 'builtin-state' }, b.enabled ? t('auto.builtin_after', { after: b.after }) : t('auto.off')),
    h('div', { class: 'muted small' }, who, b.updated_at ? [' · ', timeEl(b.updated_at)] : null),
    h('div', { class: 'muted small' }, t('auto.builtin_hint')),
    form);
}

// references are the teams, agents, macros and webhooks actions may name.
async function references(canWrite) {
  const get = async path => {
    if (!api.can('GET', path)) return [];
    try { return (await api.get(path)).items || []; } catch { return []; }
  };
  const [teams, agents, macros, hooks] = await Promise.all([get('/v1/teams'), get('/v1/agents'), get('/v1/macros'), canWrite ? get('/v1/webhooks') : []]);
  return { teams, agents, macros: macros.filter(m => !m.archived), hooks };
}

// named shows the teams and agents a change names by their names: the
// reasons keep ids, which stay true when a team is renamed.
function named(reasons, refs) {
  const lists = { team_id: refs.teams, assignee_id: refs.agents };
  return (reasons || []).map(r => {
    if (!r.args || !('from' in r.args)) return r;
    const list = lists[/** @type {string} */ (r.args.field)] || [];
    // A field that had no value (no team yet) reads 无, not a blank.
    const name = id => id === '' || id === null || id === undefined ? t('auto.no_value') : (list.find(x => x.id === id) || {}).name || id;
    return { ...r, args: { ...r.args, from: name(r.args.from), to: name(r.args.to) } };
  });
}

function conditionText(c) {
  const v = c.values && c.values.length ? c.values.join('、') : (c.value || '');
  return [t('auto.f.' + c.field, {}, c.field), t('auto.op.' + c.op, {}, c.op), v].filter(Boolean).join(' ');
}

function actionText(a, refs) {
  const label = t('auto.act.' + a.type, {}, a.type);
  const find = (list, id, key) => (list.find(x => x.id === id) || {})[key] || id;
  switch (a.type) {
    case 'set_team': return label + '：' + find(refs.teams, a.value, 'name');
    case 'set_assignee': return label + '：' + (a.value ? find(refs.agents, a.value, 'name') : t('auto.nobody'));
    case 'send_macro': return label + '：' + find(refs.macros, a.value, 'title');
    case 'webhook': return label + '：' + find(refs.hooks, a.value, 'url');
    case 'add_tags': case 'remove_tags': return label + '：' + (a.tags || []).join('、');
    case 'email': return label + '：' + t('auto.to.' + a.to, {}, a.to);
    case 'add_note': case 'reply': return label;
    case 'set_status': return label + '：' + t('status.' + a.value, {}, a.value);
    case 'set_priority': return label + '：' + t('priority.' + a.value, {}, a.value);
  }
  return label + '：' + (a.value || '');
}

// automationForm is the editor of one automation; it reads its controls
// into the API's shape on save and on a dry run.
function automationForm(d, cat, refs, { save, dry, cancel }) {
  const form = h('form', { class: 'card auto-form', novalidate: true });
  const fieldOf = name => cat.fields.find(f => f.name === name) || (name.startsWith('fields.') ? { name, type: 'text', ops: ['contains', 'not_contains', 'is', 'is_not', 'present', 'absent'] } : cat.fields[0]);

  const draw = () => {
    clear(form);
    const kindSel = select([['trigger', t('auto.kind.trigger')], ['time', t('auto.kind.time')]], d.kind, { name: 'kind', id: 'au-kind', disabled: d.id ? true : null });
    kindSel.addEventListener('change', () => {
      read(); d.kind = kindSel.value;
      if (d.kind === 'time') { d.events = []; d.age = d.age || { since: 'status', after: '3d', business: false }; } else { d.age = null; d.events = d.events && d.events.length ? d.events : [cat.events[0]]; }
      draw();
    });
    const matchSel = select([['all', t('auto.match.all')], ['any', t('auto.match.any')]], d.match || 'all', { name: 'match', id: 'au-match' });
    add(form,
      h('h2', {}, d.id ? t('auto.edit') : t('auto.add')),
      h('div', { class: 'form-grid' },
        h('label', { for: 'au-name' }, t('auto.name')), h('input', { id: 'au-name', name: 'name', value: d.name || '', required: true, maxlength: 100 }),
        h('label', { for: 'au-kind' }, t('auto.kind')), kindSel,
        d.kind === 'time' ? [
          h('label', { for: 'au-after' }, t('auto.age')),
          h('div', { class: 'row' },
            select(['status', 'created', 'updated'].map(s => [s, t('auto.since.' + s)]), d.age.since, { name: `age.since`, 'aria-label': t('auto.since') }),
            h('input', { id: 'au-after', name: `age.after`, value: d.age.after, size: 6, placeholder: '3d', class: 'mono' }),
            h('label', { class: 'check' }, h('input', { type: 'checkbox', name: `age.business`, checked: d.age.business ? true : null }), ' ', t('auto.business'))),
        ] : [
          h('span', { class: 'label' }, t('auto.events')),
          h('div', { class: 'checks', data: { name: 'events' } }, cat.events.map(e => h('label', { class: 'check' },
            h('input', { type: 'checkbox', name: 'ev', value: e, checked: (d.events || []).includes(e) ? true : null }), ' ', t('auto.ev.' + e, {}, e)))),
        ],
        h('label', { for: 'au-match' }, t('auto.match')), matchSel,
        h('label', { for: 'au-position' }, t('auto.position')),
        h('input', { id: 'au-position', name: 'position', type: 'number', min: 0, step: 1, value: d.position ?? '', placeholder: t('auto.position_hint') })),
      h('h3', {}, t('auto.conditions')),
      h('div', { class: 'auto-rows' }, (d.conditions || []).map((c, i) => conditionRow(c, i))),
      h('button', { type: 'button', class: 'btn btn-small', id: 'au-add-condition', on: { click: () => { read(); d.conditions.push({ field: 'title', op: 'contains', value: '' }); draw(); } } }, '+ ', t('auto.add_condition')),
      h('h3', {}, t('auto.actions')),
      h('div', { class: 'auto-rows' }, (d.actions || []).map((a, i) => actionRow(a, i))),
      h('button', { type: 'button', class: 'btn btn-small', id: 'au-add-action', on: { click: () => { read(); d.actions.push({ type: 'add_tags', tags: [] }); draw(); } } }, '+ ', t('auto.add_action')),
      h('div', { class: 'checks auto-flags' },
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'stop', checked: d.stop ? true : null }), ' ', t('auto.stop')),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'enabled', checked: d.enabled === false ? null : true }), ' ', t('auto.enabled'))),
      h('div', { class: 'row auto-buttons' },
        h('button', { type: 'submit', class: 'btn btn-primary', id: 'au-save' }, t('common.save')),
        h('button', { type: 'button', class: 'btn', id: 'au-dry', on: { click: () => { read(); dry(value(), form); } } }, t('auto.dry_run')),
        h('button', { type: 'button', class: 'btn', on: { click: cancel } }, t('common.cancel'))));
  };

  const conditionRow = (c, i) => {
    const f = fieldOf(c.field);
    const fieldSel = select(cat.fields.map(x => [x.name, t('auto.f.' + x.name, {}, x.name)]), c.field, { name: `conditions[${i}].field`, 'aria-label': t('auto.field') });
    fieldSel.addEventListener('change', () => { read(); const nf = fieldOf(fieldSel.value); d.conditions[i] = { field: nf.name, op: nf.ops[0], value: '' }; draw(); });
    const opSel = select(f.ops.map(o => [o, t('auto.op.' + o, {}, o)]), c.op, { name: `conditions[${i}].op`, 'aria-label': t('auto.op') });
    opSel.addEventListener('change', () => { read(); draw(); });
    let val = null;
    if (['in', 'not_in'].includes(c.op)) val = h('input', { name: `conditions[${i}].values`, value: (c.values || []).join(', '), 'aria-label': t('auto.values') });
    else if (!['present', 'absent', 'is_true', 'is_false'].includes(c.op)) {
      const opts = f.name === 'team_id' ? refs.teams.map(x => [x.id, x.name]) : f.name === 'assignee_id' ? refs.agents.map(x => [x.id, x.name])
        : f.values && f.values.length ? f.values.map(v => [v, t((f.name === 'channel' ? 'channel.' : f.name + '.') + v, {}, v)]) : null;
      val = opts ? select(opts, c.value, { name: `conditions[${i}].value`, 'aria-label': t('auto.value') })
        : h('input', { name: `conditions[${i}].value`, value: c.value || '', 'aria-label': t('auto.value'), type: f.type === 'number' ? 'number' : 'text', step: f.type === 'number' ? 'any' : null });
    }
    return h('div', { class: 'row auto-row', data: { row: 'condition' } }, fieldSel, opSel, val,
      h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost', 'aria-label': t('common.delete'), on: { click: () => { read(); d.conditions.splice(i, 1); draw(); } } }, '×'));
  };

  const actionRow = (a, i) => {
    const typeSel = select(cat.actions.map(x => [x, t('auto.act.' + x, {}, x)]), a.type, { name: `actions[${i}].type`, 'aria-label': t('auto.action') });
    typeSel.addEventListener('change', () => { read(); d.actions[i] = { type: typeSel.value }; draw(); });
    const n = k => `actions[${i}].${k}`;
    const sel = (opts, v) => select([['', '—'], ...opts], v || '', { name: n('value'), 'aria-label': t('auto.value') });
    let ctl;
    switch (a.type) {
      case 'set_status': ctl = sel(['open', 'pending', 'solved', 'closed'].map(s => [s, t('status.' + s)]), a.value); break;
      case 'set_priority': ctl = sel(['P1', 'P2', 'P3', 'P4'].map(p => [p, p + ' ' + t('priority.' + p)]), a.value); break;
      case 'set_team': ctl = sel(refs.teams.map(x => [x.id, x.name]), a.value); break;
      case 'set_assignee': ctl = select([['', t('auto.nobody')], ...refs.agents.map(x => [x.id, x.name])], a.value || '', { name: n('value'), 'aria-label': t('auto.value') }); break;
      case 'send_macro': ctl = sel(refs.macros.map(x => [x.id, x.title]), a.value); break;
      case 'webhook': ctl = sel(refs.hooks.map(x => [x.id, x.url]), a.value); break;
      case 'add_tags': case 'remove_tags': ctl = h('input', { name: n('tags'), value: (a.tags || []).join(', '), 'aria-label': t('auto.tags') }); break;
      case 'add_note': case 'reply': ctl = h('textarea', { name: n('body'), rows: 2, 'aria-label': t('auto.body'), placeholder: t('auto.body_hint') }, a.body || ''); break;
      case 'email': ctl = h('div', { class: 'auto-email' },
        h('input', { name: n('to'), value: a.to || '', list: 'au-recipients', 'aria-label': t('auto.to'), placeholder: t('auto.to_hint') }),
        h('datalist', { id: 'au-recipients' }, cat.recipients.map(r => h('option', { value: r }, t('auto.to.' + r)))),
        h('input', { name: n('subject'), value: a.subject || '', 'aria-label': t('auto.subject'), placeholder: t('auto.subject') }),
        h('textarea', { name: n('body'), rows: 2, 'aria-label': t('auto.body'), placeholder: t('auto.body_hint') }, a.body || '')); break;
      default: ctl = h('input', { name: n('value'), value: a.value || '', 'aria-label': t('auto.value') });
    }
    return h('div', { class: 'row auto-row', data: { row: 'action' } }, typeSel, ctl,
      h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost', 'aria-label': t('common.delete'), on: { click: () => { read(); d.actions.splice(i, 1); draw(); } } }, '×'));
  };

  // read copies the controls back into d.
  const read = () => {
    const v = name => { const el = form.querySelector(`[name="${CSS.escape(name)}"]`); return el ? el.value : undefined; };
    const on = name => { const el = form.querySelector(`[name="${CSS.escape(name)}"]`); return el ? el.checked : undefined; };
    d.name = v('name') ?? d.name;
    d.match = v('match') ?? d.match;
    const pos = v('position');
    if (pos !== undefined) d.position = pos === '' ? undefined : Number(pos);
    if (d.kind === 'time' && d.age) d.age = { since: v(`age.since`) ?? d.age.since, after: (v(`age.after`) ?? d.age.after).trim(), business: on(`age.business`) ?? d.age.business };
    if (d.kind === 'trigger' && form.querySelector('[name=ev]')) d.events = [...form.querySelectorAll('[name=ev]:checked')].map(el => el.value);
    d.conditions = (d.conditions || []).map((c, i) => {
      const out = { field: v(`conditions[${i}].field`) ?? c.field, op: v(`conditions[${i}].op`) ?? c.op };
      const vals = v(`conditions[${i}].values`), val = v(`conditions[${i}].value`);
      if (vals !== undefined) out.values = listInput(vals);
      else if (val !== undefined) out.value = val;
      return out;
    });
    d.actions = (d.actions || []).map((a, i) => {
      const out = { type: v(`actions[${i}].type`) ?? a.type };
      for (const k of ['value', 'body', 'to', 'subject']) { const x = v(`actions[${i}].${k}`); if (x !== undefined) out[k] = x; }
      const tags = v(`actions[${i}].tags`);
      if (tags !== undefined) out.tags = listInput(tags);
      return out;
    });
    if (form.querySelector('[name=stop]')) { d.stop = on('stop'); d.enabled = on('enabled'); }
  };
  const value = () => ({ name: d.name.trim(), kind: d.kind, events: d.kind === 'trigger' ? d.events : [], match: d.match, conditions: d.conditions,
    actions: d.actions, age: d.kind === 'time' ? d.age : null, stop: !!d.stop, enabled: d.enabled !== false,
    ...(d.position === undefined || Number.isNaN(d.position) ? {} : { position: d.position }) });

  form.addEventListener('submit', ev => {
    ev.preventDefault();
    read();
    const btn = form.querySelector('#au-save');
    busy(btn, () => save(value(), form));
  });
  draw();
  return form;
}
