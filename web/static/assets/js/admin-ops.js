// Admin: SLA policies, business-hours calendars and webhooks. A section
// whose routes this server does not have yet says which ones it waits for.

import { h, add, clear, empty, select, busy, toast, showError, modal, confirmDialog, badge, fmtTime, stack } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { adminPage } from './admin-nav.js';
import { duration } from './sla.js';
import { webhooksPage } from './admin-hooks.js';

const NEEDS = {
  sla: ['GET /v1/sla/policies'],
  calendars: ['GET /v1/calendars'],
  webhooks: ['GET /v1/webhooks'],
};

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const METRICS = ['first_response', 'next_response', 'resolution'];
const ACTIONS = ['notify_lead', 'raise_priority', 'assign_lead', 'assign_queue'];

export async function render(ctx) {
  const section = ctx.params[0];
  const missing = NEEDS[section].filter(r => { const [m, p] = r.split(' '); return !api.exists(m, p); });
  if (missing.length) {
    add(adminPage(ctx, section), empty(t('admin.not_yet'), h('p', { class: 'muted small mono' }, missing.join(', '))));
    return;
  }
  if (section === 'sla') return policiesPage(ctx);
  if (section === 'calendars') return calendarsPage(ctx);
  return webhooksPage(ctx);
}

// SLA policies ---------------------------------------------------------------

