// Messages produced while loading a configuration. The text is already framed the way php-fpm frames it
// (`[file:line] …` for parse errors, `[pool www] …` for pool checks) so the CLI only adds the log prefix.
import type { ErrorCode } from '../errors.js';
import type { LogLevel } from './types.js';

export interface ConfigMessage {
  level: LogLevel;
  message: string;
  file?: string;
  line?: number;
  /** Set on errors: which TSFPM_ERR_CONF_* family the message belongs to. */
  code?: ErrorCode;
}

export interface Located {
  readonly file: string;
  readonly line: number;
}

export class MessageSink {
  readonly messages: ConfigMessage[] = [];

  add(level: LogLevel, message: string, where?: Located, code?: ErrorCode): void {
    const m: ConfigMessage = { level, message };
    if (where) {
      m.file = where.file;
      m.line = where.line;
    }
    if (code) m.code = code;
    this.messages.push(m);
  }

  /** A php-fpm parse-time error: `[file:line] text`. */
  atLine(where: Located, text: string, code: ErrorCode): void {
    this.add('error', `[${where.file}:${where.line}] ${text}`, where, code);
  }

  get errorCount(): number {
    return this.messages.filter(isError).length;
  }
}

export function isError(m: ConfigMessage): boolean {
  return m.level === 'error' || m.level === 'alert';
}

/** Quote a value for a message, with control characters escaped (php-fpm's str_purify_filename spirit). */
export function quote(value: string): string {
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point here
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `'${clean}'`;
}

/** Levenshtein distance, for "did you mean" hints on unknown entries. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

/** The closest candidate within a small distance, or undefined. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(name.length / 4));
  return bestD <= limit ? best : undefined;
}
