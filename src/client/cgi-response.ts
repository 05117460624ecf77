// The CGI response a FastCGI responder writes on FCGI_STDOUT (RFC 3875 section 6), read as a web server
// reads it: `Status: 404 Not Found` sets the status; without it the status is 200, or 302 when there
// is a Location header (nginx's rule, see request/cgi-head.ts).
import { splitCgiResponse } from '../request/cgi-head.js';

export interface CgiResponse {
  readonly status: number;
  readonly statusText: string;
  /** Header lines in order, as sent (Status included). */
  readonly headers: readonly (readonly [string, string])[];
  /** The header block exactly as received, up to and without the blank line. */
  readonly headerText: string;
  readonly body: Buffer;
}

export function parseCgiResponse(stdout: Buffer): CgiResponse {
  const { head, headText, body } = splitCgiResponse(stdout, 'web-server');
  // No header block at all: the whole output is the body (a broken responder); treat as 200.
  if (head === undefined) return { status: 200, statusText: 'OK', headers: [], headerText: '', body };
  const statusText = head.statusLine !== undefined ? (head.reason ?? '') : head.status === 302 ? 'Found' : 'OK';
  return { status: head.status, statusText, headers: head.headers, headerText: headText, body };
}
