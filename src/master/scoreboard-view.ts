// The master's view of a pool's scoreboard: the counters php-fpm keeps per pool, and the frozen
// per-child records the status page renders.
import type { PmStyle } from '../config/types.js';
import { STAGE_LABEL, type Child } from './child.js';
import type { PoolSnapshot, ProcessSnapshot } from '../status/snapshot.js';

export interface PoolCounters {
  startedAtMs: number;
  acceptedConn: number;
  maxActive: number;
  maxChildrenReached: number;
  slowRequests: number;
  memoryPeak: number;
  listenQueue: number;
  maxListenQueue: number;
  listenQueueLen: number;
}

export function newCounters(nowMs: number): PoolCounters {
  return {
    startedAtMs: nowMs,
    acceptedConn: 0,
    maxActive: 0,
    maxChildrenReached: 0,
    slowRequests: 0,
    memoryPeak: 0,
    listenQueue: 0,
    maxListenQueue: 0,
    listenQueueLen: 0,
  };
}

export function processSnapshot(child: Child, nowMs: number): ProcessSnapshot {
  const current = child.current;
  const last = child.last;
  const info = current?.info ?? last?.info;
  const idle = current === undefined;
  return {
    pid: child.pid,
    state: STAGE_LABEL[child.stage],
    startTime: Math.floor(child.startedAtMs / 1000),
    startSince: Math.floor((nowMs - child.startedAtMs) / 1000),
    requests: child.requests,
    requestDuration: current !== undefined ? (nowMs - current.startedAtMs) * 1000 : (last?.durationUs ?? 0),
    requestMethod: info?.method ?? '-',
    requestUri: info === undefined ? '-' : info.query !== '' ? `${info.uri}?${info.query}` : info.uri,
    contentLength: info?.contentLength ?? 0,
    user: info?.user ?? '-',
    script: info?.script ?? '-',
    lastRequestCpu: idle ? (last?.cpuPercent ?? 0) : 0,
    lastRequestMemory: idle ? (last?.memoryBytes ?? 0) : 0,
    memory: child.memoryBytes,
    running: child.running,
  };
}

/** The status page's view of a pool (php-fpm's scoreboard copy). */
export function poolSnapshot(
  pool: {
    readonly name: string;
    readonly style: PmStyle;
    readonly maxChildren: number;
    readonly counters: PoolCounters;
  },
  children: readonly Child[],
  nowMs: number,
): PoolSnapshot {
  const seconds = (ms: number): number => Math.floor(ms / 1000);
  const counters = pool.counters;
  let idle = 0;
  let active = 0;
  for (const child of children) {
    if (child.active) active++;
    else idle++;
  }
  return {
    pool: pool.name,
    processManager: pool.style,
    startTime: seconds(counters.startedAtMs),
    startSince: seconds(nowMs - counters.startedAtMs),
    acceptedConn: counters.acceptedConn,
    listenQueue: counters.listenQueue,
    maxListenQueue: counters.maxListenQueue,
    listenQueueLen: counters.listenQueueLen,
    idleProcesses: idle,
    activeProcesses: active,
    totalProcesses: idle + active,
    maxActiveProcesses: counters.maxActive,
    maxChildrenReached: counters.maxChildrenReached,
    slowRequests: counters.slowRequests,
    memoryPeak: counters.memoryPeak,
    maxChildren: pool.maxChildren,
    processes: children.map((child) => processSnapshot(child, nowMs)),
  };
}
