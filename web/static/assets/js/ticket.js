// The ticket page: the conversation, a composer for replies and internal
// notes, the ticket's status and assignment, and beside them the triage
// panel (what triage decided and why, with one-click correction) and the
// suggestions panel (sources and a draft reply with citations).

import { h, add, clear, empty, errorBox, priorityBadge, statusBadge, timeEl, fmtTime, select, toast, showError, busy, badge } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { renderTriage, correctionNote } from './triagepanel.js';
import { renderSuggestions } from './suggestions.js';
import * as sla from './sla.js';
import { loadLinks, renderLinks, mergedBanner, doMerge } from './links.js';
import { reasonsText } from './explain.js';
import * as mail from './mail.js';
import * as wechat from './wechat.js';
import { renderMacros } from './macros.js';
import { watchTicket } from './collab.js';

export async function render(ctx) {
  const id = ctx.params[0];
  const path = '/v1/tickets/' + encodeURIComponent(id);
  sessionStorage.setItem('trg:lastTicket', id);
  const canWrite = api.can('PATCH', '/v1/tickets/:id');
  const canComment = api.can('POST', '/v1/tickets/:id/comments');

  /** @type {any} who else is here, live updates (collab.js); set once the page is built */
  let collab = null;
  const st = { ticket: null, etag: '', comments: [], mails: [], history: [], suggestions: null, draftUse: null, macroUse: null, inserted: new Map(), feedback: new Map(), sla: null, links: null, linksError: null };

  const load = async () => {
    const r = await api.getWithTag(path);
    st.ticket = r.data;
    st.etag = r.etag;
  };
  try {
    await load();
  } catch (err) {
    if (err.status === 404) { add(ctx.main, empty(t('ticket.not_found')), h('a', { href: '/app/inbox' }, t('nav.inbox'))); return; }
    throw err;
  }
  ctx.title(st.ticket.title);

  const head = h('div', { class: 'ticket-head' });
  const conv = h('div', { class: 'conversation', 'aria-live': 'polite' });
  const composerBox = h('div', { class: 'composer-box' });
  // WeChat's reply window, told before the agent writes.
  const wechatBox = h('div', { class: 'wechat-box' });
  add(composerBox, wechatBox);
  function refreshWeChat() {
    wechat.banner(st.ticket).then(el => { clear(wechatBox); if (el) add(wechatBox, el); }).catch(() => {});
  }
  const historyBox = h('details', { class: 'card history' }, h('summary', {}, t('ticket.history')));
  const props = h('section', { class: 'card props', 'aria-label': t('ticket.properties') });
  const triageBox = h('section', { class: 'card triage-panel', id: 'triage', 'aria-label': t('triage.title') });
  const macroBox = h('section', { class: 'card macro-panel', id: 'macros', 'aria-label': t('macro.title') });
  const suggBox = h('section', { class: 'card sugg-panel', id: 'suggestions', 'aria-label': t('sugg.title') });
  const slaBox = h('div', { class: 'sla-box' });
  const linksBox = h('section', { class: 'card links-panel', id: 'links', 'aria-label': t('links.title'), hidden: true });

  add(ctx.main, 
    head,
    h('div', { class: 'ticket-grid' },
      h('div', { class: 'ticket-main' }, conv, composerBox, macroBox, suggBox),
      h('div', { class: 'ticket-side' }, props, linksBox, triageBox, historyBox)));

  // Patching -------------------------------------------------------------

  // patchTicket writes changes with If-Match; on 412 (someone else saved
  // first) it reloads and tells the agent instead of overwriting.
  async function patchTicket(changes, note) {
    const body = { ...changes };
    if (note) body.note = note;
    try {
      const r = await api.call('PATCH', path, { body, etag: st.etag });
      st.ticket = r.data;
      st.etag = r.etag;
      await refreshHistory();
      renderAll();
      loadSLA();
      if (changes.status === 'solved') watchMail(20, true);
      return true;
    } catch (err) {
      if (err.status === 412) {
        toast(t('error.stale_reloaded'), 'error');
        await load();
        renderAll();
        return false;
      }
      showError(err);
      return false;
    }
  }

  // correct records a change to a field triage decided as a correction of
  // triage, in the history's note, so accuracy reports can tell a
  // correction from an ordinary change of mind.
  async function correct(fieldName, value) {
    const rec = st.ticket.triage;
    const dec = rec && rec[fieldName === 'assignee_id' ? 'assignee' : fieldName];
    const label = fieldName === 'assignee_id' ? (x => x ? api.agentName(x) : t('inbox.unassigned')) : (x => x);
    const from = fieldName === 'assignee_id' ? st.ticket.assignee_id : st.ticket[fieldName];
    const note = dec ? correctionNote(fieldName, label(dec.value), label(value)) : '';
    const changes = { [fieldName]: value === '' && fieldName === 'assignee_id' ? null : value };
    if (st.ticket.needs_review) changes.needs_review = false;
    const ok = await patchTicket(changes, note);
    if (ok) toast(t('triage.corrected', { field: t('ticket.' + (fieldName === 'assignee_id' ? 'assignee' : fieldName)), from: label(from), to: label(value) }));
  }

  // Rendering ---------------------------------------------------------------

  function renderHead() {
    const tk = st.ticket;
    const queue = JSON.parse(sessionStorage.getItem('trg:queue') || '{"ids":[]}');
    const i = queue.ids.indexOf(tk.id);
    const prev = i > 0 ? queue.ids[i - 1] : '';
    const next = i >= 0 && i < queue.ids.length - 1 ? queue.ids[i + 1] : '';
    add(clear(head), 
      h('div', { class: 'crumbs' },
        h('a', { href: queue.url || '/app/inbox' }, '← ', t('nav.inbox')),
        h('span', { class: 'pager' },
          prev ? h('a', { href: '/app/tickets/' + prev, title: 'k' }, '‹ ', t('ticket.prev')) : null,
          i >= 0 ? h('span', { class: 'muted small' }, ` ${i + 1} / ${queue.ids.length} `) : null,
          next ? h('a', { href: '/app/tickets/' + next, title: 'j' }, t('ticket.next'), ' ›') : null)),
      h('h1', { class: 'ticket-title' }, tk.title),
      mergedBanner(tk, st.links),
      h('div', { class: 'ticket-badges' },
        statusBadge(tk.status), priorityBadge(tk.priority),
        h('span', { class: 'badge' }, tk.category || t('ticket.no_category')),
        tk.needs_review ? badge(t('ticket.needs_review'), 'badge-warn') : null,
        mail.failures(st.mails),
        h('span', { class: 'muted small' }, t('channel.' + tk.channel, {}, tk.channel), ' · ', t('ticket.created'), ' ', timeEl(tk.created_at)),
        (tk.tags || []).map(tag => h('span', { class: 'tag' }, '#', tag)),
        slaBox));
    ctx.keys(pageKeys(prev, next));
  }

  function renderConversation() {
    const tk = st.ticket;
    const req = tk.requester || {};
    const items = [
      h('article', { class: 'msg msg-customer' },
        h('header', {}, h('strong', {}, req.name || t('ticket.customer')), req.tier ? badge(req.tier.toUpperCase(), 'badge-vip') : null,
          h('span', { class: 'muted small' }, [req.email, req.phone].filter(Boolean).join(' · ')), timeEl(tk.created_at),
          mail.delivery(st.mails.find(m => m.direction === 'in' && !m.comment_id && m.status === 'imported'))),
        h('div', { class: 'msg-body' }, tk.body || t('ticket.no_body')),
        mail.attachments(tk.attachments)),
    ];
    for (const c of st.comments) {
      const kind = c.from_requester ? 'customer' : c.public ? 'reply' : 'note';
      const author = c.from_requester ? (req.name || t('ticket.customer')) : (c.author_id ? api.agentName(c.author_id) : t('ticket.system'));
      // A merge moves the merged ticket's text here as a customer
      // message headed "[merged from ticket <id>] <title>": show the
      // head as a link to that ticket.
      const m = /^\[merged from ticket ([^\]\s]+)\] ([^\n]*)\n*([\s\S]*)$/.exec(c.body || '');
      items.push(h('article', { class: 'msg msg-' + kind, data: { id: c.id } },
        h('header', {}, h('strong', {}, author), h('span', { class: 'badge kind-' + kind }, t('ticket.kind.' + kind)),
          m ? h('span', { class: 'badge badge-src' }, t('links.merged_from')) : null, timeEl(c.created_at), mail.delivery(c.mail), wechat.delivery(c.wechat)),
        m ? h('div', { class: 'msg-merged' }, h('a', { href: '/app/tickets/' + encodeURIComponent(m[1]) }, m[2] || m[1])) : null,
        h('div', { class: 'msg-body' }, m ? m[3] : c.body),
        mail.attachments(c.attachments)));
    }
    add(clear(conv), ...items);
  }

  function renderProps() {
    const tk = st.ticket;
    add(clear(props), h('h2', {}, t('ticket.properties')));
    Promise.all([api.agents(), api.teams(), api.categories()]).then(([as, ts, cats]) => {
      const dis = !canWrite || api.isFinal(tk);
      // The moves the server's lifecycle allows from here.
      const moves = tk.next_statuses || [];
      const statusRow = h('div', { class: 'status-moves' },
        h('span', { class: 'muted' }, t('ticket.status'), ': '), statusBadge(tk.status),
        ...moves.map(s => {
          const b = h('button', { type: 'button', class: 'btn btn-small', disabled: !canWrite, data: { status: s } }, t('ticket.move.' + s));
          b.addEventListener('click', () => busy(b, () => patchTicket({ status: s })));
          return b;
        }));
      const catSel = select([['', '—'], ...withValue(cats, tk.category).map(c => [c, c])], tk.category, { name: 'category', disabled: dis });
      const prioSel = select(api.enumValues('Priority').map(p => [p, p + ' · ' + t('priority.' + p)]), tk.priority, { name: 'priority', disabled: dis });
      const agentSel = select([['', t('inbox.unassigned')], ...as.map(a => [a.id, `${a.name}${a.online ? '' : ' (' + t('agent.offline') + ')'} · ${a.open}/${a.capacity}`])], tk.assignee_id, { name: 'assignee_id', disabled: dis });
      const teamSel = select([['', '—'], ...ts.map(x => [x.id, x.name])], tk.team_id, { name: 'team_id', disabled: dis });
      const onChange = (name, sel) => sel.addEventListener('change', () => {
        const v = sel.value;
        const rec = tk.triage;
        const key = name === 'assignee_id' ? 'assignee' : name;
        // Changing a value triage chose, away from what it chose, is a
        // correction of triage; anything else is an ordinary edit.
        const current = name === 'assignee_id' ? tk.assignee_id : tk[name];
        if (rec && rec[key] && current === rec[key].value && v !== current) { correct(name, v); return; }
        patchTicket({ [name]: v === '' && (name === 'assignee_id' || name === 'team_id') ? null : v });
      });
      onChange('category', catSel);
      onChange('priority', prioSel);
      onChange('assignee_id', agentSel);
      onChange('team_id', teamSel);
      const mine = api.myAgentId();
      const takeBtn = mine && tk.assignee_id !== mine && !dis ? h('button', { type: 'button', class: 'btn btn-small' }, t('ticket.take')) : null;
      if (takeBtn) takeBtn.addEventListener('click', () => busy(takeBtn, () => patchTicket({ assignee_id: mine }, t('ticket.take_note'))));
      catSel.id = 'prop-category';
      prioSel.id = 'prop-priority';
      agentSel.id = 'prop-assignee';
      teamSel.id = 'prop-team';
      const lab = (key, ctl) => h('label', { for: ctl.id }, t('ticket.' + key));
      add(props, 
        statusRow,
        h('div', { class: 'prop-grid' },
          lab('category', catSel), catSel,
          lab('priority', prioSel), prioSel,
          lab('assignee', agentSel), h('div', { class: 'row' }, agentSel, takeBtn),
          lab('team', teamSel), teamSel),
        h('dl', { class: 'facts' },
          h('dt', {}, t('ticket.first_response')), h('dd', {}, tk.first_response_at ? fmtTime(tk.first_response_at) : '—'),
          h('dt', {}, t('ticket.solved_at')), h('dd', {}, tk.solved_at ? fmtTime(tk.solved_at) : '—'),
          h('dt', {}, 'ID'), h('dd', { class: 'mono small' }, tk.id)));
      if (st.sla) add(props, h('h3', {}, 'SLA'), sla.panel(st.sla));
      // The survey loads on its own; a box of this render's, so that a
      // later render (the SLA clocks arriving) does not get it twice.
      const surveyBox = h('div');
      add(props, surveyBox);
      sla.survey(surveyBox, tk, async () => { await refreshHistory(); renderHistory(); });
      if (!canWrite) add(props, h('p', { class: 'muted small' }, t('ticket.read_only')));
    }).catch(showError);
  }

  function renderHistory() {
    const rows = st.history.slice().reverse().map(e => h('li', {},
      h('span', { class: 'muted small' }, fmtTime(e.at), ' · ', api.actorName(e.actor)), ' ',
      h('strong', {}, t('field.' + e.field, {}, e.field)), ' ',
      e.old ? h('span', { class: 'old' }, shortValue(e.field, e.old)) : null, e.old ? ' → ' : '',
      h('span', {}, shortValue(e.field, e.new)),
      e.why && e.why.length ? h('div', { class: 'hist-why' }, reasonsText(e.why)) : null,
      e.note ? h('div', { class: 'hist-note' }, e.note) : null));
    add(clear(historyBox), h('summary', {}, t('ticket.history'), ' ', h('span', { class: 'muted small' }, '(' + st.history.length + ')')),
      rows.length ? h('ol', { class: 'hist' }, rows) : empty(t('ticket.no_history')));
  }

  function renderTriagePanel() {
    renderTriage(triageBox, { ticket: st.ticket, history: st.history, canWrite: canWrite && !api.isFinal(st.ticket), correct, patchTicket });
  }

  function renderSugg() {
    renderSuggestions(suggBox, {
      suggestions: st.suggestions, composer, feedback: st.feedback,
      canFeedback: api.can('POST', '/v1/suggestions/:id/feedback'),
      // Those who may give feedback work tickets: the roles that may recompute.
      refresh: api.can('POST', '/v1/suggestions/:id/feedback') ? () => loadSuggestions(true) : null,
    });
  }

  function renderLinksPanel() {
    linksBox.hidden = !st.links && !st.linksError;
    if (linksBox.hidden) return;
    renderLinks(linksBox, { ticket: st.ticket, links: st.links || [], error: st.linksError, merge });
  }

  async function refreshLinks() {
    try {
      st.links = await loadLinks(id, ctx.signal);
      st.linksError = null;
    } catch (err) {
      if (err.name === 'AbortError') return;
      st.linksError = err;
    }
  }

  // merge merges src into into (one of them this ticket) after asking,
  // then shows this ticket as it is now: closed and pointing at the
  // survivor, or with the merged ticket's comments.
  async function merge(src, into) {
    const res = await doMerge(src, into);
    if (!res) { await load().catch(() => {}); await refreshLinks(); renderAll(); return; }
    await Promise.all([load(), refreshComments(), refreshHistory(), refreshLinks()]);
    renderAll();
    loadSLA();
  }

  // A closed ticket takes no more comments (the API refuses them): say
  // so, and where the conversation went if it was merged.
  function renderComposerState() {
    const closed = api.isFinal(st.ticket);
    for (const el of composerBox.children) if (el !== closedNote) el.hidden = closed;
    closedNote.hidden = !closed;
    // Suggestions are for answering; a closed ticket takes no answer.
    suggBox.hidden = closed;
    macroBox.hidden = closed || !canComment;
    if (closed) clear(suggBox);
    clear(closedNote);
    if (closed) add(closedNote, st.ticket.merged_into ? t('composer.closed_merged') : t('composer.closed'));
  }

  function renderAll() {
    refreshWeChat();
    renderComposerState();
    renderHead();
    renderLinksPanel();
    renderConversation();
    renderProps();
    renderTriagePanel();
    renderHistory();
  }

  // Composer -------------------------------------------------------------------

  const composer = buildComposer();
  const closedNote = h('p', { class: 'card muted closed-note', hidden: true });
  add(composerBox, closedNote);

  function buildComposer() {
    let mode = 'reply';
    const text = h('textarea', { name: 'body', id: 'composer', rows: '6', placeholder: t('composer.placeholder_reply'), 'aria-label': t('composer.label') });
    const tabReply = h('button', { type: 'button', class: 'tab active', id: 'mode-reply', 'aria-pressed': 'true' }, t('composer.reply'), ' ', h('kbd', {}, 'r'));
    const tabNote = h('button', { type: 'button', class: 'tab', id: 'mode-note', 'aria-pressed': 'false' }, t('composer.note'), ' ', h('kbd', {}, 'n'));
    const info = h('div', { class: 'composer-info muted small' });
    const after = select([['', t('composer.after_keep')], ['pending', t('composer.after_pending')], ['solved', t('composer.after_solved')]], '', { name: 'after', 'aria-label': t('composer.after') });
    const send = h('button', { type: 'submit', class: 'btn btn-primary', id: 'send' }, t('composer.send_reply'));
    const picker = mail.filePicker();
    const form = h('form', { class: 'card composer' },
      h('div', { class: 'tabs composer-tabs' }, tabReply, tabNote),
      text,
      info,
      h('div', { class: 'composer-foot' },
        h('span', { class: 'muted small' }, t('composer.hint')),
        picker.el,
        h('span', { class: 'spacer' }),
        h('label', { class: 'small' }, t('composer.after'), ' ', after),
        send));
    const setMode = m => {
      mode = m;
      form.classList.toggle('is-note', m === 'note');
      tabReply.classList.toggle('active', m === 'reply');
      tabNote.classList.toggle('active', m === 'note');
      tabReply.setAttribute('aria-pressed', String(m === 'reply'));
      tabNote.setAttribute('aria-pressed', String(m === 'note'));
      text.placeholder = t(m === 'reply' ? 'composer.placeholder_reply' : 'composer.placeholder_note');
      send.textContent = t(m === 'reply' ? 'composer.send_reply' : 'composer.send_note');
      renderInfo();
    };
    const renderInfo = () => {
      clear(info);
      if (st.draftUse) {
        const edited = text.value.trim() !== st.draftUse.text.trim();
        add(info, badge(t(edited ? 'composer.draft_edited' : 'composer.draft_accepted'), 'badge-ai'), ' ', t('composer.draft_feedback'));
        if (mode === 'note') add(info, ' ', t('composer.draft_note_warning'));
      }
      if (st.inserted.size) add(info, ' ', t('composer.sources_used', { n: st.inserted.size }));
      if (st.macroUse) {
        const m = st.macroUse.macro;
        const a = m.actions || {};
        const what = [a.status ? t('status.' + a.status, {}, a.status) : '', a.priority || '', ...(a.add_tags || []).map(x => '#' + x),
          a.assignee_id ? api.agentName(a.assignee_id) : '', a.team_id ? api.teamName(a.team_id) : ''].filter(Boolean).join(' · ');
        add(info, ' ', badge(t('macro.in_use', { title: m.title }), 'badge-ai'),
          text.value.trim() !== st.macroUse.text.trim() ? [' ', badge(t('macro.edited'), 'badge-warn')] : null,
          what ? [' ', t('macro.actions', { what })] : null);
      }
    };
    tabReply.addEventListener('click', () => { setMode('reply'); text.focus(); });
    tabNote.addEventListener('click', () => { setMode('note'); text.focus(); });
    text.addEventListener('input', renderInfo);
    text.addEventListener('input', () => { if (collab) collab.typing(text.value.trim() !== ''); });
    text.addEventListener('keydown', ev => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      busy(send, () => sendComment(text.value, mode, after.value, picker.files()).then(ok => {
        if (!ok) return;
        text.value = '';
        if (collab) collab.typing(false);
        picker.clear();
        after.value = '';
        st.draftUse = null;
        st.macroUse = null;
        st.inserted.clear();
        renderInfo();
        renderSugg();
      }));
    });
    if (!canComment) {
      form.replaceChildren(h('p', { class: 'muted' }, t('composer.read_only')));
    }
    add(composerBox, form);
    return {
      focus(m) { if (!canComment) return; setMode(m); text.focus(); text.setSelectionRange(text.value.length, text.value.length); },
      // useDraft puts the draft (without its [n] markers, which mean
      // nothing to the customer) in the reply box.
      useDraft(draftText, how) {
        if (!canComment) return;
        const clean = stripCitations(draftText);
        setMode('reply');
        if (how === 'insert' && text.value.trim()) insertAtCursor(text, clean);
        else text.value = clean;
        st.draftUse = { text: clean };
        renderInfo();
        if (how === 'edit') { text.focus(); text.setSelectionRange(text.value.length, text.value.length); } else send.focus();
      },
      insertSource(src, value) {
        if (!canComment) return;
        setMode('reply');
        insertAtCursor(text, value);
        st.inserted.set(src.kind + ':' + src.id, { src, value });
        renderInfo();
        text.focus();
      },
      draftInUse() { return !!st.draftUse; },
      // useMacro puts a macro's text, filled in for this ticket, in the
      // reply box; sending it then goes through the macro.
      useMacro(macro, value) {
        if (!canComment) return;
        setMode('reply');
        if (text.value.trim()) insertAtCursor(text, value);
        else text.value = value;
        st.macroUse = { macro, text: value };
        renderInfo();
        // Like an accepted draft: ready to send with Enter; the key that
        // inserted it must not land in the text.
        send.focus();
      },
    };
  }

  async function sendComment(body, mode, afterStatus, files) {
    body = body.trim();
    if (!body && !files.length) { toast(t('composer.empty'), 'error'); return false; }
    const isReply = mode === 'reply';
    // A reply says which comment it was written after; the server
    // refuses it over a newer reply by someone else, and the agent is
    // asked before it is sent anyway (collab.js).
    const post = async force => {
      const guard = isReply && collab ? { written_after: collab.writtenAfter(), force } : {};
      if (st.macroUse && isReply && !files.length) {
        // The macro's apply sends the reply and makes its changes in one
        // step, and counts whether the text was edited.
        const m = st.macroUse.macro;
        await api.post(path + '/macros/' + encodeURIComponent(m.id) + '/apply', { body, public: true, version: m.version, ...guard });
      } else if (files.length) await mail.postWithFiles(path + '/comments', { body, public: isReply, ...guard }, files);
      else await api.post(path + '/comments', { body, public: isReply, ...guard });
    };
    const failed = err => {
      if (err.field === 'wechat') { toast(wechat.refusal(err), 'error'); refreshWeChat(); return false; }
      showError(err);
      return false;
    };
    try {
      await post(false);
    } catch (err) {
      // 412 on written_after: another agent's newer reply (reason
      // ticket.newer_reply, whose author the question names).
      if (!(err.status === 412 && err.field === 'written_after' && err.reason && collab)) return failed(err);
      if (!(await collab.askNewer(composerBox, err.reason.args.author))) return false;
      try { await post(true); } catch (again) { return failed(again); }
    }
    // Feedback on what the reply used: the draft as sent (accepted, or
    // edited with the final text), and any source inserted into it.
    const sg = st.suggestions;
    if (sg && isReply) {
      const fb = [];
      if (st.draftUse) {
        const edited = body !== st.draftUse.text.trim();
        fb.push({ source_kind: 'draft', source_id: '', action: edited ? 'edited' : 'accepted', final_text: body });
      }
      for (const { src, value } of st.inserted.values()) {
        fb.push({ source_kind: src.kind, source_id: src.id, action: body.includes(value.trim()) ? 'accepted' : 'edited', final_text: body });
      }
      for (const f of fb) {
        try {
          await api.post('/v1/suggestions/' + encodeURIComponent(sg.id) + '/feedback', f);
          st.feedback.set(f.source_kind + ':' + f.source_id, f.action);
        } catch (err) {
          showError(err);
        }
      }
    }
    toast(t(isReply ? 'composer.sent_reply' : 'composer.sent_note'));
    await Promise.all([load(), refreshComments(), refreshHistory()]);
    if (afterStatus && afterStatus !== st.ticket.status) await patchTicket({ status: afterStatus });
    renderAll();
    loadSLA();
    watchMail(20, false);
    return true;
  }

  // A queued mail is sent by a job a moment later, and solving a ticket
  // queues its survey: look again until each is sent or failed, so the
  // page says what happened rather than what was hoped.
  let mailTimer = 0;
  ctx.onLeave(() => clearTimeout(mailTimer));
  function watchMail(tries, wantSurvey) {
    clearTimeout(mailTimer);
    const pending = st.mails.some(m => m.status === 'queued') || (wantSurvey && !st.mails.some(m => m.purpose === 'survey')) ||
      st.comments.some(c => c.wechat && c.wechat.status === 'queued');
    if (!pending || tries <= 0) return;
    mailTimer = setTimeout(async () => {
      try {
        await refreshComments();
      } catch {
        return;
      }
      renderAll();
      watchMail(tries - 1, wantSurvey);
    }, 1500);
  }

  // SLA clocks are an extra: the page works without them.
  async function loadSLA() {
    st.sla = await sla.forTicket(id, ctx.signal).catch(() => null);
    add(clear(slaBox), st.sla ? sla.chip(st.sla) : null);
    renderProps();
  }

  async function refreshComments() {
    const [cs, mails] = await Promise.all([api.get(path + '/comments'), mail.ticketMail(id, ctx.signal)]);
    st.comments = cs.items || [];
    st.mails = mails;
  }
  async function refreshHistory() {
    st.history = (await api.get(path + '/history')).items || [];
  }
  async function loadSuggestions(refresh) {
    add(clear(suggBox), h('h2', {}, t('sugg.title')), h('div', { class: 'loading' }, t('sugg.loading')));
    try {
      st.suggestions = await api.get(path + '/suggestions', refresh ? { refresh: 'true' } : null, { signal: ctx.signal });
      st.draftUse = null;
      st.feedback.clear();
    } catch (err) {
      if (err.name === 'AbortError') return;
      add(clear(suggBox), h('h2', {}, t('sugg.title')), errorBox(err));
      return;
    }
    renderSugg();
  }

  function pageKeys(prev, next) {
    // Only what the role may do: a viewer neither replies nor judges
    // suggestions, so the help does not offer those keys.
    const canFeedback = api.can('POST', '/v1/suggestions/:id/feedback');
    const keys = [
      ...(canComment ? [
        { key: 'r', label: t('keys.reply'), fn: () => composer.focus('reply') },
        { key: 'n', label: t('keys.note'), fn: () => composer.focus('note') },
      ] : []),
      ...(canFeedback ? [
        { key: 'a', label: t('keys.accept'), fn: () => suggBox.querySelector('[data-act="accept"]')?.click() },
        { key: 'e', label: t('keys.edit'), fn: () => suggBox.querySelector('[data-act="edit"]')?.click() },
        { key: 'x', label: t('keys.reject'), fn: () => suggBox.querySelector('[data-act="reject"]')?.click() },
      ] : []),
      ...(canComment ? [
        { key: 'm', label: t('keys.macro'), fn: () => macroBox.macroKeys?.focus() },
        ...[1, 2, 3, 4, 5].map(n => ({ key: String(n), label: t('keys.macro_n', { n }), fn: () => macroBox.macroKeys?.nth(n - 1) })),
      ] : []),
      { key: 'u', label: t('keys.back'), fn: () => ctx.navigate(JSON.parse(sessionStorage.getItem('trg:queue') || '{}').url || '/app/inbox') },
    ];
    if (next) keys.unshift({ key: 'j', label: t('keys.next_ticket'), fn: () => ctx.navigate('/app/tickets/' + next) });
    if (prev) keys.unshift({ key: 'k', label: t('keys.prev_ticket'), fn: () => ctx.navigate('/app/tickets/' + prev) });
    return keys;
  }

  await Promise.all([refreshComments(), refreshHistory(), refreshLinks()]);
  renderAll();
  watchMail(20, false);
  if (!api.isFinal(st.ticket)) loadSuggestions(false);
  if (!api.isFinal(st.ticket) && canComment) renderMacros(macroBox, { ticketId: id, use: (m, v) => composer.useMacro(m, v), signal: ctx.signal });
  loadSLA();
  collab = watchTicket(ctx, {
    id, anchor: head, version: () => st.ticket.version,
    lastComment: () => (st.comments.length ? st.comments[st.comments.length - 1].id : ''),
    onChange: async () => {
      await Promise.all([load(), refreshComments(), refreshHistory()]);
      renderAll();
    },
  });
}

