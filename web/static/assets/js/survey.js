// The customer's satisfaction survey (/app/survey/<token>): the page a
// survey link opens. It needs no sign-in: the token in the address is the
// credential, and the page calls only the survey's public routes
// (GET and POST /v1/csat/{token}). It stands alone, without the staff
// shell, and is sized for a phone first, where most customers open it.

import { h, add, clear, errorText } from './dom.js';
import { t, lang, setLang } from './i18n.js';

const path = token => '/v1/csat/' + encodeURIComponent(token);

// call is a bare fetch: the page must not send a staff token that may
// sit in this tab, and a POST carries its own Idempotency-Key.
async function call(method, token, body) {
  const headers = { Accept: 'application/json' };
  if (body) {
    headers['Content-Type'] = 'application/json';
    headers['Idempotency-Key'] = Array.from(crypto.getRandomValues(new Uint8Array(16)), x => x.toString(16).padStart(2, '0')).join('');
  }
  const resp = await fetch(path(token), { method, headers, cache: 'no-store', body: body ? JSON.stringify(body) : undefined });
  const data = await resp.json().catch(() => null);
  if (!resp.ok) {
    const e = (data && data.error) || {};
    throw Object.assign(new Error(e.message || 'HTTP ' + resp.status), { status: resp.status, code: e.code || '' });
  }
  return data;
}

export async function renderSurvey(root, token) {
  document.title = t('survey.title') + ' · triage';
  const main = h('main', { id: 'main', class: 'survey-page' });
  const card = h('section', { class: 'card survey' });
  const langBtn = h('button', { type: 'button', class: 'btn btn-ghost btn-small survey-lang' }, lang() === 'en' ? '中文' : 'English');
  langBtn.addEventListener('click', () => { setLang(lang() === 'en' ? 'zh-CN' : 'en'); renderSurvey(root, token); });
  add(main, card);
  root.replaceChildren(main);
  add(card, h('div', { class: 'loading' }, t('common.loading')));
  let v;
  try {
    v = await call('GET', token);
  } catch (err) {
    add(clear(card), h('h1', {}, t('survey.title')), h('p', {}, err.status === 404 ? t('survey.not_found') : errorText(err)), langBtn);
    main.dataset.ready = '1';
    return;
  }
  show(card, v, token, langBtn);
  main.dataset.ready = '1';
}

function stars(n) {
  return h('span', { class: 'survey-stars', 'aria-label': t('survey.rated', { n }) }, '★'.repeat(n) + '☆'.repeat(5 - n));
}

function show(card, v, token, langBtn) {
  clear(card);
  add(card, h('h1', {}, t('survey.title')), h('p', { class: 'muted' }, t('survey.about')), h('p', { class: 'survey-ticket' }, v.ticket_title));
  if (v.status === 'answered') {
    add(card, h('div', { class: 'survey-thanks', role: 'status' }, h('p', {}, t('survey.thanks')), stars(v.rating),
      v.comment ? h('p', { class: 'muted' }, '“', v.comment, '”') : null), langBtn);
    return;
  }
  if (v.status === 'expired') {
    add(card, h('p', { class: 'alert alert-warn' }, t('survey.expired')), langBtn);
    return;
  }
  const labels = ['survey.r1', 'survey.r2', 'survey.r3', 'survey.r4', 'survey.r5'];
  const picked = h('p', { class: 'survey-picked muted', 'aria-live': 'polite' }, t('survey.pick'));
  const radios = h('div', { class: 'survey-rating', role: 'radiogroup', 'aria-label': t('survey.question') },
    [1, 2, 3, 4, 5].map(n => {
      const input = h('input', { type: 'radio', name: 'rating', value: String(n), id: 'rate-' + n, required: true });
      return h('label', { for: 'rate-' + n, class: 'survey-star', title: t(labels[n - 1]) }, input, h('span', { 'aria-hidden': 'true' }, '★'), h('span', { class: 'sr-only' }, n + ' · ' + t(labels[n - 1])));
    }));
  const comment = h('textarea', { name: 'comment', id: 'survey-comment', rows: '3', maxlength: '1000', placeholder: t('survey.comment_ph') });
  const send = h('button', { type: 'submit', class: 'btn btn-primary', id: 'survey-send' }, t('survey.send'));
  const errorSlot = h('div', { class: 'signin-error', role: 'alert' });
  const form = h('form', { class: 'survey-form' },
    h('p', { class: 'survey-question' }, t('survey.question')), radios, picked,
    h('label', { for: 'survey-comment' }, t('survey.comment')), comment, errorSlot,
    h('div', { class: 'row' }, send, h('span', { class: 'spacer' }), langBtn));
  const mark = () => {
    const n = Number((form.querySelector('input[name=rating]:checked') || {}).value || 0);
    radios.querySelectorAll('.survey-star').forEach((l, i) => l.classList.toggle('on', i < n));
    picked.textContent = n ? t(labels[n - 1]) : t('survey.pick');
  };
  radios.addEventListener('change', mark);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const n = Number((form.querySelector('input[name=rating]:checked') || {}).value || 0);
    if (!n) { errorSlot.textContent = t('survey.pick'); return; }
    send.disabled = true;
    try {
      show(card, await call('POST', token, { rating: n, comment: comment.value.trim() }), token, langBtn);
    } catch (err) {
      errorSlot.textContent = err.status === 409 ? t('survey.closed') : errorText(err);
      send.disabled = false;
    }
  });
  add(card, form);
}
