// The CGI response a FastCGI responder writes on FCGI_STDOUT (RFC 3875 section 6): header lines, a blank
// line, the body. `Status: 404 Not Found` sets the status; without it the status is 200 (302 with a
// Location header).

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
  const { end, separator } = findHeaderEnd(stdout);
  if (end === -1) {
    // No header block at all: the whole output is the body (a broken responder); treat as 200.
    return { status: 200, statusText: 'OK', headers: [], headerText: '', body: stdout };
  }
  const headerText = stdout.subarray(0, end).toString('latin1');
  const headers: [string, string][] = [];
  for (const line of headerText.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  let status = headers.some(([name]) => name.toLowerCase() === 'location') ? 302 : 200;
  let statusText = status === 302 ? 'Found' : 'OK';
  const statusHeader = headers.find(([name]) => name.toLowerCase() === 'status');
  if (statusHeader !== undefined) {
    const match = /^(\d{3})\s*(.*)$/.exec(statusHeader[1]);
    if (match !== null) {
      status = Number(match[1]);
      statusText = match[2] ?? '';
    }
  }
  return { status, statusText, headers, headerText, body: stdout.subarray(end + separator) };
}

function findHeaderEnd(bytes: Buffer): { end: number; separator: number } {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { end: crlf, separator: 4 };
  if (lf !== -1) return { end: lf, separator: 2 };
  return { end: -1, separator: 0 };
}
