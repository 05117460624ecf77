// Turning a status and headers into the CGI response head that travels in STDOUT.
import { STATUS_CODES } from 'node:http';

/**
 * `Status: 404 Not Found` line text (without CRLF), or undefined for 200, which PHP-FPM leaves out
 * (the web server assumes 200).
 */
export function statusLine(status: number, reason?: string): string | undefined {
  if (status === 200 && (reason === undefined || reason === '' || reason === 'OK')) return undefined;
  const text = reason !== undefined && reason !== '' ? reason : STATUS_CODES[status];
  return text === undefined ? `Status: ${status}` : `Status: ${status} ${text}`;
}

/** Header values may not carry CR or LF: a script must not be able to inject response headers. */
function clean(value: string): string {
  return /[\r\n]/.test(value) ? value.replace(/[\r\n]+/g, ' ') : value;
}

/**
 * The header block as text: optional Status line, `Name: value` lines, blank line. Header names and
 * values are byte strings (chars up to U+00FF, as Headers and the head parsers give them): the text
 * is sent as latin1, one byte per char.
 */
export function responseHeadText(
  status: number,
  reason: string | undefined,
  headers: Iterable<readonly [string, string]>,
): string {
  let head = '';
  const line = statusLine(status, reason);
  if (line !== undefined) head += `${line}\r\n`;
  for (const [name, value] of headers) head += `${clean(name)}: ${clean(value)}\r\n`;
  return `${head}\r\n`;
}

/** The header block as bytes (responseHeadText in latin1). */
export function formatResponseHead(
  status: number,
  reason: string | undefined,
  headers: Iterable<readonly [string, string]>,
): Buffer {
  return Buffer.from(responseHeadText(status, reason, headers), 'latin1');
}

/** A complete small text response (errors such as 404 `File not found.`). */
export function formatTextResponse(status: number, body: string): Buffer {
  return Buffer.concat([
    formatResponseHead(status, undefined, [['Content-type', 'text/html; charset=UTF-8']]),
    Buffer.from(body, 'utf8'),
  ]);
}
