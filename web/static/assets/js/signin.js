// Sign-in beyond the password: the second factor (a code of the
// authenticator app, a recovery code, or an enrolment that admins
// require), "forgot password", single sign-on's button, and the page an
// invitation or reset link opens. These calls are made before anyone is
// signed in, so they go straight to fetch: a refusal here is the form's
// business, not a sign-out.

import { h, add, errorText } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';

/**
 * @param {string} path
 * @param {unknown} body
 */
async function publicPost(path, body) {
  const resp = await fetch(path, {
    method: 'POST', cache: 'no-store',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = await resp.json().catch(() => null);
  if (!resp.ok) {
    const err = new api.ApiError(resp.status, (data && data.error) || {});
    err.retryAfter = Number(resp.headers.get('Retry-After')) || 0;
    throw err;
  }
  return data;
}

// methods says what the sign-in page offers; null when it cannot tell.
export async function methods() {
  try {
    const resp = await fetch('/v1/auth/methods', { cache: 'no-store', headers: { Accept: 'application/json' } });
    return resp.ok ? await resp.json() : null;
  } catch {
    return null;
  }
}

// ssoButton is the single sign-on link, back to the page asked for.
export function ssoButton(m) {
  const back = location.pathname.startsWith('/app') && location.pathname !== '/app/password' ? location.pathname : '/app/inbox';
  return h('a', { class: 'btn btn-sso', id: 'sso-login', href: '/auth/oidc/login?return=' + encodeURIComponent(back) },
    t('signin.sso', { name: m.sso_name || t('signin.sso_default') }));
}

// ssoError is the message of a refused single sign-on, from the query
// the callback redirected with.
export function ssoError() {
  const code = new URLSearchParams(location.search).get('sso_error');
  return code ? t('signin.sso_error.' + code, {}, t('signin.sso_error.failed')) : '';
}

// forgotForm asks for a reset link by mail.
export function forgotForm() {
  const email = h('input', { type: 'email', id: 'forgot-email', name: 'email', autocomplete: 'username', required: true });
  const send = h('button', { type: 'submit', class: 'btn', id: 'forgot-send' }, t('signin.forgot_send'));
  const out = h('p', { class: 'hint', id: 'forgot-result', role: 'status' });
  const form = h('form', { class: 'signin-forgot-form', id: 'forgot-form' },
    h('label', { for: 'forgot-email' }, t('signin.email')), email, send, out);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    out.replaceChildren();
    send.disabled = true;
    try {
      const r = await publicPost('/v1/auth/forgot', { email: email.value.trim() });
      add(out, r && r.mail ? t('signin.forgot_sent') : t('signin.forgot_nomail'));
    } catch (err) {
      add(out, err.status === 429 ? t('signin.locked', { seconds: String(err.retryAfter || 60) }) : errorText(err));
    } finally {
      send.disabled = false;
    }
  });
  return h('details', { class: 'signin-forgot', id: 'forgot' }, h('summary', { id: 'forgot-toggle' }, t('signin.forgot')),
    h('p', { class: 'hint' }, t('signin.forgot_help')), form);
}

/**
 * secondFactor asks for the code after a right password; done runs once
 * a session is open.
 * @param {HTMLElement} root
 * @param {any} first the password step's answer
 * @param {() => Promise<void>} done
 * @param {() => void} back
 */
export function secondFactor(root, first, done, back) {
  document.title = t('mfa.title') + ' · triage';
  const enrol = first.second_factor === 'enrol';
  const code = h('input', { id: 'totp-code', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9 ]*', maxlength: '7', required: true });
  const recovery = h('input', { id: 'recovery-code', name: 'recovery_code', autocomplete: 'off', spellcheck: 'false', hidden: true });
  const recoveryLabel = h('label', { for: 'recovery-code', hidden: true }, t('mfa.recovery'));
  const codeLabel = h('label', { for: 'totp-code' }, t('mfa.code'));
  const error = h('div', { class: 'signin-error', role: 'alert', id: 'totp-error' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'totp-submit' }, t('mfa.verify'));
  let useRecovery = false;
  const toggle = h('button', { type: 'button', class: 'btn btn-ghost', id: 'use-recovery' }, t('mfa.use_recovery'));
  toggle.addEventListener('click', () => {
    useRecovery = !useRecovery;
    code.hidden = useRecovery; codeLabel.hidden = useRecovery; code.required = !useRecovery;
    recovery.hidden = !useRecovery; recoveryLabel.hidden = !useRecovery; recovery.required = useRecovery;
    toggle.textContent = useRecovery ? t('mfa.use_code') : t('mfa.use_recovery');
    (useRecovery ? recovery : code).focus();
  });
  const cancel = h('button', { type: 'button', class: 'btn btn-ghost', id: 'totp-cancel' }, t('common.cancel'));
  cancel.addEventListener('click', back);
  const e = first.enrolment;
  const form = h('form', { class: 'card signin', id: 'totp-form' },
    h('h1', {}, enrol ? t('mfa.enrol_title') : t('mfa.title')),
    h('p', { class: 'muted' }, enrol ? t('mfa.enrol_lead') : t('mfa.lead')),
    enrol && e ? h('div', { class: 'totp-enrol' },
      h('img', { src: e.qr, id: 'totp-qr', width: '200', height: '200', alt: t('mfa.qr_alt') }),
      h('p', { class: 'hint' }, t('mfa.secret_hint')),
      h('code', { class: 'mono totp-secret', id: 'totp-secret' }, e.secret)) : null,
    codeLabel, code, recoveryLabel, recovery, error,
    h('div', { class: 'row' }, submit, enrol ? null : toggle, cancel));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    error.replaceChildren();
    submit.disabled = true;
    try {
      const body = { challenge: first.challenge, code: useRecovery ? '' : code.value.trim(), recovery_code: useRecovery ? recovery.value.trim() : '' };
      const r = await publicPost('/v1/auth/login/second-factor', body);
      if (r.recovery_codes && r.recovery_codes.length) {
        showRecoveryCodes(root, r.recovery_codes, done);
        return;
      }
      await done();
    } catch (err) {
      if (err.status === 429) add(error, t('signin.locked', { seconds: String(err.retryAfter || 60) }));
      else if (err.field === 'challenge') { back(); return; }
      else if (err.status === 401) add(error, useRecovery ? t('mfa.recovery_wrong') : t('mfa.wrong'));
      else add(error, errorText(err));
    } finally {
      submit.disabled = false;
    }
  });
  root.replaceChildren(h('main', { class: 'signin-page' }, form));
  code.focus();
}

