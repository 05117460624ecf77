// The master's error log, the only writer of it: php-fpm's text lines by default, pino JSON lines with
// `log_format = json`. Writes are synchronous so nothing is lost when the master exits or crashes
// (pino's asynchronous destination buffers lines, and the latest ones can be lost: pino's docs,
// "Asynchronous Logging").
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type pino from 'pino';
import type { Logger } from 'pino';
import type { LogLevel } from '../config/types.js';
import { formatLogLine, LEVEL_RANK } from './line-format.js';
import { makeLogDirectory } from './make-log-dir.js';
import { SyncLineWriter } from './sync-line-writer.js';

type Destination = SyncLineWriter;
/** pino and its dependencies stay out of the master's memory unless `log_format = json` asks for them. */
const loadPino = (): typeof pino => createRequire(import.meta.url)('pino') as typeof pino;

export type ErrorLogTarget = { readonly kind: 'stderr' } | { readonly kind: 'file'; readonly path: string };

export interface ErrorLogOptions {
  readonly level: LogLevel;
  /** Longest line, prefix included; longer messages are cut and end with '...'. */
  readonly limit: number;
  readonly format: 'text' | 'json';
  readonly target: ErrorLogTarget;
}

const PINO_LEVELS: Record<LogLevel, number> = { debug: 20, notice: 30, warning: 40, error: 50, alert: 60 };

export class ErrorLog {
  #options: ErrorLogOptions;
  #destination: Destination;
  #json: Logger<keyof typeof PINO_LEVELS> | undefined;
  /** Lines also copied to stderr until start-up completes, so a failed start is visible (php-fpm). */
  #echoToStderr = false;

  constructor(options: ErrorLogOptions) {
    this.#options = options;
    this.#destination = openDestination(options.target);
    this.#json = this.#makeJson();
  }

  get level(): LogLevel {
    return this.#options.level;
  }

  /** log_limit: the longest line, prefix included. */
  get limit(): number {
    return this.#options.limit;
  }

  set echoToStderr(value: boolean) {
    this.#echoToStderr = value && this.#options.target.kind === 'file';
  }

  isEnabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= LEVEL_RANK[this.#options.level];
  }

  log(level: LogLevel, message: string): void {
    if (!this.isEnabled(level)) return;
    if (this.#json !== undefined) {
      this.#json[level](message);
      return;
    }
    let line = formatLogLine(level, message);
    if (line.length > this.#options.limit) line = `${line.slice(0, Math.max(0, this.#options.limit - 3))}...`;
    this.#destination.write(`${line}\n`);
    if (this.#echoToStderr && LEVEL_RANK[level] >= LEVEL_RANK.notice) process.stderr.write(`${line}\n`);
  }

  /** A line written exactly as given (undecorated worker output). */
  raw(line: string): void {
    this.#destination.write(`${line}\n`);
  }

  alert(message: string): void {
    this.log('alert', message);
  }
  error(message: string): void {
    this.log('error', message);
  }
  warning(message: string): void {
    this.log('warning', message);
  }
  notice(message: string): void {
    this.log('notice', message);
  }
  debug(message: string): void {
    this.log('debug', message);
  }

  /** SIGUSR1: a rotated file is replaced by a fresh one at the configured path. */
  reopen(): void {
    if (this.#options.target.kind === 'file') this.#destination.reopen();
  }

  /** Switch to a new configuration (after a reload). */
  reconfigure(options: ErrorLogOptions): void {
    const sameTarget =
      options.target.kind === this.#options.target.kind &&
      (options.target.kind === 'stderr' ||
        (this.#options.target.kind === 'file' && options.target.path === this.#options.target.path));
    if (!sameTarget) {
      this.#destination.flushSync();
      if (this.#options.target.kind === 'file') this.#destination.end();
      this.#destination = openDestination(options.target);
    }
    this.#options = options;
    this.#json = this.#makeJson();
  }

  flush(): void {
    this.#destination.flushSync();
  }

  #makeJson(): Logger<keyof typeof PINO_LEVELS> | undefined {
    if (this.#options.format !== 'json') return undefined;
    return loadPino()(
      {
        customLevels: PINO_LEVELS,
        useOnlyCustomLevels: true,
        level: this.#options.level,
        base: { pid: process.pid },
        formatters: { level: (label) => ({ level: label.toUpperCase() }) },
      },
      this.#destination,
    );
  }
}

function openDestination(target: ErrorLogTarget): Destination {
  if (target.kind === 'stderr') return new SyncLineWriter({ fd: 2 });
  makeLogDirectory(dirname(target.path));
  return new SyncLineWriter({ path: target.path });
}
