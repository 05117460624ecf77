// A child's stdout and stderr in the master. stderr is always a pipe (src/master/spawn-child.ts): V8
// announces a heap-limit crash there ("FATAL ERROR: ... JavaScript heap out of memory") just before
// the SIGABRT, and the exit line says so. With catch_workers_output = yes what the child writes
// becomes error-log lines, escaped (src/log/log-escape.ts), decorated and wrapped at log_limit as
// php-fpm does (sapi/fpm/fpm/fpm_stdio.c fpm_stdio_child_said()), or undecorated with
// decorate_workers_output = no; otherwise it is read and dropped.
import type { PoolConfig } from '../config/types.js';
import type { ErrorLog } from '../log/error-log.js';
import { escapeLogBytes } from '../log/log-escape.js';
import { decoratedWorkerLines, plainWorkerLines } from '../log/worker-output.js';
import { readByteLines } from './byte-lines.js';
import type { Child } from './child.js';

/** V8's last words when the old generation cannot grow (src/heap and node's OOMErrorHandler). */
const HEAP_LIMIT_LINE = /^FATAL ERROR: .*JavaScript heap out of memory/;
/** How long a child's exit waits for the rest of its stderr (a grandchild may hold the pipe open). */
const OUTPUT_WAIT_MS = 200;

const heapLimitReached = new WeakSet<Child>();

/** V8 said on the child's stderr that it reached the heap limit. */
export function reachedHeapLimit(child: Child): boolean {
  return heapLimitReached.has(child);
}

export function captureWorkerOutput(child: Child, pool: PoolConfig, log: ErrorLog): void {
  const write = (stream: 'stdout' | 'stderr', bytes: Buffer, suffix: string): void => {
    if (!pool.catchWorkersOutput) return;
    const line = escapeLogBytes(bytes, 'layout');
    if (!pool.decorateWorkersOutput) {
      for (const piece of plainWorkerLines(line, log.limit)) log.raw(piece);
      return;
    }
    for (const message of decoratedWorkerLines(pool.name, child.pid, stream, line, suffix, log.limit))
      log.warning(message);
  };
  const stdout = child.process.stdout;
  if (stdout !== null) {
    readByteLines(
      stdout,
      (line) => write('stdout', line, ''),
      (partial) => write('stdout', partial, ', pipe is closed'),
    );
  }
  const stderr = child.process.stderr;
  if (stderr !== null) {
    readByteLines(
      stderr,
      (line) => {
        if (line.length < 200 && HEAP_LIMIT_LINE.test(line.toString('latin1'))) heapLimitReached.add(child);
        write('stderr', line, '');
      },
      (partial) => write('stderr', partial, ', pipe is closed'),
    );
  }
}

/**
 * Runs `then` once the child's stderr has been read to its end (an exit event may come before the
 * last output), or after OUTPUT_WAIT_MS.
 */
export function afterWorkerOutput(child: Child, then: () => void): void {
  const stderr = child.process.stderr;
  if (stderr === null || stderr.readableEnded || stderr.destroyed) {
    then();
    return;
  }
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    then();
  };
  const timer = setTimeout(finish, OUTPUT_WAIT_MS);
  stderr.once('end', finish);
  stderr.once('close', finish);
}
