// Encoders against hand-checked byte fixtures (test/fixtures/fastcgi/*.hex), and the fixtures back
// through the decoder, so both directions agree with the spec's byte layout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FCGI_AUTHORIZER,
  FCGI_BEGIN_REQUEST,
  FCGI_CANT_MPX_CONN,
  FCGI_END_REQUEST,
  FCGI_FILTER,
  FCGI_GET_VALUES_RESULT,
  FCGI_KEEP_CONN,
  FCGI_MAX_CONTENT_LEN,
  FCGI_PARAMS,
  FCGI_REQUEST_COMPLETE,
  FCGI_RESPONDER,
  FCGI_STDERR,
  FCGI_STDIN,
  FCGI_STDOUT,
  FCGI_UNKNOWN_ROLE,
} from '../../../src/fastcgi/constants.js';
import { decodeParams, encodeParams } from '../../../src/fastcgi/params.js';
import {
  encodeBeginRequest,
  encodeEndRequest,
  encodeRecord,
  encodeRequestEnd,
  encodeStream,
  encodeUnknownType,
  writeHeader,
} from '../../../src/fastcgi/record.js';
import { decodeChunks, loadHexFixture, parseHex } from './support.js';

const LONG_PAIRS: [string, string][] = [
  ['HTTP_X_' + 'A'.repeat(121), 'b'.repeat(300)],
  ['HTTP_COOKIE', 'c'.repeat(200)],
  ['X', 'd'.repeat(127)],
];

test('the fixture parser reads hex pairs, repeats, literals and comments', () => {
  assert.deepEqual(
    parseHex('# c\n01 0203 # tail\n"Ab c" 7f*3\n'),
    Buffer.from([1, 2, 3, 0x41, 0x62, 0x20, 0x63, 0x7f, 0x7f, 0x7f]),
  );
  assert.throws(() => parseHex('0g'), /bad hex token/);
  assert.throws(() => parseHex('012'), /bad hex token/);
});

test('every fixture is whole records padded to a multiple of 8', () => {
  for (const name of [
    'begin-request.hex',
    'begin-request-filter-id258.hex',
    'params-short-lengths.hex',
    'params-long-lengths.hex',
    'params-empty.hex',
    'stdin.hex',
    'stdin-empty.hex',
    'stdout.hex',
    'end-request.hex',
    'end-request-unknown-role.hex',
    'get-values.hex',
    'get-values-result.hex',
    'unknown-type.hex',
  ]) {
    const bytes = loadHexFixture(name);
    assert.equal(bytes.length % 8, 0, `${name}: ${bytes.length} bytes`);
    const contentLength = bytes.readUInt16BE(4);
    assert.equal(bytes.length, 8 + contentLength + (bytes[6] ?? -1), `${name}: header lengths vs size`);
  }
});

test('FCGI_BEGIN_REQUEST: role, KEEP_CONN flag and a big-endian request id', () => {
  assert.deepEqual(encodeBeginRequest(1, FCGI_RESPONDER, FCGI_KEEP_CONN), loadHexFixture('begin-request.hex'));
  assert.deepEqual(encodeBeginRequest(258, FCGI_FILTER, 0), loadHexFixture('begin-request-filter-id258.hex'));
  assert.deepEqual(decodeChunks([loadHexFixture('begin-request.hex')]), [
    { type: FCGI_BEGIN_REQUEST, requestId: 1, content: Buffer.from([0, 1, 1, 0, 0, 0, 0, 0]) },
  ]);
  assert.equal(encodeBeginRequest(2, FCGI_AUTHORIZER, 0).readUInt16BE(8), FCGI_AUTHORIZER);
});

test('FCGI_PARAMS with 1-byte lengths', () => {
  const content = encodeParams([
    ['SCRIPT_FILENAME', '/srv/www/index.mjs'],
    ['QUERY_STRING', ''],
  ]);
  const fixture = loadHexFixture('params-short-lengths.hex');
  assert.deepEqual(encodeRecord(FCGI_PARAMS, 1, content), fixture);
  const [record] = decodeChunks([fixture]);
  assert.ok(record);
  assert.deepEqual(
    { ...decodeParams(record.content) },
    {
      SCRIPT_FILENAME: '/srv/www/index.mjs',
      QUERY_STRING: '',
    },
  );
});

