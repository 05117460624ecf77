// What the child gives a connection (its pool settings, callbacks, clock and log) and what it gets
// back to manage it (idle checks, eviction, close).
import type { LogLevel, PoolConfig } from '../config/types.js';
import type { SessionOptions } from '../fastcgi/session.js';
import type { ServedRequest, ServedRunner } from './connection-request.js';

/** The pool settings a connection reads. */
export type ConnectionPool = Pick<PoolConfig, 'name' | 'outputBufferBytes' | 'maxBodyBytes' | 'requestQueueTimeoutMs'>;

export interface ConnectionOptions {
  readonly pool: ConnectionPool;
  readonly session: SessionOptions;
  readonly run: ServedRunner;
  /** The peer for log lines (computed only when a line is written). */
  readonly peer: () => string;
  /** The request reached its params (it is now running). */
  readonly onStart: (request: ServedRequest) => void;
  /** The request is over, including its background work. */
  readonly onFinish: (request: ServedRequest) => void;
  /** Asked after each request: true closes the connection even when the web server wants to keep it. */
  readonly shouldClose: () => boolean;
  /**
   * When the connection was accepted (ms epoch): the master's clock for a handed-over connection, so
   * request_queue_timeout counts the time spent behind a busy child. Default: now.
   */
  readonly acceptedAtMs?: number;
  /** The clock (ms epoch) of the timeouts; default Date.now. */
  readonly now?: () => number;
  /** Where the connection's log lines go; default the child's log (sent to the master). */
  readonly log?: (level: LogLevel, message: string) => void;
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
