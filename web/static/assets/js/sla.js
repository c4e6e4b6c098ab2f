// SLA clocks for the inbox and the ticket page, and the satisfaction
// survey of a solved ticket.

import { h, add, badge, fmtTime, busy, toast, showError } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { reasonText } from './explain.js';

// RISK_WINDOW is how close to its due time a running clock counts as at
// risk when its policy sets no warning.
const RISK_WINDOW = 60 * 60 * 1000;

export function ticketAvailable() {
  return api.can('GET', '/v1/tickets/:id/sla');
}

// state sums up a ticket's clocks: the worst one decides. Levels, worst
// first: breached, risk, ok (running), paused, met, none.
export function state(view, now = Date.now()) {
  const targets = (view && view.targets) || [];
  let worst = { level: 'none', target: null, due: Infinity };
  const rank = { breached: 0, risk: 1, ok: 2, paused: 3, met: 4, none: 5 };
  for (const tg of targets) {
    const due = tg.due_at ? new Date(tg.due_at).getTime() : Infinity;
    let level;
    if (tg.status === 'breached') level = tg.met_at ? 'met_late' : 'breached';
    else if (tg.status === 'met') level = 'met';
    else if (tg.status === 'paused') level = 'paused';
    else if (tg.warn_at ? new Date(tg.warn_at).getTime() <= now : due - now <= RISK_WINDOW) level = 'risk';
    else level = 'ok';
    // A target met late was breached, but nothing can be done about it
    // any more: it counts for reports, not for the queue.
    const r = level === 'met_late' ? rank.met : rank[level];
    // It still reads as breached (已超时), never as met (已达标).
    const wr = worst.level === 'met_late' ? rank.met : rank[worst.level];
    if (r < wr || (r === wr && due < worst.due)) worst = { level, target: tg, due };
  }
  return worst;
}

