// The inbox's saved views (a person's named filters and order, listed in
// the inbox's side column) and its bulk actions (assign, team, status,
// priority, tags on the selected tickets, each at the version the agent
// saw, with a summary of what failed).

import { h, add, clear, select, toast, errorText } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';

// viewsPanel lists the caller's saved views and saves the current list
// (query: the API query of the list shown, without cursor and limit).
export function viewsPanel(ctx, query, currentId) {
  const listEl = h('ul', { class: 'saved-views-list' });
  const name = h('input', { type: 'text', name: 'view_name', maxlength: '60', placeholder: t('views.name'), 'aria-label': t('views.name') });
  const save = h('button', { type: 'submit', class: 'btn btn-small', 'data-action': 'save-view' }, t('views.save'));
  const form = h('form', { class: 'saved-view-form' }, name, save);
  const panel = h('aside', { class: 'saved-views', 'aria-label': t('views.title') }, h('h2', { class: 'small' }, t('views.title')), listEl, form);

  const draw = views => {
    clear(listEl);
    if (!views.length) add(listEl, h('li', { class: 'muted small' }, t('views.none')));
    for (const v of views) {
      const del = h('button', { type: 'button', class: 'btn btn-ghost btn-small', title: t('views.delete'), 'aria-label': t('views.delete') + ' ' + v.name }, '×');
      del.addEventListener('click', async () => {
        try {
          await api.del('/v1/views/' + encodeURIComponent(v.id));
          await refresh();
        } catch (err) { toast(errorText(err), 'error'); }
      });
      add(listEl, h('li', {},
        h('a', { href: '/app/inbox?view=saved&id=' + encodeURIComponent(v.id), class: 'saved-view' + (v.id === currentId ? ' active' : ''), data: { view: v.id } }, v.name),
        ' ', del));
    }
  };
  const refresh = async () => {
    try {
      draw((await api.get('/v1/views', {}, { signal: ctx.signal })).items || []);
    } catch (err) {
      if (err.name !== 'AbortError') add(clear(listEl), h('li', { class: 'small error' }, errorText(err)));
    }
  };
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const n = name.value.trim();
    if (!n) { name.focus(); return; }
    save.disabled = true;
    try {
      const v = await api.post('/v1/views', { name: n, query: query() });
      toast(t('views.saved', { name: v.name }));
      name.value = '';
      await refresh();
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      save.disabled = false;
    }
  });
  if (!api.myAgentId()) form.hidden = true;
  refresh();
  return panel;
}

// savedQuery returns the API query of a saved view, or null.
export async function savedQuery(id, signal) {
  const views = (await api.get('/v1/views', {}, { signal })).items || [];
  const v = views.find(x => x.id === id);
  return v ? { name: v.name, params: Object.fromEntries(new URLSearchParams(v.query)) } : null;
}

// bulkBar acts on the selected rows: selected() returns their tickets,
// done() runs after an action (the list reloads).
export function bulkBar(agents, teams, selected, done) {
  const count = h('span', { class: 'bulk-count' });
  const c = {
    assignee: select([['', t('bulk.assignee')], ['none', t('inbox.unassigned')], ...agents.map(a => [a.id, a.name])], '', { name: 'bulk_assignee', 'aria-label': t('bulk.assignee') }),
    team: select([['', t('bulk.team')], ...teams.map(tm => [tm.id, tm.name])], '', { name: 'bulk_team', 'aria-label': t('bulk.team') }),
    status: select([['', t('bulk.status')], ...api.enumValues('Status').map(s => [s, t('status.' + s)])], '', { name: 'bulk_status', 'aria-label': t('bulk.status') }),
    priority: select([['', t('bulk.priority')], ...api.enumValues('Priority').map(p => [p, p + ' · ' + t('priority.' + p)])], '', { name: 'bulk_priority', 'aria-label': t('bulk.priority') }),
    tag: h('input', { type: 'text', name: 'bulk_tag', placeholder: t('bulk.add_tag'), 'aria-label': t('bulk.add_tag'), size: '8' }),
  };
  const apply = h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-action': 'bulk-apply' }, t('bulk.apply'));
  const result = h('div', { class: 'bulk-result', role: 'status' });
  const bar = h('form', { class: 'bulk-bar', hidden: true, 'aria-label': t('bulk.title') }, count, Object.values(c), apply);
  const wrap = h('div', {}, bar, result);

  const update = () => {
    const n = selected().length;
    bar.hidden = n === 0;
    count.textContent = t('bulk.selected', { n });
  };
  bar.addEventListener('submit', async ev => {
    ev.preventDefault();
    const tickets = selected().map(tk => ({ id: tk.id, version: tk.version }));
    const body = { tickets };
    if (c.assignee.value) body.assignee_id = c.assignee.value === 'none' ? '' : c.assignee.value;
    if (c.team.value) body.team_id = c.team.value;
    if (c.status.value) body.status = c.status.value;
    if (c.priority.value) body.priority = c.priority.value;
    if (c.tag.value.trim()) body.add_tags = [c.tag.value.trim()];
    if (Object.keys(body).length === 1) { toast(t('bulk.nothing'), 'error'); return; }
    apply.disabled = true;
    try {
      const res = await api.post('/v1/tickets/bulk', body);
      clear(result);
      add(result, h('div', { class: 'alert ' + (res.failed ? 'alert-warn' : 'alert-info'), data: { updated: String(res.updated), failed: String(res.failed) } },
        t('bulk.summary', { ok: res.updated, failed: res.failed }),
        res.failed ? h('ul', {}, res.items.filter(i => !i.ok).map(i => h('li', { data: { id: i.id } },
          h('a', { href: '/app/tickets/' + encodeURIComponent(i.id) }, i.id.slice(0, 8)), ' · ',
          t('error.' + i.error.code, {}, i.error.code)))) : null));
      await done(res);
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      apply.disabled = false;
    }
  });
  return { el: wrap, update };
}
