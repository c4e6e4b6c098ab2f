// Admin: the e-mail channel. Mailboxes (IMAP settings, the password sent
// once and never shown again, a connection test that says in Chinese what
// to fix), the templates of the mails the service writes, and the mail
// log, where skipped mail (auto-replies, bounces, throttled senders) can
// be seen and, when a person vouches for it, imported after all.

import { h, add, clear, empty, badge, busy, toast, showError, modal, confirmDialog, timeEl, select, stack } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { adminPage } from './admin-nav.js';
import { reasonText } from './explain.js';

const enc = encodeURIComponent;

export async function render(ctx) {
  const section = ctx.params[0];
  if (section === 'templates') return templatesPage(ctx);
  if (section === 'mail') return logPage(ctx);
  return mailboxesPage(ctx);
}

// The IMAP servers of the services Chinese companies use; an admin picks
// one and fills in the address and the 授权码.
const PRESETS = [
  ['exmail', "imap.exmail.qq.com", 993, 'tls'],
  ['qiye_aliyun', "imap.qiye.aliyun.com", 993, 'tls'],
  ['qiye_163', "imap.qiye.163.com", 993, 'tls'],
  ['office365', "outlook.office365.com", 993, 'tls'],
  ['qq', "imap.qq.com", 993, 'tls'],
  ['netease', "imap.163.com", 993, 'tls'],
];

// errorKind says what a connection error means, in the reader's
// language: the stored error is "kind: the server's answer".
function errorKind(text) {
  if (!text) return '';
  const i = text.indexOf(': ');
  const kind = i > 0 ? text.slice(0, i) : text;
  const rest = i > 0 ? text.slice(i + 2) : '';
  const known = t('mail.kind.' + kind, {}, '');
  return known ? known + (rest ? ' — ' + rest : '') : text;
}

function checkResult(res) {
  const part = (label, p) => h('div', { class: 'check-part ' + (p.ok ? 'ok' : 'bad'), data: { ok: String(p.ok) } },
    h('strong', {}, label, ': '),
    p.ok ? t('mailbox.check_ok') : [t('mail.kind.' + p.kind, {}, p.message || p.kind), p.reply ? h('div', { class: 'muted small mono' }, p.reply) : null]);
  return h('div', { class: 'check-result', role: 'status' },
    part('IMAP', res.imap),
    res.smtp ? part('SMTP', res.smtp) : h('div', { class: 'muted small' }, t('mailbox.no_smtp')));
}

// Mailboxes ---------------------------------------------------------------

