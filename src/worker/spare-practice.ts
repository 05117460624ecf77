// A spare child's practice request: one FastCGI request over a private socket, through the same
// connection, request and response code a pool child runs, answered by tsfpm's own practice script.
// V8 compiles a function when it is first called, and a Node child's first request pays for every
// function on its path (measured: ~10 ms of compiling and first-time set-up on this path, more than
// the request itself); after the practice, the spare's first real request finds them compiled. The
// practice runs before the spare says it is ready, with no pool identity, no log, no scoreboard entry
// and no code but tsfpm's.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { PoolConfig } from '../config/types.js';
import { FCGI_END_REQUEST, FCGI_PARAMS, FCGI_RESPONDER, FCGI_STDIN, FCGI_STDOUT } from '../fastcgi/constants.js';
import { RecordDecoder } from '../fastcgi/decoder.js';
import { encodeParams } from '../fastcgi/params.js';
import { encodeBeginRequest, encodeRecord } from '../fastcgi/record.js';
import { installFastResponse } from '../handlers/fast-response.js';
import { serveConnection } from './connection.js';
import { childSession } from './connection-options.js';
import { createRequestRunner } from './run-request.js';
import { SocketTransport } from './transport/socket-transport.js';

/** tsfpm's own script for the practice (a fetch handler, the common kind). */
const PRACTICE_SCRIPT = fileURLToPath(new URL('./practice-script.js', import.meta.url));
/** What the practice script answers to the practice request's query. */
const PRACTICE_ANSWER = 'practice 1\n';
/** A practice that takes longer than this is abandoned: the spare is ready anyway. */
const PRACTICE_LIMIT_MS = 2000;

/**
 * The request path of `model` (the pool this spare most likely serves), without what could act on
 * the outside: no logs, no ping or status page, no timeouts, the script run inline.
 */
function practicePool(model: PoolConfig): PoolConfig {
  // A status pool's children answer status and ping only: the practice takes the script path.
  const { statusOf: _statusOf, ...scriptPool } = model;
  return {
    ...scriptPool,
    name: 'practice',
    env: {},
    accessLog: undefined,
    slowlog: undefined,
    pingPath: undefined,
    pm: { ...model.pm, statusPath: undefined },
    handler: 'auto',
    executor: 'inline',
    scriptRoot: undefined,
    securityLimitExtensions: ['.js'],
    requestTerminateTimeoutMs: 0,
    requestQueueTimeoutMs: 0,
  };
}

function practiceRequest(): Buffer {
  const params = encodeParams([
    ['GATEWAY_INTERFACE', 'CGI/1.1'],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['REQUEST_METHOD', 'GET'],
    ['SCRIPT_FILENAME', PRACTICE_SCRIPT],
    ['SCRIPT_NAME', '/practice-script.js'],
    ['REQUEST_URI', '/practice-script.js?q=1'],
    ['DOCUMENT_URI', '/practice-script.js'],
    ['QUERY_STRING', 'q=1'],
    ['HTTP_HOST', 'localhost'],
    ['HTTP_ACCEPT', '*/*'],
    ['CONTENT_LENGTH', ''],
    ['REMOTE_ADDR', '127.0.0.1'],
  ]);
  return Buffer.concat([
    encodeBeginRequest(1, FCGI_RESPONDER, 0),
    encodeRecord(FCGI_PARAMS, 1, params),
    encodeRecord(FCGI_PARAMS, 1),
    encodeRecord(FCGI_STDIN, 1),
  ]);
}

/** Resolves when the answer's END_REQUEST arrived; true when it did before the limit. */
function exchange(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const decoder = new RecordDecoder();
    const client: Socket = connect(path);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      client.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), PRACTICE_LIMIT_MS);
    client.on('error', () => done(false));
    client.on('close', () => done(false));
    let stdout = '';
    client.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk, (record) => {
          if (record.type === FCGI_STDOUT) stdout += record.content.toString('latin1');
          // Answered by the practice script, not by a 404 or an error page.
          if (record.type === FCGI_END_REQUEST) done(stdout.endsWith(PRACTICE_ANSWER));
        });
      } catch {
        done(false);
      }
    });
    client.write(practiceRequest());
  });
}

/**
 * Runs the practice request; false when it did not complete (the spare is still usable: the real
 * first request then pays the compiling, as without a practice).
 */
export async function practise(model: PoolConfig): Promise<boolean> {
  installFastResponse();
  const pool = practicePool(model);
  // The session of a child of that pool (one connection at a time here).
  const session = childSession(pool, 1);
  const run = createRequestRunner(pool);
  // An abstract unix socket (Linux): no file, nothing another process could find by path.
  const path = `\0tsfpm-practice-${process.pid}`;
  const server: Server = createServer((socket) => {
    serveConnection(new SocketTransport(socket), {
      pool,
      session,
      run,
      peer: () => 'practice',
      onStart: () => undefined,
      onFinish: () => undefined,
      shouldClose: () => true,
      log: () => undefined,
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, resolve);
    });
    return await exchange(path);
  } catch {
    return false;
  } finally {
    server.close();
  }
}
