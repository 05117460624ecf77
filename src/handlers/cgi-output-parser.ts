// The head of a CGI script's output (cgi mode), read with request/cgi-head.ts as a CGI gateway reads
// it: `Status:` sets the status; a `Location:` with an absolute URL and no Status is a client redirect
// (302); a local `Location:` is passed on for the web server. The head is then written again in the
// form every handler mode sends (formatResponseHead). A head that cannot be read is the script's fault.
import { TsfpmError } from '../errors.js';
import { findCgiHeadEnd, parseCgiHead } from '../request/cgi-head.js';
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
    const end = findCgiHeadEnd(buf);
    if (end === undefined) {
      if (buf.length > MAX_HEAD_BYTES)
        badResponse(`no end of the CGI header block in the first ${MAX_HEAD_BYTES} bytes`);
      this.#pending = buf;
      return undefined;
    }
    this.#pending = Buffer.alloc(0);
    return { ...cgiScriptHead(buf.subarray(0, end.headEnd).toString('latin1')), rest: buf.subarray(end.bodyStart) };
  }
}

/** A CGI script's head text as the head tsfpm sends; throws TSFPM_ERR_SCRIPT_BAD_RESPONSE on a malformed one. */
export function cgiScriptHead(text: string): { status: number; head: Buffer } {
  const parsed = parseCgiHead(text, 'cgi-gateway');
  if (parsed.error !== undefined) badResponse(parsed.error);
  const headers = parsed.headers.filter(([name]) => name.toLowerCase() !== 'status');
  return { status: parsed.status, head: formatResponseHead(parsed.status, parsed.reason, headers) };
}

function badResponse(message: string): never {
  throw new TsfpmError('TSFPM_ERR_SCRIPT_BAD_RESPONSE', message);
}
