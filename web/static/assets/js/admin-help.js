// Admin: the customer's side. Two sections:
//   - help: the help centre's settings (/v1/help/settings): the company
//     name and logo that brand /help, the category choice on the request
//     form, the e-mail confirmation step, and the sites that may embed
//     the widget, and the company's SMS webhook for sign-in by code.
//     Until this page they were API-only.
//   - deflection: the deflection report (/v1/reports/deflection) by day,
//     as a chart, and by category, with its CSV.

import { h, add, clear, empty, errorBox, busy, toast, showError, markFieldError } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { adminPage } from './admin-nav.js';
import { barChart, hbarChart, kpi } from './charts.js';

export async function render(ctx) {
  if (ctx.params[0] === 'deflection') return deflection(ctx);
  return settings(ctx);
}

// readBase64 reads a chosen file as standard padded base64, the form the
// API takes a logo in.
function readBase64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

async function settings(ctx) {
  if (!api.can('GET', '/v1/help/settings')) {
    add(adminPage(ctx, 'help'), empty(t('admin.forbidden')));
    return;
  }
  const body = adminPage(ctx, 'help');
  const load = async () => {
    const st = await api.get('/v1/help/settings');
    clear(body);
    add(body, h('p', { class: 'muted' }, t('helpadmin.intro'), ' ', h('a', { href: '/help', target: '_blank', rel: 'noopener' }, t('helpadmin.open'))));
    const logoPreview = st.logo_type
      ? h('img', { src: '/help/logo?v=' + encodeURIComponent(st.updated_at || ''), alt: t('helpadmin.logo'), class: 'help-logo-preview', id: 'ha-logo-img' })
      : h('span', { class: 'muted' }, t('helpadmin.no_logo'));
    const origins = h('textarea', { id: 'ha-origins', name: 'widget_origins', rows: '3', class: 'mono', placeholder: 'https://www.example.cn' });
    origins.value = (st.widget_origins || []).join('\n');
    const form = h('form', { class: 'form-grid help-settings', id: 'help-settings', novalidate: true },
      h('label', { for: 'ha-name' }, t('helpadmin.company_name')),
      h('div', {}, h('input', { id: 'ha-name', name: 'company_name', maxlength: '100', value: st.company_name || '', placeholder: t('helpadmin.company_hint') })),
      h('label', { for: 'ha-logo' }, t('helpadmin.logo')),
      h('div', {}, logoPreview,
        h('input', { id: 'ha-logo', name: 'logo', type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp' }),
        st.logo_type ? h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'ha-logo-remove', name: 'logo_remove' }), ' ', t('helpadmin.logo_remove')) : null,
        h('div', { class: 'muted small' }, t('helpadmin.logo_hint'))),
      h('label', { class: 'check span2' }, h('input', { type: 'checkbox', id: 'ha-ask-category', name: 'ask_category', checked: !!st.ask_category }), ' ', t('helpadmin.ask_category')),
      h('label', { class: 'check span2' }, h('input', { type: 'checkbox', id: 'ha-confirm-email', name: 'confirm_email', checked: !!st.confirm_email }), ' ', t('helpadmin.confirm_email')),
      h('label', { for: 'ha-origins' }, t('helpadmin.widget_origins')),
      h('div', {}, origins, h('div', { class: 'muted small' }, t('helpadmin.widget_hint'))),
      h('label', { for: 'ha-sms-url' }, t('helpadmin.sms_url')),
      h('div', {}, h('input', { id: 'ha-sms-url', name: 'sms_webhook_url', type: 'url', class: 'mono', value: st.sms_webhook_url || '', placeholder: 'https://sms.example.cn/triage' }),
        h('div', { class: 'muted small' }, t('helpadmin.sms_url_hint'))),
      h('label', { for: 'ha-sms-secret' }, t('helpadmin.sms_secret')),
      h('div', {}, h('input', { id: 'ha-sms-secret', name: 'sms_secret', type: 'password', autocomplete: 'new-password', class: 'mono',
        placeholder: st.sms_secret_hint ? t('helpadmin.sms_secret_keep', { hint: st.sms_secret_hint }) : '' }),
        h('div', { class: 'muted small' }, t('helpadmin.sms_secret_hint'))),
      h('div', { class: 'span2 actions' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'ha-save' }, t('common.save'))));
    const snippet = h('pre', { class: 'mono small widget-snippet', id: 'ha-snippet' },
      `<script src="${location.origin}/help/widget.js" async></script>`);
    add(body, form, h('h2', {}, t('helpadmin.widget_code')), h('p', { class: 'muted small' }, t('helpadmin.widget_code_hint')), snippet);
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      busy(form.querySelector('#ha-save'), async () => {
        const b = {
          company_name: form.company_name.value.trim(),
          ask_category: form.ask_category.checked,
          confirm_email: form.confirm_email.checked,
          widget_origins: origins.value.split(/[\s,，]+/).map(x => x.trim()).filter(Boolean),
        };
        b.sms_webhook_url = form.sms_webhook_url.value.trim();
        if (form.sms_secret.value) b.sms_secret = form.sms_secret.value;
        const file = form.logo.files && form.logo.files[0];
        if (file) b.logo = await readBase64(file);
        else if (form.logo_remove && form.logo_remove.checked) b.logo = null;
        try {
          await api.patch('/v1/help/settings', b);
          toast(t('common.saved'));
          await load();
        } catch (err) {
          markFieldError(form, err);
          showError(err);
        }
      });
    });
  };
  await load();
}

