// The agent's presence in the top bar: 在线 / 离开 / 离线 or 自动 (from
// activity), and a heartbeat a minute while the app is open, so that
// routing gives new tickets only to agents who are at work.

import { h } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';

const HEARTBEAT_MS = 60 * 1000;

let running = null;

/**
 * @param {Element} bar
 */
export function mountPresence(bar) {
  if (running) running.abort();
  if (!api.myAgentId() || !api.exists('PUT', '/v1/presence')) return;
  const controller = new AbortController();
  running = controller;
  const dot = h('span', { class: 'presence-dot', 'aria-hidden': 'true' }, '●');
  const sel = h('select', { id: 'presence-select', class: 'presence-select', 'aria-label': t('presence.title'), title: t('presence.title') },
    ['', 'online', 'away', 'offline'].map(p => h('option', { value: p }, t('presence.choice.' + (p || 'auto')))));
  const wrap = h('span', { class: 'presence', id: 'presence-state' }, dot, sel);
  bar.prepend(wrap);
  const show = a => {
    sel.value = a.presence_override || '';
    wrap.dataset.presence = a.presence;
    dot.title = t('presence.is.' + a.presence);
  };
  const beat = () => api.post('/v1/presence/heartbeat', {}, { signal: controller.signal }).then(show).catch(() => {});
  sel.addEventListener('change', async () => {
    try {
      show(await api.call('PUT', '/v1/presence', { body: { presence: sel.value } }).then(r => r.data));
    } catch {
      beat();
    }
  });
  beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  controller.signal.addEventListener('abort', () => clearInterval(timer));
}
