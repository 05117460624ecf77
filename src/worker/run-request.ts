// What a pool does with one request, in PHP-FPM's order: no REQUEST_METHOD → empty reply; ping page;
// status page; script resolution (404/403, path info); then the script, in the pool's handler mode
// (handlers/run-script.ts).
import type { PoolConfig } from '../config/types.js';
import { codedMessage } from '../errors.js';
import { formatResponseHead } from '../handlers/cgi-response.js';
import { applyPathInfo, resolveScript, type ScriptResolution } from '../handlers/resolve-script.js';
import { createScriptRunner } from '../handlers/run-script.js';
import { sendText } from '../handlers/send-response.js';
import { childLog } from '../log/child-log.js';
import type { ActiveRequest } from '../request/active-request.js';
import { shapeAuthorizerOutput } from './authorizer-output.js';
import type { ServedRequest, ServedRunner } from './connection-request.js';
import { askPoolSnapshot } from './master-query.js';

const DONE: Promise<void> = Promise.resolve();
const NO_CACHE_HEADERS: [string, string][] = [
  ['Expires', 'Thu, 01 Jan 1970 00:00:00 GMT'],
  ['Cache-Control', 'no-cache, no-store, must-revalidate, max-age=0'],
];
const PING_HEADERS: [string, string][] = [['Content-Type', 'text/plain'], ...NO_CACHE_HEADERS];

export function createRequestRunner(pool: PoolConfig): ServedRunner {
  const runScript = createScriptRunner(pool);
  const resolveOptions = { extensions: pool.securityLimitExtensions, root: pool.scriptRoot };
  const runResolved = (request: ServedRequest, resolved: ScriptResolution): Promise<void> => {
    if (resolved.kind === 'not-found') return scriptNotFound(request, pool.name, resolved.path);
    if (resolved.kind === 'denied') return scriptDenied(request, pool.name, resolved.path, resolved.reason);
    if (resolved.walked !== undefined)
      applyPathInfo(request.params, resolved.walked.scriptFilename, resolved.walked.pathInfo);
    return runScript(request, resolved.path, resolved.mtimeMs);
  };
  // Not async: a script whose answer went straight out costs no promise hop here (runScript returns
  // the write's own promise).
  return (request) => {
    const params = request.params;
    if (request.role === 'authorizer') {
      // PHP's FCGI_ROLE variable; cgi scripts and threads read the role from it.
      params['FCGI_ROLE'] = 'AUTHORIZER';
      shapeAuthorizerOutput(request.response);
    }
    const method = params['REQUEST_METHOD'];
    if (method === undefined || method === '') return DONE; // not an HTTP request: PHP-FPM answers with nothing
    const scriptName = params['SCRIPT_NAME'];
    if (pool.pingPath !== undefined && scriptName === pool.pingPath) return servePing(request, pool, method === 'HEAD');
    if (pool.pm.statusPath !== undefined && scriptName === pool.pm.statusPath) {
      return serveStatus(request, params['QUERY_STRING'] ?? '', method === 'HEAD');
    }
    // The pm.status_listen pool answers status and ping only (php-fpm's hidden status pool).
    if (pool.statusOf !== undefined) return scriptNotFound(request, pool.name, params['SCRIPT_FILENAME']);
    // The request's start stands in for the clock: the script's checks are 2 s fresh.
    const resolution = resolveScript(params, resolveOptions, request.startedAtMs);
    if (resolution instanceof Promise) return resolution.then((resolved) => runResolved(request, resolved));
    return runResolved(request, resolution);
  };
}

async function servePing(request: ActiveRequest, pool: PoolConfig, isHead: boolean): Promise<void> {
  request.status = 200;
  await request.response.stdout(formatResponseHead(200, undefined, PING_HEADERS));
  if (!isHead) await request.response.stdout(Buffer.from(pool.pingResponse, 'utf8'));
}

async function scriptDenied(request: ActiveRequest, pool: string, path: string, reason: string): Promise<void> {
  const text = `Access to the script '${path}' has been denied (see ${reason})`;
  childLog('notice', `[pool ${pool}] ${codedMessage('TSFPM_ERR_SCRIPT_DENIED', text)}`);
  await sendText(request, 403, 'Access denied.\n');
}

/**
 * 404 `File not found.` with `Primary script unknown` on FastCGI STDERR, where the web server logs it.
 * php-fpm logs the same words at debug level only (sapi/fpm/fpm/fpm_main.c, main()): a 404 is the
 * client's business, and an error log line for each would let any client flood the log.
 */
async function scriptNotFound(request: ActiveRequest, pool: string, path: string | undefined): Promise<void> {
  childLog(
    'debug',
    `[pool ${pool}] ${codedMessage('TSFPM_ERR_SCRIPT_NOT_FOUND', `Primary script unknown (${path ?? 'no SCRIPT_FILENAME'})`)}`,
  );
  await request.response.stderr('Primary script unknown');
  await sendText(request, 404, 'File not found.\n');
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
  // The renderers (the dashboard's page among them) load with the first status request.
  const { parseStatusQuery, renderStatus } = await import('../status/render.js');
  const page = renderStatus(snapshot, parseStatusQuery(queryString));
  request.status = 200;
  const head = formatResponseHead(200, undefined, [['Content-Type', page.contentType], ...NO_CACHE_HEADERS]);
  await request.response.stdout(isHead ? head : Buffer.concat([head, Buffer.from(page.body, 'utf8')]));
}
