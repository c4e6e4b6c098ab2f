// DOM helpers. Every string from the API reaches the page as a text node or
// an attribute value set through the DOM, never as markup: h() has no way
// to take HTML, so a ticket that contains "<script>" shows those characters.
// The one exception, an article's server-sanitised html, goes through
// trustedHTML() so it can be found with one grep.

import { t, lang } from './i18n.js';
import { role as myRole } from './api.js';

const SVG = 'http://www.w3.org/2000/svg';

function attach(el, attrs, children, svg) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on') {
      for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    } else if (k === 'text') {
      el.textContent = v;
    } else if (k === 'class') {
      if (svg) el.setAttribute('class', v); else el.className = v;
    } else if (k === 'data') {
      for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = dv;
    } else if (k === 'style') {
      // CSSOM assignments are allowed by the page's CSP; a style
      // attribute written as markup would not be.
      for (const [sk, sv] of Object.entries(v)) el.style.setProperty(sk, sv);
    } else if (!svg && (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected' || k === 'hidden' || k === 'open')) {
      el[k] = v;
    } else if (k === 'href' && !svg) {
      el.setAttribute('href', safeHref(v));
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// h builds an HTML element: h('a', {href: '/app/kb', class: 'x'}, 'text', child).
export function h(tag, attrs, ...children) {
  return attach(document.createElement(tag), attrs, children, false);
}

// s builds an SVG element.
export function s(tag, attrs, ...children) {
  return attach(document.createElementNS(SVG, tag), attrs, children, true);
}

// safeHref lets through our own paths and http(s)/mailto links; anything
// else (javascript:, data:) becomes an inert '#'.
export function safeHref(v) {
  const str = String(v);
  if (str.startsWith('/') && !str.startsWith('//')) return str;
  if (str.startsWith('#')) return str;
  try {
    const u = new URL(str, location.href);
    if (u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'mailto:') return u.href;
  } catch { /* fall through */ }
  return '#';
}

// trustedHTML inserts HTML that the API produced with its sanitiser
// (bluemonday). Nothing else may be passed here.
export function trustedHTML(el, html) {
  const tpl = document.createElement('template');
  tpl.innerHTML = html; // eslint-disable-line no-restricted-properties -- the one place, for HTML the API sanitised
  // Links in articles open outside the app and tell the target nothing.
  for (const a of tpl.content.querySelectorAll('a[href]')) {
    a.setAttribute('rel', 'noopener noreferrer');
    a.setAttribute('target', '_blank');
  }
  el.replaceChildren(tpl.content);
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

// Formatting -------------------------------------------------------------

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(lang(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

// fmtShort is a time for a narrow column: month, day and time, with the
// year only when it is not this year's.
export function fmtShort(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d.getTime())) return '—';
  /** @type {Intl.DateTimeFormatOptions} */
  const opts = { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  if (d.getFullYear() !== new Date().getFullYear()) opts.year = 'numeric';
  return new Intl.DateTimeFormat(lang(), opts).format(d);
}

export function fmtDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d.getTime()) ? '—' : new Intl.DateTimeFormat(lang(), { dateStyle: 'medium' }).format(d);
}

// ago says how long ago, in the UI's language: "3 小时前", "3 hours ago".
export function ago(iso) {
  if (!iso) return '—';
  const secs = (new Date(iso).getTime() - Date.now()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(lang(), { numeric: 'auto' });
  const abs = Math.abs(secs);
  if (abs < 60) return rtf.format(Math.round(secs), 'second');
  if (abs < 3600) return rtf.format(Math.round(secs / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(secs / 3600), 'hour');
  if (abs < 86400 * 30) return rtf.format(Math.round(secs / 86400), 'day');
  return fmtDate(iso);
}

export function timeEl(iso) {
  return h('time', { datetime: iso || '', title: fmtTime(iso) }, ago(iso));
}

export function pct(x, digits = 0) {
  if (x === null || x === undefined || isNaN(x)) return '—';
  return (x * 100).toFixed(digits) + '%';
}

export function num(x, digits = 2) {
  if (x === null || x === undefined || isNaN(x)) return '—';
  return Number(x).toFixed(digits);
}

// Feedback on the page -----------------------------------------------------

let toastBox;

// toast shows a short message that goes away by itself; errors stay until
// closed, because a person has to read them.
export function toast(msg, kind = 'ok') {
  if (!toastBox) {
    toastBox = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.appendChild(toastBox);
  }
  const close = h('button', { class: 'toast-close', type: 'button', 'aria-label': t('common.close'), text: '×' });
  const el = h('div', { class: 'toast toast-' + kind }, h('span', { class: 'toast-msg' }, msg), close);
  close.addEventListener('click', () => el.remove());
  toastBox.appendChild(el);
  if (kind !== 'error') setTimeout(() => el.remove(), 4000);
  return el;
}

// errorText is what a person reads about an API error: what the code
// means in their language, the server's own message, and the request id
// to quote to an admin.
export function errorText(err) {
  if (!err) return '';
  if (err.code) {
    const title = t('error.' + err.code, {}, '');
    const parts = [title || err.code];
    // A refusal by role is said in the reader's language alone: the
    // server's sentence names routes, which mean nothing to an agent.
    if (err.message && err.message !== title && err.code !== 'forbidden') parts.push(err.message);
    if (err.allowed && err.allowed.length) parts.push(t('error.allowed', { list: err.allowed.join(', ') }));
    return parts.join(' — ');
  }
  return err.message || String(err);
}

export function errorBox(err) {
  if (err && err.code === 'forbidden') {
    // A page the role may not use: say so, and whom to ask, in words.
    const role = myRole();
    return h('div', { class: 'alert alert-info forbidden-page', role: 'alert' },
      h('strong', {}, t('error.forbidden_page_title')), ' ',
      t('error.forbidden_page', { role: role ? t('role.' + role, {}, role) : '' }), ' ',
      h('a', { href: '/app/inbox' }, t('nav.inbox')));
  }
  return h('div', { class: 'alert alert-error', role: 'alert' },
    h('strong', {}, t('common.error')), ' ', errorText(err),
    err && err.requestId ? h('span', { class: 'muted small' }, ' (' + t('error.request_id') + ' ' + err.requestId + ')') : null);
}

export function showError(err) {
  toast(errorText(err) + (err && err.requestId ? ' (' + err.requestId + ')' : ''), 'error');
}

// fileField shows a file input as a button in the page's language
// (选择文件) and the chosen file's name: the browser's own control says
// "Choose File" in its own. The input stays in the page, visually hidden,
// so the keyboard and screen readers reach it under its form label; the
// button-like label is only for the mouse and the eye (aria-hidden, or
// the input's name would say it twice).
/** @param {HTMLInputElement} input */
export function fileField(input) {
  input.classList.add('sr-only');
  const name = h('span', { class: 'file-name muted small' }, t('file.none'));
  input.addEventListener('change', () => {
    const files = Array.from(input.files || []);
    name.textContent = files.length ? files.map(f => f.name).join('、') : t('file.none');
  });
  // The input last: a field error (markFieldError) goes after it, at
  // the end of the row.
  return h('span', { class: 'file-field' },
    h('label', { for: input.id, class: 'btn btn-small', 'aria-hidden': 'true' }, t('file.choose')),
    name, input);
}

export function empty(msg, ...extra) {
  return h('div', { class: 'empty' }, h('p', {}, msg), ...extra);
}

export function loading() {
  return h('div', { class: 'loading', 'aria-busy': 'true' }, t('common.loading'));
}

// Small components ------------------------------------------------------------

export function badge(text, cls = '') {
  return h('span', { class: 'badge ' + cls }, text);
}

export function priorityBadge(p) {
  return h('span', { class: 'badge prio prio-' + (p || 'none'), title: t('priority.' + p, {}, p) }, p || '—');
}

export function statusBadge(st) {
  return h('span', { class: 'badge status status-' + st }, t('status.' + st, {}, st));
}

// confidenceBar draws a confidence as a labelled bar; colour says whether
// a person should look twice.
export function confidenceBar(x) {
  const v = Math.max(0, Math.min(1, Number(x) || 0));
  const level = v >= 0.8 ? 'high' : v >= 0.5 ? 'mid' : 'low';
  const fill = h('span', { class: 'bar-fill bar-' + level });
  fill.style.width = (v * 100).toFixed(0) + '%';
  return h('span', { class: 'confidence', title: t('triage.confidence') + ' ' + pct(v, 1) },
    h('span', { class: 'bar', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': (v * 100).toFixed(0), 'aria-label': t('triage.confidence') }, fill),
    h('span', { class: 'bar-label' }, pct(v)));
}

// field wraps a form control with its label and a place for its error.
export function field(label, control, hint) {
  const id = control.id || ('f' + Math.random().toString(36).slice(2, 9));
  control.id = id;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('div', { class: 'hint' }, hint) : null);
}

export function select(options, value, attrs = {}) {
  const el = h('select', attrs);
  for (const o of options) {
    const [v, label] = Array.isArray(o) ? o : [o, o];
    el.appendChild(h('option', { value: v, selected: v === value }, label));
  }
  el.value = value ?? '';
  return el;
}

// markFieldError puts the API's field error next to the control it names,
// when the form has one with that name.
export function markFieldError(form, err) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  if (!err || !err.field) return false;
  const ctl = form.querySelector(`[name="${CSS.escape(err.field)}"]`);
  if (!ctl) return false;
  ctl.setAttribute('aria-invalid', 'true');
  ctl.insertAdjacentElement('afterend', h('div', { class: 'field-error', role: 'alert' }, errorText(err)));
  ctl.focus();
  return true;
}

// modal opens a dialog; it resolves with what the body's onsubmit returns,
// or null when dismissed.
/**
 * @param {string} title
 * @param {Node} body
 * @param {{ submitLabel?: string, danger?: boolean }} [options]
 * @returns {Promise<Record<string, string> | null>}
 */
export function modal(title, body, { submitLabel, danger } = {}) {
  return new Promise(resolve => {
    const dlg = h('dialog', { class: 'modal', 'aria-label': title });
    const form = h('form', { method: 'dialog', class: 'modal-form' },
      h('h2', {}, title),
      body,
      h('div', { class: 'modal-actions' },
        h('button', { type: 'button', class: 'btn', value: 'cancel', on: { click: () => { dlg.close(); } } }, t('common.cancel')),
        submitLabel ? h('button', { type: 'submit', class: 'btn ' + (danger ? 'btn-danger' : 'btn-primary'), value: 'ok' }, submitLabel) : null));
    let result = null;
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      result = Object.fromEntries(new FormData(form).entries());
      dlg.close();
    });
    dlg.addEventListener('close', () => { dlg.remove(); resolve(result); });
    dlg.appendChild(form);
    document.body.appendChild(dlg);
    dlg.showModal();
    const first = form.querySelector('input, textarea, select');
    if (first) first.focus();
  });
}

export async function confirmDialog(title, text, label, danger = true) {
  const r = await modal(title, h('p', {}, text), { submitLabel: label, danger });
  return r !== null;
}

// busy disables a button while an action runs, so a double click does not
// send twice (POSTs also carry an Idempotency-Key, for the network's sake).
export async function busy(btn, fn) {
  if (btn.disabled) return;
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
  }
}

// stack lets a wide table read as a list of cards on a phone: each cell
// is labelled with its column's heading, which the stylesheet shows in
// front of it when the table is too narrow for its columns.
export function stack(table) {
  const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  table.classList.add('stack');
  for (const tr of table.querySelectorAll('tbody tr')) {
    [...tr.children].forEach((cell, i) => { if (heads[i]) cell.dataset.label = heads[i]; });
  }
  return table;
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// add appends children to el the way h() does: arrays are flattened and
// null, undefined and false are skipped (the DOM's own append would show
// them as the text "null").
export function add(el, ...children) {
  append(el, children);
  return el;
}
