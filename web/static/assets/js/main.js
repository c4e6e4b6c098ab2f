// Boot: sign-in, the page shell (navigation, search, language, sign-out)
// and the client-side router. Pages are modules loaded on first use; each
// exports render(ctx) and fills ctx.main.

import { h, add, clear, errorBox, errorText, toast } from './dom.js';
import { t, lang, setLang, applyLang } from './i18n.js';
import * as api from './api.js';
import { installShortcuts, setPageKeys, showHelp } from './shortcuts.js';
import { methods, ssoButton, ssoError, forgotForm, secondFactor, passwordPage } from './signin.js';
import { mountBell } from './bell.js';
import { mountPresence } from './presence.js';

const pages = [
  { re: /^\/app\/?$/, redirect: '/app/inbox' },
  { re: /^\/app\/inbox$/, mod: './inbox.js', nav: 'inbox' },
  { re: /^\/app\/tickets\/new$/, mod: './ticket-new.js', nav: 'inbox' },
  { re: /^\/app\/tickets\/([^/]+)$/, mod: './ticket.js', nav: 'inbox' },
  { re: /^\/app\/search$/, mod: './search.js', nav: 'kb' },
  { re: /^\/app\/kb$/, mod: './kb.js', nav: 'kb', view: 'list' },
  { re: /^\/app\/kb\/review$/, mod: './kb.js', nav: 'kb', view: 'review' },
  { re: /^\/app\/kb\/gaps$/, mod: './kb.js', nav: 'kb', view: 'gaps' },
  { re: /^\/app\/kb\/new$/, mod: './article.js', nav: 'kb', view: 'new' },
  { re: /^\/app\/kb\/([^/]+)$/, mod: './article.js', nav: 'kb', view: 'edit' },
  { re: /^\/app\/admin\/?$/, redirect: '/app/admin/agents' },
  { re: /^\/app\/admin\/(agents|teams|tokens)$/, mod: './admin.js', nav: 'admin' },
  { re: /^\/app\/admin\/(rules|dictionary|models)$/, mod: './admin-rules.js', nav: 'admin' },
  { re: /^\/app\/admin\/(sla|calendars|webhooks)$/, mod: './admin-ops.js', nav: 'admin' },
  { re: /^\/app\/admin\/(mailboxes|templates|mail)$/, mod: './admin-mail.js', nav: 'admin' },
  { re: /^\/app\/admin\/wechat$/, mod: './admin-wechat.js', nav: 'admin' },
  { re: /^\/app\/admin\/automations$/, mod: './admin-automations.js', nav: 'admin' },
  { re: /^\/app\/admin\/imports$/, mod: './admin-imports.js', nav: 'admin' },
  { re: /^\/app\/admin\/(macros)$/, mod: './admin-macros.js', nav: 'admin' },
  { re: /^\/app\/eval$/, mod: './evaluation.js', nav: 'eval' },
  { re: /^\/app\/eval\/([^/]+)$/, mod: './evaluation.js', nav: 'eval' },
  { re: /^\/app\/reports$/, mod: './reports.js', nav: 'reports' },
  { re: /^\/app\/admin\/accounts$/, mod: './admin-accounts.js', nav: 'admin' },
  { re: /^\/app\/admin\/(help|deflection)$/, mod: './admin-help.js', nav: 'admin' },
  { re: /^\/app\/security$/, mod: './security.js', nav: '' },
];

const root = document.getElementById('app');
let shell = null; // {main, nav links}
let leaving = [];

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function runLeave() {
  const fns = leaving;
  leaving = [];
  for (const fn of fns) { try { fn(); } catch { /* a page's cleanup must not block the next */ } }
}