const WINDOWS = [7, 30, 90];

// sum adds up the counted columns of rows.
const COLS = ['searches', 'views', 'helpful', 'solved', 'forms_without_ticket', 'form_tickets', 'bot_answers', 'bot_handovers', 'deflected', 'came_back', 'net'];
function group(rows, key) {
  const m = new Map();
  for (const r of rows) {
    const k = r[key] || '';
    const g = m.get(k) || Object.fromEntries(COLS.map(c => [c, 0]));
    for (const c of COLS) g[c] += r[c] || 0;
    m.set(k, g);
  }
  return m;
}

async function deflection(ctx) {
  const path = '/v1/reports/deflection';
  if (!api.can('GET', path)) {
    add(adminPage(ctx, 'deflection'), empty(t('admin.forbidden')));
    return;
  }
  const days = WINDOWS.includes(Number(ctx.query.get('days'))) ? Number(ctx.query.get('days')) : 30;
  const to = new Date();
  const params = { from: new Date(to.getTime() - days * 86400e3).toISOString(), to: to.toISOString() };
  const csv = h('button', { type: 'button', class: 'btn btn-small', id: 'deflection-csv' }, t('reports.csv'));
  const body = adminPage(ctx, 'deflection', csv);
  csv.addEventListener('click', () => busy(csv, async () => {
    try {
      const r = await api.call('GET', path, { params: { ...params, format: 'csv' }, raw: true });
      const url = URL.createObjectURL(new Blob([r.data], { type: 'text/csv;charset=utf-8' }));
      const a = h('a', { download: t('admin.deflection') + '.csv' });
      a.href = url; // a blob: URL, which h's safeHref would turn into '#'
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      showError(err);
    }
  }));
  add(body, h('nav', { class: 'tabs', 'aria-label': t('reports.window') }, WINDOWS.map(d =>
    h('a', { href: '/app/admin/deflection?days=' + d, class: 'tab' + (d === days ? ' active' : ''), 'aria-current': d === days ? 'page' : null }, t('reports.days', { n: d })))));
  let rep;
  try {
    rep = await api.get(path, params, { signal: ctx.signal });
  } catch (err) {
    if (err.name !== 'AbortError') add(body, errorBox(err));
    return;
  }
  const tot = rep.total || {};
  add(body, h('p', { class: 'muted' }, t('deflect.intro')),
    h('div', { class: 'kpis deflection-kpis' },
      kpi(t('deflect.net'), String(tot.net || 0), t('deflect.net_sub', { d: tot.deflected || 0, c: tot.came_back || 0 })),
      kpi(t('deflect.searches'), String(tot.searches || 0)),
      kpi(t('deflect.views'), String(tot.views || 0)),
      kpi(t('deflect.helpful'), String(tot.helpful || 0)),
      kpi(t('deflect.solved'), String(tot.solved || 0)),
      kpi(t('deflect.forms_without_ticket'), String(tot.forms_without_ticket || 0)),
      kpi(t('deflect.bot_answers'), String(tot.bot_answers || 0), t('deflect.handed_over', { n: tot.bot_handovers || 0 }))));
  const rows = rep.rows || [];
  if (!rows.length) { add(body, empty(t('deflect.none'))); return; }
  const byDay = group(rows, 'day');
  const dayLabels = [...byDay.keys()].sort();
  add(body, h('section', { class: 'card report-card', id: 'deflection-by-day' }, barChart({
    title: t('deflect.by_day'),
    labels: dayLabels.map(d => d.slice(5)),
    series: [
      { name: t('deflect.net'), values: dayLabels.map(d => byDay.get(d).net) },
      { name: t('deflect.came_back'), values: dayLabels.map(d => byDay.get(d).came_back) },
    ],
    stacked: true,
  })));
  const byCat = group(rows, 'category');
  const cats = [...byCat.keys()].sort((a, b) => byCat.get(b).deflected - byCat.get(a).deflected);
  const catName = c => c || t('deflect.no_category');
  add(body, h('section', { class: 'card report-card', id: 'deflection-by-category' },
    hbarChart({ title: t('deflect.by_category'), labels: cats.map(catName), values: cats.map(c => byCat.get(c).net) }),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table compact deflection-table' },
      h('thead', {}, h('tr', {}, h('th', {}, t('deflect.category')), COLS.map(c => h('th', {}, t('deflect.' + c))))),
      h('tbody', {}, cats.map(c => h('tr', { data: { category: c } }, h('th', {}, catName(c)), COLS.map(k => h('td', { data: { col: k } }, String(byCat.get(c)[k]))))))))));
}
