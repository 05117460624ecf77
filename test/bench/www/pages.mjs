// The pages the response-cost bench serves, shared by both sides so that each runs the same code:
// tsfpm's fetch script (pages-fetch.mjs) wraps them in a Response, the node:cluster http.Server
// (pages-http.mjs) writes them with res.end(). Each returns { type, body } or a promise of it.

/** 30 KB and 1 MiB of ASCII text, built once (a page from a cache, say). */
const BODY_30K = 'tsfpm bench body line, ASCII only, 64 bytes long, for copying.\n'.repeat(480);
const BODY_1M = BODY_30K.repeat(35).slice(0, 1024 * 1024);

const ROWS = Array.from({ length: 100 }, (_, i) => ({
  id: i + 1,
  name: `Item <${i + 1}> & "friends"`,
  price: (i * 3.7 + 1).toFixed(2),
  tags: ['red', 'green', 'blue'].slice(0, (i % 3) + 1),
}));

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** A page rendered per request: a 100-row table with escaping, about 13 KB of HTML. */
function renderHtml() {
  const rows = ROWS.map(
    (row) =>
      `<tr><td>${row.id}</td><td>${escapeHtml(row.name)}</td><td>${row.price}</td><td>${row.tags
        .map((tag) => `<span class="tag">${escapeHtml(tag)}</span>`)
        .join(' ')}</td></tr>`,
  ).join('\n');
  return `<!doctype html>\n<html><head><title>Items</title></head><body><h1>Items</h1>\n<table>\n${rows}\n</table>\n<p>Rendered at ${new Date().toISOString()}</p></body></html>\n`;
}

const TEXT = 'text/plain; charset=utf-8';

export const pages = {
  hello: () => ({ type: TEXT, body: 'Hello from the bench\n' }),
  '30k': () => ({ type: TEXT, body: BODY_30K }),
  '1m': () => ({ type: TEXT, body: BODY_1M }),
  /** I/O-bound: waits 20 ms (a database or an API call), then answers a small body. */
  io: () => new Promise((resolve) => setTimeout(() => resolve({ type: TEXT, body: 'Waited 20 ms\n' }), 20)),
  html: () => ({ type: 'text/html; charset=utf-8', body: renderHtml() }),
};

/** The page a path names by its last segment (`/t/30k` → 30k), hello for anything else. */
export function pageFor(path) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return pages[name] ?? pages.hello;
}
