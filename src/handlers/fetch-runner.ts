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

export async function runFetch(job: ScriptJob, fetch: FetchFunction): Promise<void> {
  const { request } = job;
  let response: Response;
  try {
    const returned: unknown = fetch(lazyRequest(request), job.ctx);
    // A handler that answers synchronously (most small ones) costs no promise hop here.
    const result = returned instanceof Promise ? ((await returned) as unknown) : returned;
    if (!(result instanceof PlatformResponse)) {
      throw new TsfpmError(
        'TSFPM_ERR_SCRIPT_BAD_RESPONSE',
        `handler returned ${describeValue(result)}, expected a Response`,
      );
    }
    response = result;
  } catch (err) {
    await failScript(job, err);
    return;
  }
  if (request.abort.aborted) {
    // Too late (request_terminate_timeout or the web server gave up): the answer has been given.
    await failScript(job, request.abort.signal.reason);
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  await sendResponse(job, response);
}
