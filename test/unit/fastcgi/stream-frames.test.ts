// The framing that writes an answer as views (stream-frames.ts) against the plain encoder: the
// buffers it returns, joined, must be byte for byte encodeStream() of the same payload, for string
// and byte bodies on both sides of every size limit (one record, the copy limit, record boundaries),
// and must decode to the same records however a reader cuts them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FCGI_OUTPUT_CHUNK_LEN, FCGI_STDERR, FCGI_STDOUT } from '../../../src/fastcgi/constants.js';
import { RecordDecoder } from '../../../src/fastcgi/decoder.js';
import { encodeStream } from '../../../src/fastcgi/record.js';
import { frameResponse, frameStream } from '../../../src/fastcgi/stream-frames.js';
import { Prng } from '../../helpers/prng.js';
import { decodeChunks } from './support.js';

const L = FCGI_OUTPUT_CHUNK_LEN;
/** Body sizes at every limit the framing has: empty, padding, the copy limit, one record, two, more. */
const SIZES = [
  0,
  1,
  7,
  8,
  9,
  300,
  4095,
  4096,
  4097,
  L - 65,
  L - 64,
  L - 5,
  L - 1,
  L,
  L + 1,
  2 * L - 1,
  2 * L,
  2 * L + 3,
];
const HEADS = ['', 'Status: 404 Not Found\r\n\r\n', `X-Long: ${'h'.repeat(200)}\r\n\r\n`];

const bytesOf = (length: number, seed: number): Buffer => new Prng(seed + 1).bytes(length);

/** Text of `length` chars made of `unit` repeated (cut to length), for the string bodies. */
const textOf = (unit: string, length: number): string => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

function assertFramesEqual(chunks: readonly Buffer[], payload: Buffer, what: string): void {
  const joined = Buffer.concat(chunks);
  const want = encodeStream(FCGI_STDOUT, 7, payload);
  assert.ok(joined.equals(want), `${what}: ${joined.length} bytes framed, want ${want.length}`);
}

test('frameResponse with a byte body gives encodeStream(head + body), at every size limit', () => {
  for (const head of HEADS) {
    for (const size of SIZES) {
      const body = bytesOf(size, size);
      const payload = Buffer.concat([Buffer.from(head, 'latin1'), body]);
      for (const given of [false, true]) {
        const what = `head ${head.length} + bytes ${size}, given ${given}`;
        assertFramesEqual(frameResponse(FCGI_STDOUT, 7, head, body, given), payload, what);
      }
    }
  }
});

test('frameResponse with a string body sends it as UTF-8, ASCII or not, at every size limit', () => {
  // ASCII (written as latin1), latin1 chars above 0x7f, 3- and 4-byte UTF-8, and a lone surrogate
  // (U+FFFD on the wire, as Buffer.from writes it).
  for (const unit of ['abc', 'é', 'aé€', '😀x', '\ud800']) {
    for (const head of HEADS) {
      for (const size of SIZES) {
        const body = textOf(unit, size);
        const payload = Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body, 'utf8')]);
        const what = `head ${head.length} + ${JSON.stringify(unit)} × ${size}`;
        assertFramesEqual(frameResponse(FCGI_STDOUT, 7, head, body, true), payload, what);
      }
    }
  }
});

test('frameResponse keeps a head longer than one record and latin1 chars in the head', () => {
  const head = `X-Big: ${'\u00e9'.repeat(L + 10)}\r\n\r\n`;
  for (const body of ['tail', bytesOf(L + 3, 1), '']) {
    const bodyBytes = typeof body === 'string' ? Buffer.from(body) : body;
    const payload = Buffer.concat([Buffer.from(head, 'latin1'), bodyBytes]);
    assertFramesEqual(
      frameResponse(FCGI_STDOUT, 7, head, body, true),
      payload,
      `head ${head.length} + ${bodyBytes.length}`,
    );
  }
});

test('frameStream gives encodeStream(payload), copied or given, for STDOUT and STDERR', () => {
  for (const size of SIZES) {
    const payload = bytesOf(size, size + 3);
    for (const given of [false, true]) {
      assertFramesEqual(frameStream(FCGI_STDOUT, 7, payload, given), payload, `${size} bytes, given ${given}`);
    }
  }
  const text = Buffer.from('oops\n');
  assert.ok(Buffer.concat(frameStream(FCGI_STDERR, 2, text, true)).equals(encodeStream(FCGI_STDERR, 2, text)));
});

test('large given bytes are sent in place, other bytes are copied', () => {
  const big = bytesOf(2 * L + 3, 9);
  const inPlace = frameStream(FCGI_STDOUT, 7, big, true);
  assert.ok(
    inPlace.some((chunk) => chunk.buffer === big.buffer),
    'a given payload above the copy limit is viewed, not copied',
  );
  const copied = frameStream(FCGI_STDOUT, 7, big, false);
  assert.ok(
    copied.every((chunk) => chunk.buffer !== big.buffer),
    'a payload not given is copied',
  );
  const before = Buffer.concat(copied);
  big.fill(0);
  assert.ok(Buffer.concat(copied).equals(before), 'changing the payload later does not change a copy');
  const bodyBytes = bytesOf(L, 4);
  assert.ok(frameResponse(FCGI_STDOUT, 7, 'A: b\r\n\r\n', bodyBytes, true).some((c) => c.buffer === bodyBytes.buffer));
  const answer = frameResponse(FCGI_STDOUT, 7, 'A: b\r\n\r\n', bodyBytes, false);
  assert.ok(
    answer.every((c) => c.buffer !== bodyBytes.buffer),
    'body bytes not given (a script may change them) are copied',
  );
});

test('the framed records decode to the payload however a reader cuts them', () => {
  const head = 'Content-Type: text/plain\r\n\r\n';
  const body = textOf('aé€', 2 * L + 100);
  const payload = Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body, 'utf8')]);
  const joined = Buffer.concat(frameResponse(FCGI_STDOUT, 7, head, body, true));
  const contentOf = (chunks: Buffer[]): Buffer => Buffer.concat(decodeChunks(chunks).map((r) => r.content));
  // As the writev buffers themselves arrive, then split in two at every offset around each record
  // header and the padding (every offset of the whole answer would decode it ~200,000 times).
  assert.ok(contentOf(frameResponse(FCGI_STDOUT, 7, head, body, true)).equals(payload));
  const boundaries = [0, L + 8, 2 * (L + 8), joined.length - 16];
  for (const boundary of boundaries) {
    for (let cut = Math.max(0, boundary - 12); cut <= Math.min(joined.length, boundary + 20); cut++) {
      const content = contentOf([joined.subarray(0, cut), joined.subarray(cut)]);
      assert.ok(content.equals(payload), `cut at ${cut}`);
    }
  }
  // A small answer, split at every offset.
  const small = Buffer.concat(frameResponse(FCGI_STDOUT, 7, head, 'Hello\n', true));
  for (let cut = 0; cut <= small.length; cut++) {
    const records: Buffer[] = [];
    const decoder = new RecordDecoder();
    for (const part of [small.subarray(0, cut), small.subarray(cut)]) {
      decoder.push(part, (r) => records.push(Buffer.from(r.content)));
    }
    assert.equal(Buffer.concat(records).toString('latin1'), `${head}Hello\n`, `cut at ${cut}`);
  }
});
