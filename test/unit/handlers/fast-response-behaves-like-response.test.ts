// FastResponse keeps string/byte bodies without a stream; every way of reading it must give what a
// real Response gives (it replaces the global Response in children).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FastResponse } from '../../../src/handlers/fast-response.js';

const Real = globalThis.Response;
const make = (body: string | Uint8Array | null, init?: ResponseInit): [Response, Response] => [
  new Real(body, init),
  new FastResponse(body, init),
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
  const stream = new FastResponse(
    new ReadableStream({
      start: (c) => {
        c.enqueue(new TextEncoder().encode('s'));
        c.close();
      },
    }),
  );
  assert.equal(await stream.text(), 's');
  assert.equal(new FastResponse(null, { status: 204 }).body, null);
  assert.throws(() => new FastResponse('x', { status: 204 }), TypeError);
  const params = new FastResponse(new URLSearchParams({ a: '1' }));
  assert.equal(await params.text(), 'a=1');
});

test('a light Response answers every accessor as the real one does', () => {
  const inits: ResponseInit[] = [
    {},
    { status: 201, statusText: 'Made' },
    {
      status: 404,
      headers: [
        ['X-B', ' two '],
        ['x-a', 'one'],
      ],
    },
    { headers: { 'Content-Type': 'text/html', 'x-empty': '' } },
    { status: 599, headers: {} },
  ];
  for (const init of inits) {
    for (const body of ['text', new Uint8Array([104, 105])]) {
      const [real, fast] = make(body, init);
      const what = `${JSON.stringify(init)} ${typeof body}`;
      for (const key of ['status', 'statusText', 'ok', 'type', 'url', 'redirected', 'bodyUsed'] as const) {
        assert.equal(fast[key], real[key], `${key} of ${what}`);
      }
      assert.deepEqual([...fast.headers], [...real.headers], `headers of ${what}`);
      assert.equal(Object.prototype.toString.call(fast), Object.prototype.toString.call(real));
    }
  }
});

test('the writer gets the pairs Headers would iterate, and sees later changes to headers', () => {
  const fast = new FastResponse('x', { headers: { 'X-Z': 'last', 'x-a': ' first ' } });
  const real = new Real('x', { headers: { 'X-Z': 'last', 'x-a': ' first ' } });
  assert.deepEqual(fast.headerPairs(), [...real.headers]);
  fast.headers.set('x-late', 'added');
  fast.headers.append('set-cookie', 'a=1');
  fast.headers.append('set-cookie', 'b=2');
  assert.deepEqual(
    fast.headerPairs().map(([name]) => name),
    ['content-type', 'x-a', 'x-late', 'x-z', 'set-cookie', 'set-cookie'],
  );
});

test('invalid inits throw what the real constructor throws', () => {
  const bad: ResponseInit[] = [
    { status: 99 },
    { status: 600 },
    { statusText: 'bad\nline' },
    { headers: { 'bad name': 'x' } },
    { headers: { 'x-a': 'line\r\nbreak' } },
    { headers: [['only-name']] },
    { headers: { 'x-a': 'caf\u0100' } },
  ];
  for (const init of bad) {
    let realError: unknown;
    try {
      new Real('x', init);
    } catch (err) {
      realError = err;
    }
    assert.ok(realError instanceof Error, `the real Response rejects ${JSON.stringify(init)}`);
    assert.throws(
      () => new FastResponse('x', init),
      (err: unknown) => (err as Error).name === realError.name,
    );
  }
});

test('inits the light path leaves to undici still work: Headers, duplicates, numbers, a status string', () => {
  const cases: ResponseInit[] = [
    { headers: new Headers({ 'x-a': '1' }) },
    {
      headers: [
        ['x-a', '1'],
        ['X-A', '2'],
        ['set-cookie', 'a'],
        ['set-cookie', 'b'],
      ],
    },
    { headers: { 'content-length': 4 as unknown as string } },
    { status: '202' as unknown as number },
  ];
  for (const init of cases) {
    const [real, fast] = make('body', init);
    assert.equal(fast.status, real.status);
    assert.deepEqual([...fast.headers], [...real.headers]);
    const expected = [...real.headers].filter(([n]) => n !== 'set-cookie');
    for (const cookie of real.headers.getSetCookie()) expected.push(['set-cookie', cookie]);
    assert.deepEqual((fast as unknown as FastResponse).headerPairs(), expected);
  }
});

test('a subclass of the global Response built on a light one keeps its own members', async () => {
  class Mine extends FastResponse {
    readonly extra = 'mine';
  }
  const mine = new Mine('sub', { status: 202 });
  assert.ok(mine instanceof Mine && mine instanceof Real);
  assert.equal(mine.extra, 'mine');
  assert.equal(mine.status, 202);
  assert.equal(await mine.text(), 'sub');
});
