// The knowledge base: the article list with filters, the review queue
// (submit → approve and publish, or send back), and the gap list (articles
// agents keep rejecting and groups of tickets no article answers).

import { h, add, clear, empty, errorBox, statusBadge, timeEl, select, debounce, badge, pct, busy, toast, showError, modal, stack } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { renderDiff } from './article.js';


export function kbTabs(active) {
  const tabs = [['list', '/app/kb', t('kb.tab.articles')], ['review', '/app/kb/review', t('kb.tab.review')]];
  if (api.can('GET', '/v1/kb/gaps')) tabs.push(['gaps', '/app/kb/gaps', t('kb.tab.gaps')]);
  return h('div', { class: 'tabs' }, tabs.map(([k, href, label]) =>
    h('a', { href, class: 'tab' + (k === active ? ' active' : ''), 'aria-current': k === active ? 'page' : null }, label)));
}

function newButton() {
  return api.can('POST', '/v1/articles') ? h('a', { href: '/app/kb/new', class: 'btn btn-primary', id: 'new-article' }, '+ ', t('kb.new')) : null;
}

export async function render(ctx) {
  if (ctx.view === 'review') return review(ctx);
  if (ctx.view === 'gaps') return gaps(ctx);
  return list(ctx);
}

async function list(ctx) {
  ctx.title(t('kb.title'));
  const q = ctx.query;
  const state = { status: q.get('status') || '', category: q.get('category') || '', q: q.get('q') || '' };
  const cats = await api.categories();
  const statusSel = select([['', t('kb.any_status')], ...api.enumValues('ArticleStatus').map(s => [s, t('status.' + s)])], state.status, { name: 'status', 'aria-label': t('kb.status') });
  const catSel = select([['', t('inbox.any_category')], ...cats.map(c => [c, c])], state.category, { name: 'category', 'aria-label': t('ticket.category') });
  const text = h('input', { type: 'search', name: 'q', value: state.q, placeholder: t('kb.filter'), 'aria-label': t('kb.filter') });
  const searchLink = h('a', { class: 'btn btn-ghost', href: '/app/search?q=' + encodeURIComponent(state.q) }, t('kb.semantic'));
  const form = h('form', { class: 'filters' }, text, statusSel, catSel, searchLink);
  const apply = () => {
    const p = new URLSearchParams();
    if (text.value.trim()) p.set('q', text.value.trim());
    if (statusSel.value) p.set('status', statusSel.value);
    if (catSel.value) p.set('category', catSel.value);
    ctx.navigate('/app/kb' + (p.toString() ? '?' + p : ''), { replace: true });
  };
  form.addEventListener('change', apply);
  form.addEventListener('submit', ev => { ev.preventDefault(); apply(); });
  text.addEventListener('input', debounce(apply, 400));
  if (state.q && sessionStorage.getItem('trg:kbTyping')) { setTimeout(() => { text.focus(); text.setSelectionRange(text.value.length, text.value.length); }); }
  text.addEventListener('focus', () => sessionStorage.setItem('trg:kbTyping', '1'));
  text.addEventListener('blur', () => sessionStorage.removeItem('trg:kbTyping'));

  const listEl = h('div', { class: 'article-list', role: 'list' });
  const more = h('button', { type: 'button', class: 'btn', hidden: true }, t('common.more'));
  add(ctx.main, 
    h('div', { class: 'page-head' }, h('h1', {}, t('kb.title')), newButton()),
    kbTabs('list'), form, listEl, h('div', { class: 'center' }, more));

  let cursor = '';
  let n = 0;
  const load = async () => {
    try {
      const page = await api.get('/v1/articles', { q: state.q, status: state.status, category: state.category, cursor, limit: 50 }, { signal: ctx.signal });
      for (const a of page.items || []) { add(listEl, articleRow(a)); n++; }
      cursor = page.next_cursor || '';
      more.hidden = !cursor;
      if (!n) listEl.replaceWith(empty(state.q || state.status || state.category ? t('kb.empty_filtered') : t('kb.empty'), newButton()));
    } catch (err) {
      if (err.name !== 'AbortError') listEl.replaceWith(errorBox(err));
    }
  };
  more.addEventListener('click', load);
  await load();
}