async function mailboxesPage(ctx) {
  if (!api.can('GET', '/v1/mailboxes')) {
    add(adminPage(ctx, 'mailboxes'), empty(t('admin.forbidden')));
    return;
  }
  const addBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'add-mailbox' }, '+ ', t('mailbox.add'));
  const body = adminPage(ctx, 'mailboxes', addBtn);
  const [settings, teams, cats] = await Promise.all([api.get('/v1/mail/settings'), api.teams(), api.categories()]);

  const form = mb => {
    const editing = !!mb.id;
    const host = h('input', { id: 'mb-host', name: 'host', required: true, value: mb.host || '', class: 'mono' });
    const port = h('input', { id: 'mb-port', name: 'port', type: 'number', min: '1', max: '65535', value: String(mb.port || 993) });
    const tls = select([['tls', t('mailbox.tls.tls')], ['starttls', t('mailbox.tls.starttls')]], mb.tls || 'tls', { id: 'mb-tls', name: 'tls' });
    const preset = select([['', t('mailbox.preset_none')], ...PRESETS.map(p => [p[0], t('mailbox.preset.' + p[0])])], '', { id: 'mb-preset', 'aria-label': t('mailbox.preset') });
    preset.addEventListener('change', () => {
      const p = PRESETS.find(x => x[0] === preset.value);
      if (!p) return;
      host.value = p[1];
      port.value = String(p[2]);
      tls.value = p[3];
    });
    const after = select([['seen', t('mailbox.after.seen')], ['move', t('mailbox.after.move')]], mb.after || 'seen', { id: 'mb-after', name: 'after' });
    const result = h('div', { class: 'check-box' });
    const test = h('button', { type: 'button', class: 'btn btn-small', id: 'mb-test' }, t('mailbox.test'));
    test.addEventListener('click', () => busy(test, async () => {
      const r = Object.fromEntries(new FormData(test.closest('form')).entries());
      clear(result);
      try {
        // A stored mailbox whose password is left empty is tested with
        // the password it has.
        const res = editing && !r.password ? await api.post('/v1/mailboxes/' + enc(mb.id) + '/test') : await api.post('/v1/mailboxes/test', toBody(r, true));
        add(result, checkResult(res));
      } catch (err) { showError(err); }
    }));
    return h('div', { class: 'form-grid mailbox-form' },
      h('label', { for: 'mb-preset' }, t('mailbox.preset')), preset,
      h('label', { for: 'mb-name' }, t('mailbox.name')), h('input', { id: 'mb-name', name: 'name', required: true, value: mb.name || '', placeholder: t('mailbox.name_hint') }),
      h('label', { for: 'mb-address' }, t('mailbox.address')), h('input', { id: 'mb-address', name: 'address', type: 'email', required: true, value: mb.address || '' }),
      h('label', { for: 'mb-host' }, t('mailbox.host')), host,
      h('label', { for: 'mb-port' }, t('mailbox.port')), h('div', { class: 'row' }, port, tls),
      h('label', { for: 'mb-user' }, t('mailbox.username')), h('input', { id: 'mb-user', name: 'username', required: true, value: mb.username || '', autocomplete: 'off' }),
      h('label', { for: 'mb-pass' }, t('mailbox.password')), h('div', {},
        h('input', { id: 'mb-pass', name: 'password', type: 'password', autocomplete: 'new-password', required: !editing, placeholder: editing ? t('mailbox.password_keep') : '' }),
        h('div', { class: 'muted small' }, t('mailbox.password_hint'))),
      h('label', { for: 'mb-folder' }, t('mailbox.folder')), h('input', { id: 'mb-folder', name: 'folder', value: mb.folder || 'INBOX' }),
      h('label', { for: 'mb-after' }, t('mailbox.after')), after,
      h('label', { for: 'mb-move' }, t('mailbox.move_to')), h('input', { id: 'mb-move', name: 'move_to', value: mb.move_to || '', placeholder: t('mailbox.move_hint') }),
      h('label', { for: 'mb-team' }, t('mailbox.team')), select([['', '—'], ...teams.map(x => [x.id, x.name])], mb.team_id || '', { id: 'mb-team', name: 'team_id' }),
      h('label', { for: 'mb-cat' }, t('mailbox.category')), select([['', t('mailbox.category_none')], ...cats.map(c => [c, c])], mb.category || '', { id: 'mb-cat', name: 'category' }),
      h('label', { for: 'mb-prio' }, t('mailbox.priority')), select([['', t('mailbox.priority_none')], ...['P1', 'P2', 'P3', 'P4'].map(p => [p, p + ' · ' + t('priority.' + p)])], mb.priority || '', { id: 'mb-prio', name: 'priority' }),
      h('label', { class: 'check span2' }, h('input', { type: 'checkbox', name: 'enabled', id: 'mb-enabled', checked: mb.enabled !== false }), ' ', t('mailbox.enabled')),
      h('div', { class: 'span2' }, test, result));
  };
  const toBody = (r, forTest) => {
    const b = {
      name: (r.name || '').trim(), address: (r.address || '').trim(), host: (r.host || '').trim(), port: Number(r.port) || 0, tls: r.tls,
      username: (r.username || '').trim(), folder: (r.folder || '').trim(), after: r.after, move_to: (r.move_to || '').trim(),
    };
    if (forTest) return { ...b, password: r.password || '' };
    Object.assign(b, { team_id: r.team_id || '', category: r.category || '', priority: r.priority || '', enabled: r.enabled === 'on' });
    if (r.password) b.password = r.password;
    return b;
  };
  const edit = async mb => {
    for (;;) {
      const r = await modal(mb.id ? t('mailbox.edit', { name: mb.name }) : t('mailbox.add'), form(mb), { submitLabel: t('common.save') });
      if (!r) return;
      try {
        if (mb.id) await api.patch('/v1/mailboxes/' + enc(mb.id), toBody(r), api.etagOf(mb));
        else await api.post('/v1/mailboxes', toBody(r));
        toast(t('common.saved'));
        await load();
        return;
      } catch (err) {
        showError(err);
        mb = { ...mb, ...toBody(r), enabled: r.enabled === 'on' };
      }
    }
  };
  addBtn.addEventListener('click', () => edit({ enabled: true }));

  const load = async () => {
    const boxes = (await api.get('/v1/mailboxes')).items || [];
    clear(body);
    add(body, h('div', { class: 'card mail-settings' },
      h('p', {}, settings.outbound ? t('mailbox.outbound_on', { from: settings.from, smtp: settings.smtp }) : t('mailbox.outbound_off')),
      h('p', { class: 'muted small' }, t('mailbox.sender_limit', { n: settings.sender_limit })),
      settings.secret_key === 'file' ? h('p', { class: 'muted small' }, t('mailbox.key_file')) : null,
      settings.secret_key === 'none' ? h('p', { class: 'alert alert-warn' }, t('mailbox.key_none')) : null));
    if (!boxes.length) { add(body, empty(t('mailbox.none'))); return; }
    add(body, h('div', { class: 'cards' }, boxes.map(mb => {
      const testBtn = h('button', { type: 'button', class: 'btn btn-small', data: { act: 'test', id: mb.id } }, t('mailbox.test'));
      const result = h('div');
      testBtn.addEventListener('click', () => busy(testBtn, async () => {
        try { add(clear(result), checkResult(await api.post('/v1/mailboxes/' + enc(mb.id) + '/test'))); } catch (err) { showError(err); }
      }));
      const editBtn = h('button', { type: 'button', class: 'btn btn-small', data: { act: 'edit', id: mb.id } }, t('common.edit'));
      editBtn.addEventListener('click', () => edit(mb));
      const del = h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost' }, t('common.delete'));
      del.addEventListener('click', async () => {
        if (!(await confirmDialog(t('mailbox.delete'), t('mailbox.delete_confirm', { name: mb.name }), t('common.delete')))) return;
        try { await api.del('/v1/mailboxes/' + enc(mb.id), api.etagOf(mb)); toast(t('common.deleted')); await load(); } catch (err) { showError(err); }
      });
      return h('div', { class: 'card mailbox', data: { id: mb.id } },
        h('div', { class: 'panel-head' }, h('h2', {}, mb.name, ' ', mb.enabled ? badge(t('mailbox.on'), 'badge-ok') : badge(t('mailbox.off'))),
          h('div', { class: 'actions' }, testBtn, editBtn, del)),
        h('dl', { class: 'facts' },
          h('dt', {}, t('mailbox.address')), h('dd', {}, mb.address),
          h('dt', {}, t('mailbox.server')), h('dd', { class: 'mono small' }, mb.username, ' @ ', mb.host, ':', String(mb.port), ' · ', mb.folder),
          h('dt', {}, t('mailbox.team')), h('dd', {}, mb.team_id ? api.teamName(mb.team_id) : '—'),
          h('dt', {}, t('mailbox.last_import')), h('dd', {}, mb.last_import_at ? timeEl(mb.last_import_at) : '—', ' ',
            h('span', { class: 'muted small' }, t('mailbox.position', { uid: mb.position.uid }))),
          mb.last_error ? [h('dt', {}, t('mailbox.last_error')), h('dd', { class: 'mail-error' }, errorKind(mb.last_error), ' ', timeEl(mb.last_error_at))] : null),
        result);
    })));
  };
  await load();
}

