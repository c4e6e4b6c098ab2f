// One KB article: the editor with a live preview, its place in the review
// workflow (draft → in review → published → archived), and its versions
// with a diff between any two and a revert.

import { h, add, clear, empty, errorBox, statusBadge, timeEl, fmtTime, fmtShort, busy, toast, showError, markFieldError, trustedHTML, modal, confirmDialog } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { kbTabs } from './kb.js';
import { reasonsText } from './explain.js';

// moveLabel names the button of a move. Which moves there are is the
// server's to say: an article comes with the moves its reader may make
// (agents submit their own drafts, editors do the rest).
function moveLabel(from, to) {
  switch (to) {
    case 'in_review': return 'kb.submit';
    case 'published': return from === 'in_review' ? 'kb.approve_publish' : 'kb.publish';
    case 'archived': return 'kb.archive';
    case 'draft': return from === 'in_review' ? 'kb.send_back' : from === 'archived' ? 'kb.restore' : 'kb.unpublish';
  }
  return 'status.' + to;
}

export async function render(ctx) {
  const isNew = ctx.view === 'new';
  const id = isNew ? '' : ctx.params[0];
  const path = '/v1/articles/' + encodeURIComponent(id);
  const st = { article: null, etag: '', versions: [], tab: ctx.query.get('tab') || 'edit' };
  const canWrite = api.can(isNew ? 'POST' : 'PATCH', isNew ? '/v1/articles' : '/v1/articles/:id');

  if (!isNew) {
    try {
      const r = await api.getWithTag(path);
      st.article = r.data;
      st.etag = r.etag;
    } catch (err) {
      if (err.status === 404) { add(ctx.main, kbTabs(''), empty(t('kb.not_found'))); return; }
      throw err;
    }
  }
  const a = st.article || {
    title: ctx.query.get('title') || '', body: '', category: ctx.query.get('category') || '',
    tags: (ctx.query.get('tags') || '').split(',').filter(Boolean), status: 'draft', version: 0,
  };
  ctx.title(isNew ? t('kb.new') : a.title);

  const head = h('div', { class: 'page-head' });
  const tabsEl = h('div', { class: 'tabs' });
  const body = h('div');
  add(ctx.main, kbTabs(''), head, tabsEl, body);

  function renderHead() {
    const art = st.article;
    add(clear(head), 
      h('div', {},
        h('h1', {}, isNew ? t('kb.new') : art.title),
        isNew ? null : h('div', { class: 'row muted small' }, statusBadge(art.status), ' v' + art.version, ' · ',
          t('kb.updated'), ' ', timeEl(art.updated_at), art.published_at ? [' · ', t('kb.published_at'), ' ', fmtTime(art.published_at)] : null)),
      isNew ? null : workflow());
    if (!isNew) add(head, revisionsPanel());
  }

  // revisionsPanel shows the article's open revisions: who proposed what,
  // and the author's next step (submit, withdraw); editors review them in
  // the review queue.
  function revisionsPanel() {
    const art = st.article;
    const revs = art.revisions || [];
    if (!revs.length) return art.review_required && art.status === 'published' && canWrite ? h('p', { class: 'muted small review-hint' }, t('kb.review_required_hint')) : null;
    return h('div', { class: 'card revisions', id: 'article-revisions' }, h('h2', {}, t('kb.revisions')), revs.map(r => {
      const mine = r.author_id === api.myActor();
      const step = (action, label, done) => {
        const b = h('button', { type: 'button', class: 'btn btn-small' + (action === 'submit' ? ' btn-primary' : ''), data: { revision: action } }, t(label));
        b.addEventListener('click', () => busy(b, async () => {
          try {
            await api.post('/v1/kb/revisions/' + encodeURIComponent(r.id) + '/review', { action });
            toast(t(done));
            await reload();
          } catch (err) { showError(err); }
        }));
        return b;
      };
      return h('div', { class: 'row revision', data: { id: r.id } },
        h('span', { class: 'badge status status-' + r.status }, t('revision.' + r.status)),
        h('span', {}, t('kb.revision_by', { who: r.author_name })), ' · ', timeEl(r.updated_at),
        r.note ? h('span', { class: 'muted small' }, ' · ', r.note) : null,
        h('span', { class: 'spacer' }),
        mine && r.status === 'draft' ? step('submit', 'kb.revision_submit', 'kb.revision_submitted') : null,
        mine ? step('withdraw', 'kb.revision_withdraw', 'kb.revision_withdrawn') : null,
        r.status === 'in_review' && api.can('POST', '/v1/kb/revisions/:id/review') ? h('a', { class: 'btn btn-small', href: '/app/kb/review' }, t('kb.tab.review')) : null);
    }));
  }

  function workflow() {
    const art = st.article;
    const box = h('div', { class: 'actions workflow' });
    for (const to of art.moves || []) {
      const label = moveLabel(art.status, to);
      const b = h('button', { type: 'button', class: 'btn ' + (to === 'published' || to === 'in_review' ? 'btn-primary' : ''), data: { move: to } }, t(label));
      b.addEventListener('click', () => busy(b, () => move(to, label)));
      add(box, b);
    }
    return box;
  }

  async function move(to, label) {
    let note = t(label);
    if (to === 'draft' && st.article.status === 'in_review') {
      const r = await modal(t('kb.send_back'), h('div', {}, h('label', { for: 'mv-note' }, t('kb.send_back_why')), h('textarea', { id: 'mv-note', name: 'note', rows: '3', required: true })), { submitLabel: t('kb.send_back') });
      if (!r) return;
      note = r.note;
    } else if (to === 'archived' && !(await confirmDialog(t('kb.archive'), t('kb.archive_confirm'), t('kb.archive')))) {
      return;
    }
    if (dirty()) {
      toast(t('kb.save_first'), 'error');
      return;
    }
    try {
      let r;
      try {
        r = await api.call('PATCH', path, { body: { status: to, note }, etag: st.etag });
      } catch (err) {
        // With review required nobody publishes their own article; an
        // admin may, with a reason that is kept in the version.
        if (to !== 'published' || err.status !== 403 || err.field !== 'override' || api.role() !== 'admin') throw err;
        const m = await modal(t('kb.revision_override'), h('div', {}, h('p', { class: 'muted small' }, t('kb.own_article')), h('label', { for: 'ov-why' }, t('kb.revision_override_why')), h('textarea', { id: 'ov-why', name: 'override', rows: '3', required: true })), { submitLabel: t('kb.approve_publish') });
        if (!m) return;
        r = await api.call('PATCH', path, { body: { status: to, note, override: m.override }, etag: st.etag });
      }
      st.article = r.data;
      st.etag = r.etag;
      toast(t('kb.moved', { status: t('status.' + to) }));
      await loadVersions();
      renderAll();
    } catch (err) {
      showError(err);
      if (err.status === 412) await reload();
    }
  }

  async function reload() {
    const r = await api.getWithTag(path);
    st.article = r.data;
    st.etag = r.etag;
    await loadVersions();
    renderAll();
  }

  async function loadVersions() {
    if (!isNew) st.versions = (await api.get(path + '/versions')).items || [];
  }

  function renderTabs() {
    const tabs = [['edit', t('kb.tab.edit')]];
    if (!isNew) tabs.push(['view', t('kb.tab.view')], ['versions', t('kb.tab.versions', { n: st.versions.length })]);
    add(clear(tabsEl), ...tabs.map(([k, label]) => {
      const b = h('button', { type: 'button', class: 'tab' + (st.tab === k ? ' active' : ''), data: { tab: k } }, label);
      b.addEventListener('click', async () => {
        if (k !== 'edit' && dirty() && !(await confirmDialog(t('kb.unsaved'), t('kb.unsaved_text'), t('kb.discard')))) return;
        st.tab = k; history.replaceState(null, '', location.pathname + (k === 'edit' ? '' : '?tab=' + k)); renderAll();
      });
      return b;
    }));
  }

  // The editor --------------------------------------------------------------

  let form = null;
  let saved = null; // the values last saved, to know whether there are unsaved edits

  const values = () => ({
    title: form.elements.title.value.trim(),
    category: form.elements.category.value.trim(),
    tags: form.elements.tags.value.split(/[,，\s]+/).map(x => x.trim()).filter(Boolean),
    visibility: form.elements.visibility.value,
    body: form.elements.body.value,
  });
  const dirty = () => !!(form && form.isConnected && saved && JSON.stringify(values()) !== JSON.stringify(saved));

  // myRevision is the caller's open revision of the published article:
  // the editor continues it rather than starting from the live text.
  const myRevision = () => ((st.article && st.article.revisions) || []).find(r => r.author_id === api.myActor());

  function editor() {
    const rev = myRevision();
    const art = rev ? { ...st.article, title: rev.title, body: rev.body, category: rev.category, tags: rev.tags, visibility: rev.visibility } : (st.article || a);
    const preview = h('div', { class: 'article-body preview', 'aria-live': 'off' });
    const cats = h('datalist', { id: 'cat-list' });
    api.categories().then(cs => add(cats, ...cs.map(c => h('option', { value: c }))));
    const bodyInput = h('textarea', { name: 'body', id: 'art-body', rows: '18', class: 'mono-ish', disabled: !canWrite }, art.body);
    bodyInput.value = art.body;
    const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'save-article', disabled: !canWrite }, isNew ? t('kb.create') : t('kb.save'));
    const note = h('input', { type: 'text', name: 'note', placeholder: t('kb.note_placeholder'), 'aria-label': t('kb.note'), disabled: !canWrite || isNew, hidden: isNew });
    form = h('form', { class: 'editor-grid' },
      h('div', { class: 'editor-pane card' },
        h('div', { class: 'field' }, h('label', { for: 'art-title' }, t('kb.field_title')), h('input', { type: 'text', name: 'title', id: 'art-title', value: art.title, required: true, maxlength: '200', disabled: !canWrite })),
        h('div', { class: 'field-row' },
          h('div', { class: 'field' }, h('label', { for: 'art-cat' }, t('ticket.category')), h('input', { type: 'text', name: 'category', id: 'art-cat', value: art.category || '', list: 'cat-list', disabled: !canWrite }), cats),
          h('div', { class: 'field' }, h('label', { for: 'art-tags' }, t('kb.tags')), h('input', { type: 'text', name: 'tags', id: 'art-tags', value: (art.tags || []).join(', '), placeholder: t('kb.tags_hint'), disabled: !canWrite })),
          h('div', { class: 'field' }, h('label', { for: 'art-visibility' }, t('kb.visibility')),
            h('select', { name: 'visibility', id: 'art-visibility', title: t('kb.visibility_hint'), disabled: !canWrite },
              ['internal', 'public'].map(v => h('option', { value: v, selected: (art.visibility || 'internal') === v }, t('kb.visibility.' + v)))))),
        h('div', { class: 'field' }, h('label', { for: 'art-body' }, t('kb.body'), ' ', h('span', { class: 'muted small' }, t('kb.markdown'))), bodyInput),
        h('div', { class: 'row' }, note, h('span', { class: 'spacer' }), save),
        !canWrite ? h('p', { class: 'muted small' }, t('kb.read_only')) : null),
      h('div', { class: 'preview-pane card' },
        h('div', { class: 'panel-head' }, h('h2', {}, t('kb.preview')), h('span', { class: 'muted small' }, t('kb.preview_live'))),
        preview));
    // The preview is the server's rendering (the one renderer articles
    // use), asked for a moment after typing stops; a late answer to an
    // older text is dropped.
    let seq = 0, timer = 0;
    const canPreview = api.can('POST', '/v1/articles/preview');
    const renderPreview = async () => {
      const mine = ++seq;
      if (!canPreview) { trustedHTML(preview, art.html || ''); return; }
      try {
        const r = await api.post('/v1/articles/preview', { body: bodyInput.value });
        if (mine === seq) trustedHTML(preview, r.html);
      } catch (err) {
        if (mine === seq) add(clear(preview), errorBox(err));
      }
    };
    bodyInput.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(renderPreview, 250); });
    renderPreview();
    saved = values();
    bodyInput.addEventListener('keydown', ev => { if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); form.requestSubmit(); } });
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      busy(save, async () => {
        const v = values();
        try {
          if (isNew) {
            const created = await api.post('/v1/articles', v);
            toast(t('kb.created'));
            saved = v;
            ctx.navigate('/app/kb/' + encodeURIComponent(created.id), { replace: true });
            return;
          }
          const changes = { note: form.elements.note.value.trim() };
          for (const k of ['title', 'category', 'tags', 'visibility', 'body']) if (JSON.stringify(v[k]) !== JSON.stringify(saved[k])) changes[k] = v[k];
          if (Object.keys(changes).length === 1) { toast(t('kb.nothing_changed')); return; }
          // A revision is the whole proposed text: the server applies a
          // save to the live text, so every field goes along.
          if (st.article.review_required && st.article.status === 'published') Object.assign(changes, v);
          const r = await api.call('PATCH', path, { body: changes, etag: st.etag });
          st.article = r.data;
          st.etag = r.etag;
          saved = v;
          if (r.data.revision) {
            // The published text stays live: the edit waits for review.
            toast(t('kb.revision_saved'));
            renderAll();
            return;
          }
          toast(t('kb.saved', { v: st.article.version }));
          await loadVersions();
          st.tab = 'view';
          renderAll();
        } catch (err) {
          if (!markFieldError(form, err)) showError(err);
          if (err.status === 412) toast(t('error.stale_article'), 'error');
        }
      });
    });
    return form;
  }

  // The saved article as the API renders it -------------------------------------

  function viewer() {
    const art = st.article;
    const bodyEl = h('div', { class: 'article-body' });
    trustedHTML(bodyEl, art.html || '');
    return h('div', { class: 'card article-view' },
      h('div', { class: 'row' }, art.category ? h('span', { class: 'badge' }, art.category) : null,
        art.visibility === 'public' ? h('span', { class: 'badge', id: 'art-public' }, t('kb.visibility.public')) : null, (art.tags || []).map(x => h('span', { class: 'tag' }, '#', x))),
      h('p', { class: 'muted small' }, t('kb.rendered_by_server')),
      bodyEl);
  }

  // Versions and diff --------------------------------------------------------------

  function versions() {
    const vs = st.versions;
    if (!vs.length) return empty(t('kb.no_versions'));
    const latest = vs[vs.length - 1].version;
    const diffBox = h('div', { class: 'diff-box' });
    let from = Math.max(1, latest - 1);
    let to = latest;
    const radios = (name, v, checked) => h('input', { type: 'radio', name, value: String(v), checked, 'aria-label': name + ' v' + v });
    const table = h('table', { class: 'table versions' },
      h('thead', {}, h('tr', {}, h('th', {}, t('kb.from')), h('th', {}, t('kb.to')), h('th', {}, t('kb.version')), h('th', {}, t('kb.actor'), ' / ', t('kb.note')), h('th', {}, t('kb.when')), h('th', {}))),
      h('tbody', {}, vs.slice().reverse().map(v => {
        const revert = v.version !== latest && canWrite ? h('button', { type: 'button', class: 'btn btn-small', data: { revert: String(v.version) } }, t('kb.revert')) : null;
        if (revert) revert.addEventListener('click', () => busy(revert, () => doRevert(v.version)));
        return h('tr', {},
          h('td', {}, radios('from', v.version, v.version === from)),
          h('td', {}, radios('to', v.version, v.version === to)),
          // Version and status in one cell, who and why in another, and
          // a short time: the table shares the page with the diff.
          h('td', { class: 'v-no' }, 'v' + v.version, v.version === latest ? h('span', { class: 'muted small' }, ' (' + t('kb.current') + ')') : null,
            h('div', {}, statusBadge(v.status))),
          h('td', {}, v.actor_name || api.actorName(v.actor),
            v.why && v.why.length ? h('div', { class: 'v-why' }, reasonsText(v.why)) : null,
            v.note ? h('div', { class: 'v-note' }, v.note) : null),
          h('td', { class: 'small nowrap', title: fmtTime(v.created_at) }, fmtShort(v.created_at)),
          h('td', {}, revert));
      })));
    table.addEventListener('change', ev => {
      if (ev.target.name === 'from') from = Number(ev.target.value);
      if (ev.target.name === 'to') to = Number(ev.target.value);
      showDiff();
    });
    const showDiff = async () => {
      add(clear(diffBox), h('div', { class: 'loading' }, t('common.loading')));
      if (from === to) { add(clear(diffBox), empty(t('kb.same_version'))); return; }
      try {
        const d = await api.get(path + '/diff', { from, to });
        const [older, newer] = [vs.find(v => v.version === from), vs.find(v => v.version === to)];
        add(clear(diffBox),
          older && newer && older.status !== newer.status ? h('p', { class: 'diff-status' }, t('kb.status_change'), ' ', statusBadge(older.status), ' → ', statusBadge(newer.status)) : null,
          renderDiff(d));
      } catch (err) {
        add(clear(diffBox), errorBox(err));
      }
    };
    showDiff();
    return h('div', { class: 'versions-grid' }, h('div', { class: 'card table-wrap' }, table), h('div', { class: 'card' }, h('h2', {}, t('kb.diff')), diffBox));
  }

  async function doRevert(version) {
    if (!(await confirmDialog(t('kb.revert'), t('kb.revert_confirm', { v: version }), t('kb.revert'), false))) return;
    try {
      const r = await api.call('POST', path + '/revert', { body: { version }, etag: st.etag });
      st.article = r.data;
      st.etag = r.etag;
      toast(t('kb.reverted', { v: version, now: st.article.version }));
      await loadVersions();
      renderAll();
    } catch (err) {
      showError(err);
    }
  }

  function renderAll() {
    renderHead();
    renderTabs();
    clear(body);
    if (st.tab === 'view' && st.article) add(body, viewer());
    else if (st.tab === 'versions' && st.article) add(body, versions());
    else add(body, editor());
  }

  const beforeUnload = ev => { if (dirty()) { ev.preventDefault(); ev.returnValue = ''; } };
  window.addEventListener('beforeunload', beforeUnload);
  ctx.onLeave(() => window.removeEventListener('beforeunload', beforeUnload));

  await loadVersions();
  renderAll();
}

