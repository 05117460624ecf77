// The script side of the threads executor: runs in a tinypool worker thread, loads the fetch script
// (module cache per thread; fresh per task with executor.isolate), builds a Request from the task,
// and returns the whole Response. ctx.signal never fires here: a timed-out thread is terminated.
import Tinypool from 'tinypool';
import { describeCoded, describeError, TsfpmError } from '../../errors.js';
import { requestHeaders, isValidHeader, methodHasBody, requestUrl } from '../fetch-request.js';
import { findHandler, importScript } from '../module-loader.js';
import { responseHeaders } from '../response-headers.js';
import type { TsfpmContext } from '../types.js';
import type { ThreadLogLine, ThreadResult, ThreadTask } from './thread-protocol.js';

export default async function runInThread(task: ThreadTask): Promise<ThreadResult> {
  const logs: ThreadLogLine[] = [];
  const background: Promise<unknown>[] = [];
  try {
    const handler = findHandler(await importScript(task.path, task.mtimeMs), task.path, task.mode);
    if (handler.kind !== 'fetch') {
      throw new TsfpmError(
        'TSFPM_ERR_SCRIPT_BAD_EXPORT',
        'executor = threads runs fetch handlers only; this script exports a Node (req, res) handler',
      );
    }
    const method = task.params['REQUEST_METHOD'] ?? 'GET';
    const init: RequestInit = { method, headers: requestHeaders(task.params).filter(isValidHeader) };
    if (task.body !== null && methodHasBody(method)) init.body = task.body;
    const ctx: TsfpmContext = {
      params: task.params,
      env: task.env,
      pool: task.pool,
      role: task.params['FCGI_ROLE'] === 'AUTHORIZER' ? 'authorizer' : 'responder',
      signal: new AbortController().signal,
      // The thread cannot outlive its task's answer: background work is finished before it.
      waitUntil: (promise) => {
        background.push(
          Promise.resolve(promise).catch((err: unknown) =>
            logs.push(['error', `waitUntil task failed: ${describeCoded(err, 'TSFPM_ERR_SCRIPT_THREW')}`]),
          ),
        );
      },
      log: {
        error: (m) => logs.push(['error', m]),
        warning: (m) => logs.push(['warning', m]),
        notice: (m) => logs.push(['notice', m]),
        debug: (m) => logs.push(['debug', m]),
      },
    };
    const result: unknown = await handler.fetch(new Request(requestUrl(task.params), init), ctx);
    if (!(result instanceof Response))
      throw new TsfpmError('TSFPM_ERR_SCRIPT_BAD_RESPONSE', 'handler did not return a Response');
    const body = method === 'HEAD' || result.body === null ? null : new Uint8Array(await result.arrayBuffer());
    await Promise.all(background);
    const answer: ThreadResult = {
      ok: true,
      status: result.status,
      statusText: result.statusText,
      headers: responseHeaders(result),
      body,
      logs,
    };
    // The body's memory moves to the main thread instead of being copied.
    if (body === null) return answer;
    // tinypool's movable protocol: the object is sent with the listed buffer transferred.
    const movable = { [Tinypool.transferableSymbol]: body.buffer, [Tinypool.valueSymbol]: answer };
    return Tinypool.move(movable as unknown as ArrayBuffer) as unknown as ThreadResult;
  } catch (err) {
    // tsfpm's own errors travel as code and message (their stack is tsfpm's, not the script's).
    if (err instanceof TsfpmError) return { ok: false, error: err.message, code: err.code, logs };
    return { ok: false, error: describeError(err), code: undefined, logs };
  }
}
