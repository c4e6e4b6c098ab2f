// The API client. The UI uses the public HTTP API only, with the same rules
// as any client: a session cookie (or, in the advanced sign-in, a bearer
// token), If-Match with the ETag of what was read, an Idempotency-Key on
// every POST, errors in one shape.

import { t } from './i18n.js';

const TOKEN_KEY = 'trg:token';

// The token lives in sessionStorage: it survives a reload but not closing
// the tab, and it is never written into a cookie, so the API cannot be
// driven by another site (no ambient credentials, no CSRF).
export function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }
export function setToken(tok) { sessionStorage.setItem(TOKEN_KEY, tok); }
export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
  // An ended session's CSRF cookie would still say "signed in".
  document.cookie = 'triage_csrf=; Max-Age=0; Path=/; SameSite=Strict';
  session.me = null;
}

// A password sign-in keeps its session in an HttpOnly cookie the page
// cannot read, and the session's CSRF token in a cookie it can: every
// write sends the token in X-CSRF-Token, which a page of another site
// cannot do.
const CSRF_COOKIE = 'triage_csrf';
export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === CSRF_COOKIE && v) return decodeURIComponent(v);
  }
  return '';
}

// authHeaders are the credential headers of a request the page makes,
// for every fetch of its own (call, a multipart upload, a file download,
// the event stream): the bearer token when this tab holds one; with a
// session cookie, which the browser sends by itself, a write carries the
// CSRF token the server asks for and a read nothing (an empty
// "Authorization: Bearer" would be refused).
/**
 * @param {string} method
 * @returns {Record<string, string>}
 */
export function authHeaders(method) {
  const tok = token();
  if (tok) return { Authorization: 'Bearer ' + tok };
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return {};
  return { 'X-CSRF-Token': csrfToken() };
}

// signedIn reports whether the page holds a credential: a token in this
// tab, or a session cookie (seen through its CSRF cookie).
export function signedIn() { return Boolean(token() || csrfToken()); }

// login signs in with e-mail and password; the server sets the cookies.
export async function login(email, password) {
  const resp = await fetch('/v1/auth/login', {
    method: 'POST', cache: 'no-store',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const data = await resp.json().catch(() => null);
  if (!resp.ok) {
    const err = new ApiError(resp.status, (data && data.error) || {});
    err.retryAfter = Number(resp.headers.get('Retry-After')) || 0;
    throw err;
  }
  sessionStorage.removeItem(TOKEN_KEY);
  session.me = null;
  return data;
}

// logout ends the session (the server clears its cookies). It returns
// where to send the browser to end the single sign-on provider's session
// too, for a session opened through it ('' otherwise).
export async function logout() {
  let end = '';
  if (!token() && csrfToken()) {
    const resp = await fetch('/v1/auth/logout', { method: 'POST', cache: 'no-store', headers: { 'X-CSRF-Token': csrfToken() } }).catch(() => null);
    const data = resp && resp.ok ? await resp.json().catch(() => null) : null;
    end = (data && data.end_session_url) || '';
  }
  clearToken();
  return end;
}

// ApiError is an error the API answered with, or a network failure
// (status 0).
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail.message || ('HTTP ' + status));
    this.status = status;
    this.code = detail.code || (status ? 'http_' + status : 'network');
    this.field = detail.field || '';
    this.allowed = detail.allowed || [];
    // reason is the typed reason some refusals carry ({ code, args }).
    this.reason = detail.reason || null;
    this.requestId = detail.request_id || '';
    // retryAfter is a 429's Retry-After, in seconds.
    this.retryAfter = 0;
  }
}

// The signed-in session: who the token is and what it may call, plus
// the routes this server has at all and its enums with their lifecycles
// (from its OpenAPI document), so a page can tell "not allowed" from "not
// built yet" and offers the values the server accepts, not a copy.
/** @type {{ me: any, routes: Set<string> | null, enums: Record<string, { values: string[], next?: Record<string, string[]> }> }} */
export const session = { me: null, routes: null, enums: {} };

const listeners = { unauthorized: [] };
export function onUnauthorized(fn) { listeners.unauthorized.push(fn); }

// A key from getRandomValues, which unlike randomUUID also works on plain
// http to a LAN address (not a "secure context").
export function newKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
}

// etagOf is the ETag of a resource read from a list: the API's ETag is the
// resource's version, so a list item carries it.
export function etagOf(obj) { return '"' + obj.version + '"'; }

function query(params) {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const str = q.toString();
  return str ? '?' + str : '';
}