function articleRow(a) {
  return h('a', { class: 'article-row', href: '/app/kb/' + encodeURIComponent(a.id), role: 'listitem' },
    h('span', { class: 'ar-title' }, a.title),
    h('span', { class: 'ar-meta' },
      statusBadge(a.status),
      a.category ? h('span', { class: 'badge' }, a.category) : null,
      (a.tags || []).slice(0, 4).map(tag => h('span', { class: 'tag' }, '#', tag))),
    h('span', { class: 'ar-time muted small' }, 'v', String(a.version), ' · ', a.author_name || api.actorName(a.author_id), ' · ', timeEl(a.updated_at)));
}

async function review(ctx) {
  ctx.title(t('kb.tab.review'));
  const canPublish = ['admin', 'editor'].includes(api.role());
  const box = h('div', { class: 'review-list' });
  add(ctx.main, h('div', { class: 'page-head' }, h('h1', {}, t('kb.review_title')), newButton()), kbTabs('review'),
    h('p', { class: 'muted' }, t(canPublish ? 'kb.review_lead_editor' : 'kb.review_lead_agent')));
  if (api.can('PATCH', '/v1/settings/workflow')) add(ctx.main, await reviewSetting());
  add(ctx.main, box);
  if (api.can('GET', '/v1/kb/revisions')) {
    const revBox = h('div', { class: 'review-list', id: 'revision-queue' });
    add(ctx.main, h('h2', {}, t('kb.review_revisions')), revBox);
    await revisionQueue(revBox, canPublish);
  }
  let reviewOn = true;
  const load = async () => {
    const items = await api.all('/v1/articles', { status: 'in_review' }, 500);
    if (api.exists('GET', '/v1/settings/workflow')) {
      try { reviewOn = (await api.get('/v1/settings/workflow')).kb_review; } catch { reviewOn = true; }
    }
    clear(box);
    if (!items.length) { add(box, empty(t('kb.review_empty'))); return; }
    for (const a of items) {
      const approve = h('button', { type: 'button', class: 'btn btn-primary btn-small', data: { act: 'approve', id: a.id }, hidden: !canPublish }, t('kb.approve_publish'));
      const back = h('button', { type: 'button', class: 'btn btn-small', hidden: !canPublish }, t('kb.send_back'));
      approve.addEventListener('click', () => busy(approve, async () => {
        const publish = override => api.patch('/v1/articles/' + encodeURIComponent(a.id), { status: 'published', note: t('kb.approved_note'), ...(override ? { override } : {}) }, api.etagOf(a));
        const askReason = () => modal(t('kb.revision_override'), h('div', {}, h('p', { class: 'muted small' }, t('kb.own_article')), h('label', { for: 'ov-why' }, t('kb.revision_override_why')), h('textarea', { id: 'ov-why', name: 'override', rows: '3', required: true })), { submitLabel: t('kb.approve_publish') });
        try {
          // With review required nobody publishes their own article; an
          // admin may, with a reason that is kept in the version. The
          // author is asked at once; one who only edited it hears so
          // from the server first.
          const own = reviewOn && api.role() === 'admin' && a.author_id === api.myActor();
          let m = own ? await askReason() : null;
          if (own && !m) return;
          try {
            await publish(m ? m.override : '');
          } catch (err) {
            if (m || err.status !== 403 || err.field !== 'override' || api.role() !== 'admin') throw err;
            m = await askReason();
            if (!m) return;
            await publish(m.override);
          }
          toast(t('kb.published', { title: a.title }));
          await load();
        } catch (err) { showError(err); if (err.status === 412) await load(); }
      }));
      back.addEventListener('click', async () => {
        const r = await modal(t('kb.send_back'), h('div', {}, h('label', { for: 'sb-note' }, t('kb.send_back_why')), h('textarea', { id: 'sb-note', name: 'note', rows: '3', required: true })), { submitLabel: t('kb.send_back') });
        if (!r) return;
        try {
          await api.patch('/v1/articles/' + encodeURIComponent(a.id), { status: 'draft', note: r.note }, api.etagOf(a));
          toast(t('kb.sent_back'));
          await load();
        } catch (err) { showError(err); }
      });
      add(box, h('div', { class: 'card review-item', data: { id: a.id } },
        h('div', { class: 'ri-head' },
          h('a', { href: '/app/kb/' + encodeURIComponent(a.id), class: 'ri-title' }, a.title),
          a.category ? badge(a.category) : null),
        h('div', { class: 'muted small' }, t('kb.submitted_by', { who: a.author_name || api.actorName(a.author_id) }), ' · v', String(a.version), ' · ', timeEl(a.updated_at)),
        h('p', { class: 'ri-excerpt' }, (a.body || '').replace(/[#*`>|_-]+/g, ' ').slice(0, 220)),
        h('div', { class: 'actions' }, h('a', { class: 'btn btn-small', href: '/app/kb/' + encodeURIComponent(a.id) + '?tab=versions' }, t('kb.view_changes')), back, approve)));
    }
  };
  await load();
}

// reviewSetting is the admins' switch for review (a workflow setting kept
// in the store, each change in its audit trail): on, a new article is
// published by someone other than its author and an edit of a published
// one is a revision another editor approves; off, editors publish and
// edit in place.
async function reviewSetting() {
  const card = h('section', { class: 'card review-setting', id: 'review-setting' });
  const show = async () => {
    const r = await api.getWithTag('/v1/settings/workflow');
    const set = r.data;
    const box = h('input', { type: 'checkbox', class: 'switch', id: 'kb-review-on', checked: set.kb_review });
    const last = (set.changes || []).find(c => c.setting === 'kb_review');
    box.addEventListener('change', () => busy(box, async () => {
      try {
        // Never saved (version 0): nothing to be stale against.
        await api.patch('/v1/settings/workflow', { kb_review: box.checked }, set.version > 0 ? r.etag : '*');
        toast(t(box.checked ? 'kb.review_turned_on' : 'kb.review_turned_off'));
        await show();
      } catch (err) { showError(err); box.checked = !box.checked; }
    }));
    add(clear(card), h('h2', {}, t('kb.review_setting')),
      h('label', { class: 'check', for: 'kb-review-on' }, box, ' ', t('kb.review_required_label')),
      h('p', { class: 'muted small' }, t(set.kb_review ? 'kb.review_on_hint' : 'kb.review_off_hint')),
      last ? h('p', { class: 'muted small review-setting-last' }, t('kb.review_changed_by', { who: last.actor_name, from: t(last.from === 'true' ? 'kb.review_true' : 'kb.review_false'), to: t(last.to === 'true' ? 'kb.review_true' : 'kb.review_false') }), ' · ', timeEl(last.at)) : null);
  };
  try { await show(); } catch (err) { add(card, errorBox(err)); }
  return card;
}

// revisionQueue lists the revisions of published articles that wait for
// review, each with its diff from the live text. Nobody approves their own
// change: an admin may, with a reason that is kept.
async function revisionQueue(box, canPublish) {
  const load = async () => {
    const items = (await api.get('/v1/kb/revisions', { status: 'in_review' })).items || [];
    clear(box);
    if (!items.length) { add(box, empty(t('kb.review_revisions_empty'))); return; }
    for (const r of items) {
      const own = r.author_id === api.myActor();
      const admin = api.role() === 'admin';
      const approve = h('button', { type: 'button', class: 'btn btn-primary btn-small', data: { act: 'approve-revision', id: r.id }, hidden: !canPublish,
        disabled: own && !admin, title: own ? t(admin ? 'kb.revision_override' : 'kb.revision_own') : null }, t(own && admin ? 'kb.revision_override' : 'kb.revision_approve'));
      const reject = h('button', { type: 'button', class: 'btn btn-small', data: { act: 'reject-revision', id: r.id }, hidden: !canPublish }, t('kb.revision_reject'));
      const step = async (body, done) => {
        try {
          const res = await api.post('/v1/kb/revisions/' + encodeURIComponent(r.id) + '/review', body);
          toast(done(res));
          await load();
        } catch (err) { showError(err); }
      };
      approve.addEventListener('click', () => busy(approve, async () => {
        const body = { action: 'approve' };
        if (own) {
          const m = await modal(t('kb.revision_override'), h('div', {}, h('label', { for: 'ov-why' }, t('kb.revision_override_why')), h('textarea', { id: 'ov-why', name: 'override', rows: '3', required: true })), { submitLabel: t('kb.revision_approve') });
          if (!m) return;
          body.override = m.override;
        }
        await step(body, res => t('kb.revision_approved', { title: res.article.title, v: res.article.version }));
      }));
      reject.addEventListener('click', async () => {
        const m = await modal(t('kb.revision_reject'), h('div', {}, h('label', { for: 'rj-why' }, t('kb.revision_reject_why')), h('textarea', { id: 'rj-why', name: 'note', rows: '3', required: true })), { submitLabel: t('kb.revision_reject') });
        if (m) await step({ action: 'reject', note: m.note }, () => t('kb.revision_rejected'));
      });
      const diffBox = h('div', { class: 'diff-box' });
      add(box, h('div', { class: 'card review-item revision-item', data: { id: r.id } },
        h('div', { class: 'ri-head' },
          h('a', { href: '/app/kb/' + encodeURIComponent(r.article_id), class: 'ri-title' }, r.article_title || r.title),
          statusBadge('in_review')),
        h('div', { class: 'muted small' }, t('kb.revision_by', { who: r.author_name }), ' · ', timeEl(r.updated_at)),
        r.note ? h('p', { class: 'v-note' }, r.note) : null,
        diffBox,
        h('div', { class: 'actions' }, reject, approve)));
      api.get('/v1/kb/revisions/' + encodeURIComponent(r.id)).then(full => add(diffBox, renderDiff(full.diff))).catch(err => add(diffBox, errorBox(err)));
    }
  };
  await load();
}

async function gaps(ctx) {
  ctx.title(t('kb.tab.gaps'));
  const days = Number(ctx.query.get('days') || 30);
  const since = new Date(Date.now() - days * 86400000).toISOString().slice(0, 10);
  const daysSel = select([7, 30, 90, 365].map(d => [String(d), t('kb.last_days', { n: d })]), String(days), { 'aria-label': t('kb.period') });
  daysSel.addEventListener('change', () => ctx.navigate('/app/kb/gaps?days=' + daysSel.value, { replace: true }));
  add(ctx.main, h('div', { class: 'page-head' }, h('h1', {}, t('kb.gaps_title')), daysSel), kbTabs('gaps'));
  const g = await api.get('/v1/kb/gaps', { since }, { signal: ctx.signal });

  const rejected = h('section', { class: 'card' }, h('h2', {}, t('kb.gaps_rejected')));
  if (!(g.rejected || []).length) add(rejected, empty(t('kb.gaps_rejected_none')));
  else {
    add(rejected, h('div', { class: 'table-wrap' }, stack(h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', {}, t('kb.article')), h('th', {}, t('feedback.rejected')), h('th', {}, t('kb.acceptance')), h('th', {}, t('kb.reasons')))),
      h('tbody', {}, g.rejected.map(r => h('tr', {},
        h('td', {}, r.kind === 'article' ? h('a', { href: '/app/kb/' + encodeURIComponent(r.id) }, r.title || r.id) : h('a', { href: '/app/tickets/' + encodeURIComponent(r.id) }, r.title || r.id)),
        h('td', {}, String(r.rejected), ' / ', String(r.accepted + r.edited + r.rejected)),
        h('td', {}, pct(r.acceptance)),
        h('td', {}, h('ul', { class: 'plain small' }, (r.reasons || []).slice(0, 5).map(x => h('li', {}, x)))))))))));
  }

  const unanswered = h('section', { class: 'card' }, h('h2', {}, t('kb.gaps_unanswered')),
    h('p', { class: 'muted small' }, t('kb.gaps_threshold', { x: (g.threshold || 0).toFixed(2) })));
  if (!(g.unanswered || []).length) add(unanswered, empty(t('kb.gaps_unanswered_none')));
  else {
    add(unanswered, h('div', { class: 'gap-groups' }, g.unanswered.map(grp => {
      const p = new URLSearchParams({ title: grp.titles[0] || grp.terms.join(' '), category: grp.category || '', tags: (grp.terms || []).slice(0, 3).join(',') });
      return h('div', { class: 'gap-group' },
        h('div', { class: 'row' }, h('strong', {}, t('kb.tickets_n', { n: grp.size })), grp.category ? badge(grp.category) : null),
        h('div', { class: 'terms' }, (grp.terms || []).map(x => h('span', { class: 'tag' }, x))),
        h('ul', { class: 'plain small' }, (grp.tickets || []).slice(0, 5).map((id, i) => h('li', {}, h('a', { href: '/app/tickets/' + encodeURIComponent(id) }, grp.titles[i] || id)))),
        api.can('POST', '/v1/articles') ? h('a', { class: 'btn btn-small', href: '/app/kb/new?' + p }, t('kb.write_for_gap')) : null);
    })));
  }
  add(ctx.main, h('div', { class: 'two-col' }, unanswered, rejected));
}
