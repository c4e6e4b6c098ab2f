// The WeChat channel on a ticket page: whether a public reply can still
// reach the customer on WeChat (48 hours after their last message, five
// replies), told before the agent writes, with another channel offered;
// and each comment's WeChat delivery state.

import { h, badge, fmtTime } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { reasonText } from './explain.js';

// banner is the reply window's notice for a WeChat ticket, or null.
export async function banner(ticket) {
  if (!ticket || ticket.channel !== 'wechat' || !api.can('GET', '/v1/tickets/:id/wechat')) return null;
  const st = await api.get('/v1/tickets/' + encodeURIComponent(ticket.id) + '/wechat');
  if (!st.customer) return null;
  if (st.can_send) {
    return h('p', { class: 'wechat-window muted small', data: { can: 'true' } },
      t('wechat.window_open', { until: fmtTime(st.until), n: st.remaining }));
  }
  const req = ticket.requester || {};
  const other = [req.phone ? t('wechat.other_phone', { phone: req.phone }) : '', req.email ? t('wechat.other_email', { email: req.email }) : '']
    .filter(Boolean).join(t('wechat.or'));
  return h('div', { class: 'alert alert-warn wechat-window', role: 'status', data: { can: 'false', reason: st.reason } },
    h('strong', {}, t('wechat.reason.' + st.reason, { until: st.until ? fmtTime(st.until) : '' }, st.reason)), ' ',
    other ? t('wechat.offer_other', { other }) : t('wechat.offer_note'));
}

// refusal is what an agent reads when a reply was refused for WeChat's
// window, in their language.
export function refusal(err) {
  if (!err || err.field !== 'wechat') return '';
  const reason = (err.allowed || [])[0] || '';
  return t('wechat.reason.' + reason, { until: '' }, err.message) + ' ' + t('wechat.offer_note');
}

// delivery is a comment's WeChat state as a badge.
export function delivery(w) {
  if (!w) return null;
  if (w.direction === 'in') return h('span', { class: 'mail-state' }, badge(t('wechat.came_in'), 'badge-mail'));
  const cls = w.status === 'sent' ? 'badge-ok' : w.status === 'failed' ? 'badge-warn' : '';
  const el = h('span', { class: 'mail-state wechat-state', data: { state: w.status }, title: w.sent_at ? fmtTime(w.sent_at) : '' },
    badge(t('wechat.state.' + w.status, {}, w.status), 'badge-mail ' + cls));
  if (w.status === 'failed' && w.reason) el.append(' ', h('span', { class: 'mail-error small' }, reasonText(w.reason)));
  return el;
}
