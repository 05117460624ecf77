// The one escaping step between text that may come from a request or a script (URIs, headers, query
// strings, script paths, thrown errors, ctx.log, a child's stdout/stderr) and every log tsfpm writes:
// the error log, the access log, the slow log, catch_workers_output. Such text can then never start a
// line of its own (a forged `[01-Jan-2030 00:00:00] ALERT: ...` entry), move a terminal's cursor, or
// make a log file invalid UTF-8, in the spirit of php-fpm's sapi/fpm/fpm/fpm_stdio.c and fpm_log.c.
//
// Written as escapes: LF `\n`, CR `\r`, TAB `\t` (see KeepInText for the LF and TAB an error-log
// message keeps), every other C0 control, DEL and C1 control as `\xHH`
// (ESC is `\x1b`, NUL `\x00`), the Unicode line and paragraph separators and lone surrogates as
// `\u{HHHH}`, and, from raw bytes, each byte of an invalid UTF-8 sequence as `\xHH`. Backslashes are
// left alone: a Windows path or a regular expression stays readable.

/** Anything the escape step changes (the fast path tests this once). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this matches
const NEEDS_ESCAPE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cs}/u;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this matches
const ESCAPED = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cs}/gu;

function escapeChar(ch: string): string {
  switch (ch) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
  }
  const code = ch.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * What an escaped text keeps as is. 'nothing': a field (an access-log value, a slowlog path) escapes
 * every control character, TAB included, so it cannot add a column either. 'layout': an error-log
 * message keeps its TABs (php-fpm's `-tt` dump indents with them) and its continuation lines, a line
 * break followed by a space or a TAB: the indented frames of a stack trace ("    at f (file:1:2)")
 * stay readable, and a line that starts with blank space can never be taken for an entry, which
 * starts with `[`. Every other line break is written `\n`.
 */
export type KeepInText = 'nothing' | 'layout';

/** `text` with its control characters escaped. */
export function escapeLogText(text: string, keep: KeepInText = 'nothing'): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  if (keep === 'nothing') return text.replace(ESCAPED, escapeChar);
  return text.replace(ESCAPED, (ch: string, offset: number) => {
    if (ch === '\t') return ch;
    const next = text[offset + 1];
    return ch === '\n' && (next === ' ' || next === '\t') ? ch : escapeChar(ch);
  });
}

/** Length of the valid UTF-8 sequence at `i`, or 0 when the byte there does not start one. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i] ?? 0;
  if (lead < 0x80) return 1;
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 ? 4 : 0;
  if (length === 0 || lead > 0xf4 || i + length > bytes.length) return 0;
  for (let k = 1; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return 0;
  const second = bytes[i + 1] ?? 0;
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF (RFC 3629 section 4).
  if (lead === 0xe0 && second < 0xa0) return 0;
  if (lead === 0xed && second > 0x9f) return 0;
  if (lead === 0xf0 && second < 0x90) return 0;
  if (lead === 0xf4 && second > 0x8f) return 0;
  return length;
}

/** Raw bytes (a child's output) as escaped text: valid UTF-8 decoded, each invalid byte as `\xHH`. */
export function escapeLogBytes(bytes: Buffer, keep: KeepInText = 'nothing'): string {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += `${escapeLogText(bytes.toString('utf8', start, i), keep)}\\x${(bytes[i] ?? 0).toString(16).padStart(2, '0')}`;
    start = ++i;
  }
  return out + escapeLogText(bytes.toString('utf8', start), keep);
}

/** An escape cut short at the end of a piece (`\`, `\x1`, `\u{20`): moved whole to the next piece. */
const PARTIAL_ESCAPE_AT_END = /\\(?:x[0-9a-f]?|u(?:\{[0-9a-f]*)?)?$/;

/**
 * The longest start of `text` of at most `max` characters that ends neither inside an escape nor
 * between the two halves of a surrogate pair (which would write invalid UTF-8). Never empty when
 * `max` > 0 and text is not empty: a piece that would be is cut at `max` as is.
 */
export function cutLogText(text: string, max: number): string {
  if (text.length <= max) return text;
  let piece = text.slice(0, max);
  const last = piece.charCodeAt(piece.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) piece = piece.slice(0, -1);
  const partial = PARTIAL_ESCAPE_AT_END.exec(piece);
  if (partial !== null) piece = piece.slice(0, partial.index);
  return piece === '' ? text.slice(0, max) : piece;
}
