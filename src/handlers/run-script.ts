// Runs a resolved script in the pool's mode: the per-mode dispatch behind run-request.ts, and the
// request_terminate_timeout deadline the child enforces itself (see docs/scripts.md, "Timeouts").
import type { PoolConfig } from '../config/types.js';
import type { ActiveRequest } from '../request/active-request.js';
import type * as CgiRunner from './cgi-runner.js';
import type * as ThreadsRunner from './executor/threads-runner.js';
import { runFetch } from './fetch-runner.js';
import { loadScript, type LoadedScript } from './module-loader.js';
import type * as NodeRunner from './node-runner.js';
import { scriptContext, scriptLogger } from './script-context.js';
import { noteScriptVersion } from './script-reload.js';
import { RequestTimeoutError, type ScriptJob, type ScriptRunner } from './script-runner.js';
import type { TsfpmContext } from './types.js';
import { failScript } from './send-response.js';

/**
 * The child stops a request itself a little before the master's request_terminate_timeout kill (the
 * master checks once a second), so that a thread, a CGI process group or a script honouring its
 * signal ends with a 504 and the child lives on: 80% of the limit, at most 500 ms early.
 */
export function childDeadlineMs(limitMs: number): number {
  return limitMs - Math.min(500, Math.round(limitMs * 0.2));
}

/**
 * One request's job. `where` (for log lines) is built only when a line is written: a string per
 * request otherwise.
 */
class Job implements ScriptJob {
  readonly request: ActiveRequest;
  readonly path: string;
  readonly mtimeMs: number;
  readonly isHead: boolean;
  readonly ctx: TsfpmContext;
  readonly #pool: string;

  constructor(request: ActiveRequest, path: string, mtimeMs: number, ctx: TsfpmContext, pool: string) {
    this.request = request;
    this.path = path;
    this.mtimeMs = mtimeMs;
    this.isHead = request.params['REQUEST_METHOD'] === 'HEAD';
    this.ctx = ctx;
    this.#pool = pool;
  }

  get where(): string {
    return `[pool ${this.#pool}] script '${this.path}'`;
  }
}

// The other modes load on first use: a child that never needs one does not pay for its modules
// (node: node:http; cgi: child_process; threads: tinypool and its worker threads). Once loaded, a
// request finds the function here and awaits nothing more.
let runNode: typeof NodeRunner.runNode | undefined;
let runCgi: typeof CgiRunner.runCgi | undefined;
let runInThreads: typeof ThreadsRunner.runInThreads | undefined;

export function createScriptRunner(
  pool: PoolConfig,
): (request: ActiveRequest, path: string, mtimeMs: number) => Promise<void> {
  const log = scriptLogger(pool.name);
  const maxHeaderSize = Math.max(16 * 1024, pool.maxParamsBytes + 4096);
  const runLoaded = (job: ScriptJob, script: LoadedScript): Promise<void> => {
    const handler = script.handler;
    if (handler.kind === 'fetch') return runFetch(job, handler.fetch);
    if (runNode !== undefined) return runNode(job, handler, maxHeaderSize);
    return import('./node-runner.js').then((loaded) => {
      runNode = loaded.runNode;
      return runNode(job, handler, maxHeaderSize);
    });
  };
  // Not async: a script already loaded whose answer went straight out costs no promise hop here
  // (runFetch and sendResponse return the write's own promise).
  const inline: ScriptRunner = (job) => {
    const loading = loadScript(job.path, job.mtimeMs, pool.handler);
    if (!(loading instanceof Promise)) return runLoaded(job, loading);
    return loading.then(
      (script) => runLoaded(job, script),
      (err: unknown) => failScript(job, err),
    );
  };
  const runner: ScriptRunner =
    pool.handler === 'cgi'
      ? async (job) => {
          runCgi ??= (await import('./cgi-runner.js')).runCgi;
          await runCgi(job, pool);
        }
      : pool.executor === 'threads'
        ? async (job) => {
            runInThreads ??= (await import('./executor/threads-runner.js')).runInThreads;
            await runInThreads(job, pool);
          }
        : inline;
  const limitMs = pool.requestTerminateTimeoutMs;

  return (request, path, mtimeMs) => {
    if (pool.handler !== 'cgi') noteScriptVersion(path, mtimeMs);
    const job = new Job(request, path, mtimeMs, scriptContext(pool, log, request), pool.name);
    if (limitMs <= 0) return runner(job);
    return runWithDeadline(runner, job, limitMs);
  };
}

async function runWithDeadline(runner: ScriptRunner, job: ScriptJob, limitMs: number): Promise<void> {
  const { request } = job;
  const timer = setTimeout(() => request.abort.abort(new RequestTimeoutError(limitMs)), childDeadlineMs(limitMs));
  try {
    await runner(job);
  } finally {
    clearTimeout(timer);
  }
}
