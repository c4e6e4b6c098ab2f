// Admin: importing a team's history (导入历史). An admin picks an export
// file (Zendesk, Zammad, Freshdesk, or a generic CSV / JSON Lines with its
// mapping file) and sends it to POST /v1/imports; the page shows the
// upload and the import running, then the summary: tickets imported,
// already there from an earlier import, and every skipped line with its
// line number and reason, in the reader's language. Importing the same file
// twice imports each ticket once.

import { h, add, clear, busy, showError, markFieldError, select, stack, empty, fileField } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { adminPage } from './admin-nav.js';

const FORMATS = ['zendesk', 'zammad', 'freshdesk', 'csv', 'jsonl'];

export async function render(ctx) {
  const body = adminPage(ctx, 'imports');
  if (!api.can('POST', '/v1/imports')) {
    add(body, empty(t('admin.forbidden')));
    return;
  }
  const format = select(FORMATS.map(f => [f, t('imports.format.' + f)]), 'zendesk', { name: 'format', id: 'imp-format' });
  // Not required: the browser's "please select a file" would be in its
  // own language; the submit says it (imports.no_file).
  const file = h('input', { type: 'file', name: 'data', id: 'imp-file', 'aria-required': 'true', accept: '.json,.jsonl,.csv,.txt' });
  const mapping = h('input', { type: 'file', name: 'mapping', id: 'imp-mapping', accept: '.json' });
  const train = h('input', { type: 'checkbox', name: 'train', id: 'imp-train', checked: true });
  const mapRow = h('div', { class: 'form-grid imp-mapping-row' },
    h('label', { for: 'imp-mapping' }, t('imports.mapping')), fileField(mapping),
    h('p', { class: 'muted small span2' }, t('imports.mapping_hint')));
  const showMapping = () => { mapRow.hidden = format.value !== 'csv' && format.value !== 'jsonl'; };
  format.addEventListener('change', showMapping);
  showMapping();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'imp-start' }, t('imports.start'));
  const form = h('form', { class: 'card imp-form', id: 'import-form' },
    h('p', { class: 'muted' }, t('imports.lead')),
    h('div', { class: 'form-grid' },
      h('label', { for: 'imp-format' }, t('imports.format')), format,
      h('label', { for: 'imp-file' }, t('imports.file')), fileField(file)),
    mapRow,
    h('label', { class: 'check' }, train, ' ', t('imports.train')),
    h('div', { class: 'actions' }, submit));
  const progress = h('section', { class: 'card imp-progress', id: 'import-progress', hidden: true });
  const result = h('div', { id: 'import-result' });
  add(body, form, progress, result);

  form.addEventListener('submit', ev => {
    ev.preventDefault();
    busy(submit, async () => {
      const f = file.files && file.files[0];
      if (!f) { markFieldError(form, { field: 'data', message: t('imports.no_file') }); return; }
      const req = { format: format.value, data: await f.text(), train: train.checked };
      const m = mapping.files && mapping.files[0];
      if (m && !mapRow.hidden) {
        try { req.mapping = JSON.parse(await m.text()); } catch (err) {
          markFieldError(form, { field: 'mapping', message: t('imports.bad_mapping', { error: String(err.message || err) }) });
          return;
        }
      }
      clear(result);
      const bar = h('progress', { class: 'imp-bar' });
      const said = h('p', { class: 'small', role: 'status' }, t('imports.running', { name: f.name, size: (f.size / 1024).toFixed(1) }));
      const started = Date.now();
      const tick = setInterval(() => { said.textContent = t('imports.running_for', { name: f.name, s: Math.round((Date.now() - started) / 1000) }); }, 1000);
      add(clear(progress), h('h2', {}, t('imports.progress')), bar, said);
      progress.hidden = false;
      try {
        const res = await api.post('/v1/imports', req);
        bar.max = 1;
        bar.value = 1;
        said.textContent = t('imports.done', { n: res.summary.records, s: res.summary.seconds.toFixed(1) });
        add(result, summaryCard(res));
      } catch (err) {
        progress.hidden = true;
        if (!markFieldError(form, err)) showError(err);
      } finally {
        clearInterval(tick);
      }
    });
  });
}

// summaryCard accounts for every record: imported, already there, skipped
// (each with its line and reason), and what was changed on the way in.
function summaryCard(res) {
  const s = res.summary;
  const skipped = s.skipped || [];
  const notes = Object.entries(s.notes || {});
  const fact = (k, v, cls) => [h('dt', {}, t(k)), h('dd', { class: cls || '' }, String(v))];
  return h('section', { class: 'card imp-summary', id: 'import-summary' },
    h('h2', {}, t('imports.summary')),
    h('dl', { class: 'facts' },
      fact('imports.records', s.records, 'imp-records'),
      fact('imports.imported', s.imported, 'imp-imported'),
      fact('imports.already', s.already_imported, 'imp-already'),
      fact('imports.comments', s.comments),
      fact('imports.attachments', s.attachments),
      fact('imports.agents_created', s.agents_created),
      fact('imports.skipped', skipped.length, 'imp-skipped-count')),
    (res.queued || []).length ? h('p', { class: 'muted small' }, t('imports.queued', { jobs: res.queued.map(j => { const kind = j.replace(/^retrain\./, ''); return t('model.kind.' + kind, {}, kind); }).join('、') })) : null,
    skipped.length ? h('div', { class: 'table-wrap' }, h('h3', {}, t('imports.skipped_lines')), stack(h('table', { class: 'table small imp-skipped' },
      h('thead', {}, h('tr', {}, h('th', {}, t('imports.line')), h('th', {}, t('imports.external_id')), h('th', {}, t('imports.reason')))),
      h('tbody', {}, skipped.map(k => h('tr', {},
        h('td', { class: 'num' }, String(k.line || k.record)),
        h('td', { class: 'mono' }, k.external_id || '—'),
        h('td', {}, reasonText(k.reason)))))))) : null,
    notes.length ? h('div', {}, h('h3', {}, t('imports.notes')),
      h('ul', { class: 'plain small imp-notes' }, notes.map(([code, n]) => h('li', {}, t('imports.reason.' + code, {}, code), ' × ', String(n))))) : null);
}

function reasonText(r) {
  const args = r.args || {};
  return t('imports.reason.' + r.code, args, r.code) + (args.error && r.code !== 'bad_value' ? '：' + args.error : '');
}
