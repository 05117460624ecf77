// One accepted FastCGI connection as a state machine: bytes → records → protocol events → requests,
// and the read timeouts that keep a silent or stalled client from holding the connection forever. It
// needs only a Transport, a clock and a log, so tests drive it without a socket. (Over 300 lines: one
// state machine; its parts live in connection-pace.ts, connection-pipeline.ts, connection-request.ts.)
import type { LogLevel } from '../config/types.js';
import { describeCoded, describeError, ProtocolError } from '../errors.js';
import { FCGI_AUTHORIZER, FCGI_FILTER } from '../fastcgi/constants.js';
import { RecordDecoder } from '../fastcgi/decoder.js';
import type { Params } from '../fastcgi/params.js';
import type { FcgiRecord } from '../fastcgi/record.js';
import { ServerSession, type SessionEvent } from '../fastcgi/session.js';
import { childLog } from '../log/child-log.js';
import type { FcgiRole } from '../request/active-request.js';
import { announcedLength, RequestBody } from '../request/request-body.js';
import { ConnectionClosedError, WRITTEN } from '../request/response-sink.js';
import type { ConnectionHandle, ConnectionOptions, ConnectionPool } from './connection-options.js';
import { ConnectionPace, type PaceState } from './connection-pace.js';
import { PipelineHold } from './connection-pipeline.js';
import { ConnectionRequest, EMPTY_PARAMS, type ServedRunner } from './connection-request.js';
import { FcgiResponse } from './fcgi-response.js';
import { OutputChannel } from './output-channel.js';
import { HEAD_READ_TIMEOUT_MS, KEEPALIVE_IDLE_TIMEOUT_MS } from './read-timeout.js';
import { bodyOverCap, refusal, truncatedBody } from './request-limits.js';
import type { Transport } from './transport/transport.js';

/**
 * Replies to management records (GET_VALUES, unknown types) the client leaves unread: past this, a
 * client flooding tiny management records while never reading would grow our write buffer forever.
 */
const MAX_UNREAD_REPLY_BYTES = 1024 * 1024;

const RUN_NOTHING: ServedRunner = () => Promise.resolve();
const roleName = (role: number): FcgiRole =>
  role === FCGI_AUTHORIZER ? 'authorizer' : role === FCGI_FILTER ? 'filter' : 'responder';

export function serveConnection(transport: Transport, options: ConnectionOptions): ConnectionHandle {
  return new Connection(transport, options);
}

export class Connection implements ConnectionHandle, PaceState {
  readonly #transport: Transport;
  readonly #options: ConnectionOptions;
  readonly #pool: ConnectionPool;
  readonly #now: () => number;
  readonly #log: (level: LogLevel, message: string) => void;
  readonly #decoder = new RecordDecoder();
  readonly #session: ServerSession;
  readonly #channel: OutputChannel;
  /** Read timeout, head and body pace. */
  readonly #pace: ConnectionPace;
  readonly #acceptedAtMs: number;
  /** Records of the next request sent before this one was answered (pipelining): they wait. */
  readonly #hold = new PipelineHold();
  /** The script's body stream is full: reading waits until it asks for more. */
  #bodyPaused = false;
  #current: ConnectionRequest | undefined;
  /** A request whose PARAMS just completed, run when the chunk that completed them is decoded. */
  #starting: ConnectionRequest | undefined;
  #closed = false;
  #servedOne = false;
  /** When the chunk being decoded arrived: the clock of the events in it (one read per chunk). */
  #chunkAtMs = 0;

