// The agent's inbox: views of the ticket list (mine, my team's queue,
// unassigned, SLA at risk, needs review, all) with filters and text search.
// The state lives in the URL, so a filtered view can be shared and the
// back button works.

import { h, add, clear, empty, errorBox, priorityBadge, statusBadge, timeEl, select, debounce, badge } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as sla from './sla.js';
import { subscribe } from './live.js';
import { viewsPanel, savedQuery, bulkBar } from './inbox-views.js';

const ACTIVE = 'new,open,pending';

const VIEWS = ['mine', 'team', 'unassigned', 'sla', 'review', 'all'];

// The orders of the list (GET /v1/tickets?sort=).
const SORTS = ['created', 'updated', 'priority', 'sla_due'];

export async function render(ctx) {
  const q = ctx.query;
  const myId = api.myAgentId();
  let view = q.get('view') || (myId ? 'mine' : 'unassigned');
  if (!VIEWS.includes(view) && view !== 'saved') view = 'all';
  const savedId = view === 'saved' ? q.get('id') || '' : '';
  ctx.title(t('inbox.title'));

  const [agents, teams, categories] = await Promise.all([api.agents(), api.teams(), api.categories()]);
  const myTeams = teams.filter(tm => myId && (tm.members || []).includes(myId));

  const state = {
    view,
    q: q.get('q') || '',
    status: q.get('status') || 'active',
    priority: q.get('priority') || '',
    category: q.get('category') || '',
    assignee: q.get('assignee') || '',
    // The team view opens on the agent's own teams ("mine"); each team
    // has its own view too.
    team: q.get('team') || (view === 'team' ? (myTeams.length ? 'mine' : (teams[0] || {}).id || '') : ''),
    tag: q.get('tag') || '',
    from: q.get('from') || '',
    to: q.get('to') || '',
    sort: SORTS.includes(q.get('sort')) ? q.get('sort') : 'created',
  };

  const tabs = h('div', { class: 'tabs', role: 'tablist' }, VIEWS.map(v => {
    const params = new URLSearchParams({ view: v });
    if (state.q) params.set('q', state.q);
    return h('a', { href: '/app/inbox?' + params, role: 'tab', class: 'tab' + (v === view ? ' active' : ''), 'aria-selected': String(v === view), data: { view: v } }, t('inbox.view.' + v));
  }));

  const statusOpts = [['active', t('inbox.status.active')], ['', t('inbox.status.any')], ...api.enumValues('Status').map(s => [s, t('status.' + s)])];
  const controls = {
    q: h('input', { type: 'search', name: 'q', value: state.q, placeholder: t('inbox.search'), 'aria-label': t('inbox.search') }),
    status: select(statusOpts, state.status, { name: 'status', 'aria-label': t('ticket.status') }),
    priority: select([['', t('inbox.any_priority')], ...api.enumValues('Priority').map(p => [p, p + ' · ' + t('priority.' + p)])], state.priority, { name: 'priority', 'aria-label': t('ticket.priority') }),
    category: select([['', t('inbox.any_category')], ...categories.map(c => [c, c])], state.category, { name: 'category', 'aria-label': t('ticket.category') }),
    assignee: select([['', t('inbox.any_assignee')], ['none', t('inbox.unassigned')], ...agents.map(a => [a.id, a.name])], state.assignee, { name: 'assignee', 'aria-label': t('ticket.assignee') }),
    team: select([view === 'team' ? (myTeams.length ? ['mine', t('inbox.my_teams')] : null) : ['', t('inbox.any_team')], ...teams.map(tm => [tm.id, tm.name])].filter(Boolean), state.team, { name: 'team', 'aria-label': t('ticket.team') }),
    tag: h('input', { type: 'text', name: 'tag', value: state.tag, placeholder: t('ticket.tag'), 'aria-label': t('ticket.tag'), size: '8' }),
    from: h('input', { type: 'date', name: 'from', value: state.from, 'aria-label': t('inbox.from'), title: t('inbox.from') }),
    to: h('input', { type: 'date', name: 'to', value: state.to, 'aria-label': t('inbox.to'), title: t('inbox.to') }),
    sort: select(SORTS.map(o => [o, t('inbox.sort.' + o)]), state.sort, { name: 'sort', 'aria-label': t('inbox.sort') }),
  };
  const shown = ['q', 'status', 'priority', 'category', 'tag', 'from', 'to'];
  if (view !== 'sla') shown.push('sort');
  if (view === 'all') shown.splice(4, 0, 'assignee', 'team');
  if (view === 'team') shown.splice(4, 0, 'team');
  for (const k of shown) if (k !== 'q') controls[k].classList.add('filter-extra');
  const active = shown.filter(k => k !== 'q' && controls[k].value && !(k === 'status' && controls[k].value === 'active') && !(k === 'sort' && controls[k].value === 'created')).length;
  // On a phone only the search box shows until the agent asks for the rest.
  const toggle = h('button', { type: 'button', class: 'btn filter-toggle', 'aria-expanded': 'false' }, t('inbox.filters'), active ? ` (${active})` : '');
  const filters = h('form', { class: 'filters', role: 'search' }, controls.q, toggle, shown.filter(k => k !== 'q').map(k => controls[k]));
  toggle.addEventListener('click', () => toggle.setAttribute('aria-expanded', String(filters.classList.toggle('open'))));
  const reset = h('button', { type: 'button', class: 'btn btn-ghost filter-extra' }, t('inbox.reset'));
  add(filters, reset);

  // In the team view, one chip per team (the agent's own first), so a
  // lead moves between queues in one click.
  const teamChips = view === 'team' && teams.length ? h('nav', { class: 'team-chips', 'aria-label': t('inbox.team_views') },
    myTeams.length ? h('a', { href: '/app/inbox?view=team&team=mine', class: 'chip' + (state.team === 'mine' ? ' active' : ''), data: { team: 'mine' } }, t('inbox.my_teams')) : null,
    [...myTeams, ...teams.filter(tm => !myTeams.includes(tm))].map(tm => h('a', { href: '/app/inbox?view=team&team=' + encodeURIComponent(tm.id), class: 'chip' + (state.team === tm.id ? ' active' : ''), data: { team: tm.id } }, tm.name))) : null;
  const list = h('div', { class: 'ticket-list', role: 'list', 'aria-label': t('inbox.title') });
  const more = h('button', { type: 'button', class: 'btn', hidden: true }, t('common.more'));
  const notice = h('div');
  const count = h('span', { class: 'muted small' });

  // The API query of the list shown, which "save view" keeps.
  let listQuery = () => '';
  const side = viewsPanel(ctx, () => listQuery(), savedId);
  const selectedTickets = () => rows.filter(r => r.box.checked).map(r => r.ticket);
  const bulk = api.can('POST', '/v1/tickets/bulk')
    ? bulkBar(agents, teams, selectedTickets, async () => {
      // Reload the list in place, so the summary of what failed stays.
      rows.length = 0;
      clear(list);
      cursor = '';
      selected = -1;
      await load();
      bulk.update();
    })
    : null;
  const savedHead = h('h2', { class: 'saved-view-title', hidden: true });
  add(ctx.main,
    h('div', { class: 'page-head' }, h('h1', {}, t('inbox.title')), count,
      api.can('POST', '/v1/tickets') ? h('a', { href: '/app/tickets/new', class: 'btn btn-primary btn-small', id: 'new-ticket' }, t('newticket.title')) : null),
    h('div', { class: 'inbox-layout' },
      h('div', { class: 'inbox-main' }, tabs, teamChips, savedHead, savedId ? null : filters, bulk ? bulk.el : null, notice, list, h('div', { class: 'center' }, more)),
      side));

  const apply = () => {
    const p = new URLSearchParams({ view });
    for (const k of ['q', 'status', 'priority', 'category', 'assignee', 'team', 'tag', 'from', 'to', 'sort']) {
      const v = k in controls ? controls[k].value.trim() : '';
      if (v && !(k === 'status' && v === 'active') && !(k === 'sort' && v === 'created')) p.set(k, v);
    }
    if (controls.status.value === '') p.set('status', '');
    ctx.navigate('/app/inbox?' + p, { replace: true });
  };
  filters.addEventListener('change', apply);
  controls.q.addEventListener('input', debounce(apply, 400));
  filters.addEventListener('submit', ev => { ev.preventDefault(); apply(); });
  reset.addEventListener('click', () => ctx.navigate('/app/inbox?view=' + view, { replace: true }));

  // Keep the cursor in the search box across the re-render a keystroke
  // causes.
  if (q.has('q') && document.activeElement === document.body && sessionStorage.getItem('trg:inboxTyping')) {
    controls.q.focus();
    controls.q.setSelectionRange(controls.q.value.length, controls.q.value.length);
  }
  controls.q.addEventListener('focus', () => sessionStorage.setItem('trg:inboxTyping', '1'));
  controls.q.addEventListener('blur', () => sessionStorage.removeItem('trg:inboxTyping'));

  // The query for the API.
  const params = {
    q: state.q,
    status: state.status === 'active' ? ACTIVE : state.status,
    priority: state.priority,
    category: state.category,
    tag: state.tag,
    created_from: state.from,
    created_to: state.to ? nextDay(state.to) : '',
    sort: state.sort === 'created' || state.q ? '' : state.sort,
    limit: 50,
  };
  if (view === 'mine') {
    if (!myId) {
      list.replaceWith(empty(t('inbox.no_agent'), h('a', { href: '/app/inbox?view=unassigned' }, t('inbox.view.unassigned'))));
      return;
    }
    params.assignee = 'me';
  } else if (view === 'team') {
    if (!state.team) { list.replaceWith(empty(t('inbox.no_team'))); return; }
    params.team = state.team;
  } else if (view === 'unassigned') {
    params.assignee = 'none';
  } else if (view === 'review') {
    params.needs_review = 'true';
  } else if (view === 'all') {
    params.assignee = state.assignee;
    params.team = state.team;
  } else if (view === 'saved') {
    const sv = await savedQuery(savedId, ctx.signal).catch(() => null);
    if (!sv) { list.replaceWith(empty(t('views.gone'))); return; }
    for (const k of Object.keys(params)) if (k !== 'limit') delete params[k];
    Object.assign(params, sv.params);
    savedHead.hidden = false;
    savedHead.textContent = sv.name;
    ctx.title(sv.name);
  }
  listQuery = () => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v && k !== 'limit' && k !== 'cursor') p.set(k, v);
    return p.toString();
  };

  const rows = [];
  const rowOf = rowOfFactory(() => { if (bulk) bulk.update(); });
  let selected = -1;
  let cursor = '';

  const select_ = i => {
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, j) => r.el.classList.toggle('selected', j === selected));
    rows[selected].el.scrollIntoView({ block: 'nearest' });
    rows[selected].el.focus({ preventScroll: true });
  };
  const open = () => { if (selected >= 0) ctx.navigate('/app/tickets/' + rows[selected].ticket.id); };
  ctx.keys([
    { key: 'j', label: t('keys.next'), fn: () => select_(selected + 1) },
    { key: 'k', label: t('keys.prev'), fn: () => select_(selected - 1) },
    { key: 'o', label: t('keys.open'), fn: open },
    { key: 'Enter', label: t('keys.open'), fn: open },
  ]);

  const slaView = view === 'sla';

  async function load() {
    more.hidden = true;
    try {
      let page;
      if (slaView) {
        page = await sla.atRisk(params, cursor, ctx.signal);
        if (page.fallback) add(notice, h('div', { class: 'alert alert-info' }, t('inbox.sla_fallback')));
        if (page.partial) add(notice, h('div', { class: 'alert alert-info' }, t('inbox.sla_partial')));
      } else {
        page = await api.get('/v1/tickets', { ...params, cursor }, { signal: ctx.signal });
      }
      for (const tk of page.items || []) {
        const r = rowOf(tk, page.sla && page.sla[tk.id]);
        rows.push(r);
        add(list, r.wrap);
      }
      cursor = page.next_cursor || '';
      more.hidden = !cursor;
      count.textContent = t('inbox.count', { n: rows.length + (cursor ? '+' : '') });
      sessionStorage.setItem('trg:queue', JSON.stringify({ url: location.pathname + location.search, ids: rows.map(r => r.ticket.id) }));
      if (!rows.length) list.replaceWith(empty(state.q ? t('inbox.empty_search', { q: state.q }) : t('inbox.empty.' + view)));
      else if (selected < 0) {
        // Coming back from a ticket selects it again, so j/k continue
        // from where the agent was.
        const last = sessionStorage.getItem('trg:lastTicket');
        const i = rows.findIndex(r => r.ticket.id === last);
        if (i >= 0) select_(i);
      }
    } catch (err) {
      if (err.name === 'AbortError') return;
      add(clear(notice), errorBox(err));
    }
  }
  more.addEventListener('click', load);
  await load();

  // Live: a ticket created or changed elsewhere shows, moves or leaves
  // this view without a reload.
  const matches = tk => {
    if (params.status && !params.status.split(',').includes(tk.status)) return false;
    if (params.priority && tk.priority !== params.priority) return false;
    if (params.category && tk.category !== params.category) return false;
    if (params.tag && !(tk.tags || []).includes(params.tag)) return false;
    if (params.q) return false; // relevance is the server's to judge
    if (params.assignee === 'me') return tk.assignee_id === myId;
    if (params.assignee === 'none' && tk.assignee_id) return false;
    if (params.assignee && params.assignee !== 'none' && tk.assignee_id !== params.assignee) return false;
    if (params.team === 'mine') return myTeams.some(tm => tm.id === tk.team_id);
    if (params.team && tk.team_id !== params.team) return false;
    if (params.needs_review && !tk.needs_review) return false;
    return !slaView;
  };
  const liveMark = h('span', { class: 'live-dot', title: t('live.on'), hidden: true, id: 'live-dot' }, '●');
  count.after(liveMark);
  subscribe(ctx.signal, (kind, ev) => {
    if (kind !== 'ticket' || !ev.ticket) return;
    const tk = ev.ticket;
    const i = rows.findIndex(r => r.ticket.id === tk.id);
    const keep = matches(tk);
    if (i >= 0) {
      if (keep) {
        const r = rowOf(tk, null, rows[i].box.checked);
        rows[i].wrap.replaceWith(r.wrap);
        rows[i] = r;
      } else {
        rows[i].wrap.remove();
        rows.splice(i, 1);
      }
    } else if (keep) {
      const r = rowOf(tk, null);
      r.el.classList.add('live-new');
      if (!list.isConnected) { ctx.navigate(location.pathname + location.search, { replace: true }); return; }
      list.prepend(r.wrap);
      rows.unshift(r);
      if (selected >= 0) selected++;
    }
    if (bulk) bulk.update();
    count.textContent = t('inbox.count', { n: rows.length + (cursor ? '+' : '') });
  }, up => { liveMark.hidden = !up; ctx.main.dataset.live = up ? '1' : '0'; });
}