async function render() {
  runLeave();
  const path = location.pathname;
  if (path === '/' || path === '') { navigate('/app/inbox', { replace: true }); return; }
  // A customer's survey link: public, no sign-in, no staff shell.
  const survey = /^\/app\/survey\/([^/]+)$/.exec(path);
  if (survey) {
    shell = null;
    setPageKeys([]);
    const { renderSurvey } = await import('./survey.js');
    await renderSurvey(root, decodeURIComponent(survey[1]));
    return;
  }
  // An invitation or reset link: public, its token in the fragment.
  if (path === '/app/password') {
    shell = null;
    setPageKeys([]);
    await passwordPage(root);
    return;
  }
  if (!api.signedIn()) { renderSignIn(ssoError()); return; }
  if (!api.session.me) {
    try {
      await api.loadSession();
    } catch (err) {
      if (err.status === 401) { api.clearToken(); renderSignIn(t('signin.expired')); return; }
      root.replaceChildren(h('main', { class: 'page' }, errorBox(err)));
      return;
    }
    // Names of agents and teams are needed on almost every page.
    await Promise.all([api.agents().catch(() => []), api.teams().catch(() => []), api.tokenNames().catch(() => [])]);
  }
  if (!shell) buildShell();
  const page = pages.find(p => p.re.test(path));
  if (!page) { showPage(null, []); return; }
  if (page.redirect) { navigate(page.redirect, { replace: true }); return; }
  const params = path.match(page.re).slice(1).map(decodeURIComponent);
  showPage(page, params);
}

