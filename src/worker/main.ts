// Entry of a pool child: waits for its pool config and listening handle from the master, then
// accepts FastCGI connections until told to stop (SIGQUIT: finish in-flight requests, then exit).
import { createServer, Socket as NetSocket, type Server } from 'node:net';
import type { MasterMessage } from '../ipc/messages.js';
import { describeError } from '../errors.js';
import { childLog, sendToMaster, setChildLogLevel } from '../log/child-log.js';
import { serveConnection } from './connection.js';
import type { ServedRequest } from './connection-request.js';
import { childSession, type ConnectionHandle } from './connection-options.js';
import { ConnectionLimit } from './connection-limit.js';
import { onMasterAnswer } from './master-query.js';
import { installFastResponse } from '../handlers/fast-response.js';
import { applyPoolIdentity } from './privileges.js';
import { assumeAssignment } from './spare-assignment.js';
import { countsInDurations, ScoreboardWriter } from './scoreboard-writer.js';
import { createRequestRunner } from './run-request.js';
import { isClientAllowed } from './allowed-clients.js';
import { openChildAccessLog, type ChildAccessLog } from '../log/child-access-log.js';
import { startSlowlogWatcher, type SlowlogWatcher } from './slowlog/slowlog-watcher.js';
import { onScriptChanged } from '../handlers/script-reload.js';
import type { Transport } from './transport/transport.js';
import { SocketTransport } from './transport/socket-transport.js';
import { isStreamHandleUsable } from './transport/stream-handle.js';
import { acceptOnHandle, type Acceptor } from './transport/stream-handle-acceptor.js';
import { onMemoryLimit } from './memory-limit.js';
import { connectionCap, readFileLimit } from '../config/connection-cap.js';
import { ShedReport } from './shed-report.js';
import { DescriptorWatch, isOutOfDescriptors } from './descriptor-watch.js';
import { ConnectionSweep } from './read-timeout.js';

let server: Server | Acceptor | undefined;
/** This child's scoreboard slot: a file the master reads (src/ipc/scoreboard-layout.ts). */
export const scoreboard = new ScoreboardWriter();
let quitting = false;
let requestsServed = 0;
let running = 0;
/** The requests in progress, for pm.max_memory_hard (memory-limit.ts answers them). */
const runningRequests = new Set<ServedRequest>();
const connections = new Set<ConnectionHandle>();
let accessLog: ChildAccessLog | undefined;
let slowlog: SlowlogWatcher | undefined;