// rowOf is a ticket's row with its selection box for bulk actions.
function rowOfFactory(onToggle) {
  return (tk, slaInfo, checked = false) => {
    const el = row(tk, slaInfo);
    const box = h('input', { type: 'checkbox', class: 'row-select', checked, 'aria-label': t('bulk.select', { title: tk.title }), data: { id: tk.id } });
    box.addEventListener('change', onToggle);
    return { ticket: tk, el, box, wrap: h('div', { class: 'ticket-row-wrap' }, box, el) };
  };
}

function nextDay(date) {
  const d = new Date(date + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function row(tk, slaInfo) {
  const who = tk.assignee_id ? api.agentName(tk.assignee_id) : (tk.team_id ? t('inbox.queue_of', { team: api.teamName(tk.team_id) }) : t('inbox.unassigned'));
  return h('a', { class: 'ticket-row', href: '/app/tickets/' + encodeURIComponent(tk.id), role: 'listitem', data: { id: tk.id } },
    h('span', { class: 'tr-prio' }, priorityBadge(tk.priority)),
    h('span', { class: 'tr-main' },
      h('span', { class: 'tr-title' }, tk.title),
      h('span', { class: 'tr-body' }, tk.body)),
    h('span', { class: 'tr-meta' },
      h('span', { class: 'tr-cat' }, tk.category || t('ticket.no_category')),
      tk.needs_review ? badge(t('ticket.needs_review'), 'badge-warn') : null,
      slaInfo ? sla.chip(slaInfo) : null),
    h('span', { class: 'tr-who' }, h('span', { class: 'tr-req' }, tk.requester && tk.requester.name ? tk.requester.name : t('ticket.customer')), h('span', { class: 'muted' }, ' → ', who)),
    h('span', { class: 'tr-status' }, statusBadge(tk.status)),
    h('span', { class: 'tr-time' }, timeEl(tk.created_at)));
}
