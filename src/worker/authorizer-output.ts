// The FastCGI AUTHORIZER role (FastCGI specification, section 6.3): the script runs as for a responder, and its CGI answer is
// shaped for the web server. A 200 means "allow": the server then ignores the body and every header
// but `Variable-*` ones (which it passes on to the next phase, e.g. as environment of the responder),
// so only those are sent. Any other status means "deny": the server sends the whole response to the
// client, so it goes out unchanged.
//
// The shaping works on the STDOUT bytes, below every handler mode (fetch, node, cgi, threads), so a
// script in any mode can be an authorizer; `ctx.role === 'authorizer'` tells a fetch script which
// role it plays (one script can guard and serve the same URL).
import type { FcgiResponse } from './fcgi-response.js';

/** The Variable- prefix of the spec, compared case-insensitively as header names are. */
const VARIABLE_PREFIX = 'variable-';

/** Longest response head held while looking for its end; a longer one is passed on unparsed. */
const MAX_HEAD_BYTES = 64 * 1024;

/** Where the CGI head ends in `bytes` (CRLF CRLF or LF LF), as [head length, separator length]. */
function headEnd(bytes: Buffer): [number, number] | undefined {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return [crlf, 4];
  if (lf !== -1) return [lf, 2];
  return undefined;
}

/**
 * The head an allowing authorizer sends: its `Variable-*` lines only, or undefined when the head
 * denies (a Status other than 200) and must go out as written. Variable names are upper-cased: they
 * become environment variables (Apache passes them on as written, to the responder too), which are
 * upper case by convention, and a fetch script cannot choose the case (Headers lower-cases names).
 */
export function allowedHead(head: string): string | undefined {
  const lines = head.split(/\r?\n/);
  const variables: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === 'status') {
      const code = /^\s*(\d{3})/.exec(line.slice(colon + 1))?.[1];
      if (code !== '200') return undefined;
    } else if (name.startsWith(VARIABLE_PREFIX) && name.length > VARIABLE_PREFIX.length) {
      variables.push(`Variable-${name.slice(VARIABLE_PREFIX.length).toUpperCase()}:${line.slice(colon + 1)}`);
    }
  }
  return variables.map((line) => `${line}\r\n`).join('') + '\r\n';
}

/**
 * Filters one authorizer request's STDOUT in place: the head is held until it is complete, then
 * either reduced to its Variable- lines (allow; the body is dropped) or passed on with the body
 * (deny). Replaces the instance's stdout/end methods: the response object is created by the
 * connection for every role, and only authorizer requests take this path.
 */
export function shapeAuthorizerOutput(response: FcgiResponse): void {
  const writeStdout = response.stdout.bind(response);
  const endResponse = response.end.bind(response);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let mode: 'head' | 'pass' | 'drop' = 'head';

  const flushPending = (): Promise<void> => {
    const bytes = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return writeStdout(bytes);
  };

  response.stdout = (data: Uint8Array): Promise<void> => {
    if (mode === 'pass') return writeStdout(data);
    if (mode === 'drop' || data.length === 0) return Promise.resolve();
    pending.push(Buffer.from(data));
    pendingBytes += data.length;
    const joined = Buffer.concat(pending, pendingBytes);
    const end = headEnd(joined);
    if (end === undefined) {
      if (pendingBytes <= MAX_HEAD_BYTES) return Promise.resolve();
      mode = 'pass'; // not a CGI head the filter understands: the web server decides what it is
      return flushPending();
    }
    const allowed = allowedHead(joined.subarray(0, end[0]).toString('latin1'));
    pending = [];
    pendingBytes = 0;
    if (allowed === undefined) {
      mode = 'pass';
      return writeStdout(joined);
    }
    mode = 'drop';
    return writeStdout(Buffer.from(allowed, 'latin1'));
  };

  response.end = async (...args: Parameters<FcgiResponse['end']>): Promise<void> => {
    // A head that never ended (or an empty answer) goes out as it is: the web server judges it.
    if (mode === 'head' && pendingBytes > 0) {
      mode = 'pass';
      await flushPending();
    }
    await endResponse(...args);
  };
}
