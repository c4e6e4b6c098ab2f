// The reports dashboard: volume, response and resolution times, backlog,
// triage accuracy and suggestion acceptance (the operations area's
// /v1/reports/...), SLA % met and CSAT (the SLA area's), and agent load,
// as SVG charts with Chinese labels, each with a CSV download where the
// API offers one. Each card asks for its own report, so a server that
// lacks one route (404) or has it switched off (503) still shows the
// others, and the card says which route it waits for.

import { h, add, clear, empty, errorBox, pct, busy, showError } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { barChart, lineChart, hbarChart, kpi } from './charts.js';

const WINDOWS = [7, 30, 90];

export async function render(ctx) {
  ctx.title(t('reports.title'));
  const days = WINDOWS.includes(Number(ctx.query.get('days'))) ? Number(ctx.query.get('days')) : 30;
  const to = new Date();
  const from = new Date(to.getTime() - days * 86400e3);
  const win = { from: from.toISOString(), to: to.toISOString() };

  const picker = h('nav', { class: 'tabs', 'aria-label': t('reports.window') }, WINDOWS.map(d =>
    h('a', { href: '/app/reports?days=' + d, class: 'tab' + (d === days ? ' active' : ''), 'aria-current': d === days ? 'page' : null }, t('reports.days', { n: d }))));
  const kpis = h('div', { class: 'kpis span-all' });
  const grid = h('div', { class: 'report-grid' }, kpis);
  add(ctx.main, h('div', { class: 'page-head' }, h('h1', {}, t('reports.title'))), picker, grid);

  const cards = [
    card(grid, 'reports.volume', '/v1/reports/volume', { ...win, group: 'day' }, volume),
    card(grid, 'reports.times', '/v1/reports/first-response', { ...win, group: 'priority' }, times(win, ctx)),
    card(grid, 'reports.backlog', '/v1/reports/backlog', { to: win.to, group: 'team' }, backlog),
    card(grid, 'reports.accuracy', '/v1/reports/accuracy', { ...win, group: 'category' }, accuracy),
    card(grid, 'reports.acceptance', '/v1/reports/acceptance', { ...win, group: 'day' }, acceptance),
    card(grid, 'reports.sla', '/v1/reports/sla', win, sla, false),
    card(grid, 'reports.csat', '/v1/reports/csat', win, csat, false),
    loadCard(grid),
  ];
  await Promise.all([summary(kpis, win, ctx), ...cards.map(c => c(ctx))]);
}

// unavailable says a report's route is missing or switched off, rather
// than showing a broken card.
function unavailable(path) {
  return empty(t('reports.unavailable'), h('p', { class: 'muted small mono' }, 'GET ' + path));
}

function isMissing(err) { return err && (err.status === 404 || err.status === 503 || err.status === 501); }

// card adds a card that loads path with params and draws it with draw;
// csv adds a download of the same report as CSV.
function card(grid, title, path, params, draw, csv = true) {
  const head = h('div', { class: 'card-head' }, h('h2', {}, t(title)));
  const box = h('section', { class: 'card report-card' }, head, h('div', { class: 'loading' }, t('common.loading')));
  add(grid, box);
  return async ctx => {
    const body = () => { clear(box); add(box, head); return box; };
    if (!api.exists('GET', path)) { add(body(), unavailable(path)); return; }
    try {
      const data = await api.get(path, params, { signal: ctx.signal });
      const out = draw(data);
      add(body(), out instanceof Promise ? await out : out);
      if (csv) add(head, csvButton(path, params, title));
    } catch (err) {
      if (err.name === 'AbortError') return;
      add(body(), isMissing(err) ? unavailable(path) : errorBox(err));
    }
  };
}

// csvButton downloads the report as CSV. A plain link would not carry the
// token, which lives in this tab and goes in the Authorization header.
function csvButton(path, params, title) {
  const btn = h('button', { type: 'button', class: 'btn btn-small' }, t('reports.csv'));
  btn.addEventListener('click', () => busy(btn, async () => {
    try {
      const r = await api.call('GET', path, { params: { ...params, format: 'csv' }, raw: true });
      const url = URL.createObjectURL(new Blob([r.data], { type: 'text/csv;charset=utf-8' }));
      const a = h('a', { download: t(title) + '.csv' });
      a.href = url; // a blob: URL, which h's safeHref would turn into '#' (the page itself was downloaded)
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      showError(err);
    }
  }));
  return btn;
}

