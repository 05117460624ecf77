// request_queue_timeout for ondemand pools: a connection the master accepted but could not hand to a
// child in time is answered by the master itself with a minimal FastCGI 503 (php-fpm has no such
// limit: at pm.max_children a connection waits as long as the web server does; php-src GH-11260 asks
// for one). The master reads the connection only for this: the request id of its BEGIN_REQUEST, so
// the web server can match the answer to its request.
import type { Socket } from 'node:net';
import { FCGI_BEGIN_REQUEST, FCGI_HEADER_LEN, FCGI_REQUEST_COMPLETE, FCGI_STDOUT } from '../fastcgi/constants.js';
import { encodeEndRequest, encodeRecord } from '../fastcgi/record.js';

/** The client has this long to send its BEGIN_REQUEST header before the connection is just closed. */
const HEADER_WAIT_MS = 1000;

/** How long the rest of an answered request is read and dropped before the connection is cut. */
const DRAIN_MS = 5000;

const BODY = 'Service Unavailable\n';
const HEAD = `Status: 503 Service Unavailable\r\nContent-type: text/plain; charset=UTF-8\r\nRetry-After: 1\r\n\r\n`;

/** Writes a 503 response for the connection's first request, then closes it. */
export function answerServiceUnavailable(socket: Socket): void {
  let header = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), HEADER_WAIT_MS);
  timer.unref();
  socket.on('error', () => undefined);
  socket.once('close', () => clearTimeout(timer));
  const onData = (chunk: Buffer): void => {
    header = Buffer.concat([header, chunk]);
    if (header.length < FCGI_HEADER_LEN) return;
    socket.removeListener('data', onData);
    clearTimeout(timer);
    const requestId = header.readUInt16BE(2);
    if (header[1] !== FCGI_BEGIN_REQUEST || requestId === 0) {
      socket.destroy();
      return;
    }
    socket.end(
      Buffer.concat([
        encodeRecord(FCGI_STDOUT, requestId, Buffer.from(HEAD + BODY, 'latin1')),
        encodeRecord(FCGI_STDOUT, requestId),
        encodeEndRequest(requestId, 0, FCGI_REQUEST_COMPLETE),
      ]),
    );
    // The rest of the request (PARAMS, STDIN) is read and dropped until the web server closes, for a
    // bounded time: the master holds no connection on behalf of a client that never stops sending.
    socket.resume();
    setTimeout(() => socket.destroy(), DRAIN_MS).unref();
  };
  socket.on('data', onData);
  socket.resume();
}
