// fastcgi.max_connections from the open-file limit (RLIMIT_NOFILE): every FastCGI connection is a
// descriptor, and a child that runs out of them cannot accept at all (libuv then accepts and closes
// every pending connection, the web server's good ones included). So a child holds at most its limit
// minus a reserve for what else it opens, and at that cap it sheds hostile or idle connections itself
// (src/worker/connection-limit.ts) long before accept(2) could fail with EMFILE.
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import type { PoolConfig } from './types.js';

/**
 * Descriptors a child holds whatever its load: measured ~26 (inline) to ~32 (with an access log and a
 * slowlog) on Node 20: stdio, the IPC channel and the scoreboard pipe, libuv's epoll and eventfds, its
 * threadpool's pipes, the listening socket, libuv's spare /dev/null for accept's EMFILE trick, the
 * log files. Doubled for Node versions and inspector or profiler flags.
 */
export const FIXED_RESERVE = 64;
/** Each script thread (executor = threads) runs its own event loop: an epoll, eventfds, pipes. */
export const PER_THREAD_RESERVE = 8;
/**
 * Descriptors that come and go with requests: spill files of held responses (one per request whose
 * output outgrows fastcgi.output_buffer_size while its body still arrives), the scripts' own files
 * and sockets. One eighth of the limit: 128 at 1024.
 */
export const REQUEST_RESERVE_SHARE = 8;
/** A CGI request also holds the pipes to its process's stdin, stdout and stderr. */
export const CGI_DESCRIPTORS_PER_CONNECTION = 4;

export type CapPool = Pick<PoolConfig, 'maxConnections' | 'executor' | 'handler'>;

export interface ConnectionCap {
  /** The connections one child holds at once. */
  readonly cap: number;
  /** The open-file limit it was derived from (undefined: unknown, the configured value stands). */
  readonly limit: number | undefined;
  /** Descriptors kept out of the connections' share. */
  readonly reserve: number;
  /** Descriptors each connection counts for. */
  readonly perConnection: number;
  /** fastcgi.max_connections as configured (0: derived). */
  readonly configured: number;
  /** The configured value was above what the limit allows and was lowered. */
  readonly lowered: boolean;
}

/** The descriptors kept for everything but connections, at this limit. */
export function descriptorReserve(limit: number, pool: Pick<PoolConfig, 'executor'>): number {
  const threads = pool.executor === 'threads' ? Math.max(2, availableParallelism()) : 0;
  return FIXED_RESERVE + PER_THREAD_RESERVE * threads + Math.floor(limit / REQUEST_RESERVE_SHARE);
}

/** The connection cap of a child of this pool whose RLIMIT_NOFILE soft limit is `limit`. */
export function connectionCap(limit: number | undefined, pool: CapPool): ConnectionCap {
  const configured = pool.maxConnections;
  const perConnection = pool.handler === 'cgi' ? CGI_DESCRIPTORS_PER_CONNECTION : 1;
  if (limit === undefined || !Number.isFinite(limit)) {
    // Unknown or unlimited: the configured value, or the historical default when derived.
    return { cap: configured > 0 ? configured : 1024, limit, reserve: 0, perConnection, configured, lowered: false };
  }
  const reserve = descriptorReserve(limit, pool);
  const allowed = Math.max(1, Math.floor((limit - reserve) / perConnection));
  const lowered = configured > allowed;
  return { cap: configured > 0 && !lowered ? configured : allowed, limit, reserve, perConnection, configured, lowered };
}

/** How the cap came about, for the start-up NOTICE, the WARNING and `-tt`. */
export function describeCap(c: ConnectionCap): string {
  if (c.limit === undefined || !Number.isFinite(c.limit)) {
    return `${c.cap} connections per child (open-file limit ${c.limit === undefined ? 'unknown' : 'unlimited'})`;
  }
  const per = c.perConnection > 1 ? `, ${c.perConnection} descriptors per CGI connection` : '';
  const source = c.configured > 0 && !c.lowered ? 'as configured' : 'derived';
  return `${c.cap} connections per child (${source}; open-file limit ${c.limit}, ${c.reserve} kept for the runtime, logs, spill files and the scripts' own files${per})`;
}

/** The soft and hard RLIMIT_NOFILE of a process, from /proc/PID/limits ("Max open files"). */
export function readFileLimit(pid: number | 'self' = 'self'): { soft: number; hard: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/limits`, 'utf8');
  } catch {
    return undefined; // not Linux, or /proc not mounted
  }
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (match === null) return undefined;
  const value = (field: string | undefined): number => (field === 'unlimited' ? Infinity : Number(field));
  return { soft: value(match[1]), hard: value(match[2]) };
}

/** The open-file limit a child of this pool starts with: rlimit_files of the pool, else the master's. */
export function childFileLimit(
  pool: Pick<PoolConfig, 'rlimitFiles'>,
  masterLimit: number | undefined,
): number | undefined {
  return pool.rlimitFiles !== undefined && pool.rlimitFiles > 0 ? pool.rlimitFiles : masterLimit;
}