const hours = s => (s == null ? null : s / 3600);
// The reports give rates as percentages (0-100); the charts take
// fractions.
const frac = x => (x == null ? null : x / 100);
const rate = x => (x == null ? '—' : pct(frac(x), 0));

async function summary(box, win, ctx) {
  if (!api.exists('GET', '/v1/reports/summary')) return;
  try {
    const s = await api.get('/v1/reports/summary', win, { signal: ctx.signal });
    const slaAll = s.sla && s.sla.overall ? s.sla.overall : s.sla;
    const csatAll = s.csat && s.csat.overall ? s.csat.overall : s.csat;
    add(box,
      kpi(t('reports.created'), String(s.volume.created), t('reports.solved_n', { n: s.volume.solved })),
      kpi(t('reports.open_now'), String(s.backlog.open), t('reports.unassigned_n', { n: s.backlog.unassigned })),
      kpi(t('reports.frt_p50'), dur(s.first_response.p50_seconds), t('reports.p90', { v: dur(s.first_response.p90_seconds) })),
      kpi(t('reports.res_p50'), dur(s.resolution.p50_seconds), t('reports.p90', { v: dur(s.resolution.p90_seconds) })),
      kpi(t('reports.sla_met'), slaAll && slaAll.percent_met != null ? slaAll.percent_met.toFixed(0) + '%' : '—'),
      kpi(t('reports.csat_score'), csatAll && csatAll.csat != null ? csatAll.csat.toFixed(0) + '%' : '—', csatAll ? t('reports.responses_n', { n: csatAll.responses || 0 }) : null),
      kpi(t('reports.cat_accuracy'), rate(s.accuracy.category_accuracy)),
      kpi(t('reports.draft_rate'), rate(s.acceptance.draft_accepted_rate)));
  } catch (err) {
    if (err.name !== 'AbortError' && !isMissing(err)) add(box, errorBox(err));
  }
}

// dur says a duration in the largest unit that keeps it short.
function dur(secs) {
  if (!secs) return '—';
  if (secs < 3600) return t('reports.minutes', { n: Math.round(secs / 60) });
  if (secs < 86400 * 2) return t('reports.hours', { n: (secs / 3600).toFixed(1) });
  return t('reports.daysn', { n: (secs / 86400).toFixed(1) });
}

// dayLabel is a row's label; a day (2026-11-23) loses its year, which
// the window already says, so that the axis has room for it.
function dayLabel(row) {
  const l = row.label || row.key;
  return /^\d{4}-\d{2}-\d{2}$/.test(l) ? l.slice(5) : l;
}

function volume(r) {
  const rows = r.rows || [];
  if (!rows.length) return empty(t('reports.none'));
  const labels = rows.map(dayLabel);
  return h('div', {},
    barChart({ title: t('reports.volume_chart'), labels, series: [
      { name: t('reports.created'), values: rows.map(x => x.created) },
      { name: t('reports.solved'), values: rows.map(x => x.solved) }] }),
    lineChart({ title: t('reports.backlog_line'), labels, series: [{ name: t('reports.open_now'), values: rows.map(x => x.backlog) }] }));
}

// times draws first-response and resolution side by side by priority,
// which takes a second report.
function times(win, ctx) {
  return async fr => {
    let res = null;
    if (api.exists('GET', '/v1/reports/resolution')) {
      try { res = await api.get('/v1/reports/resolution', { ...win, group: 'priority' }, { signal: ctx.signal }); } catch (err) { if (!isMissing(err)) throw err; }
    }
    const rows = fr.rows || [];
    if (!rows.length) return empty(t('reports.none'));
    const labels = rows.map(dayLabel);
    const resBy = new Map(((res && res.rows) || []).map(x => [x.key, x]));
    const series = [
      { name: t('reports.frt_p50'), values: rows.map(x => hours(x.p50_seconds)) },
      { name: t('reports.frt_p90'), values: rows.map(x => hours(x.p90_seconds)) },
    ];
    if (res) series.push({ name: t('reports.res_p50'), values: rows.map(x => hours((resBy.get(x.key) || {}).p50_seconds)) });
    return barChart({ title: t('reports.times_chart'), labels, series, unit: 'h' });
  };
}

