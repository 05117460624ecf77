// One accepted FastCGI connection: bytes → records → protocol events → requests, and the timers
// that keep a silent or stalled client from holding the connection forever.
import type { PoolConfig } from '../config/types.js';
import { ProtocolError, describeError } from '../errors.js';
import { RecordDecoder } from '../fastcgi/decoder.js';
import { ServerSession, type SessionEvent, type SessionOptions } from '../fastcgi/session.js';
import type { Params } from '../fastcgi/params.js';
import { formatTextResponse } from '../handlers/cgi-response.js';
import { childLog } from './child-log.js';
import { FcgiResponse } from './fcgi-response.js';
import { ConnectionClosedError, OutputChannel, WRITTEN } from './output-channel.js';
import { LazyAbort } from './lazy-abort.js';
import { RequestBody } from './request-body.js';
import type { Transport } from './transport/transport.js';

/** PHP-FPM closes a connection that sends nothing for 5 s; we apply it to reading the request head too. */
export const HEAD_READ_TIMEOUT_MS = 5000;
/**
 * A kept-alive connection between requests may idle longer: nginx's upstream keepalive_timeout is 60 s
 * by default and the web server should be the side that closes, or a request sent at that moment fails.
 */
export const KEEPALIVE_IDLE_TIMEOUT_MS = 75_000;
/**
 * A request body whose client sends nothing for this long is abandoned (nginx's own
 * fastcgi_send_timeout default is 60 s). A stall in the middle of a record is cut after
 * HEAD_READ_TIMEOUT_MS: web servers write whole records, so that is a broken or hostile client.
 */
export const BODY_IDLE_TIMEOUT_MS = 60_000;
/**
 * Replies to management records (GET_VALUES, unknown types) the client leaves unread: past this, a
 * client flooding tiny management records while never reading would grow our write buffer forever.
 */
const MAX_UNREAD_REPLY_BYTES = 1024 * 1024;

/** Everything a request handler gets about one request. */
export interface ActiveRequest {
  readonly requestId: number;
  readonly role: number;
  readonly keepConn: boolean;
  readonly params: Params;
  readonly body: RequestBody;
  readonly response: FcgiResponse;
  readonly abort: LazyAbort;
  /** Resolves when the last STDIN record has arrived (or the request was aborted). */
  readonly bodyDone: Promise<void>;
  readonly startedAtMs: number;
  /** The HTTP status sent (for the access log and scoreboard); 0 until the head is written. */
  status: number;
  /** Work registered with ctx.waitUntil(): the child stays busy until it settles, after the response. */
  readonly background: Promise<unknown>[];
  /** Breaks the connection without END_REQUEST: the web server must not take a cut response as whole. */
  destroyConnection(reason: string): void;
  /** The child's bookkeeping (worker/main.ts): its scoreboard token and its CPU time when the request began. */
  scoreboardToken: { readonly startedAtMs: number } | undefined;
  cpuAtStartMicros: number;
}

export type RequestRunner = (request: ActiveRequest) => Promise<void>;

export interface ConnectionOptions {
  readonly pool: PoolConfig;
  readonly session: SessionOptions;
  readonly run: RequestRunner;
  /** The peer for log lines (computed only when a line is written). */
  readonly peer: () => string;
  /** The request reached its params (it is now running). */
  readonly onStart: (request: ActiveRequest) => void;
  /** The request is over, including its background work. */
  readonly onFinish: (request: ActiveRequest) => void;
  /** Asked after each request: true closes the connection even when the web server wants to keep it. */
  readonly shouldClose: () => boolean;
  /**
   * When the connection was accepted (ms epoch): the master's clock for a handed-over connection, so
   * request_queue_timeout counts the time spent behind a busy child. Default: now.
   */
  readonly acceptedAtMs?: number;
}

const DONE: Promise<void> = Promise.resolve();
const EMPTY_PARAMS: Params = Object.freeze(Object.create(null) as Params);
const RUN_NOTHING: RequestRunner = () => Promise.resolve();

/**
 * One request on a connection. The body stream is made only when something asks for it (or body bytes
 * arrive): most requests have none, and a Readable per request is a measurable cost.
 */
