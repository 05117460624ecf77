// node mode: `(req, res)` handlers and Express/Connect apps behind a real http.Server, one per
// script, fed through a virtual socket per request (public API only: http.Server's 'connection' event).
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { describeCoded, TsfpmError } from '../errors.js';
import { serverClasses } from './app-prototypes.js';
import type { ScriptHandler } from './module-loader.js';
import { childLog } from '../log/child-log.js';
import { ConnectionClosedError } from '../request/response-sink.js';
import { FcgiSocket } from './fcgi-socket.js';
import { rebuildRequestHead } from './node-request-head.js';
import { NodeResponseParser } from './node-response-parser.js';
import { answerTimeout, failScript } from './send-response.js';
import { timedOut, type ScriptJob } from './script-runner.js';

type NodeHandler = Extract<ScriptHandler, { kind: 'node' }>;

// No WeakMap from virtual socket to job: its value leads back to the socket, and young-generation
// GCs keep such an entry alive until a full GC, promoting every request's graph (~200 KB/scavenge).
const servers = new WeakMap<RequestListener, Server>();

function serverFor({ listener, prototypes }: NodeHandler, maxHeaderSize: number): Server {
  let server = servers.get(listener);
  if (server !== undefined) return server;
  // No timeouts here: request_terminate_timeout and the FastCGI connection own them.
  const options = {
    maxHeaderSize,
    requestTimeout: 0,
    headersTimeout: 0,
    keepAliveTimeout: 0,
    ...(prototypes ? serverClasses(prototypes) : {}),
  };
  server = createServer(options, (req: IncomingMessage, res: ServerResponse) => {
    const fail = (err: unknown): void => {
      const where = req.socket instanceof FcgiSocket ? req.socket.where : 'node handler';
      childLog('error', `${where} failed: ${describeCoded(err, 'TSFPM_ERR_SCRIPT_THREW')}`);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader('content-type', 'text/html; charset=UTF-8');
        res.end('Internal Server Error\n');
      } else {
        res.destroy();
      }
    };
    try {
      const result: unknown = listener(req, res);
      if (result instanceof Promise) result.catch(fail);
    } catch (err) {
      fail(err);
    }
  });
  // A request head llhttp refuses (odd bytes in a parameter) is the client's fault: 400.
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nBad Request\n');
  });
  servers.set(listener, server);
  return server;
}

export function runNode(job: ScriptJob, handler: NodeHandler, maxHeaderSize: number): Promise<void> {
  const { request } = job;
  const parser = new NodeResponseParser();
  const server = serverFor(handler, maxHeaderSize);
  return new Promise<void>((resolve) => {
    let settled = false;
    const finish = (work?: Promise<void>): void => {
      if (settled) return;
      settled = true;
      void (work ?? Promise.resolve()).then(resolve, resolve);
    };
    const params = request.params;
    const https = params['HTTPS'];
    // A write that failed because the web server closed the FastCGI connection: the client is gone,
    // which the connection's own 'close' reports a moment later.
    let clientGone = false;
    const socket = new FcgiSocket(
      {
        write: async (data) => {
          const { head, body } = parser.feed(data);
          if (request.abort.aborted) return;
          // Given (sent in place when large): http.ServerResponse hands its socket the script's own
          // buffers, as Node's own server does, or fresh ones.
          if (head !== undefined) {
            request.status = head.status;
            await request.response.stdout(body.length === 0 ? head.head : Buffer.concat([head.head, ...body]), true);
          } else if (body.length > 0) {
            const bytes = body.length === 1 && body[0] !== undefined ? body[0] : Buffer.concat(body);
            await request.response.stdout(bytes, true);
          }
        },
        end: () => {
          finish();
          // The response is complete; the virtual socket goes (http.Server keeps nothing of it).
          setImmediate(() => socket.destroy());
        },
      },
      {
        ...(params['REMOTE_ADDR'] !== undefined ? { remoteAddress: params['REMOTE_ADDR'] } : {}),
        ...(params['REMOTE_PORT'] !== undefined ? { remotePort: Number(params['REMOTE_PORT']) } : {}),
        ...(params['SERVER_ADDR'] !== undefined ? { localAddress: params['SERVER_ADDR'] } : {}),
        ...(params['SERVER_PORT'] !== undefined ? { localPort: Number(params['SERVER_PORT']) } : {}),
        encrypted: https !== undefined && https !== '' && https.toLowerCase() !== 'off',
      },
      job.where,
    );
    socket.once('close', () => {
      // Destroyed before the server ended it: the handler broke the response, or we were aborted.
      if (settled) return;
      if (timedOut(request)) finish(answerTimeout(job));
      else if (request.abort.aborted || clientGone) finish();
      else if (request.status === 0)
        finish(
          failScript(
            job,
            new TsfpmError('TSFPM_ERR_SCRIPT_BAD_RESPONSE', 'the handler closed the response without an answer'),
          ),
        );
      else {
        request.destroyConnection('the handler destroyed its response mid-body');
        finish();
      }
    });
    socket.once('error', (err) => {
      if (err instanceof ConnectionClosedError) clientGone = true;
      childLog('debug', `${job.where} virtual socket: ${err.message}`);
    });
    request.abort.onAbort(() => socket.destroy());
    const { head, chunked } = rebuildRequestHead(params);
    server.emit('connection', socket);
    const hasBody = chunked || Number(params['CONTENT_LENGTH'] ?? 0) > 0;
    socket.feed(head, hasBody ? request.body : undefined, chunked);
  });
}
