// Encoding of single records (header + content + padding).
import {
  FCGI_END_REQUEST,
  FCGI_HEADER_LEN,
  FCGI_MAX_CONTENT_LEN,
  FCGI_OUTPUT_CHUNK_LEN,
  FCGI_UNKNOWN_TYPE,
  FCGI_VERSION_1,
  FCGI_BEGIN_REQUEST,
  FCGI_STDERR,
  FCGI_STDOUT,
} from './constants.js';

export interface FcgiRecord {
  readonly type: number;
  readonly requestId: number;
  /** The content bytes (padding removed). May be a view into the caller's chunk: copy it to keep it. */
  readonly content: Buffer;
}

/** Writes an 8-byte header into `target` at `offset`. */
export function writeHeader(
  target: Buffer,
  offset: number,
  type: number,
  requestId: number,
  contentLength: number,
  paddingLength: number,
): void {
  target[offset] = FCGI_VERSION_1;
  target[offset + 1] = type;
  target.writeUInt16BE(requestId, offset + 2);
  target.writeUInt16BE(contentLength, offset + 4);
  target[offset + 6] = paddingLength;
  target[offset + 7] = 0;
}

const paddingFor = (length: number): number => (8 - (length % 8)) % 8;

/** One record with its content padded to a multiple of 8 bytes. */
export function encodeRecord(type: number, requestId: number, content: Uint8Array = Buffer.alloc(0)): Buffer {
  if (content.length > FCGI_MAX_CONTENT_LEN) {
    throw new RangeError(`record content of ${content.length} bytes exceeds ${FCGI_MAX_CONTENT_LEN}`);
  }
  const padding = paddingFor(content.length);
  const out = Buffer.allocUnsafe(FCGI_HEADER_LEN + content.length + padding);
  writeHeader(out, 0, type, requestId, content.length, padding);
  out.set(content, FCGI_HEADER_LEN);
  out.fill(0, FCGI_HEADER_LEN + content.length);
  return out;
}

/**
 * A stream payload as one buffer of records, each at most FCGI_OUTPUT_CHUNK_LEN content bytes.
 * An empty payload gives no record: the empty record terminates a stream and is sent on purpose only.
 */
export function encodeStream(type: number, requestId: number, payload: Uint8Array): Buffer {
  if (payload.length === 0) return Buffer.alloc(0);
  const full = Math.floor(payload.length / FCGI_OUTPUT_CHUNK_LEN);
  const rest = payload.length - full * FCGI_OUTPUT_CHUNK_LEN;
  const restPadding = paddingFor(rest);
  const size = full * (FCGI_HEADER_LEN + FCGI_OUTPUT_CHUNK_LEN) + (rest > 0 ? FCGI_HEADER_LEN + rest + restPadding : 0);
  const out = Buffer.allocUnsafe(size);
  let src = 0;
  let dst = 0;
  while (src < payload.length) {
    const len = Math.min(FCGI_OUTPUT_CHUNK_LEN, payload.length - src);
    const padding = paddingFor(len);
    writeHeader(out, dst, type, requestId, len, padding);
    out.set(payload.subarray(src, src + len), dst + FCGI_HEADER_LEN);
    out.fill(0, dst + FCGI_HEADER_LEN + len, dst + FCGI_HEADER_LEN + len + padding);
    src += len;
    dst += FCGI_HEADER_LEN + len + padding;
  }
  return out;
}

export function encodeEndRequest(requestId: number, appStatus: number, protocolStatus: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(appStatus >>> 0, 0);
  body[4] = protocolStatus;
  return encodeRecord(FCGI_END_REQUEST, requestId, body);
}

/**
 * The end of a request as one buffer, written in one go: the empty STDOUT record (and the empty STDERR
 * one when STDERR was used) that close the streams, then END_REQUEST. One allocation instead of five,
 * on every request.
 */
export function encodeRequestEnd(
  requestId: number,
  closeStderr: boolean,
  appStatus: number,
  protocolStatus: number,
): Buffer {
  const out = Buffer.allocUnsafe(FCGI_HEADER_LEN * (closeStderr ? 3 : 2) + 8);
  let offset = 0;
  writeHeader(out, offset, FCGI_STDOUT, requestId, 0, 0);
  offset += FCGI_HEADER_LEN;
  if (closeStderr) {
    writeHeader(out, offset, FCGI_STDERR, requestId, 0, 0);
    offset += FCGI_HEADER_LEN;
  }
  writeHeader(out, offset, FCGI_END_REQUEST, requestId, 8, 0);
  offset += FCGI_HEADER_LEN;
  out.writeUInt32BE(appStatus >>> 0, offset);
  out[offset + 4] = protocolStatus;
  out.fill(0, offset + 5, offset + 8);
  return out;
}

export function encodeUnknownType(unknownType: number): Buffer {
  const body = Buffer.alloc(8);
  body[0] = unknownType;
  return encodeRecord(FCGI_UNKNOWN_TYPE, 0, body);
}

export function encodeBeginRequest(requestId: number, role: number, flags: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt16BE(role, 0);
  body[2] = flags;
  return encodeRecord(FCGI_BEGIN_REQUEST, requestId, body);
}
