// FastCGI name-value pairs: a length < 128 takes one byte, otherwise four bytes with the top bit set.
import { isUtf8 } from 'node:buffer';
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
 * Text of a range of `buf`: decodeParamText's answer. An ASCII range (nearly every name and value) is
 * a slice of the stream decoded once as latin1 (one char per byte, so byte offsets are string
 * offsets), made on first need.
 */
class RangeText {
  readonly #buf: Buffer;
  #latin1: string | undefined;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  text(start: number, end: number): string {
    const buf = this.#buf;
    for (let i = start; i < end; i++) {
      if ((buf[i] ?? 0) >= 0x80) return decodeParamText(buf.subarray(start, end));
    }
    this.#latin1 ??= buf.toString('latin1');
    return this.#latin1.slice(start, end);
  }
}

/**
 * The names and values of recent PARAMS streams, by position: a web server sends the same names in
 * the same order on every request, and many of the same values (method, document root, server
 * fields, often the script). Bytes equal to the ones seen at that position last time give the same
 * string again, without decoding it or hashing a new string into a property name: measured in a
 * child, that was most of the cost of decoding the PARAMS of a small request. Only short texts are
 * kept, and at most MAX_REMEMBERED positions.
 */
const MAX_REMEMBERED = 128;
const MAX_REMEMBERED_LENGTH = 256;

interface Remembered {
  readonly bytes: Buffer;
  readonly text: string;
}

const rememberedNames: (Remembered | undefined)[] = [];
const rememberedValues: (Remembered | undefined)[] = [];

function sameBytes(buf: Buffer, start: number, end: number, known: Buffer): boolean {
  if (end - start !== known.length) return false;
  for (let i = 0; i < known.length; i++) if (buf[start + i] !== known[i]) return false;
  return true;
}

/** The text of buf[start, end): the one remembered at this position when the bytes are the same. */
function recall(
  memory: (Remembered | undefined)[],
  position: number,
  buf: Buffer,
  start: number,
  end: number,
  ranges: RangeText,
): string {
  const known = memory[position];
  if (known !== undefined && sameBytes(buf, start, end, known.bytes)) return known.text;
  const text = ranges.text(start, end);
  if (position < MAX_REMEMBERED && end - start <= MAX_REMEMBERED_LENGTH) {
    // A copy: the stream's buffer is the socket's chunk, which must not be kept alive.
    memory[position] = { bytes: Buffer.from(buf.subarray(start, end)), text };
  }
  return text;
}

/**
 * What decodeParams fills before it drops the prototype. An Object.create(null) object starts in
 * dictionary mode, and its table grew through several sizes for a request's ~20 pairs: a third of a
 * small request's allocations, measured. An instance of a class (with no inherited members: its
 * prototype has none) keeps fast properties, and keeps them when its prototype is then set to null.
 */
// Named Object: util.inspect names an object after the constructor that made it, and params must
// show as an Object.create(null) object does (`[Object: null prototype] {...}`). The name comes from
// the property key, not `class Object {}`: a bundler renames a class's own name that shadows a global
// (the child bundle, src/build/child-bundle.ts, would make it Object2).
const ParamsUnderConstruction = { Object: class {} }.Object;
Object.setPrototypeOf(ParamsUnderConstruction.prototype, null);
// The class's own `constructor` would be inherited while the pairs go in: a pair named so must land
// on the object (it does: assigning over an inherited data property makes an own one), and nothing
// else may be found there.
Reflect.deleteProperty(ParamsUnderConstruction.prototype, 'constructor');
/** Taken at load: scripts may replace the global (a test fixture counts Express's prototype switches). */
const setPrototypeOf = Object.setPrototypeOf;

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
  const params = new ParamsUnderConstruction() as Params;
  const ranges = new RangeText(buf);
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
    const position = pairs - 1;
    const name = recall(rememberedNames, position, buf, offset, valueStart, ranges);
    params[name] = recall(rememberedValues, position, buf, valueStart, end, ranges);
    offset = end;
  }
  // From here on what Object.create(null) gives: no prototype, so no name finds an inherited member.
  return setPrototypeOf(params, null) as Params;
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