// renderDiff shows each changed field's hunks, with the changed parts of a
// replaced line marked.
export function renderDiff(d) {
  const changed = (d.fields || []).filter(f => f.changed);
  if (!changed.length) return empty(t('kb.no_changes'));
  return h('div', { class: 'diff' }, h('p', { class: 'muted small' }, `v${d.from} → v${d.to}`), changed.map(f =>
    h('div', { class: 'diff-field' },
      h('h3', {}, t('kb.field.' + f.field, {}, f.field)),
      (f.hunks || []).map(hk => h('div', { class: 'hunk' },
        h('div', { class: 'hunk-head mono small' }, `@@ -${hk.old_start},${hk.old_lines} +${hk.new_start},${hk.new_lines} @@`),
        (hk.lines || []).map(l => h('div', { class: 'dl dl-' + l.op },
          h('span', { class: 'dl-no' }, l.old_no ? String(l.old_no) : ''),
          h('span', { class: 'dl-no' }, l.new_no ? String(l.new_no) : ''),
          h('span', { class: 'dl-op' }, l.op === 'insert' ? '+' : l.op === 'delete' ? '−' : ' '),
          h('span', { class: 'dl-text' }, l.spans && l.spans.length ? l.spans.map(sp => sp.changed ? h('mark', {}, sp.text) : sp.text) : l.text))))))));
}