// atRisk returns the unsolved tickets whose clocks are breached or close
// to it, most urgent first. There is no list route for that yet, so it
// asks each unsolved ticket for its clocks, a few at a time.
export async function atRisk(params, cursor, signal) {
  if (cursor) return { items: [] };
  if (!ticketAvailable()) return fallback(params, signal);
  const page = await api.get('/v1/tickets', { ...params, limit: 200 }, { signal });
  const tickets = page.items || [];
  const views = new Array(tickets.length);
  let next = 0;
  const worker = async () => {
    while (next < tickets.length) {
      const i = next++;
      views[i] = await api.get('/v1/tickets/' + encodeURIComponent(tickets[i].id) + '/sla', null, { signal }).catch(err => {
        if (err.name === 'AbortError') throw err;
        return null;
      });
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  const now = Date.now();
  const rows = tickets.map((tk, i) => ({ tk, view: views[i], st: state(views[i], now) }))
    .filter(r => r.st.level === 'breached' || r.st.level === 'risk')
    .sort((a, b) => (a.st.level === b.st.level ? a.st.due - b.st.due : a.st.level === 'breached' ? -1 : 1));
  const sla = {};
  for (const r of rows) sla[r.tk.id] = r.view;
  return { items: rows.map(r => r.tk), sla, next_cursor: '', partial: !!page.next_cursor };
}

async function fallback(params, signal) {
  const base = { ...params, priority: '', limit: 200 };
  const [p1, p2] = await Promise.all([
    api.get('/v1/tickets', { ...base, priority: 'P1' }, { signal }),
    api.get('/v1/tickets', { ...base, priority: 'P2' }, { signal }),
  ]);
  const items = [...(p1.items || []), ...(p2.items || [])]
    .sort((a, b) => a.priority.localeCompare(b.priority) || a.created_at.localeCompare(b.created_at));
  return { items, next_cursor: '', fallback: true };
}

export async function forTicket(id, signal) {
  if (!ticketAvailable()) return null;
  try {
    return await api.get('/v1/tickets/' + encodeURIComponent(id) + '/sla', null, { signal });
  } catch (err) {
    if (err.status === 404 || err.status === 503) return null;
    throw err;
  }
}

// chip is one badge for a ticket's worst clock: what is due and when.
export function chip(view) {
  const st = state(view);
  if (st.level === 'none') return null;
  const tg = st.target;
  let text = t('sla.metric.' + tg.metric, {}, tg.metric) + ' · ';
  if (st.level === 'breached' || st.level === 'met_late') text += t('sla.breached');
  else if (st.level === 'met') text += t('sla.met');
  else if (st.level === 'paused') text += t('sla.paused');
  else text += dueText(tg.due_at);
  return h('span', { class: 'badge sla sla-' + (st.level === 'met_late' ? 'breached' : st.level), title: t('sla.policy') + ' ' + (view.policy_name || '') }, text);
}

export function dueText(iso) {
  if (!iso) return '';
  const mins = Math.round((new Date(iso).getTime() - Date.now()) / 60000);
  const abs = Math.abs(mins);
  const text = abs < 60 ? t('sla.minutes', { n: abs }) : abs < 1440 ? t('sla.hours', { n: (abs / 60).toFixed(1) }) : t('sla.days', { n: (abs / 1440).toFixed(1) });
  return mins >= 0 ? t('sla.due_in', { d: text }) : t('sla.overdue_by', { d: text });
}

// duration turns Go's "1h30m0s" into "1 小时 30 分".
export function duration(s) {
  if (!s) return '—';
  const m = String(s).match(/^(?:(\d+)h)?(?:(\d+)m)?(?:([\d.]+)s)?$/);
  if (!m) return s;
  const parts = [];
  if (m[1] && m[1] !== '0') parts.push(t('sla.h', { n: m[1] }));
  if (m[2] && m[2] !== '0') parts.push(t('sla.m', { n: m[2] }));
  if (!parts.length && m[3] && Number(m[3]) > 0) parts.push(t('sla.s', { n: String(Math.round(Number(m[3]))) }));
  if (!parts.length) parts.push(t('sla.m', { n: 0 }));
  return parts.join(' ');
}

const nw = text => h('span', { class: 'nw' }, text);

// panel lists a ticket's clocks for its page.
export function panel(view) {
  const targets = (view && view.targets) || [];
  if (!view || !view.policy_id) return h('p', { class: 'muted small' }, t('sla.no_policy'));
  return h('div', { class: 'sla-panel' },
    h('div', { class: 'muted small' }, t('sla.policy'), ' ', view.policy_name || view.policy_id),
    h('ul', { class: 'plain sla-targets' }, targets.map(tg => {
      const st = state({ targets: [tg] });
      return h('li', {},
        h('strong', {}, t('sla.metric.' + tg.metric, {}, tg.metric), tg.cycle ? ' #' + tg.cycle : ''), ' ',
        badge(t('sla.' + st.level), 'sla sla-' + (st.level === 'met_late' ? 'breached' : st.level)), ' ',
        h('span', { class: 'small' }, t('sla.target', { d: duration(tg.target) })),
        // Each part stays on one line, so a narrow column breaks between
        // them, never inside "59 分".
        h('div', { class: 'muted small' },
          tg.met_at ? nw(t('sla.met_at', { at: fmtTime(tg.met_at) })) : tg.due_at ? [nw(t('sla.due_at', { at: fmtTime(tg.due_at) })), ' · ', nw(dueText(tg.due_at))] : t('sla.paused_note'),
          tg.remaining ? [' · ', nw(t('sla.remaining', { d: duration(tg.remaining) }))] : null));
    })));
}

// survey shows a solved ticket's satisfaction survey, and lets a worker
// send a new link.
export async function survey(box, ticket, onChange) {
  if (!api.can('GET', '/v1/tickets/:id/csat') || (ticket.status !== 'solved' && ticket.status !== 'closed')) return;
  let sv;
  try {
    sv = await api.get('/v1/tickets/' + encodeURIComponent(ticket.id) + '/csat');
  } catch {
    return; // a survey is an extra; the ticket page works without it
  }
  const row = h('div', { class: 'csat' }, h('span', { class: 'muted' }, t('csat.title'), ': '));
  if (sv.status === 'answered') {
    add(row, h('span', { class: 'stars', title: sv.rating + '/5' }, '★'.repeat(sv.rating) + '☆'.repeat(5 - sv.rating)), sv.comment ? h('div', { class: 'small' }, '“', sv.comment, '”') : null);
  } else {
    // "Sent" only when the mail server took the survey's mail.
    const m = sv.mail;
    if (m && sv.status === 'open') {
      add(row, h('span', { class: 'csat-mail', data: { state: m.status } }, t('csat.mail.' + m.status, { reason: reasonText(m.reason), error: m.error || '' }, m.status)), ' ');
    } else {
      add(row, t('csat.status.' + sv.status, {}, sv.status), ' ');
    }
    // A new link goes to the requester by mail, never to the person who
    // asked for it: the answer holds no link, and the row then shows the
    // mail's state.
    if (api.can('POST', '/v1/tickets/:id/csat')) {
      const b = h('button', { type: 'button', class: 'btn btn-small csat-resend' }, t(sv.status === 'none' ? 'csat.send' : 'csat.resend'));
      b.addEventListener('click', () => busy(b, async () => {
        try {
          await api.post('/v1/tickets/' + encodeURIComponent(ticket.id) + '/csat');
          toast(t('csat.sent'));
          box.replaceChildren();
          await survey(box, ticket);
          if (onChange) onChange();
        } catch (err) { showError(err); }
      }));
      add(row, b);
    }
  }
  add(box, row);
}
