// The access log writer of one child: whole lines into a buffer, one write(2) per flush on an
// O_APPEND fd, so lines from several children never interleave inside a line. Flushed within
// FLUSH_DELAY_MS, when the buffer grows large, and synchronously at exit. The file is opened before
// the child drops its privileges (php-fpm opens it in the master as root and the workers inherit it).
import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeLogDirectory } from './make-log-dir.js';

const FLUSH_DELAY_MS = 100;
const FLUSH_BYTES = 64 * 1024;

export class AccessLogWriter {
  readonly path: string;
  #fd: number;
  #pending: string[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(path: string) {
    this.path = path;
    this.#fd = openAppend(path);
  }

  write(line: string): void {
    this.#pending.push(`${line}\n`);
    this.#pendingBytes += line.length + 1;
    if (this.#pendingBytes >= FLUSH_BYTES) this.flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
      this.#timer.unref();
    }
  }

  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const data = Buffer.from(this.#pending.join(''), 'utf8');
    this.#pending = [];
    this.#pendingBytes = 0;
    let offset = 0;
    while (offset < data.length) offset += writeSync(this.#fd, data, offset);
  }

  /**
   * SIGUSR1 (logrotate): pending lines go to the old file, later ones to a fresh file at the path.
   * Throws when the path cannot be opened (e.g. the child no longer has the rights): the old fd stays.
   */
  reopen(): void {
    this.flush();
    const fresh = openAppend(this.path);
    const old = this.#fd;
    this.#fd = fresh;
    closeSync(old);
  }

  close(): void {
    this.flush();
    closeSync(this.#fd);
  }
}

function openAppend(path: string): number {
  makeLogDirectory(dirname(path));
  return openSync(path, 'a', 0o600);
}
