// Admin: agents (skills, capacity, online), teams and API tokens.

import { h, add, clear, empty, timeEl, select, busy, toast, showError, modal, confirmDialog, badge, markFieldError, stack } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { adminPage, listInput } from './admin-nav.js';

export async function render(ctx) {
  const section = ctx.params[0];
  if (section === 'agents') return agentsPage(ctx);
  if (section === 'teams') return teamsPage(ctx);
  return tokensPage(ctx);
}

// formModal shows a form in a dialog and keeps it open, with the API's
// error beside the field it names, until the save works or the person
// cancels. fields builds the form, from what was entered before a save
// failed (undefined the first time).
/**
 * @param {string} title
 * @param {(last?: Record<string, string>) => HTMLElement} fields
 * @param {(r: Record<string, string>) => Promise<any>} save
 * @param {string} [submitLabel]
 */
async function formModal(title, fields, save, submitLabel) {
  let last;
  for (;;) {
    const r = await modal(title, fields(last), { submitLabel: submitLabel || t('common.save') });
    if (r === null) return null;
    try {
      return await save(r);
    } catch (err) {
      showError(err);
      last = r;
    }
  }
}

// Agents -----------------------------------------------------------------

async function agentsPage(ctx) {
  const isAdmin = api.can('POST', '/v1/agents');
  const addBtn = isAdmin ? h('button', { type: 'button', class: 'btn btn-primary', id: 'add-agent' }, '+ ', t('agent.add')) : null;
  const body = adminPage(ctx, 'agents', addBtn);
  const cats = await api.categories();

  const editAgent = async a => {
    const form = (prev = {}) => {
      const v = { ...a, ...prev };
      const skills = new Set(Array.isArray(v.skills) ? v.skills : listInput(v.skills));
      return h('div', { class: 'form-grid' },
        h('label', { for: 'ag-name' }, t('agent.name')), h('input', { id: 'ag-name', name: 'name', value: v.name || '', required: true }),
        h('label', { for: 'ag-email' }, t('agent.email')), h('input', { id: 'ag-email', name: 'email', type: 'email', value: v.email || '' }),
        h('label', { for: 'ag-cap' }, t('agent.capacity')), h('input', { id: 'ag-cap', name: 'capacity', type: 'number', min: '0', max: '500', value: String(v.capacity ?? 20) }),
        h('span', { class: 'label' }, t('agent.skills')),
        h('div', { class: 'checks' },
          [...new Set([...cats, ...skills])].map(c => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'skill:' + c, checked: skills.has(c) }), ' ', c)),
          h('input', { name: 'skills_more', placeholder: t('agent.skills_more'), 'aria-label': t('agent.skills_more') })),
        h('label', { class: 'check span2' }, h('input', { type: 'checkbox', name: 'online', checked: !!v.online }), ' ', t('agent.online')));
    };
    const toBody = r => ({
      name: r.name.trim(),
      email: r.email.trim(),
      capacity: Number(r.capacity),
      skills: [...Object.keys(r).filter(k => k.startsWith('skill:')).map(k => k.slice(6)), ...listInput(r.skills_more)],
      online: r.online === 'on',
    });
    const fields = last => form(last && { ...last, skills: toBody(last).skills, online: last.online === 'on' });
    const saved = await formModal(a.id ? t('agent.edit', { name: a.name }) : t('agent.add'), fields, async r => {
      const b = toBody(r);
      return a.id ? api.patch('/v1/agents/' + encodeURIComponent(a.id), b, api.etagOf(a)) : api.post('/v1/agents', b);
    });
    if (saved) { toast(t('common.saved')); api.invalidateRefs(); await load(); }
  };
  if (addBtn) addBtn.addEventListener('click', () => editAgent({ capacity: 8, online: true, skills: [] }));

  const load = async () => {
    const agents = await api.agents(true);
    clear(body);
    if (!agents.length) { add(body, empty(t('agent.none'))); return; }
    const mine = api.myAgentId();
    add(body, h('div', { class: 'table-wrap card' }, stack(h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', {}, t('agent.name')), h('th', {}, t('agent.skills')), h('th', {}, t('agent.load')), h('th', {}, t('agent.online')), h('th', {}))),
      h('tbody', {}, agents.map(a => {
        const canToggle = isAdmin || a.id === mine;
        const toggle = h('input', { type: 'checkbox', class: 'switch', checked: a.online, disabled: !canToggle, 'aria-label': t('agent.online') + ' ' + a.name });
        toggle.addEventListener('change', async () => {
          try {
            await api.patch('/v1/agents/' + encodeURIComponent(a.id), { online: toggle.checked }, api.etagOf(a));
            toast(t(toggle.checked ? 'agent.now_online' : 'agent.now_offline', { name: a.name }));
            await load();
          } catch (err) { showError(err); toggle.checked = !toggle.checked; }
        });
        const load_ = a.capacity ? a.open / a.capacity : 0;
        const fill = h('span', { class: 'bar-fill ' + (load_ >= 1 ? 'bar-low' : load_ >= 0.75 ? 'bar-mid' : 'bar-high') });
        fill.style.width = Math.min(100, load_ * 100).toFixed(0) + '%';
        const edit = isAdmin ? h('button', { type: 'button', class: 'btn btn-small' }, t('common.edit')) : null;
        if (edit) edit.addEventListener('click', () => editAgent(a));
        const del = isAdmin ? h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost' }, t('common.delete')) : null;
        if (del) del.addEventListener('click', async () => {
          if (!(await confirmDialog(t('agent.delete'), t('agent.delete_confirm', { name: a.name }), t('common.delete')))) return;
          try { await api.del('/v1/agents/' + encodeURIComponent(a.id), api.etagOf(a)); toast(t('common.deleted')); api.invalidateRefs(); await load(); } catch (err) { showError(err); }
        });
        return h('tr', {},
          h('td', {}, h('strong', {}, a.name), h('div', { class: 'muted small' }, a.email || '')),
          h('td', {}, (a.skills || []).map(s => h('span', { class: 'tag' }, s))),
          h('td', {}, h('span', { class: 'load' }, h('span', { class: 'bar' }, fill), ` ${a.open}/${a.capacity}`),
            h('div', { class: 'muted small' }, api.enumValues('Priority').map(p => `${p}:${(a.open_by_priority || {})[p] || 0}`).join(' '))),
          h('td', {}, toggle),
          h('td', { class: 'actions' }, edit, del));
      }))))));
  };
  await load();
}

