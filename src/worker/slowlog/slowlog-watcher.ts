// The main-thread side of the slowlog: opens the slowlog file (before the child drops privileges),
// starts the slowlog thread, and publishes how many requests run (the thread reads which from the
// scoreboard slot). Only pools with `slowlog` and `request_slowlog_timeout` get one.
import { openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PoolConfig } from '../../config/types.js';
import { SHARED_RUNNING_BYTES, SharedRunning } from './shared-running.js';
import type { SlowlogThreadData } from './slowlog-thread.js';
import { makeLogDirectory } from '../../log/make-log-dir.js';

const THREAD_ENTRY = new URL('./slowlog-thread.js', import.meta.url);

export class SlowlogWatcher {
  readonly #path: string;
  readonly #worker: Worker;
  readonly #shared: SharedRunning;

  constructor(pool: PoolConfig, path: string) {
    this.#path = path;
    const buffer = new SharedArrayBuffer(SHARED_RUNNING_BYTES);
    this.#shared = new SharedRunning(buffer);
    const data: SlowlogThreadData = {
      buffer,
      fd: openAppend(path),
      pool: pool.name,
      pid: process.pid,
      timeoutMs: pool.requestSlowlogTimeoutMs,
      depth: pool.requestSlowlogTraceDepth,
    };
    this.#worker = new Worker(THREAD_ENTRY, { workerData: data, stdout: false, stderr: false });
    this.#worker.unref(); // the thread never keeps a finished child alive
  }

  /** The number of requests running now (after each start and end). */
  setRunning(running: number): void {
    this.#shared.set(running);
  }

  /** SIGUSR1: a fresh fd for the slowlog path; the thread closes the old one. */
  reopen(): void {
    this.#worker.postMessage({ type: 'fd', fd: openAppend(this.#path) });
  }
}

function openAppend(path: string): number {
  makeLogDirectory(dirname(path));
  return openSync(path, 'a', 0o600);
}

/** The pool's slowlog watcher, or undefined when the pool has no slowlog. */
export function startSlowlogWatcher(pool: PoolConfig): SlowlogWatcher | undefined {
  if (pool.slowlog === undefined || pool.slowlog === '' || pool.requestSlowlogTimeoutMs <= 0) return undefined;
  return new SlowlogWatcher(pool, pool.slowlog);
}
