// Working a ticket together: who else has it open and who is writing a
// reply (a heartbeat to PUT /v1/tickets/{id}/viewers/me every few
// seconds), the ticket updating live when someone else changes it (the
// /v1/events stream), and a question before a reply goes out over a newer
// one by someone else: the reply names the newest comment the page showed
// when the agent began writing (written_after), the server refuses it
// (412, ticket.newer_reply) when another agent replied since, and the
// agent, told who, sends it anyway (force) or not.

import { h, add, clear } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { subscribe } from './live.js';

const BEAT_MS = 5000;

/**
 * @param {any} ctx the page's context
 * @param {{ id: string, anchor: Element, version: () => number, lastComment: () => string, onChange: () => Promise<void> }} opts
 */
export function watchTicket(ctx, { id, anchor, version, lastComment, onChange }) {
  const path = '/v1/tickets/' + encodeURIComponent(id);
  const box = h('div', { class: 'presence', id: 'presence', 'aria-live': 'polite' });
  const ask = h('div', { id: 'collision' });
  anchor.after(box);
  let typing = false;
  /** @type {string | null} the newest comment shown when the caller began writing */
  let seen = null;
  let timer = 0;
  let gone = false;

  const show = viewers => {
    clear(box);
    for (const v of viewers) {
      const who = api.agentName(v.agent_id);
      add(box, h('span', { class: 'who-chip' + (v.typing ? ' typing' : ''), data: { agent: v.agent_id } },
        t(v.typing ? 'live.typing' : 'live.viewing', { who })));
    }
  };
  const beat = async (leaving = false) => {
    clearTimeout(timer);
    try {
      const r = await api.call('PUT', path + '/viewers/me', { body: { typing, leaving } });
      if (!leaving && !gone) show((r.data && r.data.items) || []);
    } catch { /* presence is best effort; the next beat tries again */ }
    if (!leaving && !gone) timer = setTimeout(() => beat(), BEAT_MS);
  };
  beat();
  ctx.onLeave(() => { gone = true; clearTimeout(timer); beat(true); });

  subscribe(ctx.signal, async (kind, ev) => {
    if (kind !== 'ticket' || !ev.ticket || ev.ticket.id !== id) return;
    if (ev.ticket.version === version() && ev.op !== 'update') return;
    await onChange();
  }, up => { ctx.main.dataset.live = up ? '1' : '0'; });

  return {
    // typing tells the others whether the caller is writing a reply.
    typing(now) {
      if (now && seen === null) seen = lastComment();
      if (!now) seen = null;
      if (now !== typing) { typing = now; beat(); }
    },
    // writtenAfter is what a reply says it was written after: the newest
    // comment shown when the caller began writing, else the newest shown.
    writtenAfter() {
      return seen !== null ? seen : lastComment();
    },
    // askNewer tells the caller that author replied after they began
    // writing and resolves true when they choose to send anyway; on no,
    // the page shows the newer reply and their text stays.
    askNewer(composerBox, author) {
      const who = api.agentName(author);
      return new Promise(resolve => {
        const yes = h('button', { type: 'button', class: 'btn btn-primary', id: 'send-anyway' }, t('live.send_anyway'));
        const no = h('button', { type: 'button', class: 'btn', id: 'send-cancel' }, t('live.cancel'));
        const done = ok => { clear(ask); ask.remove(); resolve(ok); };
        yes.addEventListener('click', () => done(true));
        no.addEventListener('click', async () => { await onChange(); seen = lastComment(); done(false); });
        add(clear(ask), h('div', { class: 'collision', role: 'alertdialog' }, h('span', {}, t('live.newer_reply', { who })), yes, no));
        composerBox.prepend(ask);
      });
    },
  };
}
