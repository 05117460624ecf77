// The FastCGI fuzz cases of the unit fuzz test (decoder + session) and of the fuzz driver against a live
// daemon (test/bench/fuzz-daemon.ts): deterministic from (seed, index), so one failing case can be
// replayed alone. Each case is an input stream and a way to cut it.
import {
  FCGI_ABORT_REQUEST,
  FCGI_AUTHORIZER,
  FCGI_BEGIN_REQUEST,
  FCGI_DATA,
  FCGI_GET_VALUES,
  FCGI_KEEP_CONN,
  FCGI_PARAMS,
  FCGI_RESPONDER,
  FCGI_STDIN,
} from '../../src/fastcgi/constants.js';
import { encodeParams } from '../../src/fastcgi/params.js';
import { Prng } from './prng.js';
import { rawRecord } from './raw-record.js';

export const FUZZ_MAX_PARAMS_BYTES = 4096;

export type CaseKind = 'random-bytes' | 'random-records' | 'valid' | 'mutated';

export interface FuzzCase {
  readonly kind: CaseKind;
  readonly bytes: Buffer;
  readonly chunks: readonly Buffer[];
  /** For 'valid' cases: how many requests must begin (the stream is well-formed and within the caps). */
  readonly requests: number;
}

/** A per-case seed: cases are independent, so a range can run anywhere and one case can be replayed. */
export function caseSeed(seed: number, index: number): number {
  let x = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0 || 1;
}

const CGI_NAMES = [
  'SCRIPT_FILENAME',
  'QUERY_STRING',
  'REQUEST_METHOD',
  'CONTENT_TYPE',
  'CONTENT_LENGTH',
  'REQUEST_URI',
  'DOCUMENT_ROOT',
  'HTTP_HOST',
  'HTTP_COOKIE',
  'REMOTE_ADDR',
  'FCGI_MAX_CONNS',
  'FCGI_MAX_REQS',
  'FCGI_MPXS_CONNS',
  'toString',
  '__proto__',
];

/** Lengths that favour the 1-/4-byte boundary. */
const length = (prng: Prng, max: number): number =>
  prng.chance(0.3) ? Math.min(max, prng.pick([0, 1, 126, 127, 128, 129])) : prng.range(0, max);

function randomText(prng: Prng, max: number): Buffer {
  const n = length(prng, max);
  if (prng.chance(0.7)) {
    const out = prng.bytes(n);
    for (let i = 0; i < n; i++) out[i] = 0x20 + ((out[i] ?? 0) % 0x5f); // printable ASCII
    return out;
  }
  return prng.bytes(n); // usually not UTF-8: the latin1 path
}

function randomPairs(prng: Prng, budget: number, bigValueChance = 0.1): Buffer {
  const pairs: [Buffer, Buffer][] = [];
  let size = 0;
  const count = prng.range(0, 12);
  for (let i = 0; i < count; i++) {
    const name = prng.chance(0.6) ? Buffer.from(prng.pick(CGI_NAMES)) : randomText(prng, 200);
    const value = randomText(prng, prng.chance(bigValueChance) ? 1500 : 150);
    size += name.length + value.length + 8;
    if (size > budget) break;
    pairs.push([name, value]);
  }
  return encodeParams(pairs);
}

/** Cuts a stream payload into records of random sizes with random (legal) padding. */
function streamRecords(prng: Prng, type: number, requestId: number, payload: Buffer, out: Buffer[]): void {
  let offset = 0;
  while (offset < payload.length) {
    const size = Math.min(payload.length - offset, prng.chance(0.2) ? prng.range(1, 8) : prng.range(1, 1200));
    out.push(record(prng, type, requestId, payload.subarray(offset, offset + size)));
    offset += size;
  }
  out.push(record(prng, type, requestId, Buffer.alloc(0)));
}

function record(prng: Prng, type: number, requestId: number, content: Uint8Array): Buffer {
  if (prng.chance(0.8)) return rawRecord({ type, requestId, content });
  return rawRecord({
    type,
    requestId,
    content,
    paddingLength: prng.chance(0.5) ? prng.range(0, 15) : prng.range(0, 255),
    paddingByte: prng.int(256),
    reserved: prng.int(256),
  });
}

const beginBody = (role: number, flags: number): Buffer => Buffer.from([role >> 8, role & 0xff, flags, 0, 0, 0, 0, 0]);

/** A well-formed conversation as records: maybe GET_VALUES, then one to three kept-alive requests. */
function validRecords(prng: Prng, bigParams: boolean): { records: Buffer[]; requests: number } {
  const records: Buffer[] = [];
  if (prng.chance(0.3)) {
    const names = encodeParams(CGI_NAMES.filter(() => prng.chance(0.4)).map((n): [string, string] => [n, '']));
    records.push(record(prng, FCGI_GET_VALUES, 0, names));
  }
  const requests = prng.range(1, 3);
  for (let r = 0; r < requests; r++) {
    const requestId = prng.chance(0.5) ? 1 : prng.range(1, 0xffff);
    records.push(record(prng, FCGI_BEGIN_REQUEST, requestId, beginBody(FCGI_RESPONDER, FCGI_KEEP_CONN)));
    // bigParams: likely over the cap, to reach TSFPM_ERR_FCGI_PARAMS_TOO_LARGE.
    const pairs = bigParams
      ? randomPairs(prng, FUZZ_MAX_PARAMS_BYTES * 3, 0.6)
      : randomPairs(prng, FUZZ_MAX_PARAMS_BYTES);
    streamRecords(prng, FCGI_PARAMS, requestId, pairs, records);
    if (prng.chance(0.1)) {
      records.push(record(prng, FCGI_ABORT_REQUEST, requestId, Buffer.alloc(0)));
      continue; // the simulated worker ends an aborted request at once
    }
    streamRecords(prng, FCGI_STDIN, requestId, prng.bytes(length(prng, prng.chance(0.05) ? 5_000 : 600)), records);
  }
  return { records, requests };
}

