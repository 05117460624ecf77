// Reads what http.ServerResponse writes to the virtual socket and turns it into a CGI response: the
// status line and headers become a `Status:` + header block, a chunked body is unframed, interim
// 1xx heads are dropped. Hop-by-hop headers are nginx's to set.
import { formatResponseHead } from './cgi-response.js';

const HEAD_END = Buffer.from('\r\n\r\n');
/** Shared: an empty Buffer holds nothing to change, and feed() runs for every write of every response. */
const EMPTY = Buffer.alloc(0);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);
/** Larger heads are refused (http.Server writes small ones; this is a guard, not a feature). */
const MAX_HEAD_BYTES = 256 * 1024;

export interface ParsedHead {
  readonly status: number;
  readonly head: Buffer;
}

type State = 'head' | 'raw' | 'size' | 'data' | 'data-end' | 'trailers' | 'done';

export class NodeResponseParser {
  #state: State = 'head';
  #pending: Buffer = EMPTY;
  #chunkLeft = 0;

  /** Feeds bytes; returns the CGI head (once) and body bytes found in them. */
  feed(data: Buffer): { head: ParsedHead | undefined; body: Buffer[] } {
    let buf = this.#pending.length === 0 ? data : Buffer.concat([this.#pending, data]);
    this.#pending = EMPTY;
    let head: ParsedHead | undefined;
    const body: Buffer[] = [];
    while (buf.length > 0 && this.#state !== 'done') {
      if (this.#state === 'head') {
        const end = buf.indexOf(HEAD_END);
        if (end < 0) {
          if (buf.length > MAX_HEAD_BYTES) throw new Error('the response head is too large');
          this.#pending = buf;
          return { head, body };
        }
        const parsed = this.#parseHead(buf.subarray(0, end).toString('latin1'));
        buf = buf.subarray(end + 4);
        if (parsed !== undefined) head = parsed;
      } else if (this.#state === 'raw') {
        body.push(buf);
        buf = EMPTY;
      } else if (this.#state === 'size' || this.#state === 'trailers' || this.#state === 'data-end') {
        const eol = buf.indexOf('\r\n');
        if (eol < 0) {
          this.#pending = buf;
          return { head, body };
        }
        const line = buf.subarray(0, eol).toString('latin1');
        buf = buf.subarray(eol + 2);
        if (this.#state === 'data-end') this.#state = 'size';
        else if (this.#state === 'trailers') {
          if (line === '') this.#state = 'done';
        } else {
          const size = parseInt(line.split(';')[0] ?? '', 16);
          if (!Number.isFinite(size) || size < 0) throw new Error(`bad chunk size line '${line}'`);
          this.#chunkLeft = size;
          this.#state = size === 0 ? 'trailers' : 'data';
        }
      } else {
        const take = Math.min(this.#chunkLeft, buf.length);
        body.push(buf.subarray(0, take));
        buf = buf.subarray(take);
        this.#chunkLeft -= take;
        if (this.#chunkLeft === 0) this.#state = 'data-end';
      }
    }
    return { head, body };
  }

  #parseHead(text: string): ParsedHead | undefined {
    const lines = text.split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    if (match?.[1] === undefined) throw new Error(`bad status line '${lines[0] ?? ''}'`);
    const status = Number(match[1]);
    if (status < 200) return undefined; // 100 Continue, 103 Early Hints: the real head follows
    let chunked = false;
    const headers: [string, string][] = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      const lower = name.toLowerCase();
      if (lower === 'transfer-encoding' && /chunked/i.test(value)) chunked = true;
      if (!HOP_BY_HOP.has(lower)) headers.push([name, value]);
    }
    this.#state = chunked ? 'size' : 'raw';
    return { status, head: formatResponseHead(status, match[2], headers) };
  }
}