function backlog(r) {
  const rows = (r.rows || []).filter(x => x.open);
  if (!rows.length) return empty(t('reports.none'));
  return barChart({ title: t('reports.backlog_chart'), labels: rows.map(dayLabel), stacked: true, series: [
    { name: t('reports.age_1d'), values: rows.map(x => x.age_under_1d) },
    { name: t('reports.age_3d'), values: rows.map(x => x.age_1d_3d) },
    { name: t('reports.age_7d'), values: rows.map(x => x.age_3d_7d) },
    { name: t('reports.age_more'), values: rows.map(x => x.age_over_7d) }] });
}

function accuracy(r) {
  const rows = (r.rows || []).filter(x => x.category_predicted);
  const total = r.total || {};
  const head = h('p', { class: 'muted small' }, t('reports.accuracy_total', {
    c: rate(total.category_accuracy), p: rate(total.priority_accuracy), a: rate(total.assignee_accuracy), n: total.closed || 0 }));
  if (!rows.length) return h('div', {}, head, empty(t('reports.no_closed')));
  return h('div', {}, head, hbarChart({ title: t('reports.accuracy_chart'), labels: rows.map(dayLabel), values: rows.map(x => frac(x.category_accuracy) || 0), unit: '%', max: 1 }));
}

function acceptance(r) {
  const rows = r.rows || [];
  if (!rows.some(x => x.verdicts || x.draft_verdicts)) return empty(t('eval.no_feedback'));
  return lineChart({ title: t('reports.acceptance_chart'), labels: rows.map(dayLabel), unit: '%', series: [
    { name: t('eval.acceptance'), values: rows.map(x => frac(x.accepted_rate)) },
    { name: t('eval.draft_acceptance'), values: rows.map(x => frac(x.draft_accepted_rate)) }] });
}

function sla(r) {
  const o = r.overall || {};
  const groups = (r.by_team || []).concat(r.by_priority || []).filter(g => g.percent_met != null);
  const head = h('p', { class: 'muted small' }, t('reports.sla_total', { p: o.percent_met != null ? o.percent_met.toFixed(0) + '%' : '—', m: o.met || 0, b: o.breached || 0 }));
  if (!groups.length) return h('div', {}, head, empty(t('reports.no_sla')));
  return h('div', {}, head, hbarChart({ title: t('reports.sla_chart'), labels: groups.map(g => g.name || g.key), values: groups.map(g => frac(g.percent_met)), unit: '%', max: 1 }));
}

function csat(r) {
  const o = r.overall || {};
  const head = h('p', { class: 'muted small' }, t('reports.csat_total', { c: o.csat != null ? o.csat.toFixed(0) + '%' : '—', n: o.responses || 0, s: o.sent || 0 }));
  if (!o.responses) return h('div', {}, head, empty(t('reports.no_csat')));
  return h('div', {}, head, barChart({ title: t('reports.csat_chart'), labels: ['1', '2', '3', '4', '5'], series: [{ name: t('reports.responses'), values: o.ratings || [] }] }));
}

// loadCard shows each agent's unsolved tickets against their capacity,
// from /v1/agents, which every server has.
function loadCard(grid) {
  const box = h('section', { class: 'card report-card' }, h('h2', {}, t('reports.agent_load')));
  add(grid, box);
  return async () => {
    try {
      const agents = await api.agents(true);
      const load = agents.map(a => (a.capacity ? a.open / a.capacity : 0));
      add(box, h('p', { class: 'muted small' }, t('reports.load_total', {
        on: agents.filter(a => a.online).length, n: agents.length, avg: pct(load.reduce((a, b) => a + b, 0) / Math.max(1, load.length)) })),
      hbarChart({ title: t('reports.agent_load'), labels: agents.map(a => a.name), values: load, unit: '%', max: 1 }));
    } catch (err) {
      add(box, errorBox(err));
    }
  };
}
