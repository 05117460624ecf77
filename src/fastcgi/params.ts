// FastCGI name-value pairs: a length < 128 takes one byte, otherwise four bytes with the top bit set.
import { isAscii, isUtf8 } from 'node:buffer';
import { ProtocolError } from '../errors.js';
import { FCGI_PARAMS } from './constants.js';

export type Params = Record<string, string>;

/** Largest length a 4-byte form can carry (31 bits). */
const MAX_PAIR_LENGTH = 0x7fffffff;

/**
 * Bytes to text without losing anything: UTF-8 when the bytes are valid UTF-8 (nginx sends paths and
 * headers as they came), latin1 otherwise so that every byte survives as one char.
 */
export function decodeParamText(bytes: Buffer): string {
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes.toString('latin1');
}

/**
 * decodeParamText for a range of `buf`. `latin1` is the whole buffer decoded once as latin1 (one char
 * per byte, so byte offsets are string offsets): an ASCII range is a cheap slice of it, which is
 * nearly every name and value; `ascii` says the whole buffer is ASCII, so no range needs a look.
 */
function decodeRange(buf: Buffer, latin1: string, ascii: boolean, start: number, end: number): string {
  if (!ascii) {
    for (let i = start; i < end; i++) {
      if ((buf[i] ?? 0) >= 0x80) return decodeParamText(buf.subarray(start, end));
    }
  }
  return latin1.slice(start, end);
}

/**
 * Where the length that pairLength() just read ends. Module state instead of returning
 * [length, next]: that allocated two arrays per pair, a sixth of what a request allocated.
 */
let afterLength = 0;

function pairLength(buf: Buffer, offset: number): number {
  const first = buf[offset];
  if (first === undefined) throw truncated();
  if (first < 0x80) {
    afterLength = offset + 1;
    return first;
  }
  if (offset + 4 > buf.length) throw truncated();
  afterLength = offset + 4;
  return buf.readUInt32BE(offset) & MAX_PAIR_LENGTH;
}

const truncated = (): ProtocolError =>
  new ProtocolError('TSFPM_ERR_FCGI_BAD_PARAMS', 'name-value pair runs past the end of the PARAMS stream', {
    recordType: FCGI_PARAMS,
  });

/**
 * Decodes a complete PARAMS stream (all PARAMS record contents joined). Later duplicates win. More
 * than `maxPairs` pairs is a ProtocolError (fastcgi.max_params): a few thousand tiny pairs cost more to
 * hash than their bytes suggest.
 */
export function decodeParams(buf: Buffer, maxPairs = Number.POSITIVE_INFINITY): Params {
  const params: Params = Object.create(null) as Params;
  const latin1 = buf.toString('latin1');
  const ascii = isAscii(buf);
  const size = buf.length;
  let offset = 0;
  let pairs = 0;
  while (offset < size) {
    if (++pairs > maxPairs) {
      throw new ProtocolError(
        'TSFPM_ERR_FCGI_PARAMS_TOO_LARGE',
        `PARAMS has more than fastcgi.max_params (${maxPairs}) name-value pairs`,
        {
          recordType: FCGI_PARAMS,
        },
      );
    }
    const nameLength = pairLength(buf, offset);
    offset = afterLength;
    const valueLength = pairLength(buf, offset);
    offset = afterLength;
    const valueStart = offset + nameLength;
    const end = valueStart + valueLength;
    if (end > size) throw truncated();
    params[decodeRange(buf, latin1, ascii, offset, valueStart)] = decodeRange(buf, latin1, ascii, valueStart, end);
    offset = end;
  }
  return params;
}

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length > MAX_PAIR_LENGTH) throw new RangeError(`name-value length ${length} exceeds 2^31-1`);
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE((length | 0x80000000) >>> 0, 0);
  return out;
}

/** Encodes pairs; strings are written as UTF-8, Buffers as they are. */
export function encodeParams(pairs: Iterable<readonly [string | Buffer, string | Buffer]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of pairs) {
    const n = typeof name === 'string' ? Buffer.from(name, 'utf8') : name;
    const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    parts.push(lengthBytes(n.length), lengthBytes(v.length), n, v);
  }
  return Buffer.concat(parts);
}