/**
 * showRecoveryCodes shows recovery codes once, until the person says
 * they kept them.
 * @param {HTMLElement} root
 * @param {string[]} codes
 * @param {() => Promise<void> | void} done
 */
export function showRecoveryCodes(root, codes, done) {
  const ok = h('button', { type: 'button', class: 'btn btn-primary', id: 'recovery-done' }, t('mfa.codes_done'));
  ok.addEventListener('click', () => done());
  const box = h('div', { class: 'card signin', id: 'recovery-box' },
    h('h1', {}, t('mfa.codes_title')),
    h('p', {}, t('mfa.codes_lead')),
    h('ol', { class: 'mono recovery-codes', id: 'recovery-codes' }, codes.map(c => h('li', {}, c))),
    ok);
  root.replaceChildren(h('main', { class: 'signin-page' }, box));
  ok.focus();
}

/**
 * passwordPage is what an invitation or reset link opens: for whom, a new
 * password twice, then the way to sign in.
 * @param {HTMLElement} root
 */
export async function passwordPage(root) {
  document.title = t('setpw.title') + ' · triage';
  const token = decodeURIComponent(location.hash.replace(/^#/, ''));
  const main = h('main', { class: 'signin-page' });
  root.replaceChildren(main);
  const signInLink = () => h('a', { class: 'btn', id: 'go-signin', href: '/app/inbox' }, t('setpw.signin'));
  const fail = err => {
    const msg = /already used/.test(err.message) ? t('setpw.used') : /expired/.test(err.message) ? t('setpw.expired') : err.status === 401 ? t('setpw.invalid') : errorText(err);
    main.replaceChildren(h('div', { class: 'card signin', id: 'setpw-error' }, h('h1', {}, t('setpw.title')), h('p', { class: 'signin-error', role: 'alert' }, msg), signInLink()));
  };
  let who;
  try {
    who = await publicPost('/v1/auth/link', { token });
  } catch (err) {
    fail(err);
    return;
  }
  const pw = h('input', { type: 'password', id: 'new-password', name: 'password', autocomplete: 'new-password', required: true, minlength: '10' });
  const pw2 = h('input', { type: 'password', id: 'new-password2', name: 'password2', autocomplete: 'new-password', required: true });
  const error = h('div', { class: 'signin-error', role: 'alert', id: 'setpw-form-error' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'set-password' }, t('setpw.submit'));
  const form = h('form', { class: 'card signin', id: 'setpw-form' },
    h('h1', {}, who.purpose === 'invite' ? t('setpw.welcome') : t('setpw.title')),
    h('p', { class: 'muted', id: 'setpw-who' }, t('setpw.for', { name: who.name, email: who.email })),
    h('input', { type: 'email', hidden: true, autocomplete: 'username', value: who.email, readonly: true }),
    h('label', { for: 'new-password' }, t('setpw.password')), pw,
    h('p', { class: 'hint' }, t('setpw.rules')),
    h('label', { for: 'new-password2' }, t('setpw.again')), pw2,
    error, submit);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    error.replaceChildren();
    if (pw.value !== pw2.value) { add(error, t('setpw.mismatch')); return; }
    submit.disabled = true;
    try {
      await publicPost('/v1/auth/link/password', { token, password: pw.value });
      // The token is spent; keep it out of the history too.
      history.replaceState(null, '', '/app/password');
      main.replaceChildren(h('div', { class: 'card signin', id: 'setpw-done' },
        h('h1', {}, t('setpw.done_title')), h('p', {}, t('setpw.done', { email: who.email })), signInLink()));
    } catch (err) {
      if (err.status === 400) add(error, errorText(err));
      else fail(err);
    } finally {
      submit.disabled = false;
    }
  });
  main.replaceChildren(form);
  pw.focus();
}
