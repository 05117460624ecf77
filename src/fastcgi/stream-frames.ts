// A stream's records (STDOUT, STDERR) as the buffers to hand to writev, without joining the parts of
// an answer first. Concatenated, the buffers are byte for byte what encodeStream() gives for the same
// payload: records of FCGI_OUTPUT_CHUNK_LEN content bytes, the last one padded to a multiple of 8.
//
// Measured in a child, a 30 KB answer used to cost three allocations and two copies of its body
// (string → Buffer, head + body → one buffer, then into the record): each fresh large buffer costs a
// few µs of allocation and V8 bookkeeping, more than copying its bytes. Here a small answer (one
// record) is one buffer with the head written in as latin1 and a string body encoded straight into
// it; a larger one is its bytes in place, the record headers in a small buffer of their own between
// views of them (one writev still sends it all), so a byte body is not copied and a string body is
// encoded once.
import { FCGI_HEADER_LEN, FCGI_OUTPUT_CHUNK_LEN } from './constants.js';
import { writeHeader } from './record.js';

/** A byte payload up to this size is copied into its record (one buffer); a larger one is sent in place. */
const COPY_LIMIT = 4096;

/** Where framed bytes are written: Buffer.allocUnsafe, or a pool that reuses large buffers. */
export type Allocate = (size: number) => Buffer;

const allocUnsafe: Allocate = (size) => Buffer.allocUnsafe(size);

const paddingFor = (length: number): number => (8 - (length % 8)) % 8;

/** Zero bytes for the padding of a last record: shared, never written to. */
const PADDING: readonly Buffer[] = Array.from({ length: 8 }, (_, n) => Buffer.alloc(n));

/**
 * Records over the payload that `parts` hold in order (`total` bytes in all, more than zero): record
 * headers from one small buffer, the content as views of the parts (never copied), the last
 * record's padding from a shared zero buffer.
 */
function framedViews(type: number, requestId: number, parts: readonly Uint8Array[], total: number): Buffer[] {
  const records = Math.ceil(total / FCGI_OUTPUT_CHUNK_LEN);
  const lastLength = total - (records - 1) * FCGI_OUTPUT_CHUNK_LEN;
  const padding = paddingFor(lastLength);
  const headers = Buffer.allocUnsafe(FCGI_HEADER_LEN * records);
  const out: Buffer[] = [];
  let record = 0;
  let roomInRecord = 0;
  for (const part of parts) {
    let offset = 0;
    while (offset < part.length) {
      if (roomInRecord === 0) {
        const at = record * FCGI_HEADER_LEN;
        const length = record === records - 1 ? lastLength : FCGI_OUTPUT_CHUNK_LEN;
        writeHeader(headers, at, type, requestId, length, record === records - 1 ? padding : 0);
        out.push(headers.subarray(at, at + FCGI_HEADER_LEN));
        record++;
        roomInRecord = length;
      }
      const take = Math.min(roomInRecord, part.length - offset);
      out.push(Buffer.from(part.buffer, part.byteOffset + offset, take));
      offset += take;
      roomInRecord -= take;
    }
  }
  if (padding > 0) out.push(PADDING[padding] as Buffer);
  return out;
}

/**
 * A stream payload as records: the buffers to write, in order. An empty payload gives none (the
 * empty record that ends a stream is sent on purpose only). The payload is copied, unless it is
 * `given` (nothing changes its bytes later) and larger than a small answer: then it is sent in place.
 */
export function frameStream(
  type: number,
  requestId: number,
  payload: Uint8Array,
  given: boolean,
  allocate: Allocate = allocUnsafe,
): Buffer[] {
  if (payload.length === 0) return [];
  if (given && payload.length > COPY_LIMIT) return framedViews(type, requestId, [payload], payload.length);
  return [copiedRecords(type, requestId, payload, allocate)];
}

/** encodeStream() into a buffer from `allocate`. */
function copiedRecords(type: number, requestId: number, payload: Uint8Array, allocate: Allocate): Buffer {
  const records = Math.ceil(payload.length / FCGI_OUTPUT_CHUNK_LEN);
  const lastLength = payload.length - (records - 1) * FCGI_OUTPUT_CHUNK_LEN;
  const padding = paddingFor(lastLength);
  const out = allocate(records * FCGI_HEADER_LEN + payload.length + padding);
  let src = 0;
  let dst = 0;
  for (let record = 0; record < records; record++) {
    const length = record === records - 1 ? lastLength : FCGI_OUTPUT_CHUNK_LEN;
    writeHeader(out, dst, type, requestId, length, record === records - 1 ? padding : 0);
    out.set(payload.subarray(src, src + length), dst + FCGI_HEADER_LEN);
    src += length;
    dst += FCGI_HEADER_LEN + length;
  }
  out.fill(0, dst);
  return out;
}

/**
 * A response as records: the CGI head (text of latin1 chars, one byte each, as formatResponseHead
 * writes it) followed by the body, a string (sent as UTF-8) or bytes. Bytes are sent in place when
 * large and `given` (nothing changes them later), else copied. Answers that fit one record are one
 * buffer.
 */
export function frameResponse(
  type: number,
  requestId: number,
  head: string,
  body: string | Uint8Array,
  given: boolean,
  allocate: Allocate = allocUnsafe,
): Buffer[] {
  const bodyLength = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  // A string whose UTF-8 length is its length is all ASCII (any other char takes two or more bytes):
  // its latin1 form is the same bytes, and latin1 writing is several times faster than UTF-8 encoding.
  const encoding = typeof body === 'string' && bodyLength === body.length ? 'latin1' : 'utf8';
  const total = head.length + bodyLength;
  if (total === 0) return [];
  const copied = typeof body === 'string' || !given || bodyLength <= COPY_LIMIT;
  if (total <= FCGI_OUTPUT_CHUNK_LEN && copied) {
    const padding = paddingFor(total);
    const out = allocate(FCGI_HEADER_LEN + total + padding);
    writeHeader(out, 0, type, requestId, total, padding);
    out.write(head, FCGI_HEADER_LEN, 'latin1');
    writeBody(out, FCGI_HEADER_LEN + head.length, body, encoding);
    out.fill(0, FCGI_HEADER_LEN + total);
    return [out];
  }
  if (copied) {
    // Encoded (or copied) once, after the head, into one buffer the records then view.
    const bytes = allocate(total);
    bytes.write(head, 0, 'latin1');
    writeBody(bytes, head.length, body, encoding);
    return framedViews(type, requestId, [bytes], total);
  }
  const parts = head.length === 0 ? [body] : [Buffer.from(head, 'latin1'), body];
  return framedViews(type, requestId, parts, total);
}

function writeBody(out: Buffer, at: number, body: string | Uint8Array, encoding: 'latin1' | 'utf8'): void {
  if (typeof body === 'string') out.write(body, at, encoding);
  else out.set(body, at);
}
