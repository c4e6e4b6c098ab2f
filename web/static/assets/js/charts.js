// Charts drawn as SVG in the page: no chart library and no CDN (many users
// are offline or behind a firewall), and labels are text nodes in the
// page's font, so Chinese renders wherever the UI does. Every chart has a
// <title> and a table fallback for screen readers.

import { h, add, s } from './dom.js';
import { t } from './i18n.js';

const PALETTE = ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#0891b2', '#dc2626', '#ca8a04', '#4b5563'];

export function color(i) { return PALETTE[i % PALETTE.length]; }

// chartWidth is the drawing's width in its own units. The SVG scales to
// its box, text included, so a phone gets a narrower drawing: drawn 640
// wide and shrunk to 340 px, its 11-unit labels would be 6 px tall.
function chartWidth() {
  return window.matchMedia('(max-width: 600px)').matches ? 360 : 640;
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v, unit) {
  if (unit === '%') return (v * 100).toFixed(0) + '%';
  if (unit === 'h') return v < 1 ? (v * 60).toFixed(0) + 'm' : v.toFixed(1) + 'h';
  if (Math.abs(v) >= 1000) return (v / 1000).toFixed(1) + 'k';
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function legend(series) {
  if (series.length < 2) return null;
  return h('div', { class: 'legend' }, series.map((sr, i) => {
    const sw = h('span', { class: 'swatch' });
    sw.style.background = sr.color || color(i);
    return h('span', { class: 'legend-item' }, sw, sr.name);
  }));
}

// dataTable is the chart's data for screen readers and for copying.
function dataTable(title, labels, series, unit) {
  return h('details', { class: 'chart-data' }, h('summary', {}, t('chart.data')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table compact' },
      h('caption', { class: 'sr-only' }, title),
      h('thead', {}, h('tr', {}, h('th', {}), series.map(sr => h('th', {}, sr.name)))),
      h('tbody', {}, labels.map((l, i) => h('tr', {}, h('th', {}, l), series.map(sr => h('td', {}, sr.values[i] == null ? '—' : fmt(sr.values[i], unit)))))))));
}

// barChart draws grouped (or stacked) vertical bars: labels along x, one
// bar per series. Long label lists show every nth label so they never
// overlap.
export function barChart({ title, labels, series, unit = '', stacked = false, height = 220 }) {
  const W = chartWidth(), H = height, L = 44, R = 8, T = 10, B = 42;
  const pw = W - L - R, ph = H - T - B;
  const totals = labels.map((_, i) => stacked ? series.reduce((a, sr) => a + (sr.values[i] || 0), 0) : Math.max(...series.map(sr => sr.values[i] || 0)));
  const max = unit === '%' ? 1 : niceMax(Math.max(0, ...totals));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title, preserveAspectRatio: 'xMidYMid meet' }, s('title', {}, title));
  for (let k = 0; k <= 4; k++) {
    const y = T + ph - (ph * k) / 4;
    add(svg, s('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid' }), s('text', { x: L - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' }, fmt((max * k) / 4, unit)));
  }
  const n = Math.max(1, labels.length);
  const slot = pw / n;
  const groupW = slot * 0.78;
  const barW = stacked ? groupW : groupW / Math.max(1, series.length);
  const every = Math.ceil(n / Math.max(1, Math.floor(pw / 56)));
  labels.forEach((label, i) => {
    let acc = 0;
    series.forEach((sr, j) => {
      const v = sr.values[i] || 0;
      const hgt = (v / max) * ph;
      const x = L + slot * i + (slot - groupW) / 2 + (stacked ? 0 : j * barW);
      const y = T + ph - hgt - (stacked ? (acc / max) * ph : 0);
      acc += v;
      add(svg, s('rect', { x, y, width: Math.max(1, barW - 1), height: Math.max(0, hgt), fill: sr.color || color(j), rx: 2 },
        s('title', {}, `${label} · ${sr.name}: ${fmt(v, unit)}`)));
    });
    if (i % every === 0) {
      add(svg, s('text', { x: L + slot * i + slot / 2, y: H - B + 16, class: 'axis', 'text-anchor': 'middle' }, shorten(label, Math.max(4, Math.floor((slot * every) / 12)))));
    }
  });
  return h('figure', { class: 'chart-fig' }, h('figcaption', {}, title), svg, legend(series), dataTable(title, labels, series, unit));
}

// lineChart draws one line per series over the labels (usually days).
export function lineChart({ title, labels, series, unit = '', height = 220 }) {
  const W = chartWidth(), H = height, L = 44, R = 12, T = 10, B = 42;
  const pw = W - L - R, ph = H - T - B;
  const all = series.flatMap(sr => sr.values.filter(v => v != null));
  const max = unit === '%' ? 1 : niceMax(Math.max(0, ...all));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title }, s('title', {}, title));
  for (let k = 0; k <= 4; k++) {
    const y = T + ph - (ph * k) / 4;
    add(svg, s('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid' }), s('text', { x: L - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' }, fmt((max * k) / 4, unit)));
  }
  const n = labels.length;
  const x = i => L + (n <= 1 ? pw / 2 : (pw * i) / (n - 1));
  const every = Math.ceil(n / Math.max(1, Math.floor(pw / 64)));
  labels.forEach((l, i) => { if (i % every === 0) add(svg, s('text', { x: x(i), y: H - B + 16, class: 'axis', 'text-anchor': 'middle' }, shorten(l, 10))); });
  series.forEach((sr, j) => {
    const pts = sr.values.map((v, i) => v == null ? null : [x(i), T + ph - (v / max) * ph]);
    let d = '';
    pts.forEach((p, i) => { if (p) d += (d && pts[i - 1] ? 'L' : 'M') + p[0].toFixed(1) + ' ' + p[1].toFixed(1); });
    add(svg, s('path', { d, fill: 'none', stroke: sr.color || color(j), 'stroke-width': 2 }));
    pts.forEach((p, i) => { if (p) add(svg, s('circle', { cx: p[0], cy: p[1], r: 2.5, fill: sr.color || color(j) }, s('title', {}, `${labels[i]} · ${sr.name}: ${fmt(sr.values[i], unit)}`))); });
  });
  return h('figure', { class: 'chart-fig' }, h('figcaption', {}, title), svg, legend(series), dataTable(title, labels, series, unit));
}

// hbarChart draws horizontal bars, one per label: the shape for rankings
// with long Chinese names (categories, agents).
/**
 * @param {{ title: string, labels: string[], values: number[], unit?: string, max?: number, colors?: string[] }} chart
 */
export function hbarChart({ title, labels, values, unit = '', max: fixedMax, colors }) {
  const rowH = 26, W = chartWidth(), L = W < 640 ? 110 : 130, R = 48;
  const H = Math.max(1, labels.length) * rowH + 8;
  const max = fixedMax || (unit === '%' ? 1 : niceMax(Math.max(0, ...values)));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title }, s('title', {}, title));
  labels.forEach((label, i) => {
    const y = 4 + i * rowH;
    const w = ((values[i] || 0) / max) * (W - L - R);
    add(svg, 
      s('text', { x: L - 8, y: y + rowH / 2 + 4, class: 'axis', 'text-anchor': 'end' }, shorten(label, 9)),
      s('rect', { x: L, y: y + 4, width: W - L - R, height: rowH - 8, class: 'track', rx: 3 }),
      s('rect', { x: L, y: y + 4, width: Math.max(0, w), height: rowH - 8, fill: (colors && colors[i]) || color(0), rx: 3 }, s('title', {}, `${label}: ${fmt(values[i] || 0, unit)}`)),
      s('text', { x: L + Math.max(0, w) + 6, y: y + rowH / 2 + 4, class: 'value' }, fmt(values[i] || 0, unit)));
  });
  return h('figure', { class: 'chart-fig' }, h('figcaption', {}, title), svg, dataTable(title, labels, [{ name: title, values }], unit));
}

