// The slowlog block in php-fpm's shape (sapi/fpm/fpm/fpm_php_trace.c, fpm_php_trace()), with
// JavaScript frames:
//
//   <blank line>
//   [15-Jan-2024 10:30:00]  [pool www] pid 12345
//   script_filename = /srv/app/slow.mjs
//   [0x0000000000000000] sleepyFunction() /srv/app/slow.mjs:3
//
// php-fpm prints the address of each frame's execute_data; V8 has no such thing to show, so the
// "address" is the frame's index — the field keeps its width so slowlog parsers still split lines.
import { fileURLToPath } from 'node:url';
import { formatLogTime } from '../../log/line-format.js';

export interface StackFrame {
  readonly functionName: string;
  /** file:// URL, node:internal name, or '' when unknown. */
  readonly url: string;
  /** 0-based, as the inspector reports it. */
  readonly lineNumber: number;
}

/** The file a frame's URL names (a path for file:// URLs). */
export function frameFile(url: string): string {
  if (url === '') return 'unknown';
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return url;
    }
  }
  return url;
}

export function formatSlowlogFrame(index: number, frame: StackFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  const where = frame.url === '' ? 'unknown:0' : `${frameFile(frame.url)}:${frame.lineNumber + 1}`;
  return `[0x${index.toString(16).padStart(16, '0')}] ${name}() ${where}`;
}

/** A whole block; `frames` undefined means the stack could not be taken (php-fpm's `+++ dump failed`). */
export function formatSlowlogBlock(
  date: Date,
  pool: string,
  pid: number,
  scriptFilename: string,
  frames: readonly StackFrame[] | undefined,
  depth: number,
): string {
  let out = `\n[${formatLogTime(date)}]  [pool ${pool}] pid ${pid}\nscript_filename = ${scriptFilename}\n`;
  if (frames === undefined) return `${out}+++ dump failed\n`;
  frames.slice(0, Math.max(1, depth)).forEach((frame, i) => {
    out += `${formatSlowlogFrame(i, frame)}\n`;
  });
  return out;
}
