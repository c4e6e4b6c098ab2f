// Admin: people's sign-in accounts. Invite a person (a link to set a
// password: mailed, or shown here to hand over when the server sends no
// mail), deactivate and reactivate, a new reset link, remove a lost
// second factor, a person's sessions; and whether a second factor is
// required of everyone.

import { h, add, clear, empty, timeEl, select, busy, toast, showError, modal, confirmDialog, badge, markFieldError, stack } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { adminPage } from './admin-nav.js';

export async function render(ctx) {
  if (!api.can('GET', '/v1/accounts')) {
    add(adminPage(ctx, 'accounts'), empty(t('admin.forbidden')));
    return;
  }
  const inviteBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'invite' }, '+ ', t('accounts.invite'));
  const body = adminPage(ctx, 'accounts', inviteBtn);
  const settingsBox = h('div', { class: 'card accounts-settings', id: 'auth-settings' });
  const listBox = h('div', { id: 'accounts-list' });
  add(body, settingsBox, listBox);

  inviteBtn.addEventListener('click', async () => {
    const teams = await api.teams(true);
    let last = {};
    for (;;) {
      const form = h('div', { class: 'form-grid' },
        h('label', { for: 'inv-email' }, t('accounts.email')), h('input', { id: 'inv-email', name: 'email', type: 'email', required: true, value: last.email || '' }),
        h('label', { for: 'inv-name' }, t('accounts.name')), h('input', { id: 'inv-name', name: 'name', required: true, value: last.name || '' }),
        h('label', { for: 'inv-role' }, t('accounts.role')), select(['agent', 'editor', 'viewer', 'admin'].map(r => [r, t('role.' + r)]), last.role || 'agent', { id: 'inv-role', name: 'role' }),
        h('label', { for: 'inv-team' }, t('accounts.team')), select([['', '—'], ...teams.map(x => [x.id, x.name])], last.team_id || '', { id: 'inv-team', name: 'team_id' }));
      const r = await modal(t('accounts.invite'), form, { submitLabel: t('accounts.invite_send') });
      if (!r) return;
      try {
        const out = await api.post('/v1/accounts/invite', { email: r.email.trim(), name: r.name.trim(), role: r.role, team_id: r.team_id });
        api.invalidateRefs();
        await showLink(out.link, t('accounts.invited', { name: out.agent.name }));
        await load();
        return;
      } catch (err) {
        if (!markFieldError(form, err)) showError(err);
        last = r;
      }
    }
  });

  const loadSettings = async () => {
    const res = await api.getWithTag('/v1/auth/settings');
    clear(settingsBox);
    const box = h('input', { type: 'checkbox', id: 'require-totp', checked: !!res.data.require_totp });
    box.addEventListener('change', async () => {
      box.disabled = true;
      try {
        // Never saved (version 0): create them.
        await api.patch('/v1/auth/settings', { require_totp: box.checked }, res.data.version ? api.etagOf(res.data) : '*');
        toast(box.checked ? t('accounts.require_on') : t('accounts.require_off'));
      } catch (err) { showError(err); }
      await loadSettings();
    });
    add(settingsBox, h('label', { class: 'check' }, box, ' ', t('accounts.require_totp')), h('p', { class: 'hint' }, t('accounts.require_hint')));
  };

  const load = async () => {
    const list = (await api.get('/v1/accounts')).items || [];
    clear(listBox);
    if (!list.length) { add(listBox, empty(t('accounts.none'))); return; }
    add(listBox, h('div', { class: 'table-wrap card' }, stack(h('table', { class: 'table', id: 'accounts-table' },
      h('thead', {}, h('tr', {}, h('th', {}, t('accounts.name')), h('th', {}, t('accounts.email')), h('th', {}, t('accounts.role')),
        h('th', {}, t('accounts.status')), h('th', {}, t('accounts.totp')), h('th', {}, t('accounts.method')), h('th', {}))),
      h('tbody', {}, list.map(a => row(a, load)))))));
  };
  await Promise.all([loadSettings(), load()]);
}

