// Your own sign-in: two-factor sign-in with an authenticator app (enrol,
// recovery codes, turn off), your password, your sessions, and which
// notifications also come by e-mail.

import { h, add, clear, timeEl, busy, toast, showError, errorText, empty, badge, confirmDialog, stack } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';

export async function render(ctx) {
  ctx.title(t('security.title'));
  add(ctx.main, h('div', { class: 'page-head' }, h('h1', {}, t('security.title'))));
  let acc;
  try {
    acc = await api.get('/v1/auth/account');
  } catch (err) {
    if (err.status === 400 || err.status === 404) { add(ctx.main, empty(t('security.token'))); return; }
    throw err;
  }
  const factor = h('section', { class: 'card', id: 'security-totp' });
  const pw = h('section', { class: 'card', id: 'security-password' });
  const sessions = h('section', { class: 'card', id: 'security-sessions' });
  const notify = h('section', { class: 'card', id: 'security-notify' });
  add(ctx.main, factor, pw, notify, sessions);
  factorSection(factor, acc);
  passwordSection(pw, acc);
  await Promise.all([notifySection(notify), sessionsSection(sessions)]);
}

// KINDS are the notification kinds, in the server's order.
const KINDS = ['assigned', 'customer_replied', 'sla_warning', 'sla_breached', 'mention'];

// notifySection lets a person choose which notifications also come by
// e-mail; every kind is always in the bell's centre.
async function notifySection(box) {
  const prefs = await api.get('/v1/notifications/prefs');
  const mail = prefs.mail || [];
  const boxes = KINDS.map(k => h('input', { type: 'checkbox', id: 'notify-mail-' + k, value: k, checked: mail.includes(k) ? true : null }));
  const save = h('button', { type: 'button', class: 'btn btn-primary', id: 'notify-save' }, t('notify.save'));
  save.addEventListener('click', () => busy(save, async () => {
    try {
      await api.call('PUT', '/v1/notifications/prefs', { body: { mail: boxes.filter(b => b.checked).map(b => b.value) } });
      toast(t('notify.saved'));
    } catch (err) { showError(err); }
  }));
  clear(box);
  add(box, h('h2', {}, t('notify.mail')), h('p', { class: 'hint' }, t('notify.mail_lead')),
    h('div', { class: 'notify-kinds' }, boxes.map((b, i) => h('label', { class: 'check', for: b.id }, b, ' ', t('notify.kind.' + KINDS[i])))),
    h('p', {}, save));
}

function factorSection(box, acc) {
  clear(box);
  add(box, h('h2', {}, t('security.totp')));
  if (acc.totp) {
    add(box, h('p', { id: 'totp-status' }, badge(t('security.totp_on'), 'badge-ok'), ' ', t('security.codes_left', { n: String(acc.recovery_codes_left) })));
    const code = h('input', { id: 'totp-disable-code', inputmode: 'numeric', autocomplete: 'one-time-code', 'aria-label': t('mfa.code'), placeholder: t('mfa.code') });
    const off = h('button', { type: 'button', class: 'btn btn-danger-ghost', id: 'totp-disable' }, t('security.totp_disable'));
    off.addEventListener('click', () => busy(off, async () => {
      try {
        await api.post('/v1/auth/totp/disable', { code: code.value.trim() });
        toast(t('security.totp_disabled'));
        factorSection(box, await api.get('/v1/auth/account'));
      } catch (err) { showError(err); }
    }));
    add(box, h('div', { class: 'row' }, code, off));
    return;
  }
  add(box, h('p', { id: 'totp-status' }, badge(t('security.totp_off')), ' ', t('security.totp_lead')));
  const start = h('button', { type: 'button', class: 'btn btn-primary', id: 'totp-enrol' }, t('security.totp_enrol'));
  start.addEventListener('click', () => busy(start, async () => {
    let e;
    try { e = await api.post('/v1/auth/totp', undefined); } catch (err) { showError(err); return; }
    const code = h('input', { id: 'totp-confirm-code', inputmode: 'numeric', autocomplete: 'one-time-code', required: true });
    const confirm = h('button', { type: 'submit', class: 'btn btn-primary', id: 'totp-confirm' }, t('mfa.verify'));
    const error = h('div', { class: 'signin-error', role: 'alert', id: 'totp-confirm-error' });
    const form = h('form', { class: 'totp-enrol' },
      h('p', {}, t('mfa.enrol_lead_self')),
      h('img', { src: e.qr, id: 'totp-qr', width: '200', height: '200', alt: t('mfa.qr_alt') }),
      h('p', { class: 'hint' }, t('mfa.secret_hint')),
      h('code', { class: 'mono totp-secret', id: 'totp-secret' }, e.secret),
      h('label', { for: 'totp-confirm-code' }, t('mfa.code')), code, error, confirm);
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      error.replaceChildren();
      busy(confirm, async () => {
        try {
          const r = await api.post('/v1/auth/totp/confirm', { code: code.value.trim() });
          clear(box);
          add(box, h('h2', {}, t('mfa.codes_title')), h('p', {}, t('mfa.codes_lead')),
            h('ol', { class: 'mono recovery-codes', id: 'recovery-codes' }, r.recovery_codes.map(c => h('li', {}, c))));
          const done = h('button', { type: 'button', class: 'btn btn-primary', id: 'recovery-done' }, t('mfa.codes_done'));
          done.addEventListener('click', async () => factorSection(box, await api.get('/v1/auth/account')));
          add(box, done);
        } catch (err) { add(error, errorText(err)); }
      });
    });
    start.replaceWith(form);
    code.focus();
  }));
  add(box, start);
}