// Teams ----------------------------------------------------------------------

async function teamsPage(ctx) {
  const isAdmin = api.can('POST', '/v1/teams');
  const addBtn = isAdmin ? h('button', { type: 'button', class: 'btn btn-primary', id: 'add-team' }, '+ ', t('team.add')) : null;
  const body = adminPage(ctx, 'teams', addBtn);
  const [agents, cats] = await Promise.all([api.agents(), api.categories()]);

  const editTeam = async tm => {
    const fields = last => {
      const v = last ? { ...tm, name: last.name } : tm;
      const members = new Set(v.members || []);
      const tcats = new Set(v.categories || []);
      return h('div', { class: 'form-grid' },
        h('label', { for: 'tm-name' }, t('team.name')), h('input', { id: 'tm-name', name: 'name', value: v.name || '', required: true }),
        h('span', { class: 'label' }, t('team.members')),
        h('div', { class: 'checks' }, agents.map(a => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'm:' + a.id, checked: members.has(a.id) }), ' ', a.name))),
        h('label', { for: 'tm-lead' }, t('team.lead')), select([['', '—'], ...agents.map(a => [a.id, a.name])], v.lead_id || '', { id: 'tm-lead', name: 'lead_id' }),
        h('span', { class: 'label' }, t('team.categories')),
        h('div', { class: 'checks' }, [...new Set([...cats, ...tcats])].map(c => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'c:' + c, checked: tcats.has(c) }), ' ', c))));
    };
    const saved = await formModal(tm.id ? t('team.edit', { name: tm.name }) : t('team.add'), fields, async r => {
      const b = {
        name: r.name.trim(),
        members: Object.keys(r).filter(k => k.startsWith('m:')).map(k => k.slice(2)),
        lead_id: r.lead_id,
        categories: Object.keys(r).filter(k => k.startsWith('c:')).map(k => k.slice(2)),
      };
      return tm.id ? api.patch('/v1/teams/' + encodeURIComponent(tm.id), b, api.etagOf(tm)) : api.post('/v1/teams', b);
    });
    if (saved) { toast(t('common.saved')); api.invalidateRefs(); await load(); }
  };
  if (addBtn) addBtn.addEventListener('click', () => editTeam({ members: [], categories: [] }));

  const load = async () => {
    // A save clears the cached names: read the agents again too, so the
    // lead and members show names, not ids.
    const [teams] = await Promise.all([api.teams(true), api.agents()]);
    clear(body);
    if (!teams.length) { add(body, empty(t('team.none'))); return; }
    add(body, h('div', { class: 'cards' }, teams.map(tm => {
      const edit = isAdmin ? h('button', { type: 'button', class: 'btn btn-small' }, t('common.edit')) : null;
      if (edit) edit.addEventListener('click', () => editTeam(tm));
      const del = isAdmin ? h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost' }, t('common.delete')) : null;
      if (del) del.addEventListener('click', async () => {
        if (!(await confirmDialog(t('team.delete'), t('team.delete_confirm', { name: tm.name }), t('common.delete')))) return;
        try { await api.del('/v1/teams/' + encodeURIComponent(tm.id), api.etagOf(tm)); toast(t('common.deleted')); api.invalidateRefs(); await load(); } catch (err) { showError(err); }
      });
      return h('div', { class: 'card team' },
        h('div', { class: 'panel-head' }, h('h2', {}, tm.name), h('div', { class: 'actions' }, edit, del)),
        h('dl', { class: 'facts' },
          h('dt', {}, t('team.lead')), h('dd', {}, tm.lead_id ? api.agentName(tm.lead_id) : '—'),
          h('dt', {}, t('team.members')), h('dd', {}, (tm.members || []).map(id => h('span', { class: 'tag' }, api.agentName(id)))),
          h('dt', {}, t('team.categories')), h('dd', {}, (tm.categories || []).length ? tm.categories.map(c => h('span', { class: 'badge' }, c)) : '—')),
        h('a', { class: 'small', href: '/app/inbox?view=team&team=' + encodeURIComponent(tm.id) }, t('team.queue')));
    })));
  };
  await load();
}