async function policiesPage(ctx) {
  const isAdmin = api.can('POST', '/v1/sla/policies');
  const addBtn = isAdmin ? h('button', { type: 'button', class: 'btn btn-primary' }, '+ ', t('slap.add')) : null;
  const body = adminPage(ctx, 'sla', addBtn);
  const [teams, cats, cals] = await Promise.all([api.teams(), api.categories(), api.get('/v1/calendars').then(r => r.items || [])]);
  const calName = id => (id ? (cals.find(c => c.id === id) || {}).name || id : t('slap.default_calendar'));

  const edit = async p => {
    let last = null;
    for (;;) {
      const v = last || p;
      const escRows = h('div', { class: 'esc-rows' });
      const addEsc = e => {
        const i = escRows.children.length;
        const row = h('div', { class: 'row esc-row' },
          select([['warning', t('slap.on.warning')], ['breach', t('slap.on.breach')]], e.on || 'breach', { name: `esc.${i}.on`, 'aria-label': t('slap.esc_on') }),
          select([['', t('slap.any_metric')], ...METRICS.map(m => [m, t('sla.metric.' + m)])], e.metric || '', { name: `esc.${i}.metric`, 'aria-label': t('slap.esc_metric') }),
          select(ACTIONS.map(a => [a, t('slap.action.' + a)]), e.action || 'notify_lead', { name: `esc.${i}.action`, 'aria-label': t('slap.esc_action') }));
        const rm = h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'aria-label': t('common.delete') }, '×');
        rm.addEventListener('click', () => row.remove());
        add(escRows, add(row, rm));
      };
      (v.escalations || []).forEach(addEsc);
      const more = h('button', { type: 'button', class: 'btn btn-small' }, '+ ', t('slap.add_esc'));
      more.addEventListener('click', () => addEsc({}));
      const form = h('div', { class: 'form-grid' },
        h('label', { for: 'sp-name' }, t('slap.name')), h('input', { id: 'sp-name', name: 'name', value: v.name || '', required: true }),
        h('label', { for: 'sp-prio' }, t('ticket.priority')), select(api.enumValues('Priority').map(x => [x, x + ' · ' + t('priority.' + x)]), v.priority || 'P3', { id: 'sp-prio', name: 'priority' }),
        h('label', { for: 'sp-team' }, t('ticket.team')), select([['', t('slap.any')], ...teams.map(x => [x.id, x.name])], v.team_id || '', { id: 'sp-team', name: 'team_id' }),
        h('label', { for: 'sp-cat' }, t('ticket.category')), select([['', t('slap.any')], ...cats.map(c => [c, c])], v.category || '', { id: 'sp-cat', name: 'category' }),
        h('label', { for: 'sp-tag' }, t('ticket.tag')), h('input', { id: 'sp-tag', name: 'tag', value: v.tag || '', placeholder: t('slap.any') }),
        h('label', { for: 'sp-cal' }, t('slap.calendar')), select([['', t('slap.default_calendar')], ...cals.map(c => [c.id, c.name])], v.calendar_id || '', { id: 'sp-cal', name: 'calendar_id' }),
        ...METRICS.flatMap(m => [h('label', { for: 'sp-' + m }, t('sla.metric.' + m)), h('input', { id: 'sp-' + m, name: m, value: v[m] || '', placeholder: t('slap.duration_hint'), size: '8' })]),
        h('label', { for: 'sp-warn' }, t('slap.warn')), h('input', { id: 'sp-warn', name: 'warn_percent', type: 'number', min: '0', max: '99', value: String(v.warn_percent ?? 80) }),
        h('span', { class: 'label' }, t('slap.escalations')), h('div', {}, escRows, more));
      const r = await modal(p.id ? t('slap.edit', { name: p.name }) : t('slap.add'), form, { submitLabel: t('common.save') });
      if (!r) return;
      const escalations = [];
      for (let i = 0; i < 50; i++) {
        if (r[`esc.${i}.on`] === undefined) continue;
        escalations.push({ on: r[`esc.${i}.on`], metric: r[`esc.${i}.metric`], action: r[`esc.${i}.action`] });
      }
      const b = {
        name: r.name.trim(), priority: r.priority, team_id: r.team_id, category: r.category, tag: r.tag.trim(), calendar_id: r.calendar_id,
        first_response: r.first_response.trim(), next_response: r.next_response.trim(), resolution: r.resolution.trim(),
        warn_percent: Number(r.warn_percent) || 0, escalations,
      };
      try {
        if (p.id) await api.patch('/v1/sla/policies/' + encodeURIComponent(p.id), b, api.etagOf(p));
        else await api.post('/v1/sla/policies', b);
        toast(t('common.saved'));
        await load();
        return;
      } catch (err) {
        showError(err);
        last = { ...p, ...b };
      }
    }
  };
  if (addBtn) addBtn.addEventListener('click', () => edit({ priority: 'P3', warn_percent: 80, escalations: [{ on: 'breach', action: 'notify_lead' }] }));

  const load = async () => {
    const items = (await api.get('/v1/sla/policies')).items || [];
    clear(body);
    add(body, h('p', { class: 'muted' }, t('slap.lead')));
    if (!items.length) { add(body, empty(t('slap.none'))); return; }
    add(body, h('div', { class: 'table-wrap card' }, stack(h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', {}, t('slap.name')), h('th', {}, t('ticket.priority')), h('th', {}, t('slap.scope')),
        METRICS.map(m => h('th', {}, t('sla.metric.' + m))), h('th', {}, t('slap.calendar')), h('th', {}, t('slap.escalations')), h('th', {}))),
      h('tbody', {}, items.map(p => {
        const scope = [p.team_id && api.teamName(p.team_id), p.category, p.tag && '#' + p.tag].filter(Boolean);
        const ed = isAdmin ? h('button', { type: 'button', class: 'btn btn-small' }, t('common.edit')) : null;
        if (ed) ed.addEventListener('click', () => edit(p));
        const del = isAdmin ? h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost' }, t('common.delete')) : null;
        if (del) del.addEventListener('click', async () => {
          if (!(await confirmDialog(t('slap.delete'), t('slap.delete_confirm', { name: p.name }), t('common.delete')))) return;
          try { await api.del('/v1/sla/policies/' + encodeURIComponent(p.id), api.etagOf(p)); toast(t('common.deleted')); await load(); } catch (err) { showError(err); }
        });
        return h('tr', {},
          h('td', {}, h('strong', {}, p.name)),
          h('td', {}, badge(p.priority, 'prio prio-' + p.priority)),
          h('td', {}, scope.length ? scope.join(' · ') : h('span', { class: 'muted' }, t('slap.all_tickets'))),
          METRICS.map(m => h('td', {}, p[m] ? duration(p[m]) : '—')),
          h('td', { class: 'small' }, calName(p.calendar_id), p.warn_percent ? h('div', { class: 'muted' }, t('slap.warn_at', { n: p.warn_percent })) : null),
          h('td', { class: 'small' }, (p.escalations || []).map(e => h('div', {}, t('slap.on.' + e.on), e.metric ? ' · ' + t('sla.metric.' + e.metric) : '', ' → ', t('slap.action.' + e.action, {}, e.action)))),
          h('td', { class: 'actions' }, ed, del));
      }))))));
  };
  await load();
}

