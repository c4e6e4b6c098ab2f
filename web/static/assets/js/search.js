// Search over the KB and resolved tickets, lexical, by meaning or both
// (hybrid), with every source's ranks and scores shown so a person can see
// why a result came up.

import { h, add, empty, errorBox, select, num, badge } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { reasonText } from './explain.js';

export async function render(ctx) {
  const q = ctx.query.get('q') || '';
  const kind = ctx.query.get('kind') || 'article';
  const mode = ctx.query.get('mode') || 'hybrid';
  ctx.title(q ? t('search.title_q', { q }) : t('search.title'));
  const input = h('input', { type: 'search', name: 'q', id: 'search-q', value: q, placeholder: t('search.placeholder'), 'aria-label': t('search.label') });
  const kindSel = select([['article', t('search.kind.article')], ['ticket', t('search.kind.ticket')]], kind, { name: 'kind', 'aria-label': t('search.kind') });
  const modeSel = select([['hybrid', t('search.mode.hybrid')], ['lexical', t('search.mode.lexical')], ['vector', t('search.mode.vector')]], mode, { name: 'mode', 'aria-label': t('search.mode') });
  const form = h('form', { class: 'filters', role: 'search' }, input, kindSel, modeSel, h('button', { type: 'submit', class: 'btn btn-primary' }, t('search.go')));
  const go = () => {
    const p = new URLSearchParams({ q: input.value.trim(), kind: kindSel.value, mode: modeSel.value });
    ctx.navigate('/app/search?' + p, { replace: true });
  };
  form.addEventListener('submit', ev => { ev.preventDefault(); go(); });
  kindSel.addEventListener('change', go);
  modeSel.addEventListener('change', go);
  const results = h('div', { class: 'results', id: 'search-results' });
  add(ctx.main, h('div', { class: 'page-head' }, h('h1', {}, t('search.title'))), form, results);
  if (!q) { add(results, empty(t('search.hint'))); input.focus(); return; }
  try {
    const r = await api.get('/v1/search', { q, kind, mode, k: 20 }, { signal: ctx.signal });
    // The embedder failed or was late: the answer is by words alone, and says why.
    if (r.degraded && r.reason) add(results, h('p', { class: 'muted small degraded', id: 'search-degraded' }, reasonText(r.reason)));
    if (!(r.items || []).length) { add(results, empty(t('search.none', { q }))); return; }
    add(results, h('p', { class: 'muted small' }, t('search.count', { n: r.items.length, mode: t('search.mode.' + r.mode, {}, r.mode) })),
      h('ol', { class: 'search-list' }, r.items.map(s => {
        const href = s.kind === 'article' ? '/app/kb/' + encodeURIComponent(s.id) : '/app/tickets/' + encodeURIComponent(s.id);
        return h('li', { class: 'search-hit card', data: { id: s.id } },
          h('div', { class: 'source-head' }, h('a', { href, class: 'source-title' }, s.title || s.id), s.category ? badge(s.category) : null),
          h('div', { class: 'snippet-text clamp' }, s.snippet || ''),
          s.resolution ? h('div', { class: 'resolution clamp' }, h('strong', {}, t('sugg.resolution')), ' ', s.resolution) : null,
          h('div', { class: 'scores small' },
            h('span', { class: 'score' }, t('sugg.lexical'), s.lexical_rank ? ` #${s.lexical_rank} (${num(s.lexical_score, 3)})` : ' —'),
            h('span', { class: 'score' }, t('sugg.vector'), s.vector_rank ? ` #${s.vector_rank} (${num(s.vector_score, 3)})` : ' —'),
            h('span', { class: 'score' }, t('sugg.fused'), ' ', num(s.fused, 4))),
          s.why ? h('div', { class: 'why-line small muted' }, reasonText(s.why)) : null);
      })));
  } catch (err) {
    if (err.name !== 'AbortError') add(results, errorBox(err));
  }
}