test('FCGI_PARAMS with 4-byte lengths for 128+ byte names and values, 127 still in one byte', () => {
  const fixture = loadHexFixture('params-long-lengths.hex');
  assert.deepEqual(encodeRecord(FCGI_PARAMS, 1, encodeParams(LONG_PAIRS)), fixture);
  // Buffers are written as they are, strings as UTF-8: the same bytes here.
  const asBuffers = LONG_PAIRS.map(([n, v]): [Buffer, Buffer] => [Buffer.from(n), Buffer.from(v)]);
  assert.deepEqual(encodeRecord(FCGI_PARAMS, 1, encodeParams(asBuffers)), fixture);
  const [record] = decodeChunks([fixture]);
  assert.ok(record);
  assert.deepEqual({ ...decodeParams(record.content) }, Object.fromEntries(LONG_PAIRS));
});

test('empty FCGI_PARAMS and empty FCGI_STDIN end their streams with a bare header', () => {
  assert.deepEqual(encodeRecord(FCGI_PARAMS, 1), loadHexFixture('params-empty.hex'));
  assert.deepEqual(encodeRecord(FCGI_STDIN, 1, Buffer.alloc(0)), loadHexFixture('stdin-empty.hex'));
  assert.deepEqual(decodeChunks([loadHexFixture('params-empty.hex'), loadHexFixture('stdin-empty.hex')]), [
    { type: FCGI_PARAMS, requestId: 1, content: Buffer.alloc(0) },
    { type: FCGI_STDIN, requestId: 1, content: Buffer.alloc(0) },
  ]);
});

test('FCGI_STDIN and FCGI_STDOUT records with padding', () => {
  assert.deepEqual(encodeRecord(FCGI_STDIN, 1, Buffer.from('hello=world')), loadHexFixture('stdin.hex'));
  const response = Buffer.from('Content-Type: text/plain\r\n\r\nhi');
  assert.deepEqual(encodeStream(FCGI_STDOUT, 1, response), loadHexFixture('stdout.hex'));
  assert.deepEqual(encodeRecord(FCGI_STDOUT, 1, response), loadHexFixture('stdout.hex'));
});

test('FCGI_END_REQUEST: appStatus big-endian, protocolStatus, 3 reserved bytes', () => {
  assert.deepEqual(encodeEndRequest(1, 0, FCGI_REQUEST_COMPLETE), loadHexFixture('end-request.hex'));
  assert.deepEqual(
    encodeEndRequest(0x1234, 0x01020304, FCGI_UNKNOWN_ROLE),
    loadHexFixture('end-request-unknown-role.hex'),
  );
  // A negative exit status is written as its 32-bit two's complement.
  const negative = encodeEndRequest(1, -1, FCGI_CANT_MPX_CONN);
  assert.deepEqual(negative.subarray(8), Buffer.from([0xff, 0xff, 0xff, 0xff, FCGI_CANT_MPX_CONN, 0, 0, 0]));
  assert.equal(negative[1], FCGI_END_REQUEST);
});

test('encodeRequestEnd: the empty STDOUT (and STDERR) records, then END_REQUEST, byte for byte as the single encoders', () => {
  for (const [id, app, protocol] of [
    [1, 0, FCGI_REQUEST_COMPLETE],
    [0x1234, 0x01020304, FCGI_UNKNOWN_ROLE],
    [65535, -1, FCGI_CANT_MPX_CONN],
  ] as const) {
    const plain = Buffer.concat([encodeRecord(FCGI_STDOUT, id), encodeEndRequest(id, app, protocol)]);
    assert.deepEqual(encodeRequestEnd(id, false, app, protocol), plain);
    const withStderr = Buffer.concat([
      encodeRecord(FCGI_STDOUT, id),
      encodeRecord(FCGI_STDERR, id),
      encodeEndRequest(id, app, protocol),
    ]);
    assert.deepEqual(encodeRequestEnd(id, true, app, protocol), withStderr);
  }
  // Against the fixture too: an empty STDOUT header is 01 06 0001 0000 00 00.
  assert.deepEqual(encodeRequestEnd(1, false, 0, FCGI_REQUEST_COMPLETE).subarray(8), loadHexFixture('end-request.hex'));
  assert.deepEqual(
    encodeRequestEnd(1, false, 0, FCGI_REQUEST_COMPLETE).subarray(0, 8),
    Buffer.from([1, 6, 0, 1, 0, 0, 0, 0]),
  );
});

