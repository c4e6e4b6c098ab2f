// Admin: macros (快捷回复). Admins write them for everyone, a team or one
// agent (team leads for their team); every save is a version, archiving
// keeps a macro's history and counts, deleting removes them.

import { h, add, clear, empty, select, busy, toast, showError, modal, confirmDialog, badge, timeEl, fmtShort } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { adminPage, listInput } from './admin-nav.js';

// preview shows a body with its variables named in the UI's language, so
// that it reads as the reply will: 「{客户姓名}您好」.
const preview = body => {
  const s = body.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (m, v) => '{' + t('macro.var.' + v, {}, v) + '}');
  return s.length > 60 ? s.slice(0, 60) + '…' : s;
};

export async function render(ctx) {
  const canWrite = api.can('POST', '/v1/macros');
  const addBtn = canWrite ? h('button', { type: 'button', class: 'btn btn-primary', id: 'new-macro' }, '+ ', t('macro.add')) : null;
  const body = adminPage(ctx, 'macros', addBtn);
  const [agents, teams, vars] = await Promise.all([
    api.agents().catch(() => []), api.teams().catch(() => []),
    api.get('/v1/macros/variables').then(v => v.items || []).catch(() => []),
  ]);
  const listBox = h('div', { id: 'macro-admin-list' });
  add(body, h('p', { class: 'muted' }, t('macro.admin_lead')), listBox);

  const scopeText = m => m.scope === 'team' ? t('macro.scope.team') + '：' + api.teamName(m.team_id)
    : m.scope === 'agent' ? t('macro.scope.agent') + '：' + api.agentName(m.agent_id) : t('macro.scope.everyone');

  const edit = async m => {
    let last = null;
    for (;;) {
      const v = last || m;
      const a = v.actions || {};
      const teamSel = select([['', '—'], ...teams.map(x => [x.id, x.name])], v.team_id || '', { id: 'mc-team', name: 'team_id' });
      const agentSel = select([['', '—'], ...agents.map(x => [x.id, x.name])], v.agent_id || '', { id: 'mc-agent', name: 'agent_id' });
      const scopeSel = select(['everyone', 'team', 'agent'].map(s => [s, t('macro.scope.' + s)]), v.scope || 'everyone', { id: 'mc-scope', name: 'scope' });
      const teamRow = [h('label', { for: 'mc-team' }, t('macro.scope.team')), teamSel];
      const agentRow = [h('label', { for: 'mc-agent' }, t('macro.scope.agent')), agentSel];
      const showScope = () => {
        for (const el of teamRow) el.hidden = scopeSel.value !== 'team';
        for (const el of agentRow) el.hidden = scopeSel.value !== 'agent';
      };
      scopeSel.addEventListener('change', showScope);
      const form = h('div', { class: 'form-grid macro-form' },
        h('label', { for: 'mc-title' }, t('macro.field_title')), h('input', { id: 'mc-title', name: 'title', value: v.title || '', required: true, maxlength: '100' }),
        h('label', { for: 'mc-body' }, t('macro.field_body')),
        h('div', {}, h('textarea', { id: 'mc-body', name: 'body', rows: '6', required: true }, v.body || ''),
          h('div', { class: 'muted small' }, t('macro.variables'), ' ', vars.map(x => h('code', {}, '{{' + x + '}} ')))),
        h('label', { for: 'mc-scope' }, t('macro.scope')), scopeSel,
        ...teamRow, ...agentRow,
        h('span', { class: 'label span2 muted small' }, t('macro.actions_title')),
        h('label', { for: 'mc-status' }, t('ticket.status')), select([['', '—'], ...api.enumValues('Status').map(s => [s, t('status.' + s)])], a.status || '', { id: 'mc-status', name: 'status' }),
        h('label', { for: 'mc-priority' }, t('ticket.priority')), select([['', '—'], ...api.enumValues('Priority')], a.priority || '', { id: 'mc-priority', name: 'priority' }),
        h('label', { for: 'mc-tags' }, t('macro.add_tags')), h('input', { id: 'mc-tags', name: 'add_tags', value: (a.add_tags || []).join(', ') }),
        h('label', { for: 'mc-assignee' }, t('macro.assignee')), select([['', '—'], ...agents.map(x => [x.id, x.name])], a.assignee_id || '', { id: 'mc-assignee', name: 'assignee_id' }),
        h('label', { for: 'mc-act-team' }, t('macro.team')), select([['', '—'], ...teams.map(x => [x.id, x.name])], a.team_id || '', { id: 'mc-act-team', name: 'act_team_id' }),
        m.id ? h('label', { class: 'check span2' }, h('input', { type: 'checkbox', name: 'archived', id: 'mc-archived', checked: !!v.archived }), ' ', t('macro.archived')) : null,
        m.id ? h('label', { for: 'mc-note' }, t('kb.note')) : null,
        m.id ? h('input', { id: 'mc-note', name: 'note', placeholder: t('kb.note_placeholder') }) : null);
      showScope();
      const res = await modal(m.id ? t('macro.edit', { title: m.title }) : t('macro.add'), form, { submitLabel: t('common.save') });
      if (!res) return;
      const b = {
        title: res.title.trim(), body: res.body, scope: res.scope,
        team_id: res.scope === 'team' ? res.team_id : '', agent_id: res.scope === 'agent' ? res.agent_id : '',
        actions: { status: res.status, priority: res.priority, add_tags: listInput(res.add_tags), assignee_id: res.assignee_id, team_id: res.act_team_id },
      };
      try {
        if (m.id) await api.patch('/v1/macros/' + encodeURIComponent(m.id), { ...b, archived: res.archived === 'on', note: (res.note || '').trim() }, api.etagOf(m));
        else await api.post('/v1/macros', b);
        toast(t('common.saved'));
        await load();
        return;
      } catch (err) {
        showError(err);
        last = { ...m, ...b };
      }
    }
  };
  if (addBtn) addBtn.addEventListener('click', () => edit({ scope: 'everyone' }));

  const versions = async m => {
    const vs = ((await api.get('/v1/macros/' + encodeURIComponent(m.id) + '/versions')).items || []).slice().reverse();
    await modal(t('macro.versions', { title: m.title }), h('div', { class: 'table-wrap' }, h('table', { class: 'table macro-versions' },
      h('thead', {}, h('tr', {}, h('th', {}, t('kb.version')), h('th', {}, t('kb.actor')), h('th', {}, t('macro.field_title')), h('th', {}, t('kb.note')), h('th', {}, t('kb.when')))),
      h('tbody', {}, vs.map(v => h('tr', {},
        h('td', {}, 'v' + v.version, v.archived ? [' ', badge(t('macro.archived'))] : null),
        h('td', {}, api.actorName(v.actor)),
        h('td', {}, v.title, h('div', { class: 'muted small' }, preview(v.body))),
        h('td', {}, v.note || ''),
        h('td', { class: 'small nowrap' }, fmtShort(v.created_at))))))), {});
  };

  const load = async () => {
    const items = (await api.get('/v1/macros')).items || [];
    clear(listBox);
    if (!items.length) { add(listBox, empty(t('macro.none_yet'))); return; }
    const btn = (label, fn, data, cls = '') => { const b = h('button', { type: 'button', class: 'btn btn-small ' + cls, data }, label); b.addEventListener('click', () => busy(b, fn)); return b; };
    add(listBox, h('div', { class: 'table-wrap' }, h('table', { class: 'table macros-admin' },
      h('thead', {}, h('tr', {}, h('th', {}, t('macro.field_title')), h('th', {}, t('macro.scope')), h('th', {}, t('macro.uses')), h('th', {}, t('kb.version')), h('th', {}, t('kb.updated')), h('th', {}))),
      h('tbody', {}, items.map(m => h('tr', { data: { id: m.id }, class: m.archived ? 'is-disabled' : '' },
        h('td', {}, h('strong', {}, m.title), m.archived ? [' ', badge(t('macro.archived'))] : null,
          h('div', { class: 'muted small' }, preview(m.body))),
        h('td', { class: 'macro-scope' }, scopeText(m)),
        h('td', {}, t('macro.uses_n', { n: m.uses, edited: m.edited_uses })),
        h('td', {}, 'v' + m.version),
        h('td', { class: 'small nowrap' }, timeEl(m.updated_at)),
        h('td', { class: 'actions' },
          btn(t('macro.versions_button'), () => versions(m), { act: 'versions' }),
          canWrite ? btn(t('common.edit'), () => edit(m), { act: 'edit' }) : null,
          canWrite ? btn(t('common.delete'), async () => {
            if (!(await confirmDialog(t('macro.delete'), t('macro.delete_confirm', { title: m.title }), t('common.delete')))) return;
            try { await api.del('/v1/macros/' + encodeURIComponent(m.id), api.etagOf(m)); toast(t('common.deleted')); await load(); } catch (err) { showError(err); }
          }, { act: 'delete' }, 'btn-danger-ghost') : null)))))));
  };
  await load();
}
