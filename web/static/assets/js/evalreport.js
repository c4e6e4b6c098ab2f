// One saved evaluation report (/app/eval/<id>): its key figures and charts
// drawn from the report's JSON, the way the report's own HTML page lays
// them out, and a download of that page. The page is not framed or opened
// here: its route wants the token in a header, which neither a frame nor
// a link can send, and this page's CSP would strip its inline styles.

import { h, add, empty, errorBox, pct, timeEl, busy, showError, badge } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { barChart, lineChart, hbarChart, kpi } from './charts.js';

const f3 = v => (v == null || isNaN(v) ? '—' : Number(v).toFixed(3));
const p1 = v => pct(v, 1);

const KINDS = { classify: 'eval.kind_classify', retrieve: 'eval.kind_retrieve', live: 'eval.kind_live', suite: 'eval.kind_suite' };

export function kindBadge(kind) {
  return badge(KINDS[kind] ? t(KINDS[kind]) : kind, 'badge-src kind-' + kind);
}

// metricChips shows a report's headline metrics ("hybrid.recall@5" →
// 0.812), in name order so a suite's sets stay together.
export function metricChips(metrics) {
  const keys = Object.keys(metrics || {}).sort();
  if (!keys.length) return null;
  return h('ul', { class: 'metric-chips' }, keys.map(k =>
    h('li', { class: 'metric', data: { metric: k } }, h('span', { class: 'metric-name' }, k), ' ', h('strong', {}, f3(metrics[k])))));
}

export async function renderReport(ctx, id) {
  const path = '/v1/eval/reports/' + encodeURIComponent(id);
  const crumbs = h('div', { class: 'crumbs' }, h('a', { href: '/app/eval' }, '← ', t('eval.title')));
  let rep;
  try {
    rep = await api.get(path, null, { signal: ctx.signal });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    ctx.title(t('eval.title'));
    add(ctx.main, crumbs, err.status === 404 ? empty(t('eval.not_found')) : errorBox(err));
    return;
  }
  const info = rep.info, r = rep.report || {};
  ctx.title(info.title || info.id);
  const actions = h('div', { class: 'row' },
    info.html ? download(t('eval.download_html'), path + '/html', info.id + '.html', 'text/html;charset=utf-8') : null,
    download(t('eval.download_json'), path, info.id + '.json', 'application/json', d => JSON.stringify(JSON.parse(d).report, null, 1)));
  add(ctx.main, crumbs,
    h('div', { class: 'page-head' }, h('h1', { class: 'eval-title' }, info.title || info.id), actions),
    h('div', { class: 'ticket-badges eval-meta' }, kindBadge(info.kind), h('span', { class: 'muted small' }, t('eval.saved'), ' ', timeEl(info.saved_at)),
      h('span', { class: 'muted small mono' }, info.id)),
    info.html ? h('p', { class: 'muted small' }, t('eval.html_hint')) : null);
  const body = h('div', { class: 'eval-body' });
  add(ctx.main, body);
  if (r.kind === 'suite') suite(body, r);
  else add(body, section(r));
}

