// What a pool does with one request, in PHP-FPM's order: no REQUEST_METHOD → empty reply; ping page;
// script resolution (404/403); then the script's handler.
import type { PoolConfig } from '../config/types.js';
import { describeError } from '../errors.js';
import { formatResponseHead, formatTextResponse } from '../handlers/cgi-response.js';
import { lazyRequest } from '../handlers/lazy-request.js';
import { loadScript } from '../handlers/module-loader.js';
import { resolveScript } from '../handlers/resolve-script.js';
import { responseBodySource } from '../handlers/response-source.js';
import type { ScriptLogger, TsfpmContext } from '../handlers/types.js';
import { parseStatusQuery, renderStatus } from '../status/render.js';
import { childLog, flushToMaster } from './child-log.js';
import { askPoolSnapshot } from './master-query.js';
import type { ActiveRequest, RequestRunner } from './connection.js';

const NO_CACHE_HEADERS: [string, string][] = [
  ['Expires', 'Thu, 01 Jan 1970 00:00:00 GMT'],
  ['Cache-Control', 'no-cache, no-store, must-revalidate, max-age=0'],
];
const PING_HEADERS: [string, string][] = [['Content-Type', 'text/plain'], ...NO_CACHE_HEADERS];

function scriptLogger(pool: string): ScriptLogger {
  const at = (level: 'error' | 'warning' | 'notice' | 'debug') => (message: string) =>
    childLog(level, `[pool ${pool}] child ${process.pid} script: ${message}`);
  return { error: at('error'), warning: at('warning'), notice: at('notice'), debug: at('debug') };
}

async function sendText(request: ActiveRequest, status: number, body: string): Promise<void> {
  request.status = status;
  await request.response.stdout(formatTextResponse(status, body));
}

export function createRequestRunner(pool: PoolConfig): RequestRunner {
  const log = scriptLogger(pool.name);
  return async (request) => {
    const params = request.params;
    const method = params['REQUEST_METHOD'];
    if (method === undefined || method === '') return; // not an HTTP request: PHP-FPM answers with nothing

    if (pool.pingPath !== undefined && params['SCRIPT_NAME'] === pool.pingPath) {
      request.status = 200;
      await request.response.stdout(formatResponseHead(200, undefined, PING_HEADERS));
      if (method !== 'HEAD') await request.response.stdout(Buffer.from(pool.pingResponse, 'utf8'));
      return;
    }

    if (pool.pm.statusPath !== undefined && params['SCRIPT_NAME'] === pool.pm.statusPath) {
      await serveStatus(request, params['QUERY_STRING'] ?? '', method === 'HEAD');
      return;
    }

    const resolved = await resolveScript(params, pool.securityLimitExtensions);
    if (resolved.kind === 'not-found') {
      await request.response.stderr('Primary script unknown');
      await sendText(request, 404, 'File not found.\n');
      return;
    }
    if (resolved.kind === 'denied') {
      childLog(
        'notice',
        `[pool ${pool.name}] Access to the script '${resolved.path}' has been denied (see ${resolved.reason})`,
      );
      await sendText(request, 403, 'Access denied.\n');
      return;
    }

    let response: Response;
    try {
      const script = await loadScript(resolved.path);
      const ctx: TsfpmContext = {
        params,
        env: pool.env,
        pool: pool.name,
        get signal() {
          return request.abort.signal;
        },
        waitUntil: (promise) => {
          request.background.push(
            promise.catch((err: unknown) => log.error(`waitUntil task failed: ${describeError(err)}`)),
          );
        },
        log,
      };
      // The master must know this request started before a script can block the event loop.
      if (pool.requestTerminateTimeoutMs > 0 || pool.requestSlowlogTimeoutMs > 0) flushToMaster();
      const result: unknown = await script.fetch(lazyRequest(params, request.body, () => request.abort.signal), ctx);
      if (!(result instanceof Response)) {
        throw new TypeError(`handler returned ${describeValue(result)}, expected a Response`);
      }
      response = result;
    } catch (err) {
      childLog('error', `[pool ${pool.name}] child ${process.pid} script '${resolved.path}' failed: ${describeError(err)}`);
      await request.response.stderr(`script '${resolved.path}' failed: ${firstLine(err)}`);
      await sendText(request, 500, 'Internal Server Error\n');
      return;
    }
    await sendResponse(request, response, method === 'HEAD', `[pool ${pool.name}] script '${resolved.path}'`);
  };
}

/** The status page: the pool's scoreboard from the master, rendered in the format the query asks for. */
async function serveStatus(request: ActiveRequest, queryString: string, isHead: boolean): Promise<void> {
  const snapshot = await askPoolSnapshot();
  if (snapshot === undefined) {
    childLog('error', `child ${process.pid}: the master did not answer the status query`);
    request.status = 500;
    await request.response.stdout(
      Buffer.concat([
        formatResponseHead(500, undefined, [['Content-Type', 'text/plain']]),
        Buffer.from('Internal error. Please review log file for errors.'),
      ]),
    );
    return;
  }
  const page = renderStatus(snapshot, parseStatusQuery(queryString));
  request.status = 200;
  const head = formatResponseHead(200, undefined, [['Content-Type', page.contentType], ...NO_CACHE_HEADERS]);
  await request.response.stdout(isHead ? head : Buffer.concat([head, Buffer.from(page.body, 'utf8')]));
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no constructor'})`;
  return typeof value;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.split('\n')[0] ?? text;
}

function responseHeaders(response: Response): [string, string][] {
  const pairs: [string, string][] = [];
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') pairs.push([name, value]);
  });
  for (const cookie of response.headers.getSetCookie()) pairs.push(['set-cookie', cookie]);
  return pairs;
}

async function sendResponse(
  request: ActiveRequest,
  response: Response,
  isHead: boolean,
  where: string,
): Promise<void> {
  request.status = response.status;
  const head = formatResponseHead(response.status, response.statusText, responseHeaders(response));
  const body = response.body;
  if (body === null || isHead) {
    await request.response.stdout(head);
    if (body !== null) await body.cancel().catch(() => undefined);
    return;
  }
  const source = responseBodySource(response);
  if (source !== undefined) {
    await request.response.stdout(source.length === 0 ? head : Buffer.concat([head, source]));
    return;
  }
  const reader = body.getReader();
  let pending: Buffer | undefined = head; // the head travels with the first body chunk
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (pending !== undefined) {
        await request.response.stdout(Buffer.concat([pending, chunk]));
        pending = undefined;
      } else {
        await request.response.stdout(chunk);
      }
    }
  } catch (err) {
    reader.releaseLock();
    if (request.abort.aborted) return;
    if (pending !== undefined) {
      childLog('error', `${where} response body failed: ${describeError(err)}`);
      await sendText(request, 500, 'Internal Server Error\n');
      return;
    }
    childLog('error', `${where} response body failed mid-stream: ${describeError(err)}`);
    request.destroyConnection('the response body failed after its head was sent');
    return;
  }
  if (pending !== undefined) await request.response.stdout(pending);
}