function row(a, reload) {
  const active = !a.disabled_at;
  const btn = (cls, label, fn, danger) => {
    const b = h('button', { type: 'button', class: 'btn btn-small ' + (danger ? 'btn-danger-ghost ' : '') + cls, data: { agent: a.agent_id } }, label);
    b.addEventListener('click', () => busy(b, async () => {
      try { await fn(); } catch (err) { showError(err); }
    }));
    return b;
  };
  const setActive = v => async () => {
    const text = v ? t('accounts.reactivate_confirm', { name: a.name }) : t('accounts.deactivate_confirm', { name: a.name });
    if (!(await confirmDialog(v ? t('accounts.reactivate') : t('accounts.deactivate'), text, v ? t('accounts.reactivate') : t('accounts.deactivate'), !v))) return;
    await api.patch('/v1/agents/' + encodeURIComponent(a.agent_id) + '/account', { active: v }, api.etagOf(a));
    toast(v ? t('accounts.reactivated') : t('accounts.deactivated'));
    await reload();
  };
  const actions = [
    active ? btn('acc-deactivate', t('accounts.deactivate'), setActive(false), true) : btn('acc-reactivate', t('accounts.reactivate'), setActive(true)),
    active ? btn('acc-reset-link', t('accounts.reset_link'), async () => {
      const link = await api.post('/v1/agents/' + encodeURIComponent(a.agent_id) + '/account/reset-link', undefined);
      await showLink(link, t('accounts.reset_made', { name: a.name }));
    }) : null,
    a.totp ? btn('acc-reset-totp', t('accounts.reset_totp'), async () => {
      if (!(await confirmDialog(t('accounts.reset_totp'), t('accounts.reset_totp_confirm', { name: a.name }), t('accounts.reset_totp')))) return;
      await api.del('/v1/agents/' + encodeURIComponent(a.agent_id) + '/account/totp');
      toast(t('accounts.totp_reset'));
      await reload();
    }, true) : null,
    btn('acc-sessions', t('accounts.sessions'), () => sessionsDialog(a)),
  ];
  const method = a.sso_subject ? t('accounts.method_sso') : a.password_set_at ? t('accounts.method_password') : t('accounts.method_pending');
  return h('tr', { class: active ? '' : 'muted', data: { agent: a.agent_id } },
    h('td', {}, a.name || a.agent_id),
    h('td', {}, a.email || '—'),
    h('td', {}, t('role.' + a.role, {}, a.role)),
    h('td', {}, active ? badge(t('accounts.active'), 'badge-ok') : badge(t('accounts.disabled'), 'badge-warn')),
    h('td', {}, a.totp ? badge(t('accounts.totp_on'), 'badge-ok') : t('accounts.totp_off')),
    h('td', {}, method),
    h('td', { class: 'actions' }, actions));
}

// showLink says a link was mailed, or shows it to hand over.
async function showLink(link, title) {
  if (link.mailed) {
    toast(title + ' ' + t('accounts.link_mailed'));
    return;
  }
  const input = h('input', { type: 'text', readonly: true, value: link.url, class: 'mono', id: 'invite-link', 'aria-label': t('accounts.link') });
  const copy = h('button', { type: 'button', class: 'btn btn-small' }, t('common.copy'));
  copy.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(input.value); toast(t('common.copied')); } catch { input.select(); }
  });
  await modal(title, h('div', {},
    h('p', {}, t('accounts.link_handover')),
    h('div', { class: 'row' }, input, copy),
    h('p', { class: 'hint' }, t('accounts.link_expires'), ' ', timeEl(link.expires_at))), {});
}

async function sessionsDialog(a) {
  const list = (await api.get('/v1/auth/sessions', { agent: a.agent_id })).items || [];
  const body = h('div', { id: 'sessions-dialog' });
  if (!list.length) add(body, h('p', {}, t('accounts.no_sessions')));
  else add(body, h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, h('th', {}, t('session.agent')), h('th', {}, t('session.ip')), h('th', {}, t('session.created')), h('th', {}))),
    h('tbody', {}, list.map(s => {
      const end = h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost session-revoke', data: { id: s.id } }, t('session.revoke'));
      end.addEventListener('click', () => busy(end, async () => {
        try {
          await api.del('/v1/auth/sessions/' + encodeURIComponent(s.id));
          end.replaceWith(badge(t('session.revoked'), 'badge-warn'));
        } catch (err) { showError(err); }
      }));
      return h('tr', {}, h('td', {}, s.user_agent || '—'), h('td', { class: 'mono' }, s.ip || '—'), h('td', {}, timeEl(s.created_at)), h('td', {}, end));
    }))));
  await modal(t('accounts.sessions_of', { name: a.name }), body, {});
}