test('FCGI_GET_VALUES_RESULT for the three management variables', () => {
  const content = encodeParams([
    ['FCGI_MAX_CONNS', '10'],
    ['FCGI_MAX_REQS', '10'],
    ['FCGI_MPXS_CONNS', '0'],
  ]);
  assert.deepEqual(encodeRecord(FCGI_GET_VALUES_RESULT, 0, content), loadHexFixture('get-values-result.hex'));
});

test('FCGI_UNKNOWN_TYPE carries the unknown type byte', () => {
  assert.deepEqual(encodeUnknownType(42), loadHexFixture('unknown-type.hex'));
});

test('encodeRecord pads every content length to a multiple of 8 with zero bytes', () => {
  for (let length = 0; length <= 40; length++) {
    const record = encodeRecord(FCGI_STDOUT, 7, Buffer.alloc(length, 0xaa));
    const padding = (8 - (length % 8)) % 8;
    assert.equal(record.length, 8 + length + padding, `length ${length}`);
    assert.equal(record.length % 8, 0);
    assert.equal(record.readUInt16BE(4), length);
    assert.equal(record[6], padding);
    assert.equal(record[7], 0);
    assert.ok(
      record.subarray(8 + length).every((b) => b === 0),
      `padding of ${length} is zeros`,
    );
  }
});

test('encodeRecord takes up to 65535 content bytes and refuses more', () => {
  const max = encodeRecord(FCGI_STDOUT, 1, Buffer.alloc(FCGI_MAX_CONTENT_LEN));
  assert.equal(max.readUInt16BE(4), 0xffff);
  assert.equal(max[6], 1);
  assert.equal(max.length, 8 + 65535 + 1);
  assert.throws(() => encodeRecord(FCGI_STDOUT, 1, Buffer.alloc(FCGI_MAX_CONTENT_LEN + 1)), RangeError);
});

test('writeHeader writes the 8 header bytes at an offset and nothing else', () => {
  const target = Buffer.alloc(12, 0xee);
  writeHeader(target, 2, FCGI_STDIN, 0xabcd, 0x1234, 4);
  assert.deepEqual(target, Buffer.from([0xee, 0xee, 1, 5, 0xab, 0xcd, 0x12, 0x34, 4, 0, 0xee, 0xee]));
});

/** Walks a buffer of records without the decoder under test, checking each header on the way. */
function splitRecords(bytes: Buffer): { type: number; requestId: number; content: Buffer; padding: number }[] {
  const records = [];
  let offset = 0;
  while (offset < bytes.length) {
    assert.ok(offset + 8 <= bytes.length, 'a whole header');
    assert.equal(bytes[offset], 1, 'version');
    assert.equal(bytes[offset + 7], 0, 'reserved');
    const contentLength = bytes.readUInt16BE(offset + 4);
    const padding = bytes[offset + 6] ?? 0;
    records.push({
      type: bytes[offset + 1] ?? -1,
      requestId: bytes.readUInt16BE(offset + 2),
      content: bytes.subarray(offset + 8, offset + 8 + contentLength),
      padding,
    });
    offset += 8 + contentLength + padding;
  }
  assert.equal(offset, bytes.length, 'records end exactly at the end');
  return records;
}

for (const size of [200_000, 200_001, 65_528, 65_529, 65_535, 65_536, 1]) {
  test(`encodeStream cuts a ${size}-byte payload into padded records of at most 65535 bytes`, () => {
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i++) payload[i] = (i * 31 + (i >> 8)) & 0xff;
    const bytes = encodeStream(FCGI_STDOUT, 3, payload);
    const records = splitRecords(bytes);
    let total = 0;
    for (const record of records) {
      assert.equal(record.type, FCGI_STDOUT);
      assert.equal(record.requestId, 3);
      assert.ok(record.content.length > 0, 'no empty record: that would end the stream');
      assert.ok(record.content.length <= FCGI_MAX_CONTENT_LEN);
      assert.equal((record.content.length + record.padding) % 8, 0, 'padded to 8');
      assert.ok(record.padding < 8);
      total += record.content.length;
    }
    assert.equal(total, size);
    assert.ok(Buffer.concat(records.map((r) => r.content)).equals(payload), 'contents join to the payload');
    assert.equal(records.length, Math.ceil(size / 65_528));
  });
}

test('encodeStream of an empty payload gives no bytes (no stream-ending record)', () => {
  assert.equal(encodeStream(FCGI_STDOUT, 1, Buffer.alloc(0)).length, 0);
  assert.equal(encodeStream(FCGI_STDOUT, 1, new Uint8Array(0)).length, 0);
});
