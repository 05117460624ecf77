// Runs a resolved script in the pool's mode: the per-mode dispatch behind run-request.ts, and the
// request_terminate_timeout deadline the child enforces itself (see docs/scripts.md, "Timeouts").
import type { PoolConfig } from '../config/types.js';
import type { ActiveRequest } from '../request/active-request.js';
import { runInThreads } from './executor/threads-runner.js';
import { runCgi } from './cgi-runner.js';
import { runFetch } from './fetch-runner.js';
import { loadScript } from './module-loader.js';
import { runNode } from './node-runner.js';
import { scriptContext, scriptLogger } from './script-context.js';
import { noteScriptVersion } from './script-reload.js';
import { RequestTimeoutError, type ScriptJob, type ScriptRunner } from './script-runner.js';
import { failScript } from './send-response.js';

/**
 * The child stops a request itself a little before the master's request_terminate_timeout kill (the
 * master checks once a second), so that a thread, a CGI process group or a script honouring its
 * signal ends with a 504 and the child lives on: 80% of the limit, at most 500 ms early.
 */
export function childDeadlineMs(limitMs: number): number {
  return limitMs - Math.min(500, Math.round(limitMs * 0.2));
}

export function createScriptRunner(
  pool: PoolConfig,
): (request: ActiveRequest, path: string, mtimeMs: number) => Promise<void> {
  const log = scriptLogger(pool.name);
  const maxHeaderSize = Math.max(16 * 1024, pool.maxParamsBytes + 4096);
  const inline: ScriptRunner = async (job) => {
    let script;
    try {
      const loading = loadScript(job.path, job.mtimeMs, pool.handler);
      script = loading instanceof Promise ? await loading : loading;
    } catch (err) {
      await failScript(job, err);
      return;
    }
    const handler = script.handler;
    if (handler.kind === 'fetch') await runFetch(job, handler.fetch);
    else await runNode(job, handler, maxHeaderSize);
  };
  const runner: ScriptRunner =
    pool.handler === 'cgi'
      ? (job) => runCgi(job, pool)
      : pool.executor === 'threads'
        ? (job) => runInThreads(job, pool)
        : inline;
  const limitMs = pool.requestTerminateTimeoutMs;

  return async (request, path, mtimeMs) => {
    if (pool.handler !== 'cgi') noteScriptVersion(path, mtimeMs);
    const job: ScriptJob = {
      request,
      path,
      mtimeMs,
      isHead: request.params['REQUEST_METHOD'] === 'HEAD',
      ctx: scriptContext(pool, log, request),
      where: `[pool ${pool.name}] script '${path}'`,
    };
    if (limitMs <= 0) {
      await runner(job);
      return;
    }
    const timer = setTimeout(() => request.abort.abort(new RequestTimeoutError(limitMs)), childDeadlineMs(limitMs));
    try {
      await runner(job);
    } finally {
      clearTimeout(timer);
    }
  };
}