// call sends one request and returns {data, etag, status}. A network
// failure is retried once; for a POST that is safe because the retry
// carries the same Idempotency-Key.
/**
 * @typedef {object} CallOptions
 * @property {unknown} [body] sent as JSON
 * @property {string} [etag] sent as If-Match
 * @property {Record<string, unknown>} [params] the query
 * @property {string} [key] the Idempotency-Key of a POST
 * @property {boolean} [raw] answer the body as text
 * @property {AbortSignal} [signal]
 */
/**
 * @param {string} method
 * @param {string} path
 * @param {CallOptions} [options]
 */
export async function call(method, path, { body, etag, params, key, raw, signal } = {}) {
  const headers = { Accept: 'application/json', ...authHeaders(method) };
  const tok = token();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (etag) headers['If-Match'] = etag;
  if (method === 'POST') headers['Idempotency-Key'] = key || newKey();
  /** @type {RequestInit} */
  const init = { method, headers, cache: 'no-store', signal, body: body === undefined ? undefined : JSON.stringify(body) };
  const url = path + query(params);
  let resp;
  for (let attempt = 0; ; attempt++) {
    try {
      resp = await fetch(url, init);
      break;
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      if (attempt >= 1) throw new ApiError(0, { code: 'network', message: e.message });
      await new Promise(r => setTimeout(r, 400));
    }
  }
  const tag = resp.headers.get('ETag') || '';
  if (resp.status === 204) return { data: null, etag: tag, status: 204 };
  if (raw && resp.ok) return { data: await resp.text(), etag: tag, status: resp.status, type: resp.headers.get('Content-Type') || '' };
  let data;
  const text = await resp.text();
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!resp.ok) {
    const detail = (data && data.error) || { message: text.slice(0, 200) };
    if (!detail.request_id) detail.request_id = resp.headers.get('X-Request-ID') || '';
    const err = new ApiError(resp.status, detail);
    if (resp.status === 401 && (tok || csrfToken())) listeners.unauthorized.forEach(fn => fn(err));
    throw err;
  }
  return { data, etag: tag, status: resp.status };
}

export const get = (path, params, opts = {}) => call('GET', path, { ...opts, params }).then(r => r.data);
export const getWithTag = (path, params) => call('GET', path, { params });
export const post = (path, body, opts = {}) => call('POST', path, { ...opts, body }).then(r => r.data);
export const patch = (path, body, etag) => call('PATCH', path, { body, etag }).then(r => r.data);
export const del = (path, etag) => call('DELETE', path, { etag }).then(r => r.data);