// donut shows parts of a whole with a total in the middle.
/**
 * @param {{ title: string, labels: string[], values: number[], centre?: string }} chart
 */
export function donut({ title, labels, values, centre }) {
  const total = values.reduce((a, b) => a + (b || 0), 0);
  const R = 60, r = 38, C = 70;
  const svg = s('svg', { viewBox: '0 0 140 140', class: 'chart donut', role: 'img', 'aria-label': title }, s('title', {}, title));
  let a0 = -Math.PI / 2;
  values.forEach((v, i) => {
    if (!v) return;
    const a1 = a0 + (v / (total || 1)) * Math.PI * 2;
    const large = a1 - a0 > Math.PI ? 1 : 0;
    const p = (ang, rad) => [C + rad * Math.cos(ang), C + rad * Math.sin(ang)];
    const [x0, y0] = p(a0, R), [x1, y1] = p(a1 - 1e-6, R), [x2, y2] = p(a1 - 1e-6, r), [x3, y3] = p(a0, r);
    add(svg, s('path', { d: `M${x0} ${y0}A${R} ${R} 0 ${large} 1 ${x1} ${y1}L${x2} ${y2}A${r} ${r} 0 ${large} 0 ${x3} ${y3}Z`, fill: color(i) }, s('title', {}, `${labels[i]}: ${v}`)));
    a0 = a1;
  });
  if (!total) add(svg, s('circle', { cx: C, cy: C, r: (R + r) / 2, fill: 'none', class: 'track-stroke', 'stroke-width': R - r }));
  add(svg, s('text', { x: C, y: C + 6, 'text-anchor': 'middle', class: 'donut-centre' }, centre ?? String(total)));
  return h('figure', { class: 'chart-fig chart-donut' }, h('figcaption', {}, title), h('div', { class: 'donut-row' }, svg, legend(labels.map((l, i) => ({ name: `${l} ${values[i]}` })))));
}

function shorten(str, n) {
  str = String(str);
  return str.length > n ? str.slice(0, n - 1) + '…' : str;
}

// kpi is one headline figure.
export function kpi(label, value, sub) {
  return h('div', { class: 'kpi card' }, h('div', { class: 'kpi-label' }, label), h('div', { class: 'kpi-value' }, value), sub ? h('div', { class: 'kpi-sub muted small' }, sub) : null);
}