function passwordSection(box, acc) {
  add(box, h('h2', {}, t('security.password')));
  if (acc.sso_subject && !acc.password_set_at) { add(box, h('p', { class: 'muted' }, t('security.password_sso'))); return; }
  const cur = h('input', { type: 'password', id: 'pw-current', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', id: 'pw-new', autocomplete: 'new-password', required: true, minlength: '10' });
  const btn = h('button', { type: 'submit', class: 'btn', id: 'pw-change' }, t('security.password_change'));
  const form = h('form', { class: 'form-grid' },
    h('input', { type: 'email', hidden: true, autocomplete: 'username', value: api.session.me.agent ? api.session.me.agent.email : '', readonly: true }),
    h('label', { for: 'pw-current' }, t('security.password_current')), cur,
    h('label', { for: 'pw-new' }, t('security.password_new')), next, btn);
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    busy(btn, async () => {
      try {
        await api.post('/v1/auth/password', { current_password: cur.value, new_password: next.value });
        cur.value = ''; next.value = '';
        toast(t('security.password_changed'));
      } catch (err) { showError(err); }
    });
  });
  add(box, form);
}

async function sessionsSection(box) {
  clear(box);
  add(box, h('h2', {}, t('security.sessions')), h('p', { class: 'hint' }, t('security.sessions_lead')));
  const list = (await api.get('/v1/auth/sessions')).items || [];
  if (!list.length) { add(box, empty(t('security.sessions_none'))); return; }
  add(box, h('div', { class: 'table-wrap' }, stack(h('table', { class: 'table', id: 'my-sessions' },
    h('thead', {}, h('tr', {}, h('th', {}, t('session.agent')), h('th', {}, t('session.ip')), h('th', {}, t('session.created')), h('th', {}))),
    h('tbody', {}, list.map(s => {
      const end = h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost session-revoke', data: { id: s.id } }, t('session.revoke'));
      end.addEventListener('click', () => busy(end, async () => {
        if (!(await confirmDialog(t('session.revoke'), s.current ? t('session.revoke_current') : t('session.revoke_confirm'), t('session.revoke')))) return;
        try {
          await api.del('/v1/auth/sessions/' + encodeURIComponent(s.id));
          if (s.current) { location.assign('/app/inbox'); return; }
          toast(t('session.revoked'));
          await sessionsSection(box);
        } catch (err) { showError(err); }
      }));
      return h('tr', {},
        h('td', {}, s.user_agent || '—', s.current ? h('span', { class: 'badge' }, t('session.current')) : null),
        h('td', { class: 'mono' }, s.ip || '—'),
        h('td', {}, timeEl(s.created_at)),
        h('td', {}, end));
    }))))));
}