// all follows next_cursor until the list ends or max items are read.
export async function all(path, params = {}, max = 1000) {
  const items = [];
  let cursor = '';
  do {
    const page = await get(path, { ...params, cursor, limit: 200 });
    items.push(...(page.items || []));
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

// signIn checks a token with /v1/me and keeps it when it works.
export async function signIn(tok) {
  const headers = { Accept: 'application/json', Authorization: 'Bearer ' + tok };
  const resp = await fetch('/v1/me', { headers, cache: 'no-store' });
  const data = await resp.json().catch(() => null);
  if (!resp.ok) throw new ApiError(resp.status, (data && data.error) || {});
  setToken(tok);
  session.me = data;
  return data;
}

export async function loadSession() {
  session.me = await get('/v1/me');
  if (!session.routes) {
    try {
      const doc = await fetch('/openapi.json', { cache: 'no-store' }).then(r => r.json());
      session.routes = new Set();
      for (const [p, item] of Object.entries(doc.paths || {})) {
        for (const m of Object.keys(item)) {
          session.routes.add(m.toUpperCase() + ' ' + p.replace(/\{(\w+)\}/g, ':$1'));
        }
      }
      session.enums = enumsOf(doc);
    } catch {
      session.routes = null;
    }
  }
  return session.me;
}

/**
 * enumsOf reads the enum components of an OpenAPI document: each one's
 * values and, for a lifecycle, each value's next values (x-next).
 * @param {any} doc
 */
export function enumsOf(doc) {
  /** @type {Record<string, { values: string[], next?: Record<string, string[]> }>} */
  const out = {};
  for (const [name, s] of Object.entries((doc.components && doc.components.schemas) || {})) {
    if (s && s.type === 'string' && Array.isArray(s.enum)) out[name] = { values: s.enum, next: s['x-next'] };
  }
  return out;
}

/**
 * enumValues lists an enum's values in the server's order: Status,
 * Priority, Channel, Role, ArticleStatus.
 * @param {string} name
 * @returns {string[]}
 */
export function enumValues(name) {
  const e = session.enums[name];
  return e ? e.values : [];
}

/**
 * nextValues lists the values a lifecycle allows after value.
 * @param {string} name
 * @param {string} value
 * @returns {string[]}
 */
export function nextValues(name, value) {
  const e = session.enums[name];
  return (e && e.next && e.next[value]) || [];
}

/**
 * isFinal reports whether a ticket (or a ticket status) can move no more:
 * closed, as the server's lifecycle says.
 * @param {{ status: string, next_statuses?: string[] } | string} ticket
 */
export function isFinal(ticket) {
  if (typeof ticket === 'string') return nextValues('Status', ticket).length === 0;
  return (ticket.next_statuses || nextValues('Status', ticket.status)).length === 0;
}

// can reports whether this token may call a route, e.g. can('PATCH',
// '/v1/tickets/:id'); the UI hides what the API would refuse.
export function can(method, path) {
  return !!(session.me && session.me.can && session.me.can.includes(method + ' ' + path));
}

// exists reports whether this server has a route at all, whoever calls it.
export function exists(method, path) {
  if (can(method, path)) return true;
  return !!(session.routes && session.routes.has(method + ' ' + path));
}

export function role() { return session.me ? session.me.role : ''; }
export function myActor() { return session.me ? session.me.actor || '' : ''; }
export function myAgentId() { return session.me && session.me.agent ? session.me.agent.id : ''; }

// Reference data many pages name things with: agents, teams, categories.
// Read once per page load and refreshed after an admin edit.
const refs = { agents: null, teams: null, categories: null, tokens: null };

export async function agents(refresh = false) {
  if (!refs.agents || refresh) refs.agents = (await get('/v1/agents')).items || [];
  return refs.agents;
}

export async function teams(refresh = false) {
  if (!refs.teams || refresh) refs.teams = (await get('/v1/teams')).items || [];
  return refs.teams;
}

export async function tokenNames() {
  if (!refs.tokens) {
    // Every role may read the names of tokens' actors (/v1/actors); the
    // token list itself is an admin's.
    refs.tokens = can('GET', '/v1/tokens') ? (await get('/v1/tokens')).items || []
      : can('GET', '/v1/actors') ? ((await get('/v1/actors')).items || []).map(x => ({ id: x.actor.slice(6), name: x.name })) : [];
  }
  return refs.tokens;
}

// categories gathers the category names the service knows: the active
// model's classes, the teams' and agents' categories and the rules'.
export async function categories(refresh = false) {
  if (refs.categories && !refresh) return refs.categories;
  const set = new Set();
  const [models, ts, as] = await Promise.all([
    get('/v1/models', { kind: 'category' }).catch(() => ({ items: [] })),
    teams(refresh).catch(() => []),
    agents(refresh).catch(() => []),
  ]);
  for (const m of models.items || []) if (m.active) (m.info.classes || []).forEach(c => set.add(c));
  for (const tm of ts) (tm.categories || []).forEach(c => set.add(c));
  for (const a of as) (a.skills || []).forEach(c => set.add(c));
  refs.categories = [...set].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  return refs.categories;
}

export function invalidateRefs() {
  refs.agents = refs.teams = refs.categories = refs.tokens = null;
}

export function agentName(id) {
  if (!id) return '';
  const a = (refs.agents || []).find(x => x.id === id);
  return a ? a.name : id.slice(0, 8);
}

export function teamName(id) {
  if (!id) return '';
  const tm = (refs.teams || []).find(x => x.id === id);
  return tm ? tm.name : id.slice(0, 8);
}

// ADMIN_TOKEN_NAME is the name the server gives the admin token of
// TRIAGE_ADMIN_TOKEN (desk.BootstrapTokenName; web_test.go holds the two
// equal). It names the token after a variable, for operators; a person
// reads it in their language.
const ADMIN_TOKEN_NAME = 'admin (TRIAGE_ADMIN_TOKEN)';

// tokenName is a token's name as a person reads it.
export function tokenName(name) {
  return name === ADMIN_TOKEN_NAME ? t('actor.admin_token') : name;
}

// actorName turns "agent:<id>" or "token:<id>" into a name a person knows.
export function actorName(actor) {
  if (!actor) return '';
  if (actor === 'system') return t('actor.system');
  const [kind, id] = actor.split(':');
  // The service's own parts: system:triage, system:routing, …
  if (kind === 'system') return t('actor.system.' + id, {}, t('actor.system') + ' · ' + id);
  if (kind === 'agent') return agentName(id);
  if (kind === 'token') {
    const tok = (refs.tokens || []).find(x => x.id === id);
    return tok ? tokenName(tok.name) : t('actor.token', { id });
  }
  return actor;
}
