// Evaluation: live figures from the service's own use (triage's guesses
// against the values the tickets had when they closed, and how often
// agents take the suggestions), and the reports `triage eval --save` kept
// (classifier and retrieval quality on labelled sets), listed with their
// headline metrics; one opens at /app/eval/<id> (evalreport.js).

import { h, add, clear, empty, errorBox, pct, timeEl } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { hbarChart, donut, kpi } from './charts.js';
import { renderReport, kindBadge, metricChips, reportTitle } from './evalreport.js';

const WINDOWS = [7, 30, 90];

export async function render(ctx) {
  if (ctx.params[0]) return renderReport(ctx, ctx.params[0]);
  ctx.title(t('eval.title'));
  const days = WINDOWS.includes(Number(ctx.query.get('days'))) ? Number(ctx.query.get('days')) : 30;
  const to = new Date();
  const from = new Date(to.getTime() - days * 86400e3);
  const win = { from: from.toISOString(), to: to.toISOString() };
  const picker = h('nav', { class: 'tabs', 'aria-label': t('reports.window') }, WINDOWS.map(d =>
    h('a', { href: '/app/eval?days=' + d, class: 'tab' + (d === days ? ' active' : ''), 'aria-current': d === days ? 'page' : null }, t('reports.days', { n: d }))));
  const liveBox = h('section', { class: 'card', id: 'eval-live' }, h('h2', {}, t('eval.live')), h('p', { class: 'muted small' }, t('eval.live_lead')), picker);
  const reportsBox = h('section', { class: 'card', id: 'eval-reports' }, h('h2', {}, t('eval.reports')), h('div', { class: 'loading' }, t('common.loading')));
  add(ctx.main, h('div', { class: 'page-head' }, h('h1', {}, t('eval.title'))), liveBox, reportsBox);
  await Promise.all([live(liveBox, win, ctx), reports(reportsBox, ctx)]);
}

// rate turns the reports' percentages (0-100, null when nothing was
// counted) into text; a rate of nothing is a dash, not 0%.
const rate = x => (x == null ? '—' : pct(x / 100, 1));
const isMissing = err => err && (err.status === 404 || err.status === 503 || err.status === 501);

async function live(box, win, ctx) {
  const get = (path, params) => (api.exists('GET', path)
    ? api.get(path, params, { signal: ctx.signal }).catch(err => { if (isMissing(err)) return null; throw err; })
    : Promise.resolve(null));
  let acc, fb, stats;
  try {
    [acc, fb, stats] = await Promise.all([
      get('/v1/reports/accuracy', { ...win, group: 'category' }),
      get('/v1/reports/acceptance', win),
      get('/v1/suggestions/stats', { since: win.from }),
    ]);
  } catch (err) {
    if (err.name !== 'AbortError') add(box, errorBox(err));
    return;
  }
  if (!acc && !fb) {
    add(box, empty(t('reports.unavailable'), h('p', { class: 'muted small mono' }, 'GET /v1/reports/accuracy · GET /v1/reports/acceptance')));
    return;
  }
  const a = (acc && acc.total) || {};
  const f = (fb && fb.total) || {};
  const of = (n, m) => t('eval.of', { n, m });
  add(box, h('div', { class: 'kpis' },
    acc ? [
      kpi(t('eval.cat_accuracy'), rate(a.category_accuracy), of(a.category_correct || 0, a.category_predicted || 0)),
      kpi(t('eval.prio_accuracy'), rate(a.priority_accuracy), of(a.priority_correct || 0, a.priority_predicted || 0)),
      kpi(t('eval.assignee_accuracy'), rate(a.assignee_accuracy), of(a.assignee_correct || 0, a.assignee_predicted || 0)),
      kpi(t('eval.abstain_rate'), rate(a.abstain_rate), t('eval.closed_n', { n: a.closed || 0 })),
    ] : null,
    fb ? [
      kpi(t('eval.acceptance'), rate(f.accepted_rate), t('eval.counts', { a: f.accepted || 0, e: f.edited || 0, r: f.rejected || 0 })),
      kpi(t('eval.draft_acceptance'), rate(f.draft_accepted_rate), t('eval.counts', { a: f.draft_accepted || 0, e: f.draft_edited || 0, r: f.draft_rejected || 0 })),
    ] : null));

  const grid = h('div', { class: 'report-grid' });
  add(box, grid);
  if (acc) {
    const rows = (acc.rows || []).filter(x => x.category_predicted);
    add(grid, h('div', {}, rows.length
      ? hbarChart({ title: t('eval.by_category'), labels: rows.map(x => x.label || x.key), values: rows.map(x => (x.category_accuracy || 0) / 100), unit: '%', max: 1 })
      : [h('h3', {}, t('eval.by_category')), empty(t('reports.no_closed'))]));
  }
  if (fb) {
    const sources = ((stats && stats.sources) || []).filter(x => x.accepted + x.edited + x.rejected)
      .sort((x, y) => (y.accepted + y.edited + y.rejected) - (x.accepted + x.edited + x.rejected)).slice(0, 8);
    add(grid, h('div', {},
      f.verdicts ? donut({ title: t('eval.verdicts'), labels: [t('feedback.accepted'), t('feedback.edited'), t('feedback.rejected')], values: [f.accepted, f.edited, f.rejected] })
        : [h('h3', {}, t('eval.verdicts')), empty(t('eval.no_feedback'))],
      sources.length ? hbarChart({ title: t('eval.source_acceptance'), labels: sources.map(x => x.title || x.id), values: sources.map(x => x.acceptance), unit: '%', max: 1 }) : null));
  }
}

async function reports(box, ctx) {
  const head = () => { clear(box); add(box, h('h2', {}, t('eval.reports'))); };
  if (!api.exists('GET', '/v1/eval/reports')) {
    head();
    add(box, empty(t('eval.no_api'), h('p', { class: 'muted small mono' }, 'GET /v1/eval/reports')));
    return;
  }
  if (!api.can('GET', '/v1/eval/reports')) {
    head();
    add(box, empty(t('eval.admins_only')));
    return;
  }
  try {
    const page = await api.get('/v1/eval/reports', null, { signal: ctx.signal });
    head();
    const items = page.items || [];
    if (!items.length) { add(box, empty(t('eval.none'), h('p', { class: 'muted small mono' }, 'triage eval … --save'))); return; }
    add(box, h('p', { class: 'muted small' }, t('eval.reports_lead')),
      h('div', { class: 'eval-list' }, items.map(r =>
        h('a', { class: 'eval-row', href: '/app/eval/' + encodeURIComponent(r.id), data: { id: r.id } },
          h('div', { class: 'er-head' },
            h('span', { class: 'er-title' }, reportTitle(r)), kindBadge(r.kind),
            h('span', { class: 'spacer' }), h('span', { class: 'muted small' }, timeEl(r.saved_at))),
          metricChips(r.headline),
          h('div', { class: 'muted small mono er-id' }, r.id)))));
  } catch (err) {
    if (err.name === 'AbortError') return;
    head();
    add(box, errorBox(err));
  }
}
