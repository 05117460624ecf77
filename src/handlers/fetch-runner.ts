// fetch mode on the child's main thread: `fetch(request, ctx)` → Response, the hot path (lazy
// Request facade in, Response source fast path out).
import { TsfpmError } from '../errors.js';
import { FastResponse } from './fast-response.js';
import { lazyRequest } from './lazy-request.js';
import type { FetchFunction } from './types.js';
import { failScript, sendResponse } from './send-response.js';
import type { ScriptJob } from './script-runner.js';

/**
 * The platform's Response. Children install FastResponse (a subclass) as the global, but statics it
 * inherits (`Response.redirect`, `Response.error`) and Responses made by libraries that captured the
 * class early are platform instances: they must pass too.
 */
const PlatformResponse = Object.getPrototypeOf(FastResponse) as typeof Response;

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no constructor'})`;
  return typeof value;
}

// What a Node `(req, res)` handler does first with its second argument; under fetch that is ctx.
const NODE_RESPONSE_CALL = /\b\w+\.(?:setHeader|writeHead|end|write|send|json|status|statusCode)\b.* is not a function/;
const NODE_HINT = 'if this is a Node `(req, res)` handler, set `handler = node` in the pool';

/** A fetch handler that failed the way a Node handler run as fetch fails: say how to run it as one. */
function withNodeHint(err: unknown): unknown {
  if (!(err instanceof TypeError) || !NODE_RESPONSE_CALL.test(err.message)) return err;
  const hinted = new TypeError(`${err.message} (${NODE_HINT})`, { cause: err });
  hinted.stack = `${hinted.name}: ${hinted.message}${(err.stack ?? '').replace(/^[^\n]*/, '')}`;
  return hinted;
}

/**
 * Not async: a handler that answers synchronously (most small ones) with a body that goes straight
 * out costs no promise hop between the call and the write.
 */
export function runFetch(job: ScriptJob, fetch: FetchFunction): Promise<void> {
  let returned: unknown;
  try {
    returned = fetch(lazyRequest(job.request), job.ctx);
  } catch (err) {
    return failScript(job, withNodeHint(err));
  }
  if (returned instanceof Promise) {
    return returned.then(
      (result: unknown) => answer(job, result),
      (err: unknown) => failScript(job, withNodeHint(err)),
    );
  }
  return answer(job, returned);
}

function answer(job: ScriptJob, result: unknown): Promise<void> {
  if (!(result instanceof PlatformResponse)) {
    return failScript(
      job,
      new TsfpmError(
        'TSFPM_ERR_SCRIPT_BAD_RESPONSE',
        `handler returned ${describeValue(result)}, expected a Response${result === undefined ? ` (${NODE_HINT})` : ''}`,
      ),
    );
  }
  if (job.request.abort.aborted) return tooLate(job, result);
  return sendResponse(job, result);
}

/** The answer came after request_terminate_timeout or the web server gave up: it has been given. */
async function tooLate(job: ScriptJob, response: Response): Promise<void> {
  await failScript(job, job.request.abort.signal.reason);
  await response.body?.cancel().catch(() => undefined);
}
