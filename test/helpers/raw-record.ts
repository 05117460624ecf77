// A FastCGI record built byte by byte, every header field settable even to a wrong value: the raw
// input of the codec tests and of the fuzz case generator.
import { FCGI_HEADER_LEN, FCGI_MAX_CONTENT_LEN, FCGI_VERSION_1 } from '../../src/fastcgi/constants.js';

/** A record as the tests want to build it: every header field can be set, even to a wrong value. */
export interface RawRecordSpec {
  readonly type: number;
  readonly requestId: number;
  readonly content?: Uint8Array;
  /** Defaults to 1; anything else is a protocol error. */
  readonly version?: number;
  /** Defaults to what pads the content to a multiple of 8. */
  readonly paddingLength?: number;
  /** The value of the padding bytes (ignored by receivers); defaults to 0. */
  readonly paddingByte?: number;
  /** The value of header byte 7; defaults to 0. */
  readonly reserved?: number;
  /** Writes this into the contentLength field instead of the real length (a lying header). */
  readonly contentLengthField?: number;
}

export function rawRecord(spec: RawRecordSpec): Buffer {
  const content = spec.content ?? new Uint8Array(0);
  if (content.length > FCGI_MAX_CONTENT_LEN) throw new Error('rawRecord: content too long for one record');
  const padding = spec.paddingLength ?? (8 - (content.length % 8)) % 8;
  const out = Buffer.alloc(FCGI_HEADER_LEN + content.length + padding, spec.paddingByte ?? 0);
  out[0] = spec.version ?? FCGI_VERSION_1;
  out[1] = spec.type;
  out.writeUInt16BE(spec.requestId, 2);
  out.writeUInt16BE(spec.contentLengthField ?? content.length, 4);
  out[6] = padding;
  out[7] = spec.reserved ?? 0;
  out.set(content, FCGI_HEADER_LEN);
  return out;
}
