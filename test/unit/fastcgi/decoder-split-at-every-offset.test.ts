// The decoder must give the same records however the byte stream is cut into reads: whole, in two at
// every offset, one byte at a time and in random chunkings (undici's server-fuzz-split-data idea).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FCGI_ABORT_REQUEST,
  FCGI_BEGIN_REQUEST,
  FCGI_GET_VALUES,
  FCGI_KEEP_CONN,
  FCGI_MAX_CONTENT_LEN,
  FCGI_PARAMS,
  FCGI_RESPONDER,
  FCGI_STDIN,
} from '../../../src/fastcgi/constants.js';
import { RecordDecoder } from '../../../src/fastcgi/decoder.js';
import { encodeParams } from '../../../src/fastcgi/params.js';
import { Prng, randomChunks } from '../../helpers/prng.js';
import { rawRecord, type RawRecordSpec } from '../../helpers/raw-record.js';
import { copyRecord, decodeChunks, diffRecords, loadHexFixture, type CopiedRecord } from './support.js';

interface RecordedStream {
  readonly name: string;
  readonly bytes: Buffer;
  readonly records: readonly CopiedRecord[];
}

/** Builds a stream from record specs; the wanted records come from the specs, not from a decoder. */
function stream(name: string, specs: readonly RawRecordSpec[]): RecordedStream {
  return {
    name,
    bytes: Buffer.concat(specs.map(rawRecord)),
    records: specs.map((spec) => ({
      type: spec.type,
      requestId: spec.requestId,
      content: Buffer.from(spec.content ?? new Uint8Array(0)),
    })),
  };
}

const beginBody = (flags: number): Buffer => Buffer.from([0, FCGI_RESPONDER, flags, 0, 0, 0, 0, 0]);

function nginxLikeRequest(requestId: number, body: Buffer): RawRecordSpec[] {
  const params = encodeParams([
    ['SCRIPT_FILENAME', '/srv/www/upload.mjs'],
    ['QUERY_STRING', 'a=1&b=%C3%A9'],
    ['REQUEST_METHOD', 'POST'],
    ['CONTENT_TYPE', 'application/x-www-form-urlencoded'],
    ['CONTENT_LENGTH', String(body.length)],
    ['HTTP_COOKIE', 'session=' + 'z'.repeat(400)],
    ['HTTP_USER_AGENT', 'curl/7.88.1'],
    ['REMOTE_ADDR', '127.0.0.1'],
  ]);
  // nginx cuts PARAMS where its buffer ends: a pair (even a length field) can straddle two records.
  const cuts = [0, 37, 38, 300, params.length];
  const paramsRecords: RawRecordSpec[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    paramsRecords.push({ type: FCGI_PARAMS, requestId, content: params.subarray(cuts[i], cuts[i + 1]) });
  }
  return [
    { type: FCGI_BEGIN_REQUEST, requestId, content: beginBody(FCGI_KEEP_CONN) },
    ...paramsRecords,
    { type: FCGI_PARAMS, requestId },
    { type: FCGI_STDIN, requestId, content: body.subarray(0, 1) },
    { type: FCGI_STDIN, requestId, content: body.subarray(1, 1000) },
    { type: FCGI_STDIN, requestId, content: body.subarray(1000) },
    { type: FCGI_STDIN, requestId },
  ];
}

const body = new Prng(7).bytes(1_300);

const STREAMS: readonly RecordedStream[] = [
  stream('nginx-like request', nginxLikeRequest(1, body)),
  stream('keep-alive: two requests on one connection', [
    ...nginxLikeRequest(1, body.subarray(0, 1_100)),
    ...nginxLikeRequest(2, body.subarray(0, 1_007)),
  ]),
  stream('GET_VALUES and an aborted request', [
    {
      type: FCGI_GET_VALUES,
      requestId: 0,
      content: encodeParams([
        ['FCGI_MAX_CONNS', ''],
        ['FCGI_MAX_REQS', ''],
        ['FCGI_MPXS_CONNS', ''],
      ]),
    },
    { type: FCGI_BEGIN_REQUEST, requestId: 9, content: beginBody(0) },
    { type: FCGI_ABORT_REQUEST, requestId: 9 },
  ]),
  stream('unusual padding: none, 255 bytes of junk, padding after empty content', [
    { type: FCGI_STDIN, requestId: 1, content: Buffer.from('abc'), paddingLength: 0 },
    { type: FCGI_STDIN, requestId: 1, content: Buffer.from('defgh'), paddingLength: 255, paddingByte: 0x01 },
    { type: FCGI_PARAMS, requestId: 0x0102, paddingLength: 13, paddingByte: 0xff, reserved: 0x5a },
    { type: FCGI_STDIN, requestId: 0xffff, content: Buffer.alloc(8, 0x08), paddingLength: 8 },
    { type: 200, requestId: 1, content: Buffer.from([1]), paddingLength: 1 },
  ]),
  stream('a 65535-byte record between small ones', [
    { type: FCGI_STDIN, requestId: 1, content: Buffer.from('x') },
    { type: FCGI_STDIN, requestId: 1, content: new Prng(3).bytes(FCGI_MAX_CONTENT_LEN) },
    { type: FCGI_STDIN, requestId: 1 },
  ]),
  {
    name: 'the golden fixtures back to back',
    bytes: Buffer.concat(
      ['begin-request.hex', 'params-long-lengths.hex', 'params-empty.hex', 'stdin.hex', 'stdin-empty.hex'].map(
        loadHexFixture,
      ),
    ),
    records: [
      { type: FCGI_BEGIN_REQUEST, requestId: 1, content: beginBody(FCGI_KEEP_CONN) },
      {
        type: FCGI_PARAMS,
        requestId: 1,
        content: loadHexFixture('params-long-lengths.hex').subarray(8, 8 + 782),
      },
      { type: FCGI_PARAMS, requestId: 1, content: Buffer.alloc(0) },
      { type: FCGI_STDIN, requestId: 1, content: Buffer.from('hello=world') },
      { type: FCGI_STDIN, requestId: 1, content: Buffer.alloc(0) },
    ],
  },
];