  constructor(transport: Transport, options: ConnectionOptions) {
    this.#transport = transport;
    this.#options = options;
    this.#pool = options.pool;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? childLog;
    this.#session = new ServerSession(options.session);
    this.#channel = new OutputChannel(transport, options.pool.outputBufferBytes, (err) => {
      this.#log(
        'error',
        `[pool ${this.#pool.name}] the held response could not be read back, closing the connection: ${describeError(err)}`,
      );
      transport.destroy();
    });
    const now = this.#now();
    this.#acceptedAtMs = options.acceptedAtMs ?? now;
    this.#pace = new ConnectionPace(now, options.pool);
    this.#armHeadTimeout();
    transport.onData(this.#onData);
    transport.onClose(this.#onClose);
  }

  // What the connection is doing (PaceState): read by its pace, for the timeouts and the shedding order.
  get begun(): boolean {
    return this.#current !== undefined;
  }

  get phase(): PaceState['phase'] {
    return this.#session.phase;
  }

  get midRecord(): boolean {
    return this.#decoder.midRecord;
  }

  get servedOne(): boolean {
    return this.#servedOne;
  }

  // A connection that has not carried a request yet is not idle: the web server opened it to send
  // one, and closing it now would fail that request (a 502 during every reload).
  isIdle(): boolean {
    return this.#servedOne && this.#current === undefined && !this.#decoder.midRecord;
  }

  shedClass(nowMs: number): number {
    return this.#pace.shedClass(nowMs, this);
  }

  shedOrder(nowMs: number): number {
    return this.#pace.shedOrder(nowMs, this);
  }

  evict(): void {
    this.#transport.destroy();
  }

  close(): void {
    this.#transport.end();
  }

  checkIdle(nowMs: number): void {
    if (this.#closed) return;
    const verdict = this.#pace.check(nowMs, this);
    if (verdict === undefined) return;
    if (verdict.kind === 'idle') {
      this.#transport.destroy(); // idle client: nothing was lost
    } else if (verdict.kind === 'timeout' || this.#options.onPaceCut === undefined) {
      this.#fail(verdict.reason);
    } else {
      // One rate-limited WARNING for all of them (an attack is thousands).
      this.#log(
        'debug',
        `[pool ${this.#pool.name}] closing FastCGI connection from ${this.#options.peer()}: ${verdict.reason}`,
      );
      this.#options.onPaceCut(verdict.cut);
      this.#transport.destroy();
    }
  }

  /** Reading goes on unless the script's body stream is full or a pipelined request waits its turn. */
  #updateReading(): void {
    if (this.#bodyPaused || this.#hold.holding) this.#transport.pause();
    else this.#transport.resume();
  }

  readonly #fail = (reason: string): void => {
    this.#log(
      'warning',
      `[pool ${this.#pool.name}] closing FastCGI connection from ${this.#options.peer()}: ${reason}`,
    );
    this.#transport.destroy();
  };

  #setReadTimeout(ms: number, nowMs = this.#now()): void {
    this.#pace.timeout.set(ms, nowMs);
  }

  #armHeadTimeout(): void {
    this.#setReadTimeout(this.#servedOne ? KEEPALIVE_IDLE_TIMEOUT_MS : HEAD_READ_TIMEOUT_MS);
  }

  // While the script is not reading, the silence is ours, not the client's: no read timeout, and the
  // body's pace does not count.
  readonly #makeBody = (params: Params): RequestBody =>
    new RequestBody(
      () => {
        this.#bodyPaused = true;
        this.#pace.body.pause(this.#now());
        this.#updateReading();
        this.#setReadTimeout(0);
      },
      () => {
        this.#bodyPaused = false;
        this.#pace.body.resume(this.#now());
        this.#updateReading();
        if (this.#session.phase === 'stdin') this.#setReadTimeout(HEAD_READ_TIMEOUT_MS);
      },
      announcedLength(params),
    );

  readonly #onData = (chunk: Buffer): void => {
    const now = this.#now();
    this.#pace.received(now, chunk.length, this);
    this.#chunkAtMs = now;
    try {
      this.#decoder.push(chunk, this.#onRecord);
    } catch (err) {
      this.#failOn(err);
    }
    this.#afterRecords();
  };

  readonly #onRecord = (record: FcgiRecord): void => {
    if (this.#hold.takes(record, this.#session)) {
      this.#updateReading();
      return;
    }
    this.#session.receive(record, this.#onEvent);
  };

  #failOn(err: unknown): void {
    if (err instanceof ProtocolError) this.#fail(describeCoded(err, err.code));
    else this.#fail(`internal error: ${describeError(err)}`);
  }

  /** After a chunk (or the held records) went through: start a request whose head completed. */
  #afterRecords(): void {
    // Only management records (a GET_VALUES) and no request begun: no head in progress.
    if (this.#current === undefined && !this.#decoder.midRecord && this.#servedOne) this.#pace.head.stop();
    const request = this.#starting;
    if (request !== undefined) {
      this.#starting = undefined;
      // A protocol error later in the chunk closed the connection: the request is not run.
      if (!this.#transport.closed) void this.#runRequest(request, request.refusal ?? this.#options.run);
    }
  }

  /** The previous request is answered: the records of the next one that were held go through now. */
  #releaseHeld(): void {
    const held = this.#hold.release();
    if (held.length === 0) return;
    this.#pace.head.start(this.#now());
    try {
      // A held request whose input completes makes the hold take the rest again (in order).
      for (const record of held) this.#onRecord(record);
    } catch (err) {
      this.#failOn(err);
    }
    this.#afterRecords();
    this.#updateReading();
  }

  readonly #onClose = (err?: Error): void => {
    if (err !== undefined) this.#log('debug', `[pool ${this.#pool.name}] connection error: ${err.message}`);
    this.#closed = true;
    this.#hold.release();
    const request = this.#current;
    if (request !== undefined) {
      request.abort.abort(new Error('the FastCGI connection closed'));
      request.completeBody(false);
    }
    void this.#channel.dispose().catch(() => undefined);
  };

  readonly #onEvent = (event: SessionEvent): void => {
    const transport = this.#transport;
    const request = this.#current;
    switch (event.kind) {
      case 'reply':
        this.#log('debug', `[pool ${this.#pool.name}] ${event.note}`);
        if (transport.pendingBytes > MAX_UNREAD_REPLY_BYTES) {
          this.#fail(
            `the client does not read the replies to its management records (${transport.pendingBytes} bytes unread)`,
          );
          return;
        }
        transport.write(event.bytes);
        if (event.close) transport.end();
        return;
      case 'begin':
        this.#setReadTimeout(HEAD_READ_TIMEOUT_MS, this.#chunkAtMs);
        // Kept connections carry request after request: Nagle's delay would hit each small response
        // (php-fpm also sets TCP_NODELAY only with FCGI_KEEP_CONN). A no-op on unix sockets.
        if (event.keepConn && !this.#servedOne) transport.setNoDelay();
        this.#channel.reset();
        this.#current = new ConnectionRequest(
          {
            requestId: event.requestId,
            role: roleName(event.role),
            keepConn: event.keepConn,
            startedAtMs: this.#chunkAtMs,
          },
          new FcgiResponse(this.#channel, event.requestId),
          this.#makeBody,
          this.#fail,
        );
        return;
      case 'params':
        if (request === undefined) return;
        request.params = event.params;
        this.#pace.headDone(this.#now());
        // Before any STDIN of the same chunk is counted: a refused body is drained, not a reason to close.
        request.refusal = this.#refusal(request);
        // The body phase: a stall inside a record, or a long silence, ends the connection.
        this.#setReadTimeout(HEAD_READ_TIMEOUT_MS, this.#chunkAtMs);
        // Started once the rest of this chunk is decoded: a GET's empty STDIN usually travels with
        // its PARAMS, and a script that answers at once then writes straight through instead of
        // into the hold that waits for the end of the body.
        this.#starting = request;
        return;
      case 'stdin': {
        if (request === undefined) return;
        this.#pace.body.add(event.data.length);
        const overCap = bodyOverCap(request, event.data.length, this.#pool.maxBodyBytes);
        if (overCap === undefined) request.feed(event.data);
        else this.#fail(overCap);
        return;
      }
      case 'stdin-end': {
        if (request === undefined) return;
        this.#setReadTimeout(0, this.#chunkAtMs); // the whole request is in: the script may take its time
        this.#pace.body.stop();
        const short = truncatedBody(request, this.#pace.body.bytes);
        if (short !== undefined) this.#log('warning', `[pool ${this.#pool.name}] ${short}`);
        request.completeBody(true);
        void this.#channel.release().catch(() => undefined); // a failed release surfaces as a failed write
        return;
      }
      case 'abort':
        if (request === undefined) return;
        this.#log('debug', `[pool ${this.#pool.name}] request ${request.requestId} aborted by the web server`);
        request.abort.abort(new Error('FCGI_ABORT_REQUEST'));
        this.#pace.body.stop();
        request.completeBody(false);
        void this.#channel.release().catch(() => undefined);
        // Aborted before its PARAMS were complete: no script runs, but the web server still gets the
        // END_REQUEST the protocol promises (not a read timeout), and a kept connection stays usable.
        if (request.params === EMPTY_PARAMS && this.#starting !== request) void this.#runRequest(request, RUN_NOTHING);
        return;
    }
  };

  /** request_queue_timeout counts only for the first request: a later one on a kept connection did not queue. */
  #refusal(request: ConnectionRequest): ServedRunner | undefined {
    const queued = !this.#servedOne && this.#pool.requestQueueTimeoutMs > 0; // no clock read on the common path
    const waitedMs = queued ? this.#now() - this.#acceptedAtMs : undefined;
    return refusal(request, this.#pool, waitedMs, this.#log);
  }

  async #runRequest(request: ConnectionRequest, run: ServedRunner): Promise<void> {
    this.#options.onStart(request);
    try {
      // Awaited only when it has to wait: an answer that went straight out returns WRITTEN, and the
      // whole request then ends without a promise hop.
      const ran = run(request);
      if (ran !== WRITTEN) await ran;
    } catch (err) {
      if (err instanceof ConnectionClosedError) {
        this.#log(
          'notice',
          `[pool ${this.#pool.name}] the web server closed the connection before the response was sent`,
        );
      } else {
        this.#log('error', `[pool ${this.#pool.name}] request failed: ${describeError(err)}`);
      }
    }
    const finishing = this.#finishRequest(request);
    if (finishing !== undefined) await finishing;
    if (request.background.length > 0) await Promise.allSettled(request.background);
    this.#options.onFinish(request);
  }

  /** Ends the request on the connection; a promise only when something has to be waited for. */
  #finishRequest(request: ConnectionRequest): Promise<void> | undefined {
    if (this.#closed) return undefined;
    const channel = this.#channel;
    // The response may not complete before the body has been read: drop what the script left unread.
    request.dropUnreadBody();
    if (!request.bodyComplete || !channel.released || channel.heldBytes > 0) return this.#finishLater(request);
    // The common case: END_REQUEST goes straight out behind the answer.
    const ended = request.response.end();
    if (ended !== WRITTEN || channel.flushed() !== WRITTEN) return this.#finishLater(request, ended);
    this.#readyForNext(request);
    return undefined;
  }

  async #finishLater(request: ConnectionRequest, ended?: Promise<void>): Promise<void> {
    const channel = this.#channel;
    try {
      // Each step is awaited only when it has to wait.
      if (ended === undefined) {
        if (!request.bodyComplete) await request.bodyDone;
        if (!channel.released) await channel.release();
        ended = request.response.end();
      }
      if (ended !== WRITTEN) await ended;
      const flushed = channel.flushed();
      if (flushed !== WRITTEN) await flushed;
    } catch {
      // The connection went away while finishing (or the channel closed it: held output lost):
      // nothing more can be sent, and the close handler has already aborted the request.
      return;
    }
    if (channel.heldBytes > 0) await channel.dispose().catch(() => undefined);
    this.#readyForNext(request);
  }

  /** The request's last bytes are queued: the connection takes the next request, or closes. */
  #readyForNext(request: ConnectionRequest): void {
    if (this.#current === request) this.#current = undefined;
    this.#session.endRequest();
    this.#servedOne = true;
    this.#pace.requestDone();
    if (request.keepConn && !this.#options.shouldClose()) {
      this.#channel.flush();
      this.#armHeadTimeout();
      this.#releaseHeld();
    } else {
      // A peer that never closes its side after ours is cut by the read timeout (nothing is lost).
      this.#setReadTimeout(HEAD_READ_TIMEOUT_MS);
      this.#transport.end(); // sends the queued response with it
    }
  }
}