// download fetches a file with the token and saves it: a plain link
// would not carry the token.
function download(label, path, name, type, transform) {
  const btn = h('button', { type: 'button', class: 'btn btn-small' }, label);
  btn.addEventListener('click', () => busy(btn, async () => {
    try {
      const res = await api.call('GET', path, { raw: true });
      const url = URL.createObjectURL(new Blob([transform ? transform(res.data) : res.data], { type }));
      const a = h('a', { href: url, download: name });
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

function section(r) {
  switch (r.kind) {
    case 'classify': return classify(r);
    case 'retrieve': return retrieve(r);
    case 'live': return live(r);
  }
  return empty(t('eval.unknown_kind', { kind: r.kind || '?' }));
}

// suite lists its sets with their headline figures, and shows each set
// in a section of its own that opens on demand.
function suite(box, r) {
  const names = Object.keys(r.sets || {}).sort();
  add(box, h('section', { class: 'card' }, h('h2', {}, t('eval.sets', { n: names.length })),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', {}, t('eval.set')), h('th', {}, t('eval.kind')), h('th', {}, t('eval.headline')))),
      h('tbody', {}, names.map(n => {
        const s = r.sets[n];
        return h('tr', {}, h('td', {}, h('a', { href: '#set-' + n, class: 'set-link', data: { set: n } }, n)), h('td', {}, kindBadge(s.kind)), h('td', {}, metricChips(headline(s))));
      }))))));
  for (const [i, n] of names.entries()) {
    const d = h('details', { class: 'card eval-set', id: 'set-' + n, open: i === 0 }, h('summary', {}, h('strong', {}, n), ' ', kindBadge(r.sets[n].kind)));
    let done = false;
    const fill = () => { if (!done && d.open) { done = true; add(d, section(r.sets[n])); } };
    d.addEventListener('toggle', fill);
    fill();
    add(box, d);
  }
  box.addEventListener('click', ev => {
    const a = ev.target instanceof Element ? ev.target.closest('a.set-link') : null;
    if (!(a instanceof HTMLAnchorElement)) return;
    ev.preventDefault();
    const d = document.getElementById('set-' + a.dataset.set);
    if (d instanceof HTMLDetailsElement) d.open = true;
    if (d) d.scrollIntoView({ block: 'start' });
  });
}

// headline picks a set's headline figures the way the server does for a
// whole report (eval.IsHeadline): macro F1, recall@5 and nDCG@10.
function headline(r) {
  const out = {};
  if (r.kind === 'classify') out.macro_f1 = r.macro_f1;
  if (r.kind === 'retrieve') for (const m of r.modes || []) { out[m.mode + '.recall@5'] = m['recall@5']; out[m.mode + '.ndcg@10'] = m['ndcg@10']; }
  if (r.kind === 'live') for (const f of r.fields || []) out[f.field + '.macro_f1'] = f.macro_f1;
  return out;
}

function facts(pairs) {
  return h('dl', { class: 'facts eval-facts' }, pairs.filter(p => p[1] !== undefined && p[1] !== null && p[1] !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function fileN(file, n) {
  return file ? `${file} (${n})` : String(n);
}

function classify(r) {
  const s = r.sample;
  return h('div', { class: 'eval-section' },
    facts([
      [t('eval.label'), r.label],
      [t('eval.train'), fileN(r.train_file, r.train)],
      [t('eval.test'), fileN(r.test_file, r.test)],
      [t('eval.model'), r.model_version],
      [t('eval.sample'), s ? t('eval.sample_classify', { seed: s.seed, train: r.train, train_of: s.train_of, test: r.test, test_of: s.test_of }) : null],
      [t('eval.timing'), t('eval.timing_classify', { fit: Number(r.fit_seconds || 0).toFixed(1), rate: Math.round(r.predict_per_second || 0) })],
    ]),
    classKpis(r, r.threshold),
    classCharts(r, true),
    confusedPairs(r.most_confused),
    perClassTable(r));
}

function classKpis(sc, threshold) {
  const a = sc.abstain || {};
  return h('div', { class: 'kpis' },
    kpi(t('eval.m_accuracy'), f3(sc.accuracy), t('eval.examples_n', { n: sc.examples || 0 })),
    kpi('macro F1', f3(sc.macro_f1)),
    kpi('weighted F1', f3(sc.weighted_f1)),
    kpi(t('eval.m_top3'), f3(sc.top3_accuracy)),
    threshold != null ? kpi(t('eval.m_abstain', { th: Number(threshold).toFixed(2) }), p1(a.abstain_rate), t('eval.m_answered', { acc: f3(a.answered_accuracy) })) : null,
    kpi('ECE', f3((sc.calibration || {}).ece), t('eval.m_ece')));
}

// classCharts: F1 per class (worst first), the confusion matrix, the
// coverage curve (where the threshold was the evaluation's to vary) and
// the reliability diagram.
function classCharts(sc, coverage, prefix = '') {
  const pc = sc.per_class || {};
  const labels = Object.keys(pc).sort((x, y) => (pc[x].f1 - pc[y].f1) || (pc[y].support - pc[x].support));
  const bins = ((sc.calibration || {}).bins || []).filter(b => b.count);
  const conf = sc.confusion || { labels: [] };
  const cov = sc.coverage || [];
  return h('div', { class: 'report-grid eval-charts' },
    labels.length ? h('div', {}, hbarChart({ title: prefix + t('eval.f1_by_class'), labels: labels.map(l => `${l} (${pc[l].support})`), values: labels.map(l => pc[l].f1), max: 1 })) : null,
    conf.labels.length ? h('div', { class: conf.labels.length > 8 ? 'span-all' : '' }, heatmap(prefix + t('eval.confusion'), conf)) : null,
    coverage && cov.length ? h('div', {}, lineChart({ title: prefix + t('eval.coverage'), labels: cov.map(p => Number(p.threshold).toFixed(2)), unit: '%', series: [
      { name: t('eval.coverage_share'), values: cov.map(p => p.coverage) },
      { name: t('eval.m_accuracy'), values: cov.map(p => p.answered ? p.accuracy : null) }] })) : null,
    bins.length ? h('div', {}, barChart({ title: prefix + t('eval.reliability'), labels: bins.map(b => `${Number(b.lower).toFixed(1)}–${Number(b.upper).toFixed(1)}`), unit: '%', series: [
      { name: t('eval.m_accuracy'), values: bins.map(b => b.accuracy) },
      { name: t('eval.mean_conf'), values: bins.map(b => b.mean_confidence) }] })) : null);
}

// heatmap draws a confusion matrix as a table: rows are the gold labels,
// columns the predicted ones, each cell shaded by its share of the row.
function heatmap(title, c) {
  const rowSum = c.counts.map(row => row.reduce((a, b) => a + b, 0));
  const cell = (n, i, j) => {
    const share = rowSum[i] ? n / rowSum[i] : 0;
    const td = h('td', { class: 'hm-cell' + (i === j ? ' hm-diag' : ''), title: `${c.labels[i]} → ${c.labels[j]}: ${n} (${pct(share, 0)})` }, n ? String(n) : '');
    if (n) td.style.background = i === j ? `rgba(22, 163, 74, ${0.12 + 0.7 * share})` : `rgba(220, 38, 38, ${0.12 + 0.75 * share})`;
    if (share > 0.55) td.style.color = '#fff';
    return td;
  };
  return h('figure', { class: 'chart-fig' }, h('figcaption', {}, title),
    h('p', { class: 'muted small' }, t('eval.confusion_note')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'heatmap' },
      h('thead', {}, h('tr', {}, h('th', { class: 'hm-corner' }), c.labels.map(l => h('th', { class: 'hm-col', title: l }, h('span', {}, l))))),
      h('tbody', {}, c.counts.map((row, i) => h('tr', {}, h('th', { class: 'hm-row', title: c.labels[i] }, c.labels[i]), row.map((n, j) => cell(n, i, j))))))));
}

function confusedPairs(pairs) {
  if (!pairs || !pairs.length) return null;
  return h('section', { class: 'eval-pairs' }, h('h3', {}, t('eval.most_confused')),
    h('ul', { class: 'pair-list' }, pairs.map(p => h('li', {},
      h('div', {}, h('strong', {}, p.gold), ' → ', h('strong', {}, p.predicted), ' ',
        h('span', { class: 'muted small' }, t('eval.pair_count', { n: p.count, share: pct(p.share, 0) }))),
      (p.examples || []).length ? h('ul', { class: 'pair-examples' }, p.examples.map(x => h('li', {}, x))) : null))));
}

function perClassTable(sc) {
  const pc = sc.per_class || {};
  const labels = Object.keys(pc).sort();
  if (!labels.length) return null;
  return h('details', { class: 'eval-table' }, h('summary', {}, t('eval.per_class')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table compact num' },
      h('thead', {}, h('tr', {}, h('th', {}, t('eval.class')), ['precision', 'recall', 'F1', 'support', 'predicted'].map(x => h('th', {}, x)))),
      h('tbody', {}, labels.map(k => h('tr', {}, h('th', {}, k), h('td', {}, f3(pc[k].precision)), h('td', {}, f3(pc[k].recall)), h('td', {}, f3(pc[k].f1)),
        h('td', {}, String(pc[k].support)), h('td', {}, String(pc[k].predicted))))))));
}

const RMETRICS = ['recall@1', 'recall@5', 'recall@10', 'mrr@10', 'ndcg@10'];

function retrieve(r) {
  const modes = r.modes || [];
  const best = modes.reduce((b, m) => (!b || m['ndcg@10'] > b['ndcg@10'] ? m : b), null);
  const first = modes[0] || {};
  const s = r.sample;
  return h('div', { class: 'eval-section' },
    facts([
      [t('eval.articles'), fileN(r.articles_file, first.articles || 0)],
      [t('eval.queries'), fileN(r.queries_file, first.queries || 0)],
      [t('eval.embedder'), r.embedder],
      ['k', r.k],
      [t('eval.sample'), s ? t('eval.sample_retrieve', { seed: s.seed, n: first.queries || 0, of: s.queries_of }) : null],
      [t('eval.timing'), t('eval.timing_retrieve', { s: Number(r.index_seconds || 0).toFixed(1) })],
    ]),
    best ? h('div', { class: 'kpis' },
      kpi(t('eval.best_mode'), best.mode, 'nDCG@10'),
      kpi('recall@5', f3(best['recall@5'])),
      kpi('nDCG@10', f3(best['ndcg@10'])),
      kpi('MRR@10', f3(best['mrr@10']))) : null,
    modes.length ? h('div', { class: 'report-grid eval-charts' },
      h('div', {}, barChart({ title: t('eval.by_mode'), labels: RMETRICS, unit: '%', series: modes.map(m => ({ name: m.mode, values: RMETRICS.map(k => m[k]) })) })),
      h('div', { class: 'table-wrap' }, h('table', { class: 'table compact num' },
        h('thead', {}, h('tr', {}, h('th', {}, t('eval.metric')), modes.map(m => h('th', {}, m.mode)))),
        h('tbody', {},
          RMETRICS.map(k => h('tr', {}, h('th', {}, k), modes.map(m => h('td', {}, f3(m[k]))))),
          h('tr', { class: 'muted' }, h('th', {}, t('eval.qps')), modes.map(m => h('td', {}, Number(m.queries_per_second || 0).toFixed(0)))),
          h('tr', { class: 'muted' }, h('th', {}, 'p50 ms'), modes.map(m => h('td', {}, Number(m.latency_p50_ms || 0).toFixed(2)))),
          h('tr', { class: 'muted' }, h('th', {}, 'p99 ms'), modes.map(m => h('td', {}, Number(m.latency_p99_ms || 0).toFixed(2)))))))) : empty(t('reports.none')),
    modes.filter(m => (m.missed || []).length).map(m => h('details', { class: 'eval-table' },
      h('summary', {}, t('eval.missed', { mode: m.mode, n: m.missed.length })),
      h('ul', { class: 'pair-list' }, m.missed.map(x => h('li', {},
        h('div', {}, x.text), h('div', { class: 'muted small' }, t('eval.missed_want'), ' ', (x.relevant_titles || x.relevant || []).join('；'),
          x.relevant_rank ? ' ' + t('eval.missed_rank', { n: x.relevant_rank }) : ''),
        h('div', { class: 'muted small' }, t('eval.missed_got'), ' ', (x.got_titles || x.got || []).join('；'))))))));
}

function live(r) {
  const fields = r.fields || [];
  const fb = r.suggestions || {};
  const kinds = [...(fb.kinds || []), ...(fb.total ? [fb.total] : [])];
  return h('div', { class: 'eval-section' },
    facts([[t('eval.since'), r.since || t('eval.all_time')], [t('eval.closed'), r.closed], [t('eval.no_record'), r.no_record]]),
    h('div', { class: 'kpis' },
      fields.map(f => kpi(t('eval.field_accuracy', { field: t('ticket.' + f.field, {}, f.field) }), f3(f.accuracy), t('eval.as_set', { v: f3(f.accuracy_as_set) }))),
      fb.total ? kpi(t('eval.acceptance'), p1(fb.total.acceptance_rate), t('eval.useful', { v: p1(fb.total.useful_rate) })) : null),
    fields.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table compact num' },
      h('thead', {}, h('tr', {}, [t('eval.field'), t('eval.scored'), t('eval.manual'), t('eval.no_final'), t('eval.m_accuracy'), t('eval.as_set_col'), t('eval.abstain_col'), 'macro F1'].map(x => h('th', {}, x)))),
      h('tbody', {}, fields.map(f => h('tr', {}, h('th', {}, t('ticket.' + f.field, {}, f.field)), h('td', {}, String(f.examples)), h('td', {}, String(f.manual)), h('td', {}, String(f.no_final)),
        h('td', {}, f3(f.accuracy)), h('td', {}, f3(f.accuracy_as_set)), h('td', {}, p1((f.abstain || {}).abstain_rate)), h('td', {}, f3(f.macro_f1)))))))
      : null,
    fields.filter(f => f.examples).map(f => classCharts(f, false, t('ticket.' + f.field, {}, f.field) + ' · ')),
    kinds.length ? h('div', { class: 'report-grid eval-charts' },
      h('div', {}, barChart({ title: t('eval.acceptance_by_kind'), labels: kinds.map(k => k.kind), unit: '%', series: [
        { name: t('feedback.accepted'), values: kinds.map(k => k.acceptance_rate) },
        { name: t('eval.useful_name'), values: kinds.map(k => k.useful_rate) }] }))) : null);
}
