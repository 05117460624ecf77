// PHP-FPM's error-log line shape: `[DD-Mon-YYYY HH:MM:SS] LEVEL: message` in local time.
import type { LogLevel } from '../config/types.js';
import { escapeLogText } from './log-escape.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

export const LEVEL_LABEL: Record<LogLevel, string> = {
  alert: 'ALERT',
  error: 'ERROR',
  warning: 'WARNING',
  notice: 'NOTICE',
  debug: 'DEBUG',
};

/** Numeric severity: higher is more severe; a message is written when its rank >= the configured rank. */
export const LEVEL_RANK: Record<LogLevel, number> = {
  debug: 10,
  notice: 20,
  warning: 30,
  error: 40,
  alert: 50,
};

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `22-Nov-2026 10:00:00` (with `.uuuuuu` microseconds when asked, as php-fpm does at debug level). */
export function formatLogTime(date: Date, withMicros = false): string {
  const base =
    `${pad2(date.getDate())}-${MONTHS[date.getMonth()] ?? '???'}-${date.getFullYear()} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
  return withMicros ? `${base}.${String(date.getMilliseconds() * 1000).padStart(6, '0')}` : base;
}

/**
 * One entry. The message is escaped (src/log/log-escape.ts): only its indented continuation lines
 * (a stack trace's frames) may follow on lines of their own, so nothing in it can start an entry.
 */
export function formatLogLine(level: LogLevel, message: string, date: Date = new Date()): string {
  return `[${formatLogTime(date, level === 'debug')}] ${LEVEL_LABEL[level]}: ${escapeLogText(message, 'layout')}`;
}