function randomRecords(prng: Prng): Buffer[] {
  const records: Buffer[] = [];
  const count = prng.range(1, 12);
  for (let i = 0; i < count; i++) {
    const type = prng.chance(0.85) ? prng.range(0, 12) : prng.int(256);
    const requestId = prng.pick([0, 1, 1, 2, prng.int(0x10000)]);
    let content: Buffer;
    if (type === FCGI_BEGIN_REQUEST && prng.chance(0.8)) {
      content = beginBody(
        prng.pick([FCGI_RESPONDER, FCGI_RESPONDER, FCGI_AUTHORIZER, prng.int(0x10000)]),
        prng.int(256),
      );
    } else if ((type === FCGI_PARAMS || type === FCGI_GET_VALUES) && prng.chance(0.7)) {
      content = randomPairs(prng, 3000);
      if (prng.chance(0.3)) content = content.subarray(0, prng.int(content.length + 1));
    } else if (type === FCGI_DATA || prng.chance(0.5)) {
      content = Buffer.alloc(0);
    } else {
      content = prng.bytes(length(prng, 300));
    }
    records.push(record(prng, type, requestId, content));
  }
  return records;
}

/** Record-level, then (in most cases) byte-level damage. */
function mutate(prng: Prng, records: Buffer[]): Buffer {
  // Byte edits mostly misalign the stream (a bad version next); record-only damage keeps it framed.
  const edits = prng.chance(0.4) ? 0 : prng.range(1, 3);
  const rounds = prng.range(1, 3);
  for (let i = 0; i < rounds && records.length > 0; i++) {
    const at = prng.int(records.length);
    const picked = records[at] ?? Buffer.alloc(0);
    switch (prng.int(edits === 0 ? 3 : 4)) {
      case 0: // duplicate a record (a second BEGIN, PARAMS after the end, ...)
        records.splice(prng.int(records.length + 1), 0, picked);
        break;
      case 1:
        records.splice(at, 1);
        break;
      case 2: {
        const other = prng.int(records.length);
        records[at] = records[other] ?? picked;
        records[other] = picked;
        break;
      }
      default:
        break; // byte-level only
    }
  }
  let out = Buffer.from(Buffer.concat(records));
  for (let i = 0; i < edits; i++) {
    const at = prng.int(out.length + 1);
    switch (prng.int(7)) {
      case 0:
        if (at < out.length) out[at] = (out[at] ?? 0) ^ (1 << prng.int(8)); // flip a bit
        break;
      case 1:
        if (at < out.length) out[at] = prng.int(256);
        break;
      case 2:
        out = out.subarray(0, at); // truncate
        break;
      case 3:
        out = Buffer.concat([out.subarray(0, at), prng.bytes(prng.range(1, 16)), out.subarray(at)]);
        break;
      case 4:
        out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + prng.range(1, 64)))]);
        break;
      case 5: {
        // Rewrite a header field at an 8-byte boundary (often a real header): version, type, lengths.
        const h = at - (at % 8);
        if (h + 8 <= out.length) out[h + prng.pick([0, 1, 4, 5, 6])] = prng.int(256);
        break;
      }
      default: {
        // Duplicate a random slice.
        const end = Math.min(out.length, at + prng.range(1, 200));
        out = Buffer.concat([out.subarray(0, end), out.subarray(at, end), out.subarray(end)]);
        break;
      }
    }
  }
  return out;
}

function chunk(prng: Prng, bytes: Buffer): Buffer[] {
  if (prng.chance(0.3)) return [bytes];
  // Byte-sized reads cost a Buffer each: keep them for short inputs, where every cut gets hit anyway.
  const max = prng.pick(bytes.length <= 1200 ? [1, 2, 7, 9, 64, 1000] : [7, 9, 64, 256, 1000, 70_000]);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const size = Math.min(prng.range(1, max), bytes.length - offset);
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

export function makeCase(seed: number, index: number): FuzzCase {
  const prng = new Prng(caseSeed(seed, index));
  const roll = prng.int(100);
  let kind: CaseKind;
  let bytes: Buffer;
  let requests = 0;
  if (roll < 10) {
    kind = 'random-bytes';
    bytes = prng.bytes(prng.range(0, 600));
    if (prng.chance(0.5) && bytes.length > 0) bytes[0] = 1; // get past the version check sometimes
  } else if (roll < 30) {
    kind = 'random-records';
    bytes = mutateOrNot(prng, randomRecords(prng));
  } else if (roll < 38) {
    kind = 'valid';
    const valid = validRecords(prng, false);
    bytes = Buffer.concat(valid.records);
    requests = valid.requests;
  } else {
    kind = 'mutated';
    bytes = mutate(prng, validRecords(prng, prng.chance(0.15)).records);
  }
  return { kind, bytes, chunks: chunk(prng, bytes), requests };
}

function mutateOrNot(prng: Prng, records: Buffer[]): Buffer {
  return prng.chance(0.5) ? Buffer.concat(records) : mutate(prng, records);
}
