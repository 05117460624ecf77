// FastResponse keeps string/byte bodies without a stream; every way of reading it must give what a
// real Response gives (it replaces the global Response in children).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FastResponse } from '../../../src/handlers/fast-response.js';

const Real = globalThis.Response;
const make = (body: string | Uint8Array | null, init?: ResponseInit): [Response, Response] => [
  new Real(body, init),
  new FastResponse(body, init) as unknown as Response,
];

test('is a Response, with the same status, headers and default content-type', () => {
  const [real, fast] = make('héllo', { status: 201, statusText: 'Made', headers: { 'x-a': '1' } });
  assert.ok(fast instanceof Real);
  assert.equal(fast.status, real.status);
  assert.equal(fast.statusText, real.statusText);
  assert.deepEqual([...fast.headers], [...real.headers]);
  const [realBytes, fastBytes] = make(new Uint8Array([1, 2, 3]));
  assert.equal(fastBytes.headers.get('content-type'), realBytes.headers.get('content-type'));
});

test('text(), json(), arrayBuffer(), blob() and the body stream give the same bytes', async () => {
  for (const body of ['plain', '{"a":[1,2]}', '']) {
    const reads = ['text', 'arrayBuffer', 'stream', 'blob'] as const;
    for (const read of reads) {
      const [real, fast] = make(body);
      const get = async (r: Response): Promise<string> => {
        if (read === 'text') return r.text();
        if (read === 'arrayBuffer') return Buffer.from(await r.arrayBuffer()).toString();
        if (read === 'blob') return (await r.blob()).text();
        return new Response(r.body).text();
      };
      assert.equal(await get(fast), await get(real), `${read} of '${body}'`);
      assert.equal(fast.bodyUsed, real.bodyUsed, `bodyUsed after ${read}`);
    }
  }
  const [, fast] = make('{"a":[1,2]}');
  assert.deepEqual(await fast.json(), { a: [1, 2] });
});

test('a body can be read once; clone() before reading gives an independent copy', async () => {
  const [, fast] = make('once');
  const copy = fast.clone();
  assert.equal(await fast.text(), 'once');
  await assert.rejects(fast.text(), TypeError);
  assert.equal(await copy.text(), 'once');
  assert.throws(() => fast.clone(), TypeError);
});

test('takeKeptBody() hands the bytes to the writer once, and not after the stream was touched', () => {
  const fast = new FastResponse('abc');
  assert.equal(Buffer.from(fast.takeKeptBody() ?? []).toString(), 'abc');
  assert.equal(fast.takeKeptBody(), undefined);
  const streamed = new FastResponse('abc');
  void streamed.body;
  assert.equal(streamed.takeKeptBody(), undefined);
});

test('Response.json() sets application/json and keeps the body', async () => {
  const json = FastResponse.json({ ok: true }, { status: 202 });
  assert.equal(json.status, 202);
  assert.equal(json.headers.get('content-type'), 'application/json');
  assert.deepEqual(await json.json(), { ok: true });
});

test('streams, null-body statuses and other bodies are left to the real Response', async () => {
  const stream = new FastResponse(new ReadableStream({ start: (c) => { c.enqueue(new TextEncoder().encode('s')); c.close(); } }));
  assert.equal(await stream.text(), 's');
  assert.equal(new FastResponse(null, { status: 204 }).body, null);
  assert.throws(() => new FastResponse('x', { status: 204 }), TypeError);
  const params = new FastResponse(new URLSearchParams({ a: '1' }));
  assert.equal(await params.text(), 'a=1');
});
