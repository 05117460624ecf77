// What the child gives a connection (its pool settings, callbacks, clock and log) and what it gets
// back to manage it (idle checks, eviction, close).
import type { LogLevel, PoolConfig } from '../config/types.js';
import { FCGI_AUTHORIZER, FCGI_RESPONDER } from '../fastcgi/constants.js';
import type { SessionOptions } from '../fastcgi/session.js';
import type { ServedRequest, ServedRunner } from './connection-request.js';

/** The pool settings a connection reads. */
export type ConnectionPool = Pick<
  PoolConfig,
  | 'name'
  | 'outputBufferBytes'
  | 'maxBodyBytes'
  | 'requestQueueTimeoutMs'
  | 'requestHeadTimeoutMs'
  | 'requestBodyTimeoutMs'
  | 'requestBodyMinRate'
>;

/** Which connection goes first when room is needed at the cap (lower first); see connection-limit.ts. */
export const SHED_FRESH = 0; // nothing of a request received, though it had the time to send it
export const SHED_HEAD = 1; // receiving a request's head
export const SHED_IDLE = 2; // kept alive between requests
export const SHED_SLOW_BODY = 3; // receiving a body below request_body_min_rate
export const SHED_NEW = 4; // just accepted, not read yet: most likely a web server's request on its way
export const SHED_NEVER = 5; // a request runs or its body arrives at a fair pace
/**
 * A connection younger than this that has sent nothing is SHED_NEW, not SHED_FRESH: under a flood the
 * child's loop lags, and a web server's request may sit unread in the socket buffer for a while.
 */
export const NEW_CONNECTION_MS = 1000;

/** Why a connection was closed for its pace (the child counts them in one WARNING). */
export type PaceCut = 'head-timeout' | 'body-timeout';

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
  /**
   * Told when the connection is closed for its pace (request_head_timeout, request_body_min_rate); the
   * child counts these in one rate-limited WARNING. Default: a WARNING line per connection.
   */
  readonly onPaceCut?: (cut: PaceCut) => void;
}

export interface ConnectionHandle {
  /** No request is in progress (between requests on a kept connection, or before the first). */
  isIdle(): boolean;
  /** SHED_FRESH … SHED_NEVER: how early it may be evicted to make room. */
  shedClass(nowMs: number): number;
  /** Within its class, lower goes first (a head's or body's bytes per second, an idle one's last data). */
  shedOrder(nowMs: number): number;
  /** Closed at once to make room (fastcgi.max_connections). */
  evict(): void;
  close(): void;
  /** Applies the read timeouts and the pace limits: the child calls it for every connection once a second. */
  checkIdle(nowMs: number): void;
}

/** The FastCGI session of a pool's child holding at most `cap` connections at once. */
export function childSession(
  pool: Pick<PoolConfig, 'maxParamsBytes' | 'maxParams' | 'pm'>,
  cap: number,
): SessionOptions {
  return {
    maxParamsBytes: pool.maxParamsBytes,
    maxParams: pool.maxParams,
    // FILTER is not offered (answered FCGI_UNKNOWN_ROLE): no web server in use sends it.
    roles: new Set([FCGI_RESPONDER, FCGI_AUTHORIZER]),
    values: {
      FCGI_MAX_CONNS: String(pool.pm.maxChildren * cap),
      FCGI_MAX_REQS: String(pool.pm.maxChildren * cap),
      FCGI_MPXS_CONNS: '0',
    },
  };
}
