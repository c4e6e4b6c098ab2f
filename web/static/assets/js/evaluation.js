// Evaluation: the reports `triage eval` stored (classifier and retrieval
// quality on labelled sets), with their charts, and live figures from the
// service's own use: how often agents take the suggestions.

import { h, add, clear, empty, errorBox, pct, num, timeEl } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { hbarChart, donut, kpi } from './charts.js';

export async function render(ctx) {
  ctx.title(t('eval.title'));
  const reportsBox = h('section', { class: 'card' }, h('h2', {}, t('eval.reports')));
  const liveBox = h('section', { class: 'card' }, h('h2', {}, t('eval.live')));
  add(ctx.main, h('div', { class: 'page-head' }, h('h1', {}, t('eval.title'))), liveBox, reportsBox);
  await Promise.all([live(liveBox, ctx), reports(reportsBox, ctx)]);
}

async function live(box, ctx) {
  try {
    const st = await api.get('/v1/suggestions/stats', null, { signal: ctx.signal });
    const o = st.overall, d = st.drafts;
    // A rate of nothing is no rate: show a dash, not 0%.
    const rate = r => (r.accepted + r.edited + r.rejected ? pct(r.acceptance, 1) : '—');
    add(box, h('p', { class: 'muted small' }, t('eval.since'), ' ', timeEl(st.since)),
      h('div', { class: 'kpis' },
        kpi(t('eval.acceptance'), rate(o), t('eval.counts', { a: o.accepted, e: o.edited, r: o.rejected })),
        kpi(t('eval.draft_acceptance'), rate(d), t('eval.counts', { a: d.accepted, e: d.edited, r: d.rejected }))),
      h('div', { class: 'chart-row' },
        donut({ title: t('eval.draft_verdicts'), labels: [t('feedback.accepted'), t('feedback.edited'), t('feedback.rejected')], values: [d.accepted, d.edited, d.rejected] }),
        (st.sources || []).length ? hbarChart({ title: t('eval.source_acceptance'), labels: st.sources.map(x => x.title || x.id), values: st.sources.map(x => x.acceptance), unit: '%' }) : empty(t('eval.no_feedback'))));
  } catch (err) {
    add(box, errorBox(err));
  }
}

async function reports(box, ctx) {
  if (!api.exists('GET', '/v1/eval/reports')) {
    add(box, empty(t('eval.no_api'), h('p', { class: 'muted small mono' }, 'GET /v1/eval/reports')));
    return;
  }
  try {
    const page = await api.get('/v1/eval/reports', null, { signal: ctx.signal });
    add(clear(box), h('h2', {}, t('eval.reports')));
    if (!(page.items || []).length) { add(box, empty(t('eval.none'))); return; }
    add(box, h('ul', { class: 'plain' }, page.items.map(r => h('li', {}, r.id, ' ', num(r.accuracy)))));
  } catch (err) {
    add(box, errorBox(err));
  }
}
