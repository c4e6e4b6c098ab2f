// Related tickets on the ticket page: probable duplicates (the service
// links a new ticket to the same customer's open ticket with nearly the
// same text) and merges, from GET /v1/tickets/{id}/links, with the merge
// action: POST /v1/tickets/{id}/merge moves the comments to the survivor
// and closes the merged ticket pointing at it. Merging cannot be undone,
// so it always asks first, naming both tickets.

import { h, add, clear, errorBox, statusBadge, badge, busy, showError, toast, modal, confirmDialog, field, timeEl } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { reasonsText } from './explain.js';

const REL = {
  duplicate_of: 'links.duplicate_of',
  has_duplicate: 'links.has_duplicate',
  merged_into: 'links.merged_into',
  merged_from: 'links.merged_from',
};

const tpath = id => '/v1/tickets/' + encodeURIComponent(id);

export function canMerge() {
  return api.can('POST', '/v1/tickets/:id/merge');
}

// loadLinks reads a ticket's links; null when this server has no such
// route, so the page leaves the panel out.
export async function loadLinks(id, signal) {
  if (!api.exists('GET', '/v1/tickets/:id/links')) return null;
  try {
    return (await api.get(tpath(id) + '/links', null, { signal })).items || [];
  } catch (err) {
    if (err.status === 404 || err.status === 501) return null;
    throw err;
  }
}

// mergedBanner tops a ticket that was merged: the conversation goes on in
// the survivor.
export function mergedBanner(ticket, links) {
  if (!ticket.merged_into) return null;
  const l = (links || []).find(x => x.relation === 'merged_into' && x.ticket_id === ticket.merged_into);
  return h('div', { class: 'alert alert-info merged-banner', role: 'status' },
    t('links.banner'), ' ',
    h('a', { href: '/app/tickets/' + encodeURIComponent(ticket.merged_into), class: 'merged-into' }, l && l.title ? l.title : ticket.merged_into),
    l ? [' ', statusBadge(l.status)] : null);
}

// renderLinks fills the panel. merge(src, into) runs a merge after asking.
export function renderLinks(box, { ticket, links, error, merge }) {
  clear(box);
  const mayMerge = canMerge() && !ticket.merged_into && !api.isFinal(ticket);
  const other = mayMerge ? h('button', { type: 'button', class: 'btn btn-small', id: 'merge-other' }, t('links.merge_other')) : null;
  if (other) other.addEventListener('click', () => busy(other, () => askTarget(ticket, links, merge)));
  add(box, h('div', { class: 'panel-head' }, h('h2', {}, t('links.title')), other));
  if (error) { add(box, errorBox(error)); return; }
  // A duplicate that was then merged shows once, as the merge.
  const merged = new Set(links.filter(l => l.relation === 'merged_into' || l.relation === 'merged_from').map(l => l.ticket_id));
  links = links.filter(l => !((l.relation === 'duplicate_of' || l.relation === 'has_duplicate') && merged.has(l.ticket_id)));
  if (!links.length) { add(box, h('p', { class: 'muted small' }, t('links.none'))); return; }
  add(box, h('ul', { class: 'link-list' }, links.map(l => {
    let act = null;
    if (canMerge() && !ticket.merged_into && !api.isFinal(ticket) && !api.isFinal(l.status)) {
      if (l.relation === 'duplicate_of') act = button(t('links.merge_into_it'), () => merge(ticket.id, l.ticket_id));
      if (l.relation === 'has_duplicate') act = button(t('links.merge_here'), () => merge(l.ticket_id, ticket.id));
    }
    const dup = l.relation === 'duplicate_of' || l.relation === 'has_duplicate';
    return h('li', { class: 'link-item', data: { relation: l.relation, id: l.ticket_id } },
      h('div', { class: 'link-head' },
        badge(t(REL[l.relation] || '', {}, l.relation), dup ? 'badge-warn' : 'badge-src'),
        h('a', { href: '/app/tickets/' + encodeURIComponent(l.ticket_id), class: 'link-title' }, l.title || l.ticket_id),
        statusBadge(l.status)),
      h('div', { class: 'muted small' },
        dup && l.score ? t('links.score', { s: Number(l.score).toFixed(2) }) + ' · ' : '',
        l.actor && !l.actor.startsWith('system') ? api.actorName(l.actor) + ' · ' : '', timeEl(l.created_at)),
      l.why && l.why.length ? h('div', { class: 'link-why small' }, reasonsText(l.why)) : null,
      act ? h('div', { class: 'actions' }, act) : null);
  })));
}

function button(label, fn) {
  const b = h('button', { type: 'button', class: 'btn btn-small', data: { act: 'merge' } }, label);
  b.addEventListener('click', () => busy(b, fn));
  return b;
}

// askTarget asks which ticket this one merges into: a probable duplicate
// it is linked to, or any ticket by its id (or its address, pasted).
async function askTarget(ticket, links, merge) {
  const cands = links.filter(l => (l.relation === 'duplicate_of' || l.relation === 'has_duplicate') && open(l.status));
  const input = h('input', { name: 'into', required: true, autocomplete: 'off', placeholder: t('links.target_placeholder'), value: cands.length ? cands[0].ticket_id : '' });
  const body = h('div', {},
    h('p', {}, t('links.merge_explain')),
    field(t('links.target'), input, cands.length ? t('links.target_hint', { title: cands[0].title }) : t('links.target_hint_id')));
  const r = await modal(t('links.merge_other'), body, { submitLabel: t('links.next') });
  if (!r) return;
  const into = r.into.trim().replace(/^.*\/tickets\//, '').replace(/[?#].*$/, '');
  if (into) await merge(ticket.id, into);
}

// doMerge merges src into into after the agent confirms, naming both.
// It reads both tickets fresh: src's version is the If-Match, into's the
// into_version, so a change by someone else in between stops the merge.
export async function doMerge(src, into) {
  let a, b;
  try {
    a = await api.getWithTag(tpath(src));
    b = await api.getWithTag(tpath(into)).catch(err => {
      if (err.status === 404) err.message = t('links.no_such', { id: into });
      throw err;
    });
  } catch (err) {
    showError(err);
    return null;
  }
  const ok = await confirmDialog(t('links.merge_title'),
    t('links.merge_confirm', { src: a.data.title, into: b.data.title }), t('links.merge_do'));
  if (!ok) return null;
  try {
    const res = await api.call('POST', tpath(src) + '/merge', { body: { into, into_version: b.data.version }, etag: a.etag });
    toast(t('links.merged', { n: res.data.moved_comments, title: b.data.title }));
    return res.data;
  } catch (err) {
    if (err.status === 412) toast(t('error.stale_reloaded'), 'error');
    else showError(err);
    return null;
  }
}