function assertSameRecords(got: readonly CopiedRecord[], want: readonly CopiedRecord[], how: string): void {
  const difference = diffRecords(got, want);
  if (difference !== undefined) assert.fail(`${how}: ${difference}`);
}

for (const { name, bytes, records } of STREAMS) {
  test(`${name}: fed whole`, () => {
    const decoder = new RecordDecoder();
    const got: CopiedRecord[] = [];
    decoder.push(bytes, (record) => got.push(copyRecord(record)));
    assertSameRecords(got, records, 'whole');
    assert.equal(decoder.midRecord, false);
  });

  test(`${name}: split in two at every offset`, () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      assertSameRecords(decodeChunks([bytes.subarray(0, cut), bytes.subarray(cut)]), records, `cut at ${cut}`);
    }
  });

  test(`${name}: one byte at a time through a reused buffer`, () => {
    // The one-byte buffer is overwritten before every push: a decoder that kept a view into an old
    // chunk (a header, a piece of content) would hand out the wrong bytes.
    const decoder = new RecordDecoder();
    const scratch = Buffer.alloc(1);
    const got: CopiedRecord[] = [];
    for (let i = 0; i < bytes.length; i++) {
      scratch[0] = bytes[i] ?? 0;
      decoder.push(scratch, (record) => got.push(copyRecord(record)));
      scratch[0] = 0xa5;
    }
    assertSameRecords(got, records, 'byte by byte');
    assert.equal(decoder.midRecord, false);
  });

  test(`${name}: 300 random chunkings`, () => {
    const prng = new Prng(0xc0ffee);
    for (let round = 0; round < 300; round++) {
      const maxChunk = prng.pick([3, 9, 17, 64, 700, 70_000]);
      const chunks = randomChunks(bytes, prng, maxChunk);
      assertSameRecords(decodeChunks(chunks), records, `round ${round} (max chunk ${maxChunk})`);
    }
  });
}

test('an empty chunk changes nothing, at any point', () => {
  const { bytes, records } = STREAMS[0] ?? assert.fail('no stream');
  for (let cut = 0; cut <= bytes.length; cut += 5) {
    const chunks = [Buffer.alloc(0), bytes.subarray(0, cut), Buffer.alloc(0), bytes.subarray(cut), Buffer.alloc(0)];
    assertSameRecords(decodeChunks(chunks), records, `empty chunks around ${cut}`);
  }
});

test('midRecord is true exactly while a record is unfinished', () => {
  const record = rawRecord({ type: FCGI_STDIN, requestId: 1, content: Buffer.from('abc'), paddingLength: 5 });
  for (let cut = 0; cut <= record.length; cut++) {
    const decoder = new RecordDecoder();
    let count = 0;
    decoder.push(record.subarray(0, cut), () => count++);
    assert.equal(decoder.midRecord, cut > 0 && cut < record.length, `after ${cut} of ${record.length} bytes`);
    decoder.push(record.subarray(cut), () => count++);
    assert.equal(decoder.midRecord, false);
    assert.equal(count, 1);
  }
});

test('a record wholly inside one chunk is delivered as a view, not a copy', () => {
  const bytes = rawRecord({ type: FCGI_STDIN, requestId: 1, content: Buffer.from('zero-copy') });
  let content: Buffer | undefined;
  new RecordDecoder().push(bytes, (record) => {
    content = record.content;
  });
  assert.ok(content);
  assert.equal(content.buffer, bytes.buffer, 'same memory as the chunk');
});