class ConnectionRequest implements ActiveRequest {
  readonly requestId: number;
  readonly role: number;
  readonly keepConn: boolean;
  /** Set once when the PARAMS stream is complete (the decoded object itself: no copy). */
  params: Params = EMPTY_PARAMS;
  readonly response: FcgiResponse;
  readonly abort = new LazyAbort();
  readonly startedAtMs = Date.now();
  status = 0;
  readonly background: Promise<unknown>[] = [];
  readonly destroyConnection: (reason: string) => void;
  scoreboardToken: { readonly startedAtMs: number } | undefined = undefined;
  cpuAtStartMicros = 0;
  readonly #makeBody: () => RequestBody;
  #body: RequestBody | undefined;
  /** The last STDIN record arrived (or the request was aborted): the body is complete. */
  bodyComplete = false;
  /** STDIN bytes so far, counted only when fastcgi.max_body_size is set. */
  bodyBytes = 0;
  /** Answered without running (413 or 503): the rest of the body is drained, up to what it announced. */
  refusedBodyBytes = -1;
  #bodyWaiter: (() => void) | undefined;
  #bodyDone: Promise<void> | undefined;
  #bodyDropped = false;

  constructor(
    requestId: number,
    role: number,
    keepConn: boolean,
    response: FcgiResponse,
    makeBody: () => RequestBody,
    destroyConnection: (reason: string) => void,
  ) {
    this.requestId = requestId;
    this.role = role;
    this.keepConn = keepConn;
    this.response = response;
    this.#makeBody = makeBody;
    this.destroyConnection = destroyConnection;
  }

  get body(): RequestBody {
    if (this.#body === undefined) {
      this.#body = this.#makeBody();
      if (this.bodyComplete) this.#body.finish();
    }
    return this.#body;
  }