function start(message: Extract<MasterMessage, { type: 'init' }>, handle: unknown): void {
  const pool = message.pool;
  if (message.spare !== undefined) assumeAssignment(message.spare);
  // As php-fpm's children are `php-fpm: pool www` in ps.
  process.title = `tsfpm: pool ${pool.name}`;
  setChildLogLevel(message.logLevel);
  // Log files are opened with the master's rights (php-fpm opens them as root), then privileges drop.
  try {
    accessLog = openChildAccessLog(pool);
  } catch (err) {
    childLog('error', `[pool ${pool.name}] failed to open access log (${pool.accessLog ?? ''}): ${describeError(err)}`);
  }
  try {
    slowlog = startSlowlogWatcher(pool);
  } catch (err) {
    childLog(
      'error',
      `[pool ${pool.name}] Unable to create or open slowlog(${pool.slowlog ?? ''}): ${describeError(err)}`,
    );
  }
  // Before any script is loaded: nothing of the pool's code runs with the master's privileges.
  applyPoolIdentity(pool);
  installFastResponse();
  // The cap from this child's own open-file limit (rlimit_files was applied before init was sent).
  const fileLimit = readFileLimit()?.soft;
  const cap = connectionCap(fileLimit, pool).cap;
  const session = childSession(pool, cap);
  const run = createRequestRunner(pool);
  const flush = (): void => accessLog?.flush();
  onMemoryLimit({ pool: pool.name, requests: runningRequests, connections, stopAccepting: quit, flush });
  scoreboard.publish();
  if (message.busyNotice !== undefined) {
    scoreboard.notifyBusyAfterIdle(message.busyNotice, () => sendToMaster({ type: 'busy' }));
  }

  const shed = new ShedReport({
    poolName: pool.name,
    held: () => connections.size,
    cap,
    headTimeoutMs: pool.requestHeadTimeoutMs,
  });
  const limit = new ConnectionLimit(cap, shed);
  const descriptors = new DescriptorWatch({
    limit: fileLimit,
    report: shed,
    shedOne: () => limit.shedOne(connections),
    retire: (reason) => {
      childLog('warning', `[pool ${pool.name}] child ${process.pid} retiring: ${reason}`);
      sendToMaster({ type: 'retiring', reason });
      quit();
    },
  });
  const sweep = new ConnectionSweep(connections, () => descriptors.check());
  const allowed = pool.listen.allowedClients;
  const dispatched = message.accept === 'dispatch';
  const onConnection = (socket: Transport, acceptedAtMs?: number): void => {
    if (!limit.admit(connections)) {
      socket.destroy();
      if (dispatched) sendToMaster({ type: 'released', served: false });
      return;
    }
    let requestsOnConnection = 0;
    // remoteAddress is a system call: asked only when the allow-list needs it or for a log line.
    if (allowed !== undefined) {
      const peer = socket.remoteAddress();
      if (peer !== undefined && !isClientAllowed(peer, allowed)) {
        childLog('error', `Connection disallowed: IP address '${peer}' has been dropped.`);
        socket.destroy();
        return;
      }
    }
    const connection = serveConnection(socket, {
      pool,
      session,
      run,
      peer: () => socket.remoteAddress() ?? 'unix socket',
      onStart: (request) => {
        // Asked now: a connection without KEEP_CONN is closed by the time the request is logged.
        if (accessLog !== undefined) socket.remoteAddress();
        running++;
        runningRequests.add(request);
        requestsOnConnection++;
        accessLog?.onStart(request);
        const params = request.params;
        request.scoreboardToken = scoreboard.began(
          {
            method: params['REQUEST_METHOD'] ?? '-',
            uri: params['SCRIPT_NAME'] ?? params['REQUEST_URI'] ?? '-',
            query: params['QUERY_STRING'] ?? '',
            script: params['SCRIPT_FILENAME'] ?? '-',
            contentLength: Number(params['CONTENT_LENGTH'] ?? 0) || 0,
            user: params['REMOTE_USER'] || '-',
          },
          countsInDurations(pool, params['SCRIPT_NAME']),
        );
        slowlog?.setRunning(scoreboard.running);
      },
      onFinish: (request) => {
        running--;
        runningRequests.delete(request);
        requestsServed++;
        const token = request.scoreboardToken;
        const end = token === undefined ? undefined : scoreboard.ended(token, request.status);
        slowlog?.setRunning(scoreboard.running);
        accessLog?.onFinish(request, {
          durationUs: end?.durationUs ?? (Date.now() - request.startedAtMs) * 1000,
          memoryBytes: end?.memoryBytes ?? 0,
          peer: socket.remoteAddress(),
        });
        // Before END_REQUEST leaves (the socket is corked until the check phase): the web server's
        // next connection must find this child idle in the master, which reads the slot on this.
        if (dispatched && running === 0) sendToMaster({ type: 'released', served: true });
        if (pool.pm.maxRequests > 0 && requestsServed >= pool.pm.maxRequests && !quitting) {
          sendToMaster({ type: 'retiring', reason: `pm.max_requests (${pool.pm.maxRequests}) reached` });
          quit();
        }
        maybeExit();
      },
      shouldClose: () => quitting,
      onPaceCut: (cut) => shed.count(cut),
      ...(acceptedAtMs === undefined ? {} : { acceptedAtMs }),
    });
    connections.add(connection);
    sweep.ensure();
    socket.onClose(() => {
      connections.delete(connection);
      if (dispatched && requestsOnConnection === 0) sendToMaster({ type: 'released', served: false });
      maybeExit();
    });
  };
  if (dispatched) {
    process.on('message', (incoming: MasterMessage, handle: unknown) => {
      if (incoming.type === 'connection' && handle instanceof NetSocket) {
        if (quitting) handle.destroy();
        else onConnection(new SocketTransport(handle), incoming.acceptedAtMs);
      }
    });
    sendToMaster({ type: 'ready' });
    return;
  }

  // The handle is the master's bound socket, passed over IPC (php-fpm's shared accept model).
  startAccepting = (listening: unknown, onListening?: () => void): void => {
    if (quitting || server !== undefined) {
      closeNativeHandle(listening);
      return;
    }
    const cannotAccept = (err: Error): void => {
      // Out of descriptors: shed a connection so that the next accept succeeds, or retire.
      if (isOutOfDescriptors(err)) {
        descriptors.onAcceptFailed(err); // retiring closes the listening socket: libuv's accept loop ends
        return;
      }
      childLog('alert', `[pool ${pool.name}] child ${process.pid} cannot accept: ${err.message}`);
      process.exitCode = 70;
      quit();
    };
    if (isStreamHandleUsable(listening)) {
      childLog('debug', `[pool ${pool.name}] child ${process.pid} accepts on the bare stream handle`);
      const acceptor = acceptOnHandle(listening, pool.listen.backlog, onConnection, cannotAccept);
      if (acceptor instanceof Error) {
        cannotAccept(acceptor);
        return;
      }
      server = acceptor;
      if (onListening !== undefined) setImmediate(onListening);
      return;
    }
    childLog('debug', `[pool ${pool.name}] child ${process.pid} accepts through net.Socket`);
    const next = createServer({ allowHalfOpen: false }, (socket) => onConnection(new SocketTransport(socket)));
    next.on('error', cannotAccept);
    next.listen(listening as Parameters<Server['listen']>[0], pool.listen.backlog, onListening);
    server = next;
  };
  if (message.accept === 'standby') sendToMaster({ type: 'ready' });
  else startAccepting(handle, () => sendToMaster({ type: 'ready' }));
}