function withValue(list, v) {
  return v && !list.includes(v) ? [...list, v] : list;
}

function shortValue(fieldName, v) {
  if (!v) return '∅';
  if (fieldName === 'assignee_id') return api.agentName(v);
  if (fieldName === 'team_id') return api.teamName(v);
  if (fieldName === 'status') return t('status.' + v, {}, v);
  if (fieldName === 'csat_link') return t('csat.link_state.' + v, {}, v);
  if (fieldName === 'comment') return '#' + v.slice(-6);
  if (fieldName === 'channel') return t('channel.' + v, {}, v);
  if (v === 'true' || v === 'false') return t('hist.bool.' + v);
  const bytes = /^(\d+) bytes$/.exec(v);
  if (bytes) return t('hist.bytes', { n: bytes[1] });
  if ((fieldName === 'requester' || fieldName === 'fields') && v.startsWith('{')) {
    // Recorded as JSON: shown as its values (a requester's name, e-mail
    // and phone; a field's name and value), which are data.
    try {
      const o = JSON.parse(v);
      const parts = fieldName === 'requester'
        ? ['name', 'email', 'phone', 'tier'].map(k => o[k]).filter(Boolean)
        : Object.entries(o).map(([k, x]) => k + '：' + x);
      return parts.length ? parts.join(' · ') : '∅';
    } catch { /* not JSON after all: shown as it is */ }
  }
  if (/^\d{4}-\d\d-\d\dT/.test(v)) return fmtTime(v);
  return v.length > 80 ? v.slice(0, 80) + '…' : v;
}

export function stripCitations(text) {
  return text.replace(/ ?\[\d+\]/g, '');
}

function insertAtCursor(ta, value) {
  const start = ta.selectionStart ?? ta.value.length;
  const end = ta.selectionEnd ?? ta.value.length;
  const before = ta.value.slice(0, start);
  const sep = before && !before.endsWith('\n') ? '\n' : '';
  ta.value = before + sep + value + ta.value.slice(end);
  const pos = (before + sep + value).length;
  ta.setSelectionRange(pos, pos);
}
