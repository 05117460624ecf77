// Classifying a child's exit in one place (php-fpm's fpm_children_bury): the log line, its level, and
// whether the exit counts as a failure. `cause` says what the exit line alone cannot: a V8 heap-limit
// abort, a child stopped for pm.max_memory_hard (src/master/memory-guard.ts words it).
import { constants } from 'node:os';
import type { LogLevel } from '../config/types.js';
import type { EndReason } from './child.js';

export interface ExitVerdict {
  readonly level: LogLevel;
  readonly message: string;
  /** A crash (not asked for, not a clean exit): counts towards back-off and emergency restart. */
  readonly failure: boolean;
  /** SIGSEGV/SIGBUS, the deaths php-fpm's emergency_restart_threshold counts. */
  readonly fatalSignal: boolean;
}

export function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}

export function classifyExit(
  pool: string,
  pid: number,
  code: number | null,
  signal: NodeJS.Signals | null,
  uptime: string,
  endReason: EndReason | undefined,
  retiring: boolean,
  cause?: string,
): ExitVerdict {
  const where = `[pool ${pool}] child ${pid}`;
  const because = cause === undefined ? '' : `: ${cause}`;
  const expected = endReason !== undefined || retiring;
  if (signal !== null) {
    const message = `${where} exited on signal ${signalNumber(signal)} (${signal}) after ${uptime} seconds from start${because}`;
    const level: LogLevel = endReason === 'idle' ? 'debug' : signal === 'SIGQUIT' || expected ? 'notice' : 'warning';
    return {
      level: endReason === 'timeout' ? 'warning' : level,
      message,
      failure: !expected,
      fatalSignal: signal === 'SIGSEGV' || signal === 'SIGBUS',
    };
  }
  const exitCode = code ?? 0;
  const message = `${where} exited with code ${exitCode} after ${uptime} seconds from start${because}`;
  if (endReason === 'idle') return { level: 'debug', message, failure: false, fatalSignal: false };
  return {
    level: exitCode === 0 ? 'notice' : 'warning',
    message,
    failure: exitCode !== 0 && !expected,
    fatalSignal: false,
  };
}
