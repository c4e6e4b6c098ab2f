// Working a ticket together: who else has it open and who is writing a
// reply (a heartbeat to PUT /v1/tickets/{id}/viewers/me every few
// seconds), the ticket updating live when someone else changes it (the
// /v1/events stream), and a question before a reply goes out over a newer
// one by someone else.

import { h, add, clear } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { subscribe } from './live.js';

const BEAT_MS = 5000;

/**
 * @param {any} ctx the page's context
 * @param {{ id: string, anchor: Element, version: () => number, onChange: () => Promise<void> }} opts
 */
export function watchTicket(ctx, { id, anchor, version, onChange }) {
  const path = '/v1/tickets/' + encodeURIComponent(id);
  const box = h('div', { class: 'presence', id: 'presence', 'aria-live': 'polite' });
  const ask = h('div', { id: 'collision' });
  anchor.after(box);
  let typing = false;
  let typingSince = '';
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
      if (now && !typingSince) typingSince = new Date().toISOString();
      if (!now) typingSince = '';
      if (now !== typing) { typing = now; beat(); }
    },
    // confirmSend resolves true when the reply may go: nobody else replied
    // since the caller began writing, or the caller, told who did, chose
    // to send anyway.
    async confirmSend(composerBox) {
      const since = typingSince;
      if (!since) return true;
      let newer;
      try {
        const cs = await api.get(path + '/comments');
        const me = api.myAgentId();
        newer = (cs.items || []).filter(c => c.public && !c.from_requester && c.author_id && c.author_id !== me && c.created_at > since);
      } catch {
        return true;
      }
      if (!newer.length) return true;
      const who = api.agentName(newer[newer.length - 1].author_id);
      return new Promise(resolve => {
        const yes = h('button', { type: 'button', class: 'btn btn-primary', id: 'send-anyway' }, t('live.send_anyway'));
        const no = h('button', { type: 'button', class: 'btn', id: 'send-cancel' }, t('live.cancel'));
        const done = ok => { clear(ask); ask.remove(); if (ok) typingSince = ''; resolve(ok); };
        yes.addEventListener('click', () => done(true));
        no.addEventListener('click', async () => { await onChange(); typingSince = new Date().toISOString(); done(false); });
        add(clear(ask), h('div', { class: 'collision', role: 'alertdialog' }, h('span', {}, t('live.newer_reply', { who })), yes, no));
        composerBox.prepend(ask);
      });
    },
  };
}
