// Mail and files on the ticket page: each message's attachments (images
// as thumbnails, everything else a download), where each reply's mail
// stands (queued, sent, failed with the server's answer), the original of
// a customer's mail, and the files an agent sends with a reply.
//
// Files are fetched with the token like any API call and shown through
// blob: URLs; the server serves them as downloads, never as pages.

import { h, add, badge, fmtTime, modal, showError, toast } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { reasonText } from './explain.js';

const enc = encodeURIComponent;
const IMAGES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp'];

// Limits as the API keeps them (triage.MaxAttachments and friends), so
// the agent hears before sending, not after.
export const MAX_FILES = 20;
export const MAX_FILE_BYTES = 25 * 1024 * 1024;
export const MAX_TOTAL_BYTES = 50 * 1024 * 1024;

// fetchFile reads a file's bytes with the page's credential.
async function fetchFile(id, inline) {
  const resp = await fetch('/v1/attachments/' + enc(id) + (inline ? '?inline=1' : ''), {
    headers: api.authHeaders('GET'), cache: 'default',
  });
  if (!resp.ok) {
    const data = await resp.json().catch(() => null);
    throw new api.ApiError(resp.status, (data && data.error) || {});
  }
  return resp.blob();
}

export function sizeText(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(n < 10240 ? 1 : 0) + ' KB';
  return (n / 1024 / 1024).toFixed(1) + ' MB';
}

