// A corpus of malformed input, each case expecting one specific ProtocolError code: bytes go through
// RecordDecoder + ServerSession as on a connection. Inputs are built with the typed rawRecord builder.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES, ProtocolError, type ErrorCode } from '../../../src/errors.js';
import {
  FCGI_BEGIN_REQUEST,
  FCGI_DATA,
  FCGI_END_REQUEST,
  FCGI_GET_VALUES,
  FCGI_GET_VALUES_RESULT,
  FCGI_KEEP_CONN,
  FCGI_PARAMS,
  FCGI_RESPONDER,
  FCGI_STDERR,
  FCGI_STDIN,
  FCGI_STDOUT,
  FCGI_UNKNOWN_TYPE,
} from '../../../src/fastcgi/constants.js';
import { RecordDecoder } from '../../../src/fastcgi/decoder.js';
import { decodeParams, encodeParams } from '../../../src/fastcgi/params.js';
import { rawRecord, type RawRecordSpec } from '../../helpers/raw-record.js';
import { catchProtocolError, feed, makeSession } from './support.js';

const begin = (requestId = 1, flags = FCGI_KEEP_CONN): RawRecordSpec => ({
  type: FCGI_BEGIN_REQUEST,
  requestId,
  content: Buffer.from([0, FCGI_RESPONDER, flags, 0, 0, 0, 0, 0]),
});
const params = (content: Uint8Array = new Uint8Array(0), requestId = 1): RawRecordSpec => ({
  type: FCGI_PARAMS,
  requestId,
  content,
});
const stdin = (content: Uint8Array = new Uint8Array(0), requestId = 1): RawRecordSpec => ({
  type: FCGI_STDIN,
  requestId,
  content,
});
const someParams = encodeParams([['SCRIPT_FILENAME', '/srv/www/index.mjs']]);

interface MalformedCase {
  readonly name: string;
  readonly records: readonly RawRecordSpec[];
  readonly code: ErrorCode;
  readonly maxParamsBytes?: number;
  /** The record type and request id the error names, when it names them. */
  readonly where?: { readonly recordType: number; readonly requestId?: number };
}

/** PARAMS contents whose name-value pairs run past the end of the stream. */
const TRUNCATED_PAIRS: readonly (readonly [string, Buffer])[] = [
  ['only a name length', Buffer.from([0x05])],
  ['a 4-byte name length cut after 3 bytes', Buffer.from([0x80, 0x00, 0x01])],
  ['a 4-byte value length cut after 1 byte', Buffer.from([0x01, 0x80])],
  ['name shorter than its length', Buffer.from([0x05, 0x00, 0x41, 0x42])],
  ['value shorter than its length', Buffer.from([0x01, 0x03, 0x41, 0x42, 0x43])],
  ['a 4-byte name length with the high bit set claiming 2^31-1', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x41])],
  ['a 4-byte value length claiming 2^31-1', Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0x41])],
  ['a good pair, then a truncated one', Buffer.concat([someParams, Buffer.from([0x80, 0x00, 0x00, 0x80, 0x01])])],
];

