// catch_workers_output lines as php-fpm writes them (php-fpm's sapi/fpm/fpm/fpm_stdio.c): a line longer
// than log_limit is not cut but wrapped, and every physical line carries the whole decoration
// (`[time] WARNING: [pool www] child 123 said into stderr: "` ... `"`) and is exactly log_limit
// characters long, except the last. A line still open when the pipe closes ends with
// `, pipe is closed`, after the closing quote. The lines come escaped (src/log/log-escape.ts
// escapeLogBytes), and no piece ends inside an escape.
import { formatLogLine } from './line-format.js';
import { cutLogText } from './log-escape.js';

/** Width of `[DD-Mon-YYYY HH:MM:SS] WARNING: ` (fixed: the time has a fixed width at this level). */
const WARNING_HEAD = formatLogLine('warning', '', new Date(0)).length;

/**
 * The messages (for ErrorLog.warning) that one captured line becomes when decorated; each formatted
 * line is at most `limit` characters.
 */
export function decoratedWorkerLines(
  pool: string,
  pid: number,
  stream: 'stdout' | 'stderr',
  line: string,
  suffix: string,
  limit: number,
): string[] {
  const open = `[pool ${pool}] child ${pid} said into ${stream}: "`;
  const room = Math.max(1, limit - WARNING_HEAD - open.length - 1); // 1: the closing quote
  const out: string[] = [];
  let rest = line;
  for (;;) {
    if (rest.length + suffix.length <= room) {
      out.push(`${open}${rest}"${suffix}`);
      break;
    }
    // Full pieces of `room`; a remainder that fits only without the suffix leaves one character for
    // the last line, which carries the suffix.
    const piece = cutLogText(rest, Math.min(room, rest.length - 1));
    out.push(`${open}${piece}"`);
    rest = rest.slice(piece.length);
  }
  return out;
}

/** decorate_workers_output = no: the line as written, in pieces of `limit` characters. */
export function plainWorkerLines(line: string, limit: number): string[] {
  if (line.length <= limit) return [line];
  const out: string[] = [];
  for (let rest = line; rest !== '';) {
    const piece = cutLogText(rest, limit);
    out.push(piece);
    rest = rest.slice(piece.length);
  }
  return out;
}
