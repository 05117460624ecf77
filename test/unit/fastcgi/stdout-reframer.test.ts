// Held output is sent again in full STDOUT records (src/fastcgi/stdout-reframer.ts): the bytes a
// client decodes are the same, every other record keeps its place, and the input may be cut anywhere.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FCGI_END_REQUEST, FCGI_OUTPUT_CHUNK_LEN, FCGI_STDERR, FCGI_STDOUT } from '../../../src/fastcgi/constants.js';
import { encodeRecord, encodeRequestEnd, encodeStream } from '../../../src/fastcgi/record.js';
import { StdoutReframer } from '../../../src/fastcgi/stdout-reframer.js';
import { Prng, randomChunks } from '../../helpers/prng.js';
import { decodeChunks, diffRecords, type CopiedRecord } from './support.js';

/** Joins consecutive non-empty STDOUT records: what a client makes of the stream. */
function logical(records: readonly CopiedRecord[]): CopiedRecord[] {
  const out: CopiedRecord[] = [];
  for (const record of records) {
    const last = out[out.length - 1];
    const joinable = (r: CopiedRecord): boolean => r.type === FCGI_STDOUT && r.content.length > 0;
    if (last !== undefined && joinable(last) && joinable(record) && last.requestId === record.requestId) {
      out[out.length - 1] = { ...last, content: Buffer.concat([last.content, record.content]) };
    } else {
      out.push(record);
    }
  }
  return out;
}

/** A held response as a script might write it: STDOUT in odd sizes, some STDERR, then the end. */
function heldResponse(prng: Prng, requestId: number): Buffer {
  const parts: Buffer[] = [];
  const writes = prng.range(1, 60);
  for (let i = 0; i < writes; i++) {
    if (prng.chance(0.05)) parts.push(encodeStream(FCGI_STDERR, requestId, Buffer.from(`warning ${i}\n`)));
    else parts.push(encodeStream(FCGI_STDOUT, requestId, prng.bytes(prng.range(1, 70_000))));
  }
  if (prng.chance(0.8)) parts.push(encodeRequestEnd(requestId, prng.chance(0.5), 0, 0));
  return Buffer.concat(parts);
}

/** xorshift's first outputs from a small seed are small too: spread the seed first. */
const seeded = (seed: number): Prng => new Prng(Math.imul(seed, 0x9e3779b9));

function reframe(chunks: readonly Buffer[]): Buffer[] {
  const reframer = new StdoutReframer();
  const out = chunks.flatMap((chunk) => reframer.push(chunk));
  return [...out, ...reframer.end()];
}

void describe('StdoutReframer', () => {
  it('keeps what a client decodes, for input cut anywhere (100 seeded cases)', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const prng = seeded(seed);
      const input = heldResponse(prng, prng.range(1, 3));
      const output = reframe(randomChunks(input, prng, prng.pick([61, 1000, 100_000])));
      const problem = diffRecords(logical(decodeChunks(output)), logical(decodeChunks([input])));
      assert.equal(problem, undefined, `seed ${seed}`);
    }
  });

  it('sends STDOUT in full records; only the record before another type, or the last, is shorter', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const prng = seeded(seed);
      const records = decodeChunks(reframe(randomChunks(heldResponse(prng, 1), prng, 65_536)));
      records.forEach((record, i) => {
        if (record.type !== FCGI_STDOUT || record.content.length === 0) return;
        const next = records[i + 1];
        const followedByStdout = next !== undefined && next.type === FCGI_STDOUT && next.content.length > 0;
        if (followedByStdout) assert.equal(record.content.length, FCGI_OUTPUT_CHUNK_LEN, `seed ${seed}, record ${i}`);
      });
    }
  });

  it('puts every header of a long held echo on a 64 KiB boundary', () => {
    // 20 MiB written as the 8184-byte pieces cgi-fcgi sends: the headers of the re-framed stream sit
    // at multiples of 65536 until the end, so 8 KiB reads never split one.
    const prng = new Prng(7);
    const body = prng.bytes(20 * 1024 * 1024);
    const pieces: Buffer[] = [];
    for (let at = 0; at < body.length; at += 8184)
      pieces.push(encodeStream(FCGI_STDOUT, 1, body.subarray(at, at + 8184)));
    pieces.push(encodeRequestEnd(1, false, 0, 0));
    const output = Buffer.concat(reframe(pieces));
    const records = decodeChunks([output]);
    const stdout = records.filter((r) => r.type === FCGI_STDOUT && r.content.length > 0);
    assert.equal(stdout.length, Math.ceil(body.length / FCGI_OUTPUT_CHUNK_LEN));
    assert.ok(Buffer.concat(stdout.map((r) => r.content)).equals(body));
    for (let i = 0; i < stdout.length - 1; i++)
      assert.equal(output.readUInt16BE(i * 65_536 + 4), FCGI_OUTPUT_CHUNK_LEN);
    assert.equal(records[records.length - 1]?.type, FCGI_END_REQUEST);
  });

  it('passes STDERR through at its place and says so when the held bytes end mid-record', () => {
    const input = Buffer.concat([
      encodeStream(FCGI_STDOUT, 1, Buffer.from('a')),
      encodeRecord(FCGI_STDERR, 1, Buffer.from('oops')),
      encodeStream(FCGI_STDOUT, 1, Buffer.from('b')),
    ]);
    const records = decodeChunks(reframe([input]));
    assert.deepEqual(
      records.map((r) => [r.type, r.content.toString()]),
      [
        [FCGI_STDOUT, 'a'],
        [FCGI_STDERR, 'oops'],
        [FCGI_STDOUT, 'b'],
      ],
    );
    const reframer = new StdoutReframer();
    reframer.push(input.subarray(0, input.length - 3));
    assert.throws(() => reframer.end(), /middle of a record/);
  });
});
