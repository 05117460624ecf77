// pm.max_memory_hard in the child. The master read this child's resident memory past the limit while
// requests ran and sent 'memory-limit' (src/master/memory-guard.ts); the child leaves at once instead
// of finishing its requests, which may be what is using the memory. It stops taking requests,
// answers every running request 503 (one whose response has begun cannot be answered any more: its
// connection is closed, so the web server sees it cut, not complete), logs each, aborts their
// signals, closes its connections and ends itself. The master kills a child that cannot do this (a
// script in a synchronous loop never lets the message be read).
import type { LogLevel } from '../config/types.js';
import { formatTextResponse } from '../handlers/cgi-response.js';
import type { MasterMessage } from '../ipc/messages.js';
import { childLog, sendToMaster } from '../log/child-log.js';
import type { ConnectionHandle } from './connection-options.js';
import type { ServedRequest } from './connection-request.js';

/** How long the child waits for its connections to close after their last bytes were queued. */
export const CLOSE_WAIT_MS = 50;
const CLOSED_POLL_MS = 5;
/** Requests named one by one in the log; more are counted. */
const NAMED_REQUESTS = 10;

export interface OverLimitChild {
  readonly pool: string;
  /** Requests running now. */
  readonly requests: Iterable<ServedRequest>;
  /** Open connections; a closed one leaves the collection. */
  readonly connections: { readonly size: number } & Iterable<ConnectionHandle>;
  /** Stop accepting (the child's graceful quit: no new connection, idle ones closed). */
  readonly stopAccepting: () => void;
  /** Writes what must not be lost (the access log). */
  readonly flush: () => void;
  /** Default: childLog. */
  readonly log?: (level: LogLevel, message: string) => void;
  /** Ends the process once the answers are on their way; default: exitNow. */
  readonly exit?: () => void;
}

/**
 * Says it is leaving (the master then waits a little longer before it kills), and ends with SIGKILL to
 * itself: process.exit() first tears down V8 and the child's threads, which took 100-300 ms on a
 * loaded machine while the memory stays taken; the master expects this exit.
 */
function exitNow(): void {
  sendToMaster({ type: 'retiring', reason: 'pm.max_memory_hard' });
  process.kill(process.pid, 'SIGKILL');
}

/** Leaves when the master sends 'memory-limit'. */
export function onMemoryLimit(child: OverLimitChild): void {
  let leaving = false;
  process.on('message', (message: MasterMessage) => {
    if (message.type !== 'memory-limit' || leaving) return;
    leaving = true;
    leaveOverMemoryLimit(child);
  });
}

const REASON = 'the child is over pm.max_memory_hard';

/** Answers what can still be answered, then exits. */
export function leaveOverMemoryLimit(child: OverLimitChild): void {
  const log = child.log ?? childLog;
  child.stopAccepting();
  const requests = [...child.requests];
  requests.forEach((request, i) => {
    const answered = answer503(request);
    if (i < NAMED_REQUESTS) {
      log(
        'warning',
        `[pool ${child.pool}] child ${process.pid} over pm.max_memory_hard: ${describe(request)} ${answered}`,
      );
    }
  });
  if (requests.length > NAMED_REQUESTS) {
    const more = requests.length - NAMED_REQUESTS;
    log('warning', `[pool ${child.pool}] child ${process.pid} over pm.max_memory_hard: ${more} more requests stopped`);
  }
  // The child's own quit (stopAccepting) may call process.exit() first, once its requests and
  // connections are done; the exit is still ours, without the slow teardown.
  if (child.exit === undefined) process.once('exit', exitNow);
  // end() queues a connection's last bytes and its FIN; the kernel delivers them even after the exit.
  for (const connection of [...child.connections]) connection.close();
  const deadline = Date.now() + CLOSE_WAIT_MS;
  const poll = setInterval(() => {
    if (child.connections.size > 0 && Date.now() < deadline) return;
    clearInterval(poll);
    child.flush();
    (child.exit ?? exitNow)();
  }, CLOSED_POLL_MS);
}

/** Answers one request 503, or cuts it when its response has begun; says which. */
function answer503(request: ServedRequest): string {
  const response = request.response;
  let answered = 'had ended';
  if (!response.ended) {
    if (!response.begun) {
      request.status = 503;
      void response.stdout(formatTextResponse(503, 'Service Unavailable\n')).catch(() => undefined);
      void response.end().catch(() => undefined);
      answered = 'answered 503';
    } else {
      request.destroyConnection(REASON);
      answered = 'cut (its response had begun)';
    }
  }
  // After the answer: a handler that reacts to the abort finds the response ended.
  request.abort.abort(new Error(REASON));
  return answered;
}

function describe(request: ServedRequest): string {
  const params = request.params;
  const query = params['QUERY_STRING'] ?? '';
  const uri = `${params['SCRIPT_NAME'] ?? params['REQUEST_URI'] ?? '-'}${query === '' ? '' : `?${query}`}`;
  return `script '${params['SCRIPT_FILENAME'] ?? '-'}' (request: "${params['REQUEST_METHOD'] ?? '-'} ${uri}")`;
}
