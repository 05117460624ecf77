// The error log's file or stderr, written synchronously with plain write(2) calls: no line is lost
// when the master exits or crashes, and the master needs no logging library in memory for it (pino
// is loaded only for `log_format = json`, src/log/error-log.ts).
import { closeSync, openSync, writeSync } from 'node:fs';

/** How long to wait before writing again to a descriptor that is full (a non-blocking pipe). */
const FULL_WAIT_MS = 1;
/** A log line is given up after this many full-descriptor waits in a row, rather than the master stalling. */
const FULL_WAITS = 1000;
const pause = new Int32Array(new SharedArrayBuffer(4));

export type LineTarget = { readonly fd: number } | { readonly path: string };

export class SyncLineWriter {
  readonly #path: string | undefined;
  #fd: number;

  constructor(target: LineTarget) {
    this.#path = 'path' in target ? target.path : undefined;
    this.#fd = 'path' in target ? openSync(target.path, 'a') : target.fd;
  }

  /** Writes the text whole (pino's destination interface too). */
  write(text: string): boolean {
    const bytes = Buffer.from(text, 'utf8');
    let at = 0;
    let fullWaits = 0;
    while (at < bytes.length) {
      try {
        at += writeSync(this.#fd, bytes, at);
        fullWaits = 0;
      } catch (err) {
        // A full non-blocking pipe (stderr of a slow reader): wait a moment and go on.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || ++fullWaits > FULL_WAITS) return false;
        Atomics.wait(pause, 0, 0, FULL_WAIT_MS);
      }
    }
    return true;
  }

  /** A rotated file is replaced by a fresh one at the same path (SIGUSR1). */
  reopen(): void {
    if (this.#path === undefined) return;
    const fresh = openSync(this.#path, 'a');
    const old = this.#fd;
    this.#fd = fresh;
    closeSync(old);
  }

  /** Nothing is buffered: every write has reached the kernel when it returns. */
  flushSync(): void {}

  end(): void {
    if (this.#path !== undefined) closeSync(this.#fd);
  }
}