// Tokens ---------------------------------------------------------------------------

async function tokensPage(ctx) {
  if (!api.can('GET', '/v1/tokens')) {
    add(adminPage(ctx, 'tokens'), empty(t('admin.forbidden')));
    return;
  }
  const addBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'add-token' }, '+ ', t('token.add'));
  const body = adminPage(ctx, 'tokens', addBtn);
  const agents = await api.agents();

  addBtn.addEventListener('click', async () => {
    // A div, not a form: the dialog's own form holds the fields, and a
    // form nested in it would keep them out of what the dialog submits.
    const form = h('div', { class: 'form-grid' },
      h('label', { for: 'tk-name' }, t('token.name')), h('input', { id: 'tk-name', name: 'name', required: true, placeholder: t('token.name_hint') }),
      h('label', { for: 'tk-role' }, t('token.role')), select(api.enumValues('Role').map(r => [r, t('role.' + r)]), 'agent', { id: 'tk-role', name: 'role' }),
      h('label', { for: 'tk-agent' }, t('token.agent')), select([['', '—'], ...agents.map(a => [a.id, a.name])], '', { id: 'tk-agent', name: 'agent_id' }));
    const r = await modal(t('token.add'), form, { submitLabel: t('token.create') });
    if (!r) return;
    try {
      const tok = await api.post('/v1/tokens', { name: r.name.trim(), role: r.role, agent_id: r.agent_id });
      await showSecret(tok);
      api.invalidateRefs();
      await load();
    } catch (err) {
      if (!markFieldError(form, err)) showError(err);
    }
  });

  const load = async () => {
    const toks = (await api.get('/v1/tokens')).items || [];
    clear(body);
    if (!toks.length) { add(body, empty(t('token.none'))); return; }
    add(body, h('div', { class: 'table-wrap card' }, stack(h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', {}, t('token.name')), h('th', {}, t('token.role')), h('th', {}, t('token.agent')), h('th', {}, t('token.prefix')), h('th', {}, t('token.created')), h('th', {}))),
      h('tbody', {}, toks.map(tk => {
        const revoke = tk.revoked_at ? badge(t('token.revoked'), 'badge-warn') : h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost' }, t('token.revoke'));
        if (!tk.revoked_at) revoke.addEventListener('click', () => busy(revoke, async () => {
          if (!(await confirmDialog(t('token.revoke'), t('token.revoke_confirm', { name: tk.name }), t('token.revoke')))) return;
          try {
            const cur = await api.getWithTag('/v1/tokens/' + encodeURIComponent(tk.id));
            await api.del('/v1/tokens/' + encodeURIComponent(tk.id), cur.etag);
            toast(t('token.revoked_ok'));
            await load();
          } catch (err) { showError(err); }
        }));
        const isMe = api.session.me && api.session.me.token_id === tk.id;
        return h('tr', { class: tk.revoked_at ? 'muted' : '' },
          h('td', {}, tk.name, isMe ? h('span', { class: 'badge' }, t('token.this')) : null),
          h('td', {}, t('role.' + tk.role, {}, tk.role)),
          h('td', {}, tk.agent_id ? api.agentName(tk.agent_id) : '—'),
          h('td', { class: 'mono' }, tk.prefix + '…'),
          h('td', {}, timeEl(tk.created_at)),
          h('td', {}, revoke));
      }))))));
  };
  await load();
}

async function showSecret(tok) {
  const input = h('input', { type: 'text', readonly: true, value: tok.secret || '', class: 'mono', id: 'new-secret', 'aria-label': t('token.secret') });
  const copy = h('button', { type: 'button', class: 'btn btn-small' }, t('common.copy'));
  copy.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(input.value); toast(t('common.copied')); } catch { input.select(); }
  });
  await modal(t('token.created_title'), h('div', {},
    h('p', {}, t('token.secret_once')),
    h('div', { class: 'row' }, input, copy)), {});
}
