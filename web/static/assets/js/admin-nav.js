// The admin area's sub-navigation, shared by its pages. A section shows
// when this token may read it; sections whose API this server does not
// have yet still show, and say so, so an admin knows they are coming.

import { h, add } from './dom.js';
import { t } from './i18n.js';

export const SECTIONS = [
  ['agents', 'admin.agents'],
  ['teams', 'admin.teams'],
  ['rules', 'admin.rules'],
  ['macros', 'admin.macros'],
  ['dictionary', 'admin.dictionary'],
  ['models', 'admin.models'],
  ['sla', 'admin.sla'],
  ['calendars', 'admin.calendars'],
  ['webhooks', 'admin.webhooks'],
  ['mailboxes', 'admin.mailboxes'],
  ['templates', 'admin.templates'],
  ['mail', 'admin.mail'],
  ['wechat', 'admin.wechat'],
  ['tokens', 'admin.tokens'],
  ['accounts', 'admin.accounts'],
  ['automations', 'admin.automations'],
  ['imports', 'admin.imports'],
  ['help', 'admin.help'],
  ['deflection', 'admin.deflection'],
];

export function adminNav(active) {
  return h('nav', { class: 'subnav', 'aria-label': t('nav.admin') }, SECTIONS.map(([k, label]) =>
    h('a', { href: '/app/admin/' + k, class: k === active ? 'active' : '', 'aria-current': k === active ? 'page' : null }, t(label))));
}

export function adminPage(ctx, section, ...actions) {
  ctx.title(t('admin.' + section));
  const body = h('div', { class: 'admin-body' });
  const nav = adminNav(section);
  add(ctx.main, 
    h('div', { class: 'admin-layout' },
      nav,
      h('div', { class: 'admin-content' },
        h('div', { class: 'page-head' }, h('h1', {}, t('admin.' + section)), h('div', { class: 'actions' }, ...actions)),
        body)));
  // On a phone the sections scroll sideways: bring this one into view.
  requestAnimationFrame(() => {
    const a = nav.querySelector('.active');
    if (!a || nav.scrollWidth <= nav.clientWidth) return;
    const off = a.getBoundingClientRect().right - nav.getBoundingClientRect().right;
    if (off > 0) nav.scrollLeft += off + 24;
  });
  return body;
}

// listInput turns "a, b，c" into ['a','b','c'], for skills, tags and words.
export function listInput(v) {
  return String(v || '').split(/[,，、\n]+/).map(x => x.trim()).filter(Boolean);
}
