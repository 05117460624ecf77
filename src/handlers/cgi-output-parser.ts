// The head of a CGI script's output (RFC 3875 §6): header lines up to a blank line, LF or CRLF.
// `Status:` sets the status; a `Location:` with an absolute URL and no Status is a client redirect
// (302); a local `Location:` is passed on for the web server, as PHP-FPM does.
import { formatResponseHead } from './cgi-response.js';

const MAX_HEAD_BYTES = 64 * 1024;

export interface CgiHead {
  readonly status: number;
  readonly head: Buffer;
  /** Body bytes that arrived with the head. */
  readonly rest: Buffer;
}

export class CgiOutputParser {
  #pending: Buffer = Buffer.alloc(0);

  /** Returns the head once complete (then the caller streams the rest as body), else undefined. */
  feed(data: Buffer): CgiHead | undefined {
    const buf = this.#pending.length === 0 ? data : Buffer.concat([this.#pending, data]);
    const end = findBlankLine(buf);
    if (end === undefined) {
      if (buf.length > MAX_HEAD_BYTES) throw new Error(`no end of the CGI header block in the first ${MAX_HEAD_BYTES} bytes`);
      this.#pending = buf;
      return undefined;
    }
    this.#pending = Buffer.alloc(0);
    return { ...parseCgiHead(buf.subarray(0, end.at).toString('latin1')), rest: buf.subarray(end.at + end.length) };
  }
}

function findBlankLine(buf: Buffer): { at: number; length: number } | undefined {
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) {
    if (buf[i + 1] === 10) return { at: i, length: 2 };
    if (buf[i + 1] === 13 && buf[i + 2] === 10) return { at: i, length: 3 };
  }
  if (buf[0] === 10) return { at: 0, length: 1 };
  if (buf[0] === 13 && buf[1] === 10) return { at: 0, length: 2 };
  return undefined;
}

export function parseCgiHead(text: string): { status: number; head: Buffer } {
  let status = 200;
  let reason: string | undefined;
  let statusSet = false;
  let location: string | undefined;
  const headers: [string, string][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      if (line.trim() !== '') throw new Error(`malformed CGI header line '${line.slice(0, 80)}'`);
      continue;
    }
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    const lower = name.toLowerCase();
    if (lower === 'status') {
      const match = /^(\d{3})(?:\s+(.*))?$/.exec(value);
      if (match?.[1] === undefined) throw new Error(`bad CGI Status header '${value}'`);
      status = Number(match[1]);
      reason = match[2];
      statusSet = true;
      continue;
    }
    if (lower === 'location') location = value;
    headers.push([name, value]);
  }
  if (!statusSet && location !== undefined && /^[a-z][a-z0-9+.-]*:/i.test(location)) status = 302;
  return { status, head: formatResponseHead(status, reason, headers) };
}