  get bodyDone(): Promise<void> {
    if (this.bodyComplete) return DONE;
    this.#bodyDone ??= new Promise<void>((resolve) => {
      this.#bodyWaiter = resolve;
    });
    return this.#bodyDone;
  }

  feed(data: Buffer): void {
    // After an abort the body is complete, yet the client may go on sending STDIN: a stream made
    // now would already have ended (push after EOF).
    if (this.#bodyDropped || this.bodyComplete) return;
    this.body.feed(data);
  }

  /** The body is complete (normally, or because the request was aborted or its connection closed). */
  completeBody(normally: boolean): void {
    if (this.bodyComplete) return;
    this.bodyComplete = true;
    if (this.#body !== undefined) {
      if (normally) this.#body.finish();
      else this.#body.discard();
    }
    this.#bodyWaiter?.();
  }

  /** The script is done: whatever body it did not read is dropped as it arrives. */
  dropUnreadBody(): void {
    // A body that had not begun to arrive must not get a stream nobody reads (it would pause the socket).
    this.#bodyDropped = true;
    if (this.#body !== undefined && !this.#body.ended) this.#body.discard();
  }
}

export interface ConnectionHandle {
  /** No request is in progress (between requests on a kept connection, or before the first). */
  isIdle(): boolean;
  /** No request has begun on it right now (half-open, idle, or kept between requests): it may be evicted. */
  isWaiting(): boolean;
  /** Closed at once to make room (fastcgi.max_connections). */
  evict(): void;
  close(): void;
  /** Applies the read timeout: the child calls it for every connection once a second. */
  checkIdle(nowMs: number): void;
}

export function serveConnection(transport: Transport, options: ConnectionOptions): ConnectionHandle {
  const decoder = new RecordDecoder();
  const session = new ServerSession(options.session);
  const channel = new OutputChannel(transport, options.pool.outputBufferBytes, (err) => {
    childLog('error', `[pool ${options.pool.name}] the held response could not be read back, closing the connection: ${describeError(err)}`);
    transport.destroy();
  });
  let current: ConnectionRequest | undefined;
  /** A request whose PARAMS just completed, run when the chunk that completed them is decoded. */
  let starting: ConnectionRequest | undefined;
  let closed = false;
  const pool = options.pool;
  const acceptedAtMs = options.acceptedAtMs ?? Date.now();

  const fail = (reason: string): void => {
    childLog('warning', `[pool ${options.pool.name}] closing FastCGI connection from ${options.peer()}: ${reason}`);
    transport.destroy();
  };

  // The read timeout is checked by the child's once-a-second sweep (checkIdle below), not by
  // socket.setTimeout(): that costs a timer per connection and a timer refresh on every read and write.
  // Silence counts from the later of the last data and the moment the current timeout was set.
  let timeoutMs = 0;
  let timeoutFromMs = 0;
  const setReadTimeout = (ms: number): void => {
    if (ms !== timeoutMs) {
      timeoutMs = ms;
      timeoutFromMs = Date.now();
    }
  };
  let servedOne = false;
  const armHeadTimeout = (): void => {
    setReadTimeout(servedOne ? KEEPALIVE_IDLE_TIMEOUT_MS : HEAD_READ_TIMEOUT_MS);
  };
  let lastDataAtMs = Date.now();
  const onReadTimeout = (): void => {
    if (current === undefined && !decoder.midRecord) {
      transport.destroy(); // idle client: nothing was lost
    } else if (session.phase !== 'stdin' || decoder.midRecord) {
      fail(`no data for ${HEAD_READ_TIMEOUT_MS} ms while reading the request (${session.phase}${decoder.midRecord ? ', inside a record' : ''})`);
    } else {
      const idleMs = Date.now() - lastDataAtMs;
      if (idleMs >= BODY_IDLE_TIMEOUT_MS) fail(`no request body data for ${idleMs} ms`);
      else setReadTimeout(BODY_IDLE_TIMEOUT_MS - idleMs);
    }
  };
  armHeadTimeout();

  // While the script is not reading, the silence is ours, not the client's: no read timeout.
  const makeBody = (): RequestBody =>
    new RequestBody(
      () => {
        transport.pause();
        setReadTimeout(0);
      },
      () => {
        transport.resume();
        if (session.phase === 'stdin') setReadTimeout(HEAD_READ_TIMEOUT_MS);
      },
    );

  const onEvent = (event: SessionEvent): void => {
    switch (event.kind) {
      case 'reply':
        childLog('debug', `[pool ${options.pool.name}] ${event.note}`);
        if (transport.pendingBytes > MAX_UNREAD_REPLY_BYTES) {
          fail(`the client does not read the replies to its management records (${transport.pendingBytes} bytes unread)`);
          return;
        }
        transport.write(event.bytes);
        if (event.close) transport.end();
        return;
      case 'begin': {
        setReadTimeout(HEAD_READ_TIMEOUT_MS);
        // Kept connections carry request after request: Nagle's delay would hit each small response
        // (php-fpm also sets TCP_NODELAY only with FCGI_KEEP_CONN). A no-op on unix sockets.
        if (event.keepConn && !servedOne) transport.setNoDelay();
        channel.reset();
        current = new ConnectionRequest(
          event.requestId,
          event.role,
          event.keepConn,
          new FcgiResponse(channel, event.requestId),
          makeBody,
          fail,
        );
        return;
      }
      case 'params': {
        const request = current;
        if (request === undefined) return;
        request.params = event.params;
        // The body phase: a stall inside a record, or a long silence, ends the connection.
        setReadTimeout(HEAD_READ_TIMEOUT_MS);
        // Started once the rest of this chunk is decoded: a GET's empty STDIN usually travels with
        // its PARAMS, and a script that answers at once then writes straight through instead of
        // into the hold that waits for the end of the body.
        starting = request;
        return;
      }
      case 'stdin': {
        const request = current;
        if (request === undefined) return;
        if (pool.maxBodyBytes > 0 && (request.bodyBytes += event.data.length) > pool.maxBodyBytes) {
          if (request.refusedBodyBytes < 0) {
            fail(`request body exceeds fastcgi.max_body_size (${pool.maxBodyBytes} bytes) while the script runs`);
            return;
          }
          if (request.bodyBytes > request.refusedBodyBytes) {
            fail(`request body goes on past the CONTENT_LENGTH it announced (${request.refusedBodyBytes} bytes)`);
            return;
          }
        }
        request.feed(event.data);
        return;
      }
      case 'stdin-end': {
        const request = current;
        if (request === undefined) return;
        setReadTimeout(0); // the whole request is in: the script may take its time
        request.completeBody(true);
        void channel.release().catch(() => undefined); // a failed release surfaces as a failed write
        return;
      }
      case 'abort': {
        const request = current;
        if (request === undefined) return;
        childLog('debug', `[pool ${options.pool.name}] request ${request.requestId} aborted by the web server`);
        request.abort.abort(new Error('FCGI_ABORT_REQUEST'));
        request.completeBody(false);
        void channel.release().catch(() => undefined);
        // Aborted before its PARAMS were complete: no script runs, but the web server still gets the
        // END_REQUEST the protocol promises (not a read timeout), and a kept connection stays usable.
        if (request.params === EMPTY_PARAMS && starting !== request) void runRequest(request, RUN_NOTHING);
        return;
      }
    }
  };

  /**
   * A request answered by tsfpm itself instead of its script: a body announced over
   * fastcgi.max_body_size (413), or a request that waited past request_queue_timeout (503). Only
   * looked at when those directives are set. The body is still read and dropped, so the web server
   * gets the answer on a connection in a known state.
   */
  const refuse = (request: ConnectionRequest): RequestRunner | undefined => {
    if (pool.requestQueueTimeoutMs > 0 && !servedOne) {
      const waitedMs = Date.now() - acceptedAtMs;
      if (waitedMs > pool.requestQueueTimeoutMs) {
        childLog('warning', `[pool ${pool.name}] request waited ${waitedMs} ms for a free child, more than request_queue_timeout (${pool.requestQueueTimeoutMs} ms): 503`);
        return refusalRunner(request, 503, 'Service Unavailable\n');
      }
    }
    if (pool.maxBodyBytes > 0) {
      const announced = Number(request.params['CONTENT_LENGTH'] ?? 0) || 0;
      if (announced > pool.maxBodyBytes) {
        childLog('warning', `[pool ${pool.name}] request body of ${announced} bytes exceeds fastcgi.max_body_size (${pool.maxBodyBytes} bytes): 413`);
        return refusalRunner(request, 413, 'Request Entity Too Large\n');
      }
    }
    return undefined;
  };
  const refusalRunner = (request: ConnectionRequest, status: number, body: string): RequestRunner => {
    request.refusedBodyBytes = Math.max(0, Number(request.params['CONTENT_LENGTH'] ?? 0) || 0);
    return async () => {
      request.status = status;
      await request.response.stdout(formatTextResponse(status, body));
    };
  };

  const runRequest = async (request: ConnectionRequest, run: RequestRunner): Promise<void> => {
    options.onStart(request);
    try {
      await run(request);
    } catch (err) {
      if (err instanceof ConnectionClosedError) {
        childLog('notice', `[pool ${options.pool.name}] the web server closed the connection before the response was sent`);
      } else {
        childLog('error', `[pool ${options.pool.name}] request failed: ${describeError(err)}`);
      }
    }
    await finishRequest(request);
    if (request.background.length > 0) await Promise.allSettled(request.background);
    options.onFinish(request);
  };

  const finishRequest = async (request: ConnectionRequest): Promise<void> => {
    if (closed) return;
    try {
      // The response may not complete before the body has been read: drop what the script left unread.
      // Each step is awaited only when it has to wait (the common case passes straight through).
      request.dropUnreadBody();
      if (!request.bodyComplete) await request.bodyDone;
      if (!channel.released) await channel.release();
      const ended = request.response.end();
      if (ended !== WRITTEN) await ended;
      const flushed = channel.flushed();
      if (flushed !== WRITTEN) await flushed;
    } catch {
      // The connection went away while finishing (or the channel closed it: held output lost):
      // nothing more can be sent, and the close handler has already aborted the request.
      return;
    }
    if (channel.heldBytes > 0) await channel.dispose().catch(() => undefined);
    if (current === request) current = undefined;
    session.endRequest();
    servedOne = true;
    if (request.keepConn && !options.shouldClose()) {
      channel.flush();
      armHeadTimeout();
    } else {
      // A peer that never closes its side after ours is cut by the read timeout (nothing is lost).
      setReadTimeout(HEAD_READ_TIMEOUT_MS);
      transport.end(); // sends the queued response with it
    }
  };

  transport.onData((chunk: Buffer) => {
    lastDataAtMs = Date.now();
    try {
      decoder.push(chunk, (record) => session.receive(record, onEvent));
    } catch (err) {
      if (err instanceof ProtocolError) fail(`${err.code}: ${err.message}`);
      else fail(`internal error: ${describeError(err)}`);
    }
    const request = starting;
    if (request !== undefined) {
      starting = undefined;
      // A protocol error later in the chunk closed the connection: the request is not run.
      if (!transport.closed) void runRequest(request, refuse(request) ?? options.run);
    }
  });
  transport.onClose((err) => {
    if (err !== undefined) childLog('debug', `[pool ${options.pool.name}] connection error: ${err.message}`);
    closed = true;
    const request = current;
    if (request !== undefined) {
      request.abort.abort(new Error('the FastCGI connection closed'));
      request.completeBody(false);
    }
    void channel.dispose().catch(() => undefined);
  });
  return {
    // A connection that has not carried a request yet is not idle: the web server opened it to send
    // one, and closing it now would fail that request (a 502 during every reload).
    isIdle: () => servedOne && current === undefined && !decoder.midRecord,
    isWaiting: () => current === undefined,
    evict: () => transport.destroy(),
    close: () => transport.end(),
    checkIdle: (nowMs) => {
      if (timeoutMs > 0 && !closed && nowMs - Math.max(timeoutFromMs, lastDataAtMs) >= timeoutMs) onReadTimeout();
    },
  };
}
