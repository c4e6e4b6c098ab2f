// Keyboard shortcuts. Agents spend the day in the inbox and on tickets, so
// the frequent actions have single keys (Gmail-style): j/k move, r reply,
// n note, a accept the draft, e edit it, / search, g then a letter to go
// somewhere, ? to list them all. Keys are ignored while typing in a field,
// except Escape (leave the field) and Ctrl+Enter (send), which the pages
// bind on their own fields.

import { h } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';

let pageKeys = [];
let globals = null;
let pendingG = 0;

// setPageKeys replaces the current page's keys: [{key, label, fn}].
export function setPageKeys(list) { pageKeys = list || []; }

function typing(el) {
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

// Each "go to" key is offered only to a role that may use its page: the
// review queue to those who publish, admin to those who administer.
const everyone = () => true;
/** @type {Array<[string, string, string, () => boolean]>} */
const goto = [
  ['i', '/app/inbox', 'keys.go_inbox', everyone],
  ['k', '/app/kb', 'keys.go_kb', everyone],
  ['r', '/app/kb/review', 'keys.go_review', () => ['admin', 'editor'].includes(api.role())],
  ['a', '/app/admin', 'keys.go_admin', () => api.can('POST', '/v1/agents') || api.can('POST', '/v1/dictionary')],
  ['e', '/app/eval', 'keys.go_eval', everyone],
  ['p', '/app/reports', 'keys.go_reports', everyone],
];
const allowedGoto = () => goto.filter(x => x[3]());

export function installShortcuts(g) {
  globals = g;
  document.addEventListener('keydown', ev => {
    if (ev.key === 'Escape' && ev.target instanceof HTMLElement && typing(ev.target)) { ev.target.blur(); return; }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    if (document.querySelector('dialog[open]')) return;
    const key = ev.key;
    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      const hit = allowedGoto().find(x => x[0] === key);
      if (hit) { ev.preventDefault(); globals.navigate(hit[1]); }
      return;
    }
    pendingG = 0;
    if (key === 'g') { pendingG = Date.now(); return; }
    if (key === '?') { ev.preventDefault(); showHelp(); return; }
    if (key === '/') { ev.preventDefault(); globals.focusSearch(); return; }
    const pk = pageKeys.find(x => x.key === key);
    if (pk) { ev.preventDefault(); pk.fn(ev); }
  });
}

export function showHelp() {
  if (document.querySelector('dialog.keys-help')) return;
  const row = (k, label) => h('tr', {}, h('td', {}, ...k.split(' ').map(x => h('kbd', {}, x))), h('td', {}, label));
  const dlg = h('dialog', { class: 'modal keys-help', 'aria-label': t('keys.title') },
    h('h2', {}, t('keys.title')),
    pageKeys.length ? h('h3', {}, t('keys.page')) : null,
    pageKeys.length ? h('table', { class: 'keys' }, h('tbody', {}, pageKeys.map(k => row(k.key, k.label)))) : null,
    h('h3', {}, t('keys.global')),
    h('table', { class: 'keys' }, h('tbody', {},
      row('/', t('keys.search')),
      allowedGoto().map(([k, , label]) => row('g ' + k, t(label))),
      row('?', t('keys.help')),
      row('Ctrl Enter', t('keys.send')),
      row('Esc', t('keys.escape')))),
    h('div', { class: 'modal-actions' }, h('button', { type: 'button', class: 'btn btn-primary', on: { click: () => dlg.close() } }, t('common.close'))));
  dlg.addEventListener('close', () => dlg.remove());
  document.body.appendChild(dlg);
  dlg.showModal();
}
