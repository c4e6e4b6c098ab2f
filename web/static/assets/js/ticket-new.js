// A new ticket logged by an agent: a phone agent taking a call types the
// caller's name, e-mail or phone, and what they said; the caller's other
// tickets show beside the form as soon as the e-mail or phone is typed,
// so a repeat caller is recognised before a duplicate is made.

import { h, add, clear, select, debounce, errorText, markFieldError, priorityBadge, statusBadge, timeEl, toast } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';

export async function render(ctx) {
  ctx.title(t('newticket.title'));
  const f = {
    name: h('input', { type: 'text', name: 'requester.name', id: 'nt-name', maxlength: '100', autocomplete: 'off' }),
    phone: h('input', { type: 'tel', name: 'requester.phone', id: 'nt-phone', autocomplete: 'off' }),
    email: h('input', { type: 'email', name: 'requester.email', id: 'nt-email', autocomplete: 'off' }),
    channel: select(api.enumValues('Channel').map(c => [c, t('channel.' + c)]), 'phone', { name: 'channel', id: 'nt-channel' }),
    priority: select([['', t('newticket.auto_priority')], ...api.enumValues('Priority').map(p => [p, p + ' · ' + t('priority.' + p)])], '', { name: 'priority', id: 'nt-priority' }),
    title: h('input', { type: 'text', name: 'title', id: 'nt-title', required: true, maxlength: '200' }),
    body: h('textarea', { name: 'body', id: 'nt-body', rows: '6', required: true }),
  };
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'nt-submit' }, t('newticket.create'));
  const form = h('form', { class: 'card new-ticket-form', novalidate: true },
    h('div', { class: 'form-row' }, fieldOf(t('newticket.name'), f.name), fieldOf(t('newticket.phone'), f.phone), fieldOf(t('newticket.email'), f.email)),
    h('div', { class: 'form-row' }, fieldOf(t('ticket.channel'), f.channel), fieldOf(t('ticket.priority'), f.priority)),
    fieldOf(t('newticket.subject'), f.title),
    fieldOf(t('newticket.body'), f.body),
    h('div', { class: 'form-actions' }, submit));
  const others = h('div', { class: 'requester-tickets', id: 'nt-others', 'aria-live': 'polite' }, h('p', { class: 'muted small' }, t('newticket.others_hint')));
  add(ctx.main,
    h('div', { class: 'page-head' }, h('h1', {}, t('newticket.title'))),
    h('div', { class: 'inbox-layout' }, form,
      h('aside', { class: 'saved-views', 'aria-label': t('newticket.others') }, h('h2', { class: 'small' }, t('newticket.others')), others)));

  let asked = '';
  const lookUp = async () => {
    const who = f.email.value.trim() || f.phone.value.trim();
    if (who === asked) return;
    asked = who;
    if (!who) { add(clear(others), h('p', { class: 'muted small' }, t('newticket.others_hint'))); return; }
    try {
      const page = await api.get('/v1/tickets', { requester: who, limit: 10 }, { signal: ctx.signal });
      if (asked !== who) return;
      clear(others);
      const items = page.items || [];
      if (!items.length) { add(others, h('p', { class: 'muted small', data: { none: '1' } }, t('newticket.others_none'))); return; }
      add(others, h('ul', { class: 'plain-list' }, items.map(tk => h('li', { data: { id: tk.id } },
        priorityBadge(tk.priority), ' ',
        h('a', { href: '/app/tickets/' + encodeURIComponent(tk.id), target: '_blank', rel: 'noopener' }, tk.title), ' ',
        statusBadge(tk.status), ' ', h('span', { class: 'muted small' }, timeEl(tk.created_at))))),
      page.next_cursor ? h('p', { class: 'muted small' }, t('newticket.others_more')) : null);
    } catch (err) {
      // A half-typed e-mail or phone is not a lookup error worth showing.
      if (err.name !== 'AbortError' && err.code !== 'invalid') add(clear(others), h('p', { class: 'small error' }, errorText(err)));
    }
  };
  const later = debounce(lookUp, 300);
  f.email.addEventListener('input', later);
  f.phone.addEventListener('input', later);

  let key = api.newKey();
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const body = {
      title: f.title.value.trim(),
      body: f.body.value.trim(),
      channel: f.channel.value,
      requester: { name: f.name.value.trim(), email: f.email.value.trim(), phone: f.phone.value.trim() },
    };
    if (f.priority.value) body.priority = f.priority.value;
    submit.disabled = true;
    try {
      const tk = await api.post('/v1/tickets', body, { key });
      toast(t('newticket.created'));
      ctx.navigate('/app/tickets/' + encodeURIComponent(tk.id));
    } catch (err) {
      // A refused ticket was not made: the corrected one is a new request.
      if (err.code && err.code !== 'network') key = api.newKey();
      markFieldError(form, err);
      toast(errorText(err), 'error');
    } finally {
      submit.disabled = false;
    }
  });
  f.name.focus();
}

function fieldOf(label, control) {
  const id = control.id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}
