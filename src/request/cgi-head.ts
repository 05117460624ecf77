// The head of a CGI response (RFC 3875 section 6: header lines, then a blank line, then the body), as
// it travels on FastCGI STDOUT. One parser, pure and sans-IO, for every side that reads one: cgi mode
// reading its script's output, `tsfpm request` reading a responder's answer, and the tests.
//
// Where the readers differ is the status of a head with a `Location` header and no `Status` line:
// - 'web-server': any such Location means 302. This is what nginx does with a FastCGI answer
//   (src/http/modules/ngx_http_fastcgi_module.c, ngx_http_fastcgi_process_header(): no Status and a
//   Location header give "302 Moved Temporarily"), so `tsfpm request` reports what a browser would get.
// - 'cgi-gateway': only an absolute URL is a client redirect (302, RFC 3875 section 6.2.3); a local
//   path (section 6.2.2) is passed on with no Status line and the web server decides (nginx: 302 by
//   the rule above). cgi mode uses it for the scripts it runs.
// - 'as-sent': the status is the Status line's or 200; Location changes nothing (tests reading what
//   tsfpm itself sent).
// PHP applies its own rule earlier, when a script calls header('Location: ...') (main/SAPI.c,
// sapi_header_op()): 302 unless the status is already 201 or 3xx, 303 for a non-GET/HEAD request on
// HTTP/1.1, and that status goes out as an explicit Status line, so a PHP-FPM answer needs no rule.

export type LocationRule = 'web-server' | 'cgi-gateway' | 'as-sent';

export interface CgiHead {
  /** The Status line's code; else what the Location rule gives; else 200. */
  readonly status: number;
  /** The Status line's reason phrase (undefined when it had none, or the status was not sent). */
  readonly reason: string | undefined;
  /** The Status header line as sent, or undefined when there was none (or it was malformed). */
  readonly statusLine: string | undefined;
  /** Every line of the head as sent, line ends removed. */
  readonly lines: readonly string[];
  /** `Name: value` pairs in order, trimmed, the Status header included. */
  readonly headers: readonly (readonly [string, string])[];
  /** The first problem found (a line without a name and colon, a Status that is not a 3-digit code); the rest is still parsed. */
  readonly error: string | undefined;
}

/**
 * Where the head ends in `bytes`: `headEnd` after its last header line (without that line's CR LF or
 * LF), `bodyStart` after the blank line. A blank line may follow an LF or a CRLF and may itself be
 * LF or CRLF; a blank first line is an empty head.
 */
export function findCgiHeadEnd(
  bytes: Uint8Array,
): { readonly headEnd: number; readonly bodyStart: number } | undefined {
  if (bytes[0] === 10) return { headEnd: 0, bodyStart: 1 };
  if (bytes[0] === 13 && bytes[1] === 10) return { headEnd: 0, bodyStart: 2 };
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) {
    const blank = bytes[i + 1] === 10 ? 1 : bytes[i + 1] === 13 && bytes[i + 2] === 10 ? 2 : 0;
    if (blank > 0) return { headEnd: bytes[i - 1] === 13 ? i - 1 : i, bodyStart: i + 1 + blank };
  }
  return undefined;
}

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:/i;

/** Parses the head's text (latin1, without the blank line that ends it). */
export function parseCgiHead(text: string, rule: LocationRule): CgiHead {
  const lines = text === '' ? [] : text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  const headers: [string, string][] = [];
  let error: string | undefined;
  let status: number | undefined;
  let reason: string | undefined;
  let statusLine: string | undefined;
  let location: string | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) {
      if (line.trim() !== '') error ??= `malformed CGI header line '${line.slice(0, 80)}'`;
      continue;
    }
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    headers.push([name, value]);
    const lower = name.toLowerCase();
    if (lower === 'location') location ??= value;
    if (lower !== 'status' || status !== undefined) continue;
    const match = /^(\d{3})(?:\s+(.*))?$/.exec(value);
    if (match?.[1] === undefined) {
      error ??= `bad CGI Status header '${value}'`;
      continue;
    }
    status = Number(match[1]);
    reason = match[2];
    statusLine = line;
  }
  if (status === undefined) status = location !== undefined && redirects(rule, location) ? 302 : 200;
  return { status, reason, statusLine, lines, headers, error };
}

function redirects(rule: LocationRule, location: string): boolean {
  if (rule === 'web-server') return true;
  if (rule === 'cgi-gateway') return ABSOLUTE_URL.test(location);
  return false;
}

/** A whole STDOUT split at its head; `head` is undefined when no blank line ends one (all of it is then body). */
export function splitCgiResponse(
  stdout: Buffer,
  rule: LocationRule,
): { readonly head: CgiHead | undefined; readonly headText: string; readonly body: Buffer } {
  const end = findCgiHeadEnd(stdout);
  if (end === undefined) return { head: undefined, headText: '', body: stdout };
  const headText = stdout.subarray(0, end.headEnd).toString('latin1');
  return { head: parseCgiHead(headText, rule), headText, body: stdout.subarray(end.bodyStart) };
}
