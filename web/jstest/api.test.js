// Unit tests of what the UI reads from the server's OpenAPI document
// (api.js): enums and lifecycles, instead of copies of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enumsOf, session, enumValues, nextValues, isFinal, authHeaders } from '../static/assets/js/api.js';
import { t, keys } from '../static/assets/js/i18n.js';

const doc = {
  components: {
    schemas: {
      Status: { type: 'string', enum: ['new', 'open', 'pending', 'solved', 'closed'], 'x-next': { new: ['open', 'pending', 'solved'], open: ['pending', 'solved'], pending: ['open', 'solved'], solved: ['open', 'closed'], closed: [] } },
      Priority: { type: 'string', enum: ['P1', 'P2', 'P3', 'P4'] },
      Ticket: { type: 'object', properties: { status: { $ref: '#/components/schemas/Status' } } },
    },
  },
};

test('enums and lifecycles come from the document', () => {
  session.enums = enumsOf(doc);
  assert.deepEqual(Object.keys(session.enums).sort(), ['Priority', 'Status']);
  assert.deepEqual(enumValues('Priority'), ['P1', 'P2', 'P3', 'P4']);
  assert.deepEqual(nextValues('Status', 'solved'), ['open', 'closed']);
  assert.deepEqual(nextValues('Priority', 'P1'), []);
  assert.deepEqual(enumValues('Nope'), []);
});

test('a ticket is final when its lifecycle allows no move', () => {
  session.enums = enumsOf(doc);
  assert.equal(isFinal({ status: 'closed', next_statuses: [] }), true);
  assert.equal(isFinal({ status: 'solved', next_statuses: ['open', 'closed'] }), false);
  assert.equal(isFinal('closed'), true, 'a status alone, from the lifecycle');
  assert.equal(isFinal('pending'), false);
});

test('a document without enums gives none', () => {
  assert.deepEqual(enumsOf({}), {});
});

test('the dictionary fills parameters and falls back', () => {
  assert.equal(t('eval.of', { n: 3, m: 4 }), '3 / 4 张判断正确');
  assert.equal(t('no.such.key', {}, 'fallback'), 'fallback');
  assert.equal(t('no.such.key'), 'no.such.key');
  assert.ok(keys().length > 500);
});

// Every request the page makes carries the credential the server asks
// for: a cookie session's writes (a multipart upload too) need the CSRF
// token, its reads no Authorization header at all.
test('credential headers follow the kind of sign-in', () => {
  const store = new Map();
  globalThis.sessionStorage = /** @type {any} */ ({ getItem: k => store.get(k) ?? null, setItem: (k, v) => store.set(k, v), removeItem: k => store.delete(k) });
  globalThis.document = /** @type {any} */ ({ cookie: 'lang=zh; triage_csrf=abc%2Fdef' });
  try {
    assert.deepEqual(authHeaders('POST'), { 'X-CSRF-Token': 'abc/def' });
    assert.deepEqual(authHeaders('PATCH'), { 'X-CSRF-Token': 'abc/def' });
    assert.deepEqual(authHeaders('GET'), {});
    store.set('trg:token', 'tok1');
    assert.deepEqual(authHeaders('POST'), { Authorization: 'Bearer tok1' });
    assert.deepEqual(authHeaders('GET'), { Authorization: 'Bearer tok1' });
  } finally {
    delete globalThis.sessionStorage;
    delete globalThis.document;
  }
});