// Templates -----------------------------------------------------------------

async function templatesPage(ctx) {
  if (!api.can('GET', '/v1/mail/templates')) {
    add(adminPage(ctx, 'templates'), empty(t('admin.forbidden')));
    return;
  }
  const body = adminPage(ctx, 'templates');
  const load = async () => {
    const list = (await api.get('/v1/mail/templates')).items || [];
    clear(body);
    add(body, h('p', { class: 'muted' }, t('template.lead')));
    for (const tpl of list) {
      const subject = h('input', { name: 'subject', value: tpl.subject, id: 'tpl-subject-' + tpl.name, 'aria-label': t('template.subject') });
      const text = h('textarea', { name: 'body', rows: '8', id: 'tpl-body-' + tpl.name, 'aria-label': t('template.body') });
      text.value = tpl.body;
      const enabled = tpl.name === 'ack' ? h('input', { type: 'checkbox', id: 'tpl-enabled-' + tpl.name, checked: tpl.enabled }) : null;
      const save = h('button', { type: 'button', class: 'btn btn-primary btn-small', data: { act: 'save', name: tpl.name } }, t('common.save'));
      const reset = h('button', { type: 'button', class: 'btn btn-small', disabled: tpl.default }, t('template.reset'));
      const etag = tpl.version ? '"' + tpl.version + '"' : '*';
      save.addEventListener('click', () => busy(save, async () => {
        const b = { subject: subject.value, body: text.value };
        if (enabled) b.enabled = enabled.checked;
        try { await api.patch('/v1/mail/templates/' + enc(tpl.name), b, etag); toast(t('common.saved')); await load(); } catch (err) { showError(err); }
      }));
      reset.addEventListener('click', async () => {
        if (!(await confirmDialog(t('template.reset'), t('template.reset_confirm'), t('template.reset')))) return;
        try { await api.del('/v1/mail/templates/' + enc(tpl.name), etag); toast(t('common.saved')); await load(); } catch (err) { showError(err); }
      });
      add(body, h('div', { class: 'card template', data: { name: tpl.name } },
        h('div', { class: 'panel-head' }, h('h2', {}, t('template.name.' + tpl.name, {}, tpl.name), ' ', tpl.default ? badge(t('template.default')) : badge(t('template.custom'), 'badge-ok')),
          h('div', { class: 'actions' }, reset, save)),
        enabled ? h('label', { class: 'check' }, enabled, ' ', t('template.ack_enabled')) : null,
        h('label', { for: subject.id }, t('template.subject')), subject,
        h('label', { for: text.id }, t('template.body')), text,
        h('p', { class: 'muted small' }, t('template.variables'), ' ', (tpl.variables || []).map(v => h('code', { class: 'var' }, '{{' + v + '}}', ' ')),
          (tpl.required || []).length ? [' ', t('template.required', { list: tpl.required.map(v => '{{' + v + '}}').join(' ') })] : null)));
    }
  };
  await load();
}