// download saves a file under its name.
async function download(a) {
  try {
    const blob = await fetchFile(a.id, false);
    const url = URL.createObjectURL(blob);
    const link = h('a', { download: a.name, class: 'hidden-link' });
    link.href = url; // a blob: URL, which safeHref would refuse
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (err) { showError(err); }
}

// attachments lists a message's files; inline images of an HTML mail are
// left to the original view, where they belong.
export function attachments(list) {
  const files = (list || []).filter(a => !a.inline);
  if (!files.length) return null;
  return h('ul', { class: 'attachments', 'aria-label': t('mail.files') }, files.map(a => {
    const name = h('button', { type: 'button', class: 'link-button att-name', title: t('mail.download'), data: { id: a.id } }, a.name);
    name.addEventListener('click', () => download(a));
    const li = h('li', { class: 'attachment', data: { id: a.id } },
      name, ' ',
      h('span', { class: 'muted small' }, sizeText(a.size)));
    if (IMAGES.includes(a.content_type)) {
      const img = h('img', { class: 'thumb', alt: a.name, loading: 'lazy' });
      fetchFile(a.id, true).then(blob => {
        img.src = URL.createObjectURL(blob);
        img.addEventListener('load', () => URL.revokeObjectURL(img.src), { once: true });
      }).catch(() => img.remove());
      img.addEventListener('click', () => download(a));
      add(li, h('div', {}, img));
    }
    return li;
  }));
}

// delivery is the state of a reply's mail, as a badge with its detail.
export function delivery(m) {
  if (!m) return null;
  if (m.direction === 'in') {
    const btn = h('button', { type: 'button', class: 'link-button small', data: { mail: m.id } }, t('mail.original'));
    btn.addEventListener('click', () => showOriginal(m.id));
    return h('span', { class: 'mail-state' }, badge(t('mail.came_in', { from: m.from }), 'badge-mail'), ' ', btn);
  }
  const cls = m.status === 'sent' ? 'badge-ok' : m.status === 'failed' ? 'badge-warn' : '';
  const title = [m.to && m.to.length ? t('mail.to', { to: m.to.join(', ') }) : '', m.sent_at ? fmtTime(m.sent_at) : ''].filter(Boolean).join(' · ');
  const el = h('span', { class: 'mail-state', data: { state: m.status }, title },
    badge(t('mail.state.' + m.status, {}, m.status), 'badge-mail ' + cls));
  if (m.status === 'failed') add(el, ' ', h('span', { class: 'mail-error small' }, reasonText(m.reason), m.error ? ': ' + m.error : ''));
  if (m.status === 'queued' && m.attempts > 0 && m.error) add(el, ' ', h('span', { class: 'muted small' }, t('mail.retrying', { n: m.attempts }), ': ', m.error));
  return el;
}

// failures is a banner for a ticket whose mail to the customer failed.
export function failures(mails) {
  const failed = (mails || []).filter(m => m.direction === 'out' && m.status === 'failed');
  if (!failed.length) return null;
  const last = failed[failed.length - 1];
  return h('div', { class: 'alert alert-warn mail-failed', role: 'alert' },
    t('mail.failed_banner', { n: failed.length }), ' ', reasonText(last.reason), last.error ? ': ' + last.error : '');
}

// showOriginal shows a customer's mail as written, in a frame that runs
// nothing and reaches nothing (sandbox, no scripts, no same origin).
async function showOriginal(id) {
  let o;
  try {
    o = await api.get('/v1/mail/messages/' + enc(id) + '/original');
  } catch (err) { showError(err); return; }
  const head = h('dl', { class: 'facts' },
    h('dt', {}, t('mail.from')), h('dd', {}, o.from.name ? o.from.name + ' <' + o.from.email + '>' : o.from.email),
    h('dt', {}, t('mail.subject')), h('dd', {}, o.subject),
    h('dt', {}, t('mail.date')), h('dd', {}, fmtTime(o.date)));
  let view;
  if (o.html) {
    view = h('iframe', { class: 'mail-original', sandbox: '', title: t('mail.original'), referrerpolicy: 'no-referrer' });
    view.srcdoc = o.html; // sanitised by the API, and sandboxed here
  } else {
    view = h('pre', { class: 'mail-original-text' }, o.text);
  }
  await modal(t('mail.original'), h('div', { class: 'mail-original-box' }, head, view), {});
}

// filePicker is the composer's file field and the list of chosen files.
export function filePicker() {
  const files = [];
  const input = h('input', { type: 'file', multiple: true, id: 'composer-files', class: 'sr-only', 'aria-label': t('mail.attach') });
  const label = h('label', { for: 'composer-files', class: 'btn btn-small', title: t('mail.attach_hint') }, '+ ', t('mail.attach'));
  const list = h('ul', { class: 'chosen-files' });
  const render = () => {
    list.replaceChildren(...files.map((f, i) => {
      const rm = h('button', { type: 'button', class: 'link-button', 'aria-label': t('mail.remove', { name: f.name }) }, '×');
      rm.addEventListener('click', () => { files.splice(i, 1); render(); });
      return h('li', {}, f.name, ' ', h('span', { class: 'muted small' }, sizeText(f.size)), ' ', rm);
    }));
  };
  input.addEventListener('change', () => {
    for (const f of input.files) {
      const total = files.reduce((n, x) => n + x.size, 0) + f.size;
      if (files.length >= MAX_FILES) { toast(t('mail.too_many', { n: MAX_FILES }), 'error'); break; }
      if (f.size > MAX_FILE_BYTES) { toast(t('mail.too_big', { name: f.name, mb: MAX_FILE_BYTES >> 20 }), 'error'); continue; }
      if (total > MAX_TOTAL_BYTES) { toast(t('mail.too_much', { mb: MAX_TOTAL_BYTES >> 20 }), 'error'); continue; }
      files.push(f);
    }
    input.value = '';
    render();
  });
  return {
    el: h('div', { class: 'file-picker' }, input, label, list),
    files: () => files.slice(),
    clear: () => { files.length = 0; render(); },
  };
}

// postWithFiles posts a comment with files as multipart/form-data: the
// JSON in a part named json, each file a part of its own.
export async function postWithFiles(path, body, files) {
  const form = new FormData();
  form.append('json', JSON.stringify(body));
  for (const f of files) form.append('file', f, f.name);
  const resp = await fetch(path, {
    method: 'POST', body: form, cache: 'no-store',
    headers: { ...api.authHeaders('POST'), 'Idempotency-Key': api.newKey(), Accept: 'application/json' },
  });
  const data = await resp.json().catch(() => null);
  if (!resp.ok) throw new api.ApiError(resp.status, (data && data.error) || {});
  return data;
}

// ticketMail reads a ticket's mail; the page works without it.
export async function ticketMail(id, signal) {
  if (!api.can('GET', '/v1/tickets/:id/mail')) return [];
  try {
    return (await api.get('/v1/tickets/' + enc(id) + '/mail', null, { signal })).items || [];
  } catch (err) {
    if (err.name !== 'AbortError') console.warn(err);
    return [];
  }
}
