// Admin: the WeChat channel (微信客服 through 企业微信). A corp is connected
// with its corp id, the 微信客服 secret and the callback's Token and
// EncodingAESKey (sent once, stored sealed, never shown again); each
// 客服账号 (open_kfid) is mapped to the team whose queue its customers'
// tickets join. The page shows the callback URL to paste into 企业微信
// and a connection test that says which step failed.

import { h, add, clear, empty, badge, busy, toast, showError, modal, confirmDialog, timeEl, select } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { adminPage } from './admin-nav.js';

const enc = encodeURIComponent;

export async function render(ctx) {
  if (!api.can('GET', '/v1/wechat/channels')) {
    add(adminPage(ctx, 'wechat'), empty(t('admin.forbidden')));
    return;
  }
  const addBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'add-wechat' }, '+ ', t('wechat.add'));
  const body = adminPage(ctx, 'wechat', addBtn);
  const teams = await api.teams();
  const teamOptions = [['', '—'], ...teams.map(x => [x.id, x.name])];

  const form = ch => {
    const editing = !!ch.id;
    const rows = h('div', { class: 'wx-accounts' });
    let n = 0;
    const addRow = (a = {}) => {
      const i = n++;
      add(rows, h('div', { class: 'row wx-account' },
        h('input', { id: 'wx-kfid-' + i, name: 'kfid-' + i, class: 'mono', value: a.open_kfid || '', placeholder: 'open_kfid', 'aria-label': t('wechat.open_kfid') }),
        select(teamOptions, a.team_id || '', { id: 'wx-kfteam-' + i, name: 'kfteam-' + i, 'aria-label': t('wechat.account_team') })));
    };
    (ch.accounts && ch.accounts.length ? ch.accounts : [{}]).forEach(addRow);
    const more = h('button', { type: 'button', class: 'btn btn-small', id: 'wx-add-account' }, '+ ', t('wechat.add_account'));
    more.addEventListener('click', () => addRow());
    const secret = (id, name, label, hint) => [
      h('label', { for: id }, label),
      h('div', {},
        h('input', { id, name, type: 'password', autocomplete: 'new-password', required: !editing, class: 'mono', placeholder: editing ? t('wechat.secret_keep') : '' }),
        h('div', { class: 'muted small' }, hint))];
    return h('div', { class: 'form-grid wechat-form' },
      h('label', { for: 'wx-name' }, t('wechat.name')), h('input', { id: 'wx-name', name: 'name', required: true, value: ch.name || '', placeholder: t('wechat.name_hint') }),
      h('label', { for: 'wx-corp' }, t('wechat.corp_id')), h('div', {},
        h('input', { id: 'wx-corp', name: 'corp_id', required: true, class: 'mono', value: ch.corp_id || '', placeholder: 'ww1234567890abcdef' }),
        h('div', { class: 'muted small' }, t('wechat.corp_id_hint'))),
      secret('wx-secret', 'secret', t('wechat.secret'), t('wechat.secret_hint')),
      secret('wx-token', 'token', t('wechat.token'), t('wechat.token_hint')),
      secret('wx-aeskey', 'encoding_aes_key', t('wechat.aes_key'), t('wechat.aes_key_hint')),
      h('label', {}, t('wechat.accounts')), h('div', {}, rows, more, h('div', { class: 'muted small' }, t('wechat.accounts_hint'))),
      h('label', { for: 'wx-team' }, t('wechat.default_team')), select(teamOptions, ch.team_id || '', { id: 'wx-team', name: 'team_id' }),
      h('label', { for: 'wx-reopen' }, t('wechat.reopen_hours')), h('div', {},
        h('input', { id: 'wx-reopen', name: 'reopen_hours', type: 'number', min: '1', max: '2160', value: String(ch.reopen_hours || 72) }),
        h('div', { class: 'muted small' }, t('wechat.reopen_hint'))),
      h('label', { for: 'wx-pause' }, t('wechat.pause_seconds')), h('div', {},
        h('input', { id: 'wx-pause', name: 'pause_seconds', type: 'number', min: '0', max: '300', value: String(ch.pause_seconds ?? 20) }),
        h('div', { class: 'muted small' }, t('wechat.pause_hint'))),
      h('label', { for: 'wx-welcome' }, t('wechat.welcome')), h('div', {},
        h('textarea', { id: 'wx-welcome', name: 'welcome', rows: '2', maxlength: '680' }, ch.welcome || ''),
        h('div', { class: 'muted small' }, t('wechat.welcome_hint'))),
      h('label', { class: 'check span2' }, h('input', { type: 'checkbox', name: 'bot', id: 'wx-bot', checked: ch.bot === true }), ' ', t('wechat.bot')),
      h('label', { for: 'wx-bot-servicer' }, t('wechat.bot_servicer')), h('div', {},
        h('input', { id: 'wx-bot-servicer', name: 'bot_servicer', class: 'mono', value: ch.bot_servicer || '' }),
        h('div', { class: 'muted small' }, t('wechat.bot_servicer_hint'))),
      h('label', { class: 'check span2' }, h('input', { type: 'checkbox', name: 'enabled', id: 'wx-enabled', checked: ch.enabled !== false }), ' ', t('wechat.enabled')));
  };
  const toBody = r => {
    const accounts = [];
    for (const [k, v] of Object.entries(r)) {
      if (!k.startsWith('kfid-') || !String(v).trim()) continue;
      accounts.push({ open_kfid: String(v).trim(), team_id: r['kfteam-' + k.slice(5)] || '' });
    }
    const b = { name: (r.name || '').trim(), corp_id: (r.corp_id || '').trim(), accounts, team_id: r.team_id || '',
      reopen_hours: Number(r.reopen_hours) || 0, pause_seconds: Number(r.pause_seconds) || 0, enabled: r.enabled === 'on',
      bot: r.bot === 'on', bot_servicer: (r.bot_servicer || '').trim(), welcome: (r.welcome || '').trim() };
    for (const k of ['secret', 'token', 'encoding_aes_key']) if (r[k]) b[k] = r[k].trim();
    return b;
  };
  const edit = async ch => {
    for (;;) {
      const r = await modal(ch.id ? t('wechat.edit', { name: ch.name }) : t('wechat.add'), form(ch), { submitLabel: t('common.save') });
      if (!r) return;
      try {
        if (ch.id) await api.patch('/v1/wechat/channels/' + enc(ch.id), toBody(r), api.etagOf(ch));
        else await api.post('/v1/wechat/channels', toBody(r));
        toast(t('common.saved'));
        await load();
        return;
      } catch (err) {
        showError(err);
        ch = { ...ch, ...toBody(r) };
      }
    }
  };
  addBtn.addEventListener('click', () => edit({ enabled: true }));

  const checkResult = res => h('div', { class: 'check-result', role: 'status', data: { ok: String(res.ok) } },
    (res.steps || []).map(s => h('div', { class: 'check-part ' + (s.ok ? 'ok' : 'bad'), data: { step: s.step, ok: String(s.ok) } },
      h('strong', {}, t('wechat.step.' + s.step, {}, s.step), ': '),
      s.ok ? t('wechat.check_ok') : [t('wechat.kind.' + s.kind, {}, s.kind), h('div', { class: 'muted small mono' }, s.error)])),
    res.ok && res.accounts && res.accounts.length ? h('div', { class: 'muted small' }, t('wechat.corp_accounts'), ' ',
      res.accounts.map(a => h('span', { class: 'tag mono' }, a.name, ' · ', a.open_kfid))) : null);

  const load = async () => {
    const list = (await api.get('/v1/wechat/channels')).items || [];
    clear(body);
    add(body, h('p', { class: 'muted' }, t('wechat.intro')));
    if (!list.length) { add(body, empty(t('wechat.none'))); return; }
    add(body, h('div', { class: 'cards' }, list.map(ch => {
      const callback = location.origin + '/channels/wechat/' + ch.id;
      const testBtn = h('button', { type: 'button', class: 'btn btn-small', data: { act: 'test', id: ch.id } }, t('wechat.test'));
      const result = h('div');
      testBtn.addEventListener('click', () => busy(testBtn, async () => {
        try { add(clear(result), checkResult(await api.post('/v1/wechat/channels/' + enc(ch.id) + '/test'))); } catch (err) { showError(err); }
      }));
      const syncBtn = h('button', { type: 'button', class: 'btn btn-small', data: { act: 'sync', id: ch.id } }, t('wechat.sync'));
      syncBtn.addEventListener('click', () => busy(syncBtn, async () => {
        try { await api.post('/v1/wechat/channels/' + enc(ch.id) + '/sync'); toast(t('wechat.sync_queued')); } catch (err) { showError(err); }
      }));
      const editBtn = h('button', { type: 'button', class: 'btn btn-small', data: { act: 'edit', id: ch.id } }, t('common.edit'));
      editBtn.addEventListener('click', () => edit(ch));
      const del = h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost' }, t('common.delete'));
      del.addEventListener('click', async () => {
        if (!(await confirmDialog(t('wechat.delete'), t('wechat.delete_confirm', { name: ch.name }), t('common.delete')))) return;
        try { await api.del('/v1/wechat/channels/' + enc(ch.id), api.etagOf(ch)); toast(t('common.deleted')); await load(); } catch (err) { showError(err); }
      });
      return h('div', { class: 'card wechat-channel', data: { id: ch.id } },
        h('div', { class: 'panel-head' }, h('h2', {}, ch.name, ' ', ch.enabled ? badge(t('mailbox.on'), 'badge-ok') : badge(t('mailbox.off'))),
          h('div', { class: 'actions' }, testBtn, syncBtn, editBtn, del)),
        h('dl', { class: 'facts' },
          h('dt', {}, t('wechat.corp_id')), h('dd', { class: 'mono' }, ch.corp_id),
          h('dt', {}, t('wechat.callback_url')), h('dd', { class: 'mono small wx-callback' }, callback),
          h('dt', {}, t('wechat.accounts')), h('dd', {}, ch.accounts.length ? ch.accounts.map(a => h('div', { class: 'small' },
            h('span', { class: 'mono' }, a.open_kfid), ' → ', a.team_id ? api.teamName(a.team_id) : (ch.team_id ? api.teamName(ch.team_id) : t('wechat.routing')))) : '—'),
          h('dt', {}, t('wechat.last_sync')), h('dd', {}, ch.last_sync_at ? timeEl(ch.last_sync_at) : '—'),
          ch.last_error ? [h('dt', {}, t('mailbox.last_error')), h('dd', { class: 'mail-error' }, ch.last_error, ' ', timeEl(ch.last_error_at))] : null),
        result);
    })));
  };
  await load();
}