// Mail log -----------------------------------------------------------------

async function logPage(ctx) {
  if (!api.can('GET', '/v1/mail/messages')) {
    add(adminPage(ctx, 'mail'), empty(t('admin.forbidden')));
    return;
  }
  const filter = select([['', t('maillog.all')], ['skipped', t('maillog.skipped')], ['failed', t('maillog.failed')], ['queued', t('maillog.queued')]],
    ctx.query.get('status') || '', { id: 'mail-filter', 'aria-label': t('maillog.filter') });
  const body = adminPage(ctx, 'mail', filter);
  filter.addEventListener('change', () => ctx.navigate('/app/admin/mail' + (filter.value ? '?status=' + enc(filter.value) : '')));
  const load = async () => {
    const items = (await api.get('/v1/mail/messages', { status: filter.value, limit: 100 })).items || [];
    clear(body);
    if (!items.length) { add(body, empty(t('maillog.none'))); return; }
    add(body, h('div', { class: 'table-wrap card' }, stack(h('table', { class: 'table mail-log' },
      h('thead', {}, h('tr', {}, h('th', {}, t('maillog.when')), h('th', {}, t('maillog.direction')), h('th', {}, t('maillog.who')),
        h('th', {}, t('mail.subject')), h('th', {}, t('maillog.status')), h('th', {}))),
      h('tbody', {}, items.map(m => {
        let action = null;
        if (m.direction === 'in' && m.status === 'skipped' && m.raw_sha256) {
          action = h('button', { type: 'button', class: 'btn btn-small', data: { act: 'import', id: m.id } }, t('maillog.import'));
          action.addEventListener('click', () => busy(action, async () => {
            if (!(await confirmDialog(t('maillog.import'), t('maillog.import_confirm'), t('maillog.import'), false))) return;
            try {
              const res = await api.post('/v1/mail/messages/' + enc(m.id) + '/import');
              toast(t('maillog.imported'));
              if (res.ticket_id) ctx.navigate('/app/tickets/' + enc(res.ticket_id));
            } catch (err) { showError(err); }
          }));
        }
        return h('tr', { data: { id: m.id, status: m.status } },
          h('td', {}, timeEl(m.created_at)),
          h('td', {}, t('maillog.dir.' + m.direction, {}, m.direction)),
          h('td', { class: 'small' }, m.direction === 'in' ? m.from : (m.to || []).join(', ')),
          h('td', {}, m.ticket_id ? h('a', { href: '/app/tickets/' + enc(m.ticket_id) }, m.subject || '—') : (m.subject || '—')),
          h('td', {}, badge(t('mail.state.' + m.status, {}, m.status), m.status === 'failed' || m.status === 'skipped' ? 'badge-warn' : ''),
            m.reason ? h('div', { class: 'small' }, reasonText(m.reason)) : null, m.error ? h('div', { class: 'muted small mono' }, m.error) : null),
          h('td', {}, action));
      }))))));
  };
  await load();
}