async function showPage(page, params) {
  for (const a of shell.nav.querySelectorAll('a')) {
    a.classList.toggle('active', page && a.dataset.nav === page.nav);
    if (page && a.dataset.nav === page.nav) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  shell.navWrap.classList.remove('open');
  const main = h('main', { id: 'main', class: 'page', tabindex: '-1' });
  shell.main.replaceWith(main);
  shell.main = main;
  setPageKeys([]);
  if (!page) {
    add(main, h('h1', {}, t('notfound.title')), h('p', {}, t('notfound.text')), h('a', { href: '/app/inbox' }, t('nav.inbox')));
    document.title = t('notfound.title') + ' · triage';
    main.dataset.ready = '1';
    return;
  }
  add(main, h('div', { class: 'loading' }, t('common.loading')));
  const controller = new AbortController();
  leaving.push(() => controller.abort());
  const ctx = {
    main,
    params,
    view: page.view,
    query: new URLSearchParams(location.search),
    signal: controller.signal,
    navigate,
    onLeave: fn => leaving.push(fn),
    keys: list => setPageKeys(list),
    title: str => { document.title = str + ' · triage'; },
  };
  try {
    const mod = await import(page.mod);
    if (controller.signal.aborted) return;
    clear(main);
    await mod.render(ctx);
    // Tests and screenshots wait for this: the page's first render is done.
    main.dataset.ready = '1';
  } catch (err) {
    if (err.name === 'AbortError' || controller.signal.aborted) return;
    clear(main);
    add(main, errorBox(err));
    main.dataset.ready = 'error';
    console.error(err);
  }
}

function navLink(href, key, label) {
  return h('a', { href, data: { nav: key } }, label);
}

function buildShell() {
  const me = api.session.me;
  const nav = h('nav', { class: 'nav', 'aria-label': t('nav.main') },
    navLink('/app/inbox', 'inbox', t('nav.inbox')),
    navLink('/app/kb', 'kb', t('nav.kb')),
    api.can('POST', '/v1/agents') || api.can('POST', '/v1/dictionary') ? navLink('/app/admin', 'admin', t('nav.admin')) : null,
    navLink('/app/eval', 'eval', t('nav.eval')),
    navLink('/app/reports', 'reports', t('nav.reports')));
  const searchInput = h('input', { type: 'search', name: 'q', id: 'global-search', placeholder: t('search.placeholder'), 'aria-label': t('search.label'), autocomplete: 'off' });
  const search = h('form', { class: 'topsearch', role: 'search' }, searchInput);
  search.addEventListener('submit', ev => {
    ev.preventDefault();
    const q = searchInput.value.trim();
    if (q) navigate('/app/search?q=' + encodeURIComponent(q));
  });
  const langBtn = h('button', { type: 'button', class: 'btn btn-ghost lang-switch', title: t('lang.switch') }, lang() === 'en' ? '中文' : 'EN');
  langBtn.addEventListener('click', () => {
    setLang(lang() === 'en' ? 'zh-CN' : 'en');
    shell = null;
    render();
  });
  const out = h('button', { type: 'button', class: 'btn btn-ghost', id: 'signout' }, t('signin.out'));
  out.addEventListener('click', signOut);
  const help = h('button', { type: 'button', class: 'btn btn-ghost help-btn', title: t('keys.title'), 'aria-label': t('keys.title') }, '?');
  help.addEventListener('click', showHelp);
  const myName = me.agent ? me.agent.name : api.tokenName(me.name);
  const who = h(me.agent ? 'a' : 'span', { class: 'who', title: me.agent ? t('security.title') : myName, href: me.agent ? '/app/security' : null, id: 'who' },
    h('span', { class: 'who-name' }, myName),
    h('span', { class: 'badge role' }, t('role.' + me.role, {}, me.role)));
  const navWrap = h('div', { class: 'nav-wrap' }, nav, h('div', { class: 'top-actions' }, who, langBtn, help, out));
  const toggle = h('button', { type: 'button', class: 'btn btn-ghost menu-toggle', 'aria-label': t('nav.menu'), 'aria-expanded': 'false' }, '☰');
  toggle.addEventListener('click', () => {
    const open = navWrap.classList.toggle('open');
    toggle.setAttribute('aria-expanded', String(open));
  });
  const header = h('header', { class: 'topbar' },
    toggle,
    h('a', { class: 'brand', href: '/app/inbox' }, h('span', { class: 'brand-mark' }, '◆'), ' triage'),
    search,
    navWrap);
  const main = h('main', { id: 'main', class: 'page' });
  root.replaceChildren(h('a', { class: 'skip', href: '#main' }, t('nav.skip')), header, main);
  shell = { main, nav, navWrap };
  mountBell(navWrap.querySelector('.top-actions'), navigate);
  mountPresence(navWrap.querySelector('.top-actions'));
}

async function signOut() {
  const end = await api.logout();
  // Signed in through the provider: end its session too, or the next
  // single sign-on would sign the person straight back in. It sends the
  // browser back to the sign-in page.
  if (end) { location.assign(end); return; }
  api.invalidateRefs();
  shell = null;
  history.pushState(null, '', '/app/inbox');
  renderSignIn(t('signin.signedout'));
}

// afterSignIn loads who signed in and shows the page they asked for.
async function afterSignIn() {
  await api.loadSession();
  await Promise.all([api.agents(true).catch(() => []), api.teams(true).catch(() => []), api.tokenNames().catch(() => [])]);
  if (location.pathname === '/' || !location.pathname.startsWith('/app')) history.replaceState(null, '', '/app/inbox');
  render();
}

// loginError says why a password sign-in failed, in the reader's language.
function loginError(err) {
  if (err.status === 401) return t('signin.wrong');
  if (err.status === 429) return t('signin.locked', { seconds: String(err.retryAfter || 60) });
  if (err.status === 403) return t('signin.disabled');
  return errorText(err);
}

function renderSignIn(message) {
  shell = null;
  setPageKeys([]);
  document.title = t('signin.title') + ' · triage';
  const email = h('input', { type: 'email', name: 'email', id: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', id: 'password', autocomplete: 'current-password', required: true });
  const loginError_ = h('div', { class: 'signin-error', role: 'alert', id: 'login-error' });
  const login = h('button', { type: 'submit', class: 'btn btn-primary', id: 'login' }, t('signin.login'));
  const forgot = forgotForm();
  const sso = h('div', { class: 'signin-sso', id: 'sso' });
  const form = h('form', { class: 'card signin', id: 'login-form' },
    h('h1', {}, h('span', { class: 'brand-mark' }, '◆'), ' triage'),
    h('p', { class: 'muted' }, t('signin.lead')),
    message ? h('div', { class: 'alert alert-info' }, message) : null,
    h('label', { for: 'email' }, t('signin.email')),
    email,
    h('label', { for: 'password' }, t('signin.password')),
    password,
    loginError_,
    h('div', { class: 'row' }, login, langToggleLink()),
    sso,
    forgot);
  // Single sign-on, when the server has it, beside the password.
  methods().then(m => {
    if (m && m.sso) add(sso, h('p', { class: 'signin-or muted' }, t('signin.or')), ssoButton(m));
  });
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    loginError_.replaceChildren();
    login.disabled = true;
    try {
      const first = await api.login(email.value.trim(), password.value);
      if (first && first.second_factor) {
        secondFactor(root, first, afterSignIn, () => renderSignIn(t('mfa.again')));
        return;
      }
      await afterSignIn();
    } catch (err) {
      add(loginError_, loginError(err));
    } finally {
      login.disabled = false;
    }
  });

  // The token sign-in stays, behind a link, for automation and for a
  // service whose admin has only a token.
  const input = h('input', { type: 'password', name: 'token', id: 'token', autocomplete: 'off', spellcheck: 'false', placeholder: 'trg_…', required: true });
  const errorSlot = h('div', { class: 'signin-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn', id: 'signin' }, t('signin.submit'));
  const tokenForm = h('form', { class: 'signin-token' },
    h('label', { for: 'token' }, t('signin.token')),
    input,
    h('p', { class: 'hint' }, t('signin.hint')),
    errorSlot,
    submit);
  tokenForm.addEventListener('submit', async ev => {
    ev.preventDefault();
    errorSlot.replaceChildren();
    const tok = input.value.trim();
    if (!tok) return;
    submit.disabled = true;
    try {
      await api.signIn(tok);
      await afterSignIn();
    } catch (err) {
      api.clearToken();
      add(errorSlot, err.status === 401 ? t('signin.bad') : errorText(err));
    } finally {
      submit.disabled = false;
    }
  });
  const advanced = h('details', { class: 'card signin signin-advanced', id: 'signin-advanced' },
    h('summary', { id: 'signin-token-toggle' }, t('signin.advanced')),
    tokenForm);
  root.replaceChildren(h('main', { class: 'signin-page' }, form, advanced));
  email.focus();
}

function langToggleLink() {
  const b = h('button', { type: 'button', class: 'btn btn-ghost' }, lang() === 'en' ? '中文' : 'English');
  b.addEventListener('click', () => { setLang(lang() === 'en' ? 'zh-CN' : 'en'); renderSignIn(); });
  return b;
}

// Links to /app/… are handled here so the page is not reloaded.
document.addEventListener('click', ev => {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = ev.target instanceof Element ? ev.target.closest('a[href]') : null;
  if (!(a instanceof HTMLAnchorElement)) return;
  if (a.target || a.hasAttribute('download')) return;
  const href = a.getAttribute('href');
  if (!href.startsWith('/app')) return;
  ev.preventDefault();
  navigate(href);
});

window.addEventListener('popstate', render);

api.onUnauthorized(() => {
  api.clearToken();
  renderSignIn(t('signin.expired'));
});

window.addEventListener('unhandledrejection', ev => {
  const err = ev.reason;
  if (err && err.name === 'AbortError') { ev.preventDefault(); return; }
  if (err && err.code) { toast(errorText(err), 'error'); ev.preventDefault(); }
});

applyLang();
installShortcuts({ navigate, focusSearch: () => { const el = document.getElementById('global-search'); if (el instanceof HTMLInputElement) { el.focus(); el.select(); } } });
render();
