// Drives the worker's Connection state machine without a socket: an in-memory Transport, a clock the
// test moves, a log the test reads, and FastCGI input built with the project's own encoders.
import type { LogLevel } from '../../../src/config/types.js';
import {
  FCGI_KEEP_CONN,
  FCGI_PARAMS,
  FCGI_RESPONDER,
  FCGI_STDIN,
  FCGI_AUTHORIZER,
} from '../../../src/fastcgi/constants.js';
import { RecordDecoder } from '../../../src/fastcgi/decoder.js';
import { encodeParams } from '../../../src/fastcgi/params.js';
import { encodeBeginRequest, encodeRecord, encodeStream } from '../../../src/fastcgi/record.js';
import { Connection } from '../../../src/worker/connection.js';
import type { ConnectionOptions, ConnectionPool } from '../../../src/worker/connection-options.js';
import type { ServedRequest, ServedRunner } from '../../../src/worker/connection-request.js';
import { RESOLVED, type Transport } from '../../../src/worker/transport/transport.js';

export interface ReceivedRecord {
  readonly type: number;
  readonly requestId: number;
  readonly content: Buffer;
}

/** A Transport in memory: what the connection writes is kept, input is delivered by the test. */
export class MemoryTransport implements Transport {
  closed = false;
  /** destroy() was called (an abortive close), as opposed to end(). */
  destroyed = false;
  ended = false;
  paused = false;
  pendingBytes = 0;
  readonly writes: Buffer[] = [];
  #onData: ((chunk: Buffer) => void) | undefined;
  #closeListeners: ((error?: Error) => void)[] = [];

  get writable(): boolean {
    return !this.closed;
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.#onData = listener;
  }

  onClose(listener: (error?: Error) => void): void {
    this.#closeListeners.push(listener);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  write(bytes: Buffer): boolean {
    if (this.closed) return false;
    this.writes.push(Buffer.from(bytes));
    return true;
  }

  whenDrained(): Promise<void> {
    return RESOLVED;
  }

  flush(): void {}

  end(): void {
    this.ended = true;
    this.#close();
  }

  destroy(): void {
    this.destroyed = true;
    this.#close();
  }

  setNoDelay(): void {}

  remoteAddress(): string | undefined {
    return undefined;
  }

  /** Bytes from the web server. */
  deliver(bytes: Buffer): void {
    if (this.closed) return;
    this.#onData?.(bytes);
  }

  /** The records written so far. */
  records(): ReceivedRecord[] {
    const out: ReceivedRecord[] = [];
    new RecordDecoder().push(Buffer.concat(this.writes), (r) =>
      out.push({ type: r.type, requestId: r.requestId, content: Buffer.from(r.content) }),
    );
    return out;
  }

  // Like both real transports: closed at once, the listeners told on a later turn.
  #close(): void {
    if (this.closed) return;
    this.closed = true;
    setImmediate(() => {
      for (const listener of this.#closeListeners) listener();
    });
  }
}

export interface Harness {
  readonly transport: MemoryTransport;
  readonly connection: Connection;
  readonly logs: string[];
  readonly started: ServedRequest[];
  readonly finished: ServedRequest[];
  /** Moves the clock by `ms` and runs the read-timeout check, as the child's sweep does. */
  advance(ms: number): void;
}

export const POOL: ConnectionPool = {
  name: 'test',
  outputBufferBytes: 1024 * 1024,
  maxBodyBytes: 0,
  requestQueueTimeoutMs: 0,
  requestHeadTimeoutMs: 10_000,
  requestBodyTimeoutMs: 20_000,
  requestBodyMinRate: 500,
};

/** A connection with the child's session rules (RESPONDER and AUTHORIZER, no multiplexing). */
export function harness(
  run: ServedRunner,
  overrides: Partial<Pick<ConnectionOptions, 'pool' | 'shouldClose'>> = {},
): Harness {
  const transport = new MemoryTransport();
  const logs: string[] = [];
  const started: ServedRequest[] = [];
  const finished: ServedRequest[] = [];
  let nowMs = 1_700_000_000_000;
  const connection = new Connection(transport, {
    pool: overrides.pool ?? POOL,
    session: {
      maxParamsBytes: 64 * 1024,
      roles: new Set([FCGI_RESPONDER, FCGI_AUTHORIZER]),
      values: { FCGI_MAX_CONNS: '10', FCGI_MAX_REQS: '10', FCGI_MPXS_CONNS: '0' },
    },
    run,
    peer: () => 'test peer',
    onStart: (request) => started.push(request),
    onFinish: (request) => finished.push(request),
    shouldClose: overrides.shouldClose ?? (() => false),
    now: () => nowMs,
    log: (level: LogLevel, message: string) => logs.push(`${level.toUpperCase()}: ${message}`),
  });
  return {
    transport,
    connection,
    logs,
    started,
    finished,
    advance(ms: number) {
      nowMs += ms;
      connection.checkIdle(nowMs);
    },
  };
}

export const DEFAULT_PARAMS: Readonly<Record<string, string>> = {
  REQUEST_METHOD: 'GET',
  SCRIPT_FILENAME: '/srv/app/index.mjs',
  SCRIPT_NAME: '/index.mjs',
};

export function begin(requestId: number, options: { keepConn?: boolean; role?: number } = {}): Buffer {
  return encodeBeginRequest(requestId, options.role ?? FCGI_RESPONDER, options.keepConn === false ? 0 : FCGI_KEEP_CONN);
}

/** The PARAMS stream with its empty closing record. */
export function params(requestId: number, values: Readonly<Record<string, string>> = DEFAULT_PARAMS): Buffer {
  return Buffer.concat([
    encodeStream(FCGI_PARAMS, requestId, encodeParams(Object.entries(values))),
    encodeRecord(FCGI_PARAMS, requestId),
  ]);
}

/** STDIN records for `body`, with the empty closing record unless `open`. */
export function stdin(requestId: number, body: string | Buffer, open = false): Buffer {
  const bytes = encodeStream(FCGI_STDIN, requestId, Buffer.from(body));
  return open ? bytes : Buffer.concat([bytes, encodeRecord(FCGI_STDIN, requestId)]);
}

/** A whole GET request (BEGIN, PARAMS, empty STDIN) in one chunk, as nginx sends it. */
export function getRequest(requestId: number, options: { keepConn?: boolean; role?: number } = {}): Buffer {
  return Buffer.concat([begin(requestId, options), params(requestId), stdin(requestId, '')]);
}

/** Waits for `condition` over turns of the event loop (no timers), failing after `deadlineMs`. */
export async function until(condition: () => boolean, what: string, deadlineMs = 2000): Promise<void> {
  const stop = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > stop) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A runner that answers `text` at once. */
export const answer =
  (text: string): ServedRunner =>
  async (request) => {
    request.status = 200;
    await request.response.stdout(Buffer.from(`Content-Type: text/plain\r\n\r\n${text}`));
  };