const CORPUS: readonly MalformedCase[] = [
  ...[0, 2, 0x31, 0xff].map((version): MalformedCase => ({
    name: `version byte ${version}`,
    records: [{ ...begin(), version }],
    code: 'TSFPM_ERR_FCGI_BAD_VERSION',
  })),
  {
    name: 'a bad version byte after a good record',
    records: [begin(), { ...params(someParams), version: 0 }],
    code: 'TSFPM_ERR_FCGI_BAD_VERSION',
  },
  ...[0, 1, 7, 9, 16].map((length): MalformedCase => ({
    name: `BEGIN_REQUEST with ${length} content bytes`,
    records: [{ type: FCGI_BEGIN_REQUEST, requestId: 3, content: Buffer.alloc(length, 0x01) }],
    code: 'TSFPM_ERR_FCGI_BAD_RECORD',
    where: { recordType: FCGI_BEGIN_REQUEST, requestId: 3 },
  })),
  {
    name: 'a short BEGIN_REQUEST on a busy connection (checked before the busy answer)',
    records: [begin(1), { type: FCGI_BEGIN_REQUEST, requestId: 2, content: Buffer.alloc(4) }],
    code: 'TSFPM_ERR_FCGI_BAD_RECORD',
  },
  {
    name: 'PARAMS after STDIN started',
    records: [begin(), params(someParams), params(), stdin(Buffer.from('a=1')), params(someParams)],
    code: 'TSFPM_ERR_FCGI_UNEXPECTED_RECORD',
    where: { recordType: FCGI_PARAMS, requestId: 1 },
  },
  {
    name: 'PARAMS after the empty PARAMS',
    records: [begin(), params(), params(someParams)],
    code: 'TSFPM_ERR_FCGI_UNEXPECTED_RECORD',
  },
  {
    name: 'a second empty PARAMS',
    records: [begin(), params(someParams), params(), params()],
    code: 'TSFPM_ERR_FCGI_UNEXPECTED_RECORD',
  },
  {
    name: 'STDIN before PARAMS ended',
    records: [begin(), params(someParams), stdin(Buffer.from('early'))],
    code: 'TSFPM_ERR_FCGI_UNEXPECTED_RECORD',
    where: { recordType: FCGI_STDIN, requestId: 1 },
  },
  {
    name: 'an empty STDIN before PARAMS ended',
    records: [begin(), stdin()],
    code: 'TSFPM_ERR_FCGI_UNEXPECTED_RECORD',
  },
  ...TRUNCATED_PAIRS.map(([name, content]): MalformedCase => ({
    name: `PARAMS: ${name}`,
    records: [begin(), params(content), params()],
    code: 'TSFPM_ERR_FCGI_BAD_PARAMS',
    // decodeParams does not know the request id: only the record type is named.
    where: { recordType: FCGI_PARAMS },
  })),
  ...TRUNCATED_PAIRS.map(([name, content]): MalformedCase => ({
    name: `GET_VALUES: ${name}`,
    records: [{ type: FCGI_GET_VALUES, requestId: 0, content }],
    code: 'TSFPM_ERR_FCGI_BAD_PARAMS',
  })),
  {
    name: 'one PARAMS record over maxParamsBytes',
    records: [begin(), params(Buffer.alloc(101))],
    maxParamsBytes: 100,
    code: 'TSFPM_ERR_FCGI_PARAMS_TOO_LARGE',
    where: { recordType: FCGI_PARAMS, requestId: 1 },
  },
  {
    name: 'PARAMS records adding up to one byte over maxParamsBytes',
    records: [begin(), params(Buffer.alloc(60)), params(Buffer.alloc(40)), params(Buffer.alloc(1))],
    maxParamsBytes: 100,
    code: 'TSFPM_ERR_FCGI_PARAMS_TOO_LARGE',
  },
  ...[FCGI_STDOUT, FCGI_STDERR, FCGI_END_REQUEST, FCGI_GET_VALUES_RESULT, FCGI_UNKNOWN_TYPE].map(
    (type): MalformedCase => ({
      name: `type ${type}, which only an application sends, from the client`,
      records: [begin(), { type, requestId: 1, content: Buffer.from('x') }],
      code: 'TSFPM_ERR_FCGI_UNEXPECTED_RECORD',
      where: { recordType: type, requestId: 1 },
    }),
  ),
  {
    name: 'STDOUT from the client for a request that is not active',
    records: [{ type: FCGI_STDOUT, requestId: 5 }],
    code: 'TSFPM_ERR_FCGI_UNEXPECTED_RECORD',
  },
  {
    name: 'GET_VALUES with a non-zero request id',
    records: [{ type: FCGI_GET_VALUES, requestId: 1, content: encodeParams([['FCGI_MAX_CONNS', '']]) }],
    code: 'TSFPM_ERR_FCGI_UNEXPECTED_RECORD',
  },
  ...[0, 12, 42, 255].map((type): MalformedCase => ({
    name: `unknown type ${type} with a non-zero request id`,
    records: [{ type, requestId: 1 }],
    code: 'TSFPM_ERR_FCGI_UNEXPECTED_RECORD',
  })),
];

for (const item of CORPUS) {
  test(`${item.name} -> ${item.code}`, () => {
    const bytes = Buffer.concat(item.records.map(rawRecord));
    const session = makeSession(item.maxParamsBytes === undefined ? {} : { maxParamsBytes: item.maxParamsBytes });
    const err = catchProtocolError(() => feed(session, bytes), item.code);
    assert.ok(err.code in ERROR_CODES);
    assert.match(err.message, /^[a-zA-Z_]/, 'a message, not empty');
    if (item.where !== undefined) {
      assert.equal(err.recordType, item.where.recordType);
      if (item.where.requestId !== undefined) assert.equal(err.requestId, item.where.requestId);
    }
  });
}

test('PARAMS of exactly maxParamsBytes are accepted', () => {
  const pair = encodeParams([['N', 'v'.repeat(97)]]);
  assert.equal(pair.length, 100);
  const bytes = Buffer.concat(
    [begin(), params(pair.subarray(0, 30)), params(pair.subarray(30)), params()].map(rawRecord),
  );
  const events = feed(makeSession({ maxParamsBytes: 100 }), bytes);
  assert.deepEqual(
    events.map((e) => e.kind),
    ['begin', 'params'],
  );
  const last = events[1];
  assert.ok(last?.kind === 'params');
  assert.equal(last.paramsBytes, 100);
});

test('the decoder rejects a bad version split across chunks, before any content is read', () => {
  const bytes = rawRecord({ type: FCGI_STDIN, requestId: 1, content: Buffer.alloc(16), version: 9 });
  const decoder = new RecordDecoder();
  let records = 0;
  decoder.push(bytes.subarray(0, 5), () => records++);
  const err = catchProtocolError(() => decoder.push(bytes.subarray(5), () => records++), 'TSFPM_ERR_FCGI_BAD_VERSION');
  assert.match(err.message, /version 9/);
  assert.equal(records, 0);
});

test('decodeParams itself throws TSFPM_ERR_FCGI_BAD_PARAMS for every truncated pair', () => {
  for (const [name, content] of TRUNCATED_PAIRS) {
    const err = catchProtocolError(() => decodeParams(content), 'TSFPM_ERR_FCGI_BAD_PARAMS');
    assert.ok(err instanceof ProtocolError, name);
  }
});

test('DATA from the client is ignored (FILTER is not served)', () => {
  const bytes = Buffer.concat(
    [begin(), { type: FCGI_DATA, requestId: 1, content: Buffer.from('d') }, params()].map(rawRecord),
  );
  assert.deepEqual(
    feed(makeSession(), bytes).map((e) => e.kind),
    ['begin', 'params'],
  );
});
