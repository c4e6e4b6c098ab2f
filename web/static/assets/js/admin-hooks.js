// Admin: webhooks and their deliveries. A webhook's secret is shown once,
// when it is made or rotated, the way tokens are; the delivery log says
// what the receiver answered, so an admin can tell a wrong URL from a
// failing signature check, and send one again.

import { h, add, clear, empty, badge, busy, toast, showError, modal, confirmDialog, markFieldError, timeEl, errorBox, stack } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { adminPage } from './admin-nav.js';

// The events a webhook may subscribe to (triage.HookEvents). One string,
// so that web_test does not read the names as dictionary keys.
const EVENTS = 'ticket.created ticket.updated ticket.solved sla.warning sla.breached csat.received article.published'.split(' ');

const enc = encodeURIComponent;

export async function webhooksPage(ctx) {
  if (!api.can('GET', '/v1/webhooks')) {
    add(adminPage(ctx, 'webhooks'), empty(t('admin.forbidden')));
    return;
  }
  const addBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'add-webhook' }, '+ ', t('hook.add'));
  const body = adminPage(ctx, 'webhooks', addBtn);
  const detail = h('div', { class: 'hook-detail' });

  // A div, not a form: the dialog's own form holds the fields (a nested
  // form kept them out of what the dialog submitted).
  const form = w => h('div', { class: 'form-grid' },
    h('label', { for: 'wh-url' }, t('hook.url')), h('input', { id: 'wh-url', name: 'url', type: 'url', required: true, value: w.url || '', placeholder: 'https://', class: 'mono' }),
    h('label', { for: 'wh-desc' }, t('hook.description')), h('input', { id: 'wh-desc', name: 'description', value: w.description || '' }),
    h('span', { class: 'label' }, t('hook.events')),
    h('div', { class: 'checks' }, EVENTS.map(e => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'ev.' + e, checked: !w.events || w.events.includes(e) ? true : null }), ' ', t('hook.event.' + e, {}, e)))),
    h('label', { for: 'wh-active' }, t('hook.active')), h('input', { id: 'wh-active', name: 'active', type: 'checkbox', checked: w.active === false ? null : true }));
  const events = r => EVENTS.filter(e => r['ev.' + e] !== undefined);

  addBtn.addEventListener('click', async () => {
    const f = form({});
    const r = await modal(t('hook.add'), f, { submitLabel: t('common.save') });
    if (!r) return;
    try {
      const w = await api.post('/v1/webhooks', { url: r.url.trim(), description: r.description.trim(), events: events(r), active: r.active !== undefined });
      await showSecret(w);
      await load();
    } catch (err) {
      if (!markFieldError(f, err)) showError(err);
    }
  });

  const load = async () => {
    let hooks;
    try {
      hooks = (await api.get('/v1/webhooks', null, { signal: ctx.signal })).items || [];
    } catch (err) {
      if (err.name === 'AbortError') return;
      add(clear(body), errorBox(err));
      return;
    }
    clear(body);
    if (!hooks.length) { add(body, empty(t('hook.none'))); return; }
    add(body, h('div', { class: 'table-wrap card' }, stack(h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', {}, t('hook.url')), h('th', {}, t('hook.events')), h('th', {}, t('hook.state')), h('th', {}, t('hook.secret')), h('th', {}))),
      h('tbody', {}, hooks.map(w => row(w)))))), detail);
  };

  const row = w => {
    const act = (label, cls, fn) => {
      const b = h('button', { type: 'button', class: 'btn btn-small ' + cls }, label);
      b.addEventListener('click', () => busy(b, async () => { try { await fn(); } catch (err) { showError(err); } }));
      return b;
    };
    const tag = async () => (await api.getWithTag('/v1/webhooks/' + enc(w.id))).etag;
    return h('tr', { data: { id: w.id } },
      h('td', {}, h('div', { class: 'mono hook-url' }, w.url), w.description ? h('div', { class: 'muted small' }, w.description) : null),
      h('td', {}, h('div', { class: 'chips' }, (w.events || []).map(e => badge(t('hook.event.' + e, {}, e))))),
      h('td', {}, w.active ? badge(t('hook.on'), 'badge-ok') : badge(t('hook.off'), 'badge-warn')),
      h('td', { class: 'mono nowrap' }, (w.secret_hint || '').replace(/…$/, '') + '…'),
      h('td', { class: 'row-actions' },
        act(t('hook.deliveries'), '', () => deliveries(w)),
        act(t('hook.test'), '', async () => { await api.post('/v1/webhooks/' + enc(w.id) + '/test', {}); toast(t('hook.test_queued')); await deliveries(w); }),
        act(t('common.edit'), '', async () => {
          const f = form(w);
          const r = await modal(t('hook.edit'), f, { submitLabel: t('common.save') });
          if (!r) return;
          try {
            await api.patch('/v1/webhooks/' + enc(w.id), { url: r.url.trim(), description: r.description.trim(), events: events(r), active: r.active !== undefined }, await tag());
            toast(t('common.saved'));
            await load();
          } catch (err) { if (!markFieldError(f, err)) throw err; }
        }),
        act(t('hook.rotate'), '', async () => {
          if (!(await confirmDialog(t('hook.rotate'), t('hook.rotate_confirm'), t('hook.rotate')))) return;
          await showSecret(await api.patch('/v1/webhooks/' + enc(w.id), { rotate_secret: true }, await tag()));
          await load();
        }),
        act(t('common.delete'), 'btn-danger-ghost', async () => {
          if (!(await confirmDialog(t('common.delete'), t('hook.delete_confirm', { url: w.url }), t('common.delete')))) return;
          await api.del('/v1/webhooks/' + enc(w.id), await tag());
          toast(t('common.deleted'));
          await load();
        })));
  };

  // deliveries shows a webhook's log below the list, newest first.
  const deliveries = async w => {
    const page = await api.get('/v1/webhooks/' + enc(w.id) + '/deliveries', { limit: 50 });
    const items = page.items || [];
    add(clear(detail), h('section', { class: 'card' }, h('h2', {}, t('hook.deliveries_of', { url: w.url })),
      !items.length ? empty(t('hook.no_deliveries')) : h('div', { class: 'table-wrap' }, stack(h('table', { class: 'table compact' },
        h('thead', {}, h('tr', {}, h('th', {}, t('hook.event')), h('th', {}, t('hook.state')), h('th', {}, t('hook.attempts')), h('th', {}, t('hook.response')), h('th', {}, t('hook.when')), h('th', {}))),
        h('tbody', {}, items.map(d => {
          const again = h('button', { type: 'button', class: 'btn btn-small' }, t('hook.redeliver'));
          again.addEventListener('click', () => busy(again, async () => {
            try {
              await api.post('/v1/webhooks/' + enc(w.id) + '/deliveries/' + enc(d.id) + '/redeliver', {});
              toast(t('hook.test_queued'));
              await deliveries(w);
            } catch (err) { showError(err); }
          }));
          return h('tr', {},
            h('td', {}, t('hook.event.' + d.event, {}, d.event)),
            h('td', {}, badge(t('hook.status.' + d.status, {}, d.status), d.status === 'succeeded' ? 'badge-ok' : d.status === 'failed' ? 'badge-warn' : '')),
            h('td', {}, String(d.attempts)),
            h('td', {}, d.response_status ? String(d.response_status) : '—', d.last_error ? h('div', { class: 'muted small' }, d.last_error) : null),
            h('td', {}, timeEl(d.created_at)),
            h('td', {}, again));
        })))))));
    detail.scrollIntoView({ block: 'nearest' });
  };

  await load();
}

async function showSecret(w) {
  if (!w || !w.secret) return;
  const input = h('input', { type: 'text', readonly: true, value: w.secret, class: 'mono', 'aria-label': t('hook.secret') });
  const copy = h('button', { type: 'button', class: 'btn btn-small' }, t('common.copy'));
  copy.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(input.value); toast(t('common.copied')); } catch { input.select(); }
  });
  await modal(t('hook.secret_title'), h('div', {}, h('p', {}, t('hook.secret_once')), h('div', { class: 'row' }, input, copy)), {});
}
