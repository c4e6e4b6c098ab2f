// The macro picker (快捷回复) beside the ticket: the macros that fit the
// ticket best, already filled in for it, and a search over every macro
// the agent may use. Choosing one puts its text in the reply box; the
// composer sends it through the macro's apply endpoint, which also makes
// the macro's changes and counts whether the agent edited the text.

import { h, add, clear, empty, badge, showError } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';

// renderMacros fills box with the picker; use(macro, text) inserts.
export async function renderMacros(box, { ticketId, use, signal }) {
  const head = h('div', { class: 'panel-head' }, h('h2', {}, t('macro.title'), ' ', h('kbd', {}, 'm')));
  add(clear(box), head, h('div', { class: 'loading' }, t('common.loading')));
  const path = '/v1/tickets/' + encodeURIComponent(ticketId) + '/macros';
  let suggested, all;
  try {
    [suggested, all] = await Promise.all([api.get(path, null, { signal }), api.get('/v1/macros', null, { signal })]);
  } catch (err) {
    if (err.name === 'AbortError') return;
    add(clear(box), head, h('p', { class: 'muted' }, t('macro.unavailable')));
    return;
  }
  const items = suggested.items || [];
  const live = (all.items || []).filter(m => !m.archived);
  const choose = async m => {
    try {
      const hit = items.find(s => s.macro.id === m.id) || (await api.get(path, { macro: m.id })).items[0];
      use(hit.macro, hit.text);
    } catch (err) {
      showError(err);
    }
  };
  const list = h('ol', { class: 'macro-list' }, items.map((s, i) => h('li', {},
    h('button', { type: 'button', class: 'btn btn-small macro-pick', data: { macro: s.macro.id }, on: { click: () => choose(s.macro) } },
      h('kbd', {}, String(i + 1)), ' ', s.macro.title),
    // The same one figure as the suggested sources: 相关度 NN%.
    ' ', h('span', { class: 'muted small macro-relevance', title: t('macro.score_hint') + ' (' + s.lexical.toFixed(2) + ' / ' + s.usage.toFixed(2) + ')' },
      t('sugg.relevance'), ' ', h('strong', { class: 'relevance' }, Math.round(100 * (s.relevance || 0)) + '%')),
    s.similar_uses ? [' ', badge(t('macro.similar_uses', { n: s.similar_uses }), 'badge-ai')] : null,
    h('div', { class: 'macro-preview small muted' }, s.text.length > 120 ? s.text.slice(0, 120) + '…' : s.text))));
  const search = h('input', { type: 'search', id: 'macro-search', list: 'macro-options', placeholder: t('macro.search'), 'aria-label': t('macro.search') });
  const options = h('datalist', { id: 'macro-options' }, live.map(m => h('option', { value: m.title })));
  const pick = () => {
    const q = search.value.trim();
    const m = live.find(x => x.title === q) || live.find(x => q && (x.title.includes(q) || x.body.includes(q)));
    if (!m) { search.setCustomValidity(t('macro.no_match')); search.reportValidity(); return; }
    search.setCustomValidity('');
    search.value = '';
    choose(m);
  };
  search.addEventListener('keydown', ev => { if (ev.key === 'Enter') { ev.preventDefault(); pick(); } });
  search.addEventListener('change', () => { if (live.some(x => x.title === search.value.trim())) pick(); });
  add(clear(box), head,
    items.length ? list : empty(t('macro.none')),
    h('div', { class: 'row macro-search' }, search, options));
  box.macroKeys = {
    focus: () => search.focus(),
    nth: n => { if (items[n]) choose(items[n].macro); },
  };
}