// Calendars ----------------------------------------------------------------------

async function calendarsPage(ctx) {
  const isAdmin = api.can('POST', '/v1/calendars');
  const body = adminPage(ctx, 'calendars');
  const calcBox = h('section', { class: 'card', id: 'business-time' });

  const editHolidays = async (cal, field) => {
    const text = (cal[field] || []).map(d => `${d.date} ${d.name || ''}${d.provisional ? ' ?' : ''}`.trim()).join('\n');
    const r = await modal(t(field === 'holidays' ? 'cal.edit_holidays' : 'cal.edit_workdays', { name: cal.name }), h('div', {},
      h('p', { class: 'muted small' }, t('cal.days_hint')),
      h('textarea', { name: 'days', rows: '14', class: 'mono' }, text)), { submitLabel: t('common.save') });
    if (!r) return;
    const days = [];
    for (const line of r.days.split('\n').map(l => l.trim()).filter(Boolean)) {
      const [date, ...rest] = line.split(/\s+/);
      const provisional = rest[rest.length - 1] === '?';
      if (provisional) rest.pop();
      const prev = (cal[field] || []).find(d => d.date === date);
      days.push({ ...(prev || {}), date, name: rest.join(' '), provisional: provisional || undefined });
    }
    try {
      await api.patch('/v1/calendars/' + encodeURIComponent(cal.id), { [field]: days }, api.etagOf(cal));
      toast(t('common.saved'));
      await load();
    } catch (err) { showError(err); }
  };

  const editHours = async cal => {
    const rows = h('div', { class: 'hours-rows' });
    const addRow = oh => {
      const i = rows.children.length;
      const days = new Set(oh.days || []);
      const row = h('div', { class: 'row hours-row' },
        h('div', { class: 'checks' }, DAYS.map(d => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: `h.${i}.${d}`, checked: days.has(d) }), t('day.' + d)))),
        h('input', { type: 'time', name: `h.${i}.start`, value: oh.start || '09:00', 'aria-label': t('cal.start') }), '–',
        h('input', { type: 'text', name: `h.${i}.end`, value: oh.end || '18:00', size: '5', pattern: '\\d\\d:\\d\\d', 'aria-label': t('cal.end') }));
      add(rows, row);
    };
    (cal.hours || []).forEach(addRow);
    const more = h('button', { type: 'button', class: 'btn btn-small' }, '+ ', t('cal.add_range'));
    more.addEventListener('click', () => addRow({}));
    const r = await modal(t('cal.edit_hours', { name: cal.name }), h('div', {},
      h('p', { class: 'muted small' }, t('cal.hours_hint')), rows, more), { submitLabel: t('common.save') });
    if (!r) return;
    const hours = [];
    for (let i = 0; r[`h.${i}.start`] !== undefined; i++) {
      const days = DAYS.filter(d => r[`h.${i}.${d}`]);
      if (days.length) hours.push({ days, start: r[`h.${i}.start`], end: r[`h.${i}.end`] });
    }
    try {
      await api.patch('/v1/calendars/' + encodeURIComponent(cal.id), { hours }, api.etagOf(cal));
      toast(t('common.saved'));
      await load();
    } catch (err) { showError(err); }
  };

  const load = async () => {
    const cals = (await api.get('/v1/calendars')).items || [];
    clear(body);
    if (!cals.length) { add(body, empty(t('cal.none'))); return; }
    add(body, h('div', { class: 'cal-list' }, cals.map(cal => {
      const btn = (label, fn, cls = '') => { const b = h('button', { type: 'button', class: 'btn btn-small ' + cls }, label); b.addEventListener('click', () => busy(b, fn)); return b; };
      const upcoming = (cal.holidays || []).filter(d => d.date >= new Date().toISOString().slice(0, 10));
      return h('div', { class: 'card calendar' },
        h('div', { class: 'panel-head' },
          h('h2', {}, cal.name, ' ', cal.default ? badge(t('cal.default'), 'badge-ok') : null),
          isAdmin ? h('div', { class: 'actions' },
            cal.default ? null : btn(t('cal.make_default'), async () => {
              try { await api.patch('/v1/calendars/' + encodeURIComponent(cal.id), { default: true }, api.etagOf(cal)); await load(); } catch (err) { showError(err); }
            }),
            btn(t('cal.edit_hours_btn'), () => editHours(cal)),
            btn(t('cal.holidays_btn'), () => editHolidays(cal, 'holidays')),
            btn(t('cal.workdays_btn'), () => editHolidays(cal, 'workdays'))) : null),
        h('dl', { class: 'facts' },
          h('dt', {}, t('cal.zone')), h('dd', {}, cal.time_zone),
          h('dt', {}, t('cal.hours')), h('dd', {}, (cal.hours || []).map(oh => h('div', {}, oh.days.map(d => t('day.' + d)).join('、'), ' ', oh.start, '–', oh.end))),
          h('dt', {}, t('cal.upcoming')), h('dd', {}, upcoming.length ? dayList(upcoming.slice(0, 12)) : '—',
            upcoming.length > 12 ? h('span', { class: 'muted small' }, t('cal.more', { n: upcoming.length - 12 })) : null),
          h('dt', {}, t('cal.workdays')), h('dd', {}, (cal.workdays || []).length ? dayList(cal.workdays.filter(d => d.date >= new Date().toISOString().slice(0, 10)).slice(0, 8)) : '—')),
        cal.note ? h('details', { class: 'small muted' }, h('summary', {}, t('cal.note')), cal.note) : null);
    })));
    renderCalc(cals);
  };

  const renderCalc = cals => {
    const calSel = select(cals.map(c => [c.id, c.name]), (cals.find(c => c.default) || cals[0]).id, { id: 'bt-cal', name: 'cal', 'aria-label': t('slap.calendar') });
    const now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    const from = h('input', { type: 'datetime-local', id: 'bt-from', value: now, 'aria-label': t('cal.calc_from') });
    const dur = h('input', { type: 'text', id: 'bt-add', value: '4h', size: '6', 'aria-label': t('cal.calc_add') });
    const out = h('div', { class: 'calc-out', 'aria-live': 'polite' });
    const go = h('button', { type: 'submit', class: 'btn btn-primary' }, t('cal.calc'));
    const form = h('form', { class: 'row' }, calSel, from, h('span', {}, '+'), dur, go);
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      busy(go, async () => {
        try {
          const r = await api.get('/v1/calendars/' + encodeURIComponent(calSel.value) + '/business-time', { from: new Date(from.value).toISOString(), add: dur.value.trim() });
          add(clear(out), h('p', {}, t('cal.calc_result', { d: duration(r.add), at: fmtTime(r.due) })), r.open ? null : h('p', { class: 'muted small' }, t('cal.calc_closed')));
        } catch (err) { showError(err); }
      });
    });
    add(clear(calcBox), h('h2', {}, t('cal.calc_title')), h('p', { class: 'muted small' }, t('cal.calc_lead')), form, out);
    add(body, calcBox);
  };
  await load();
}

// dayList shows dates as 01-01 元旦, with the year when it is not this
// year's, and says what the * of a provisional date means.
function dayList(days) {
  const year = String(new Date().getFullYear());
  return h('div', { class: 'day-list' }, days.map(d => h('span', { class: 'tag', title: d.provisional ? t('cal.provisional') : '' },
    d.date.startsWith(year) ? d.date.slice(5) : d.date, ' ', d.name || '', d.provisional ? ' *' : '')),
  days.some(d => d.provisional) ? h('div', { class: 'muted small' }, '* ', t('cal.provisional')) : null);
}
