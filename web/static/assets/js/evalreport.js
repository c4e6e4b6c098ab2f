// One saved evaluation report (/app/eval/<id>): the report as the server
// draws it (package eval, the same drawing as the report's own HTML page,
// its labels in the UI's language), under a header with downloads of that
// page and of the JSON. The page itself is not framed: its route wants the
// token in a header, which neither a frame nor a link can send, and it
// carries its own styles, which this page's CSP refuses; the drawing comes
// as one element instead, styled by /assets/eval-report.css.

import { h, add, empty, errorBox, timeEl, busy, showError, badge, trustedHTML } from './dom.js';
import { t, lang } from './i18n.js';
import * as api from './api.js';

const f3 = v => (v == null || isNaN(v) ? '—' : Number(v).toFixed(3));

const KINDS = { classify: 'eval.kind_classify', retrieve: 'eval.kind_retrieve', live: 'eval.kind_live', suite: 'eval.kind_suite' };

export function kindBadge(kind) {
  return badge(KINDS[kind] ? t(KINDS[kind]) : kind, 'badge-src kind-' + kind);
}

// reportTitle is a report's title in the UI's language.
export function reportTitle(info) {
  return (info.titles && info.titles[lang()]) || info.title || info.id;
}

// metricChips shows a report's headline metrics ("hybrid.recall@5" →
// 0.812), in name order so a suite's sets stay together.
export function metricChips(metrics) {
  const keys = Object.keys(metrics || {}).sort();
  if (!keys.length) return null;
  return h('ul', { class: 'metric-chips' }, keys.map(k =>
    h('li', { class: 'metric', data: { metric: k } }, h('span', { class: 'metric-name' }, k), ' ', h('strong', {}, f3(metrics[k])))));
}

// stylesheet adds the report's stylesheet to the page, once.
function stylesheet() {
  if (document.getElementById('eval-report-css')) return;
  document.head.appendChild(h('link', { id: 'eval-report-css', rel: 'stylesheet', href: '/assets/eval-report.css' }));
}

export async function renderReport(ctx, id) {
  const path = '/v1/eval/reports/' + encodeURIComponent(id);
  const crumbs = h('div', { class: 'crumbs' }, h('a', { href: '/app/eval' }, '← ', t('eval.title')));
  stylesheet();
  let view;
  try {
    view = await api.get(path + '/view', { lang: lang() === 'en' ? 'en' : 'zh-CN' }, { signal: ctx.signal });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    ctx.title(t('eval.title'));
    add(ctx.main, crumbs, err.status === 404 ? empty(t('eval.not_found')) : errorBox(err));
    return;
  }
  const info = view.info;
  ctx.title(view.title || info.id);
  const actions = h('div', { class: 'row' },
    info.html ? download(t('eval.download_html'), path + '/html', info.id + '.html', 'text/html;charset=utf-8') : null,
    download(t('eval.download_json'), path, info.id + '.json', 'application/json', d => JSON.stringify(JSON.parse(d).report, null, 1)));
  const body = h('div', { class: 'card eval-body' });
  trustedHTML(body, view.html);
  // The table of contents of a suite links within the page.
  for (const a of body.querySelectorAll('a[href^="#"]')) {
    a.removeAttribute('target');
    a.removeAttribute('rel');
    a.addEventListener('click', ev => {
      ev.preventDefault();
      const target = body.querySelector(a.getAttribute('href'));
      if (target) target.scrollIntoView({ block: 'start' });
    });
  }
  add(ctx.main, crumbs,
    h('div', { class: 'page-head' }, h('h1', { class: 'eval-title' }, view.title || info.id), actions),
    h('div', { class: 'ticket-badges eval-meta' }, kindBadge(info.kind), h('span', { class: 'muted small' }, t('eval.saved'), ' ', timeEl(info.saved_at)),
      h('span', { class: 'muted small mono' }, info.id)),
    info.html ? h('p', { class: 'muted small' }, t('eval.html_hint')) : null,
    body);
}

// download fetches a file with the token and saves it: a plain link
// would not carry the token.
function download(label, path, name, type, transform) {
  const btn = h('button', { type: 'button', class: 'btn btn-small' }, label);
  btn.addEventListener('click', () => busy(btn, async () => {
    try {
      const res = await api.call('GET', path, { raw: true });
      const url = URL.createObjectURL(new Blob([transform ? transform(res.data) : res.data], { type }));
      const a = h('a', { download: name });
      a.href = url; // a blob: URL, which h's safeHref would turn into '#'
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