let startAccepting: ((listening: unknown, onListening?: () => void) => void) | undefined;

/** listen.acceptors: the master moves this child in or out of the set that waits on the socket. */
function setAccepting(on: boolean, handle: unknown): void {
  if (on && startAccepting !== undefined) {
    startAccepting(handle);
    return;
  }
  closeNativeHandle(handle);
  // Only this child's copy of the socket closes; the master's stays bound, the kept connections stay.
  server?.close();
  server = undefined;
}

/** A listening handle this child will not use: its descriptor must not leak. */
function closeNativeHandle(handle: unknown): void {
  if (typeof handle === 'object' && handle !== null && 'close' in handle && typeof handle.close === 'function') {
    (handle as { close(): void }).close();
  }
}

/** Stop accepting; finish running requests; close idle kept-alive connections; exit when all are gone. */
function quit(): void {
  if (quitting) return;
  quitting = true;
  server?.close();
  for (const connection of connections) if (connection.isIdle()) connection.close();
  maybeExit();
}

function maybeExit(): void {
  if (quitting && running === 0 && connections.size === 0) {
    accessLog?.flush();
    setImmediate(() => process.exit());
  }
}

process.on('SIGQUIT', quit);
process.on('exit', () => accessLog?.flush());

/**
 * SIGUSR1 in the master: fresh files at the configured paths. A child that can no longer open them
 * (its user lacks the rights the master had) retires, and its replacement opens them before dropping
 * privileges (php-fpm recycles every worker on USR1 for the same reason).
 */
function reopenLogs(): void {
  try {
    accessLog?.reopen();
    slowlog?.reopen();
  } catch (err) {
    childLog('notice', `child ${process.pid} cannot re-open its log files (${describeError(err)}), retiring`);
    sendToMaster({ type: 'retiring', reason: 'log files re-opened' });
    quit();
  }
}
// An edited script cannot be unloaded: this child retires gracefully and the master starts a fresh one.
onScriptChanged((reason) => {
  childLog('notice', `child ${process.pid} retiring: ${reason}`);
  sendToMaster({ type: 'retiring', reason });
  quit();
});
process.on('message', (message: MasterMessage, handle: unknown) => {
  onMasterAnswer(message);
  if (message.type === 'reopen-logs') reopenLogs();
  if (message.type === 'accept') setAccepting(message.on, handle);
  if (message.type === 'init') {
    try {
      start(message, handle);
    } catch (err) {
      childLog('alert', `child ${process.pid} failed to initialize: ${describeError(err)}`);
      process.exit(70);
    }
  }
});
// The master is gone: nobody will hand out work or reap us.
process.on('disconnect', () => {
  if (!quitting) quit();
});
process.on('uncaughtException', (err) => {
  childLog('error', `child ${process.pid} uncaught exception: ${describeError(err)}`);
});
process.on('unhandledRejection', (reason) => {
  childLog('error', `child ${process.pid} unhandled rejection: ${describeError(reason)}`);
});
