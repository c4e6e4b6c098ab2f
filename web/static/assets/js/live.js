// The live inbox's client: reads GET /v1/events (server-sent events) with
// fetch rather than EventSource, so a token sign-in can send its
// Authorization header as a session sends its cookie, and reconnects with
// Last-Event-ID after a dropped connection so no change is missed. A tab
// holds one stream, shared by every listener (the page, the bell):
// browsers allow only a few connections to one server at a time.

import * as api from './api.js';

/** @type {Set<{ onEvent: (kind: string, data: any) => void, onState: (up: boolean) => void }>} */
const listeners = new Set();
let stream = null; // the AbortController of the running stream
let up = false;

function setUp(v) {
  up = v;
  for (const l of listeners) l.onState(v);
}

async function run(controller) {
  let lastId = '';
  let delay = 1000;
  const signal = controller.signal;
  while (!signal.aborted) {
    try {
      /** @type {Record<string, string>} */
      const headers = { Accept: 'text/event-stream', ...api.authHeaders('GET') };
      if (lastId) headers['Last-Event-ID'] = lastId;
      const resp = await fetch('/v1/events', { headers, cache: 'no-store', signal });
      if (!resp.ok || !resp.body) throw new Error('HTTP ' + resp.status);
      setUp(true);
      delay = 1000;
      const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          let kind = 'message', data = '', id = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) kind = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
            else if (line.startsWith('id: ')) id = line.slice(4);
          }
          if (id) lastId = id;
          if (!data) continue;
          let parsed;
          try { parsed = JSON.parse(data); } catch { continue; }
          for (const l of [...listeners]) {
            try { l.onEvent(kind, parsed); } catch (err) { console.error(err); }
          }
        }
      }
    } catch (err) {
      if (signal.aborted || (err && err.name === 'AbortError')) return;
    }
    setUp(false);
    await new Promise(r => setTimeout(r, delay));
    delay = Math.min(delay * 2, 30000);
  }
}

/**
 * subscribe calls onEvent(kind, data) for each event until signal aborts.
 * onState(true/false) says whether the stream is connected.
 * @param {AbortSignal} signal
 * @param {(kind: string, data: any) => void} onEvent
 * @param {(up: boolean) => void} [onState]
 */
export function subscribe(signal, onEvent, onState = () => {}) {
  if (signal.aborted) return;
  const l = { onEvent, onState };
  listeners.add(l);
  signal.addEventListener('abort', () => {
    listeners.delete(l);
    if (!listeners.size && stream) { stream.abort(); stream = null; up = false; }
  });
  if (!stream) {
    stream = new AbortController();
    run(stream);
  } else if (up) onState(true);
}

// Leaving the page ends the stream at once, so the browser frees its
// connection for the next page (browsers allow six to one server; a page
// kept in the back-forward cache would otherwise hold one open), and a
// page shown again from that cache starts it again.
window.addEventListener('pagehide', () => {
  if (stream) { stream.abort(); stream = null; up = false; }
});
window.addEventListener('pageshow', ev => {
  if (ev.persisted && listeners.size && !stream) {
    stream = new AbortController();
    run(stream);
  }
});
