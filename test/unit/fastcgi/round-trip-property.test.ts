// Property round trips with fast-check (fixed seed, so a failure replays): decode(encode(x)) == x
// for records and for name-value pair lists, and decodeParamText keeps every byte.
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { test } from 'node:test';
import fc from 'fast-check';
import { FCGI_MAX_CONTENT_LEN, FCGI_STDOUT } from '../../../src/fastcgi/constants.js';
import { decodeParamText, decodeParams, encodeParams } from '../../../src/fastcgi/params.js';
import { encodeRecord, encodeStream } from '../../../src/fastcgi/record.js';
import { Prng, randomChunks } from '../../helpers/prng.js';
import { decodeChunks, diffRecords, type CopiedRecord } from './support.js';

const SEED = 0x7f5a_2026;
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns });

/** Bytes of the given length, filled fast from a seed (fc.uint8Array is slow for 64 KiB arrays). */
const seededBytes = (length: number, seed: number): Buffer => new Prng(seed).bytes(length);

/** A length that favours the edges: the 1-/4-byte boundary 127/128 and the record limit 65535. */
const edgyLength = (max: number): fc.Arbitrary<number> =>
  fc.oneof(
    fc.constantFrom(0, 1, 7, 8, 9, 126, 127, 128, 129, 255, 256).filter((n) => n <= max),
    fc.integer({ min: 0, max: Math.min(max, 300) }),
    fc.integer({ min: 0, max }),
    fc.constantFrom(max - 1, max),
  );

const bytesArb = (max: number): fc.Arbitrary<Buffer> =>
  fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    fc.tuple(edgyLength(max), fc.integer()).map(([length, seed]) => seededBytes(length, seed)),
  );

const recordArb = fc.record({
  type: fc.integer({ min: 0, max: 255 }),
  requestId: fc.oneof(fc.constantFrom(0, 1, 0xff, 0x100, 0xffff), fc.integer({ min: 0, max: 0xffff })),
  content: bytesArb(FCGI_MAX_CONTENT_LEN),
});

test('records: decode(encode(record)) is the record, however the bytes are chunked', () => {
  fc.assert(
    fc.property(fc.array(recordArb, { minLength: 1, maxLength: 6 }), fc.integer(), (records, chunkSeed) => {
      const bytes = Buffer.concat(records.map((r) => encodeRecord(r.type, r.requestId, r.content)));
      const want: CopiedRecord[] = records.map((r) => ({ ...r }));
      assert.equal(diffRecords(decodeChunks([bytes]), want), undefined);
      const chunks = randomChunks(bytes, new Prng(chunkSeed), 1 + (Math.abs(chunkSeed) % 20_000));
      assert.equal(diffRecords(decodeChunks(chunks), want), undefined);
    }),
    params(300),
  );
});

test('streams: the records of encodeStream join back to the payload', () => {
  fc.assert(
    fc.property(
      fc.oneof(edgyLength(200_000), fc.constantFrom(65_528, 65_529, 131_056, 131_057)),
      fc.integer({ min: 1, max: 0xffff }),
      (length, requestId) => {
        const payload = seededBytes(length, length);
        const records = decodeChunks([encodeStream(FCGI_STDOUT, requestId, payload)]);
        assert.ok(records.every((r) => r.type === FCGI_STDOUT && r.requestId === requestId && r.content.length > 0));
        assert.ok(Buffer.concat(records.map((r) => r.content)).equals(payload));
      },
    ),
    params(100),
  );
});

/** Text the decoder promises for these bytes: UTF-8 when valid, latin1 otherwise. */
const expectedText = (bytes: Buffer): string => bytes.toString(isUtf8(bytes) ? 'utf8' : 'latin1');

const pairBytesArb = fc.oneof(
  { weight: 3, arbitrary: bytesArb(300) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(127, 128, 129, 70_000, 200_000), fc.integer())
      .map(([n, s]) => seededBytes(n, s)),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s, 'utf8')) },
);

test('name-value pairs: decodeParams(encodeParams(pairs)) gives every pair, later duplicates winning', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(pairBytesArb, pairBytesArb), { maxLength: 8 }), (pairs) => {
      const encoded = encodeParams(pairs);
      const want: Record<string, string> = Object.create(null) as Record<string, string>;
      let size = 0;
      for (const [name, value] of pairs) {
        want[expectedText(name)] = expectedText(value);
        size += (name.length < 128 ? 1 : 4) + (value.length < 128 ? 1 : 4) + name.length + value.length;
      }
      assert.equal(encoded.length, size, 'length fields take 1 byte under 128, else 4');
      assert.deepEqual(decodeParams(encoded), want);
    }),
    params(300),
  );
});

test('name-value pairs: string names and values round-trip exactly', () => {
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 150 }),
    fc.string({ unit: 'grapheme-ascii', maxLength: 300 }),
  );
  fc.assert(
    fc.property(fc.uniqueArray(fc.tuple(text, text), { maxLength: 10, selector: ([name]) => name }), (pairs) => {
      assert.deepEqual({ ...decodeParams(encodeParams(pairs)) }, Object.fromEntries(pairs));
    }),
    params(300),
  );
});

test('name-value pairs: a PARAMS stream cut into records at any point joins back', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(pairBytesArb, pairBytesArb), { minLength: 1, maxLength: 5 }),
      fc.integer(),
      (pairs, seed) => {
        const encoded = encodeParams(pairs);
        // The session joins PARAMS contents before decoding: any cut, even inside a 4-byte length, is fine.
        const joined = Buffer.concat(randomChunks(encoded, new Prng(seed), 1 + (Math.abs(seed) % 200)));
        assert.deepEqual(decodeParams(joined), decodeParams(encoded));
      },
    ),
    params(100),
  );
});

test('decodeParamText is lossless for valid UTF-8', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
      const bytes = Buffer.from(text, 'utf8');
      assert.equal(decodeParamText(bytes), text);
      assert.ok(Buffer.from(decodeParamText(bytes), 'utf8').equals(bytes));
    }),
    params(500),
  );
  // A byte-order mark is content, not stripped.
  assert.equal(decodeParamText(Buffer.from([0xef, 0xbb, 0xbf, 0x41])), '\ufeffA');
});

test('decodeParamText is lossless for arbitrary bytes (latin1 when not UTF-8)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (array) => {
      const bytes = Buffer.from(array);
      const text = decodeParamText(bytes);
      const back = Buffer.from(text, isUtf8(bytes) ? 'utf8' : 'latin1');
      assert.ok(back.equals(bytes), `bytes ${bytes.toString('hex')} came back as ${back.toString('hex')}`);
      if (!isUtf8(bytes)) assert.equal(text.length, bytes.length, 'one char per byte');
    }),
    params(1000),
  );
  // Bytes that are not UTF-8: a lone continuation byte, an overlong form, an encoded surrogate.
  for (const hex of ['80', 'c0af', 'eda080', 'ff', '2f7372762fe92e6d6a73']) {
    const bytes = Buffer.from(hex, 'hex');
    assert.equal(decodeParamText(bytes), bytes.toString('latin1'), hex);
  }
});
