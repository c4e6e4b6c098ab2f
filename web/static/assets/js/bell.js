// The notification centre: a bell in the top bar with the unread count,
// a panel listing what happened to the person (assigned to you, the
// customer replied, SLA warning and breach, @mention), live from the
// /v1/events stream.

import { h, add, clear, timeEl } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { subscribe } from './live.js';

let running = null; // the AbortController of the current shell's stream

/**
 * mountBell puts the bell into the shell's action bar.
 * @param {Element} bar
 * @param {(path: string) => void} navigate
 */
export function mountBell(bar, navigate) {
  if (running) running.abort();
  if (!api.myAgentId() || !api.exists('GET', '/v1/notifications')) return;
  const controller = new AbortController();
  running = controller;
  const count = h('span', { class: 'bell-count', id: 'bell-count', hidden: true });
  const bell = h('button', { type: 'button', class: 'btn btn-ghost bell', id: 'bell', 'aria-expanded': 'false', title: t('notif.title') }, t('notif.title'), count);
  const list = h('ul', { class: 'notif-list' });
  const readAll = h('button', { type: 'button', class: 'btn btn-ghost small', id: 'notif-read-all' }, t('notif.read_all'));
  const panel = h('div', { class: 'notif-panel card', id: 'notif-panel', hidden: true, role: 'dialog', 'aria-label': t('notif.title') },
    h('div', { class: 'notif-head' }, h('strong', {}, t('notif.title')), readAll), list);
  const wrap = h('div', { class: 'bell-wrap' }, bell, panel);
  bar.prepend(wrap);

  const setCount = n => { count.hidden = !n; count.textContent = n > 99 ? '99+' : String(n); };
  const item = n => {
    const li = h('li', { class: 'notif' + (n.read_at ? '' : ' unread'), data: { kind: n.kind, id: n.id, ticket: n.ticket_id } },
      h('a', { href: '/app/tickets/' + encodeURIComponent(n.ticket_id) },
        h('span', { class: 'notif-what' }, t('notif.kind.' + n.kind, { who: n.actor ? api.agentName(n.actor) : '', metric: t('notif.metric.' + (n.detail || 'any'), {}, n.detail) })),
        h('span', { class: 'notif-ticket' }, n.ticket_title),
        timeEl(n.created_at)));
    li.querySelector('a').addEventListener('click', async ev => {
      ev.preventDefault();
      if (!n.read_at) await api.post('/v1/notifications/read', { ids: [n.id] }).catch(() => null);
      close();
      load();
      navigate('/app/tickets/' + encodeURIComponent(n.ticket_id));
    });
    return li;
  };
  const load = async () => {
    try {
      const r = await api.get('/v1/notifications', null, { signal: controller.signal });
      setCount(r.unread);
      clear(list);
      if (!r.items.length) add(list, h('li', { class: 'muted' }, t('notif.empty')));
      for (const n of r.items) add(list, item(n));
    } catch { /* the next event loads it again */ }
  };
  const close = () => { panel.hidden = true; bell.setAttribute('aria-expanded', 'false'); };
  bell.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    bell.setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) load();
  });
  readAll.addEventListener('click', async () => {
    await api.post('/v1/notifications/read', { all: true }).catch(() => null);
    load();
  });
  load();
  subscribe(controller.signal, (kind, ev) => {
    if (kind !== 'notification' || !ev.notification) return;
    setCount(ev.unread);
    if (!panel.hidden) load();
    else bell.classList.add('ring');
  });
}
