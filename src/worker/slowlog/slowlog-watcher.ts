// The main-thread side of the slowlog: opens the slowlog file (before the child drops privileges),
// starts the slowlog thread, and publishes the oldest running request to it in shared memory. Only
// pools with `slowlog` and `request_slowlog_timeout` get one.
import { openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PoolConfig } from '../../config/types.js';
import { SHARED_REQUEST_BYTES, SharedRequest } from './shared-request.js';
import type { SlowlogThreadData } from './slowlog-thread.js';
import { makeLogDirectory } from '../../log/make-log-dir.js';

const THREAD_ENTRY = new URL('./slowlog-thread.js', import.meta.url);

export interface SlowlogRequest {
  readonly startedAtMs: number;
  readonly params: Readonly<Record<string, string | undefined>>;
}

export class SlowlogWatcher {
  readonly #path: string;
  readonly #worker: Worker;
  readonly #shared: SharedRequest;
  /** Requests in progress, oldest first (Map keeps insertion order). */
  readonly #running = new Map<SlowlogRequest, number>();
  #nextId = 1;

  constructor(pool: PoolConfig, path: string) {
    this.#path = path;
    const buffer = new SharedArrayBuffer(SHARED_REQUEST_BYTES);
    this.#shared = new SharedRequest(buffer);
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

  begin(request: SlowlogRequest): void {
    const id = this.#nextId++;
    if (this.#nextId > 0x7fffffff) this.#nextId = 1;
    this.#running.set(request, id);
    if (this.#running.size === 1) this.#publishOldest();
  }

  end(request: SlowlogRequest): void {
    const wasOldest = this.#running.keys().next().value === request;
    this.#running.delete(request);
    if (wasOldest) this.#publishOldest();
  }

  /** SIGUSR1: a fresh fd for the slowlog path; the thread closes the old one. */
  reopen(): void {
    this.#worker.postMessage({ type: 'fd', fd: openAppend(this.#path) });
  }

  #publishOldest(): void {
    const first = this.#running.entries().next();
    if (first.done === true) {
      this.#shared.publish(undefined);
      return;
    }
    const [request, id] = first.value;
    this.#shared.publish({ id, startedAtMs: request.startedAtMs, script: request.params['SCRIPT_FILENAME'] ?? '-' });
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
