// A child's scoreboard reports, applied to the master's record of it: its reporter thread writes its
// slot as JSON lines on fd 4, and 'status-query' and 'released' messages carry a copy too.
import { Readable } from 'node:stream';
import { describeError } from '../errors.js';
import { SCOREBOARD_FD, type SlotReport } from '../ipc/scoreboard-layout.js';
import type { ErrorLog } from '../log/error-log.js';
import type { Child } from './child.js';
import { readLines } from './line-reader.js';
import type { PoolCounters } from './scoreboard-view.js';

/**
 * Updates the child and the pool's counters from one report; false for an older copy than one
 * already applied (reports arrive by two paths).
 */
export function applySlotReport(
  child: Child,
  report: SlotReport,
  counters: PoolCounters,
  children: ReadonlyMap<number, Child>,
  nowMs: number,
): boolean {
  if (report.seq < child.slotSeq) return false;
  child.slotSeq = report.seq;
  const started = report.requestsStarted - child.requests;
  if (started > 0) {
    counters.acceptedConn += started;
    // A connection handed over is counted off when its first request begins.
    child.handedOver = Math.max(0, child.handedOver - started);
  }
  child.requests = report.requestsStarted;
  const wasRunning = child.running > 0;
  child.running = report.running;
  const info = {
    method: report.method,
    uri: report.uri,
    query: report.query,
    script: report.script,
    contentLength: report.contentLength,
    user: report.user,
  };
  if (report.running > 0) {
    // The latest request names the child's work; the oldest one's start drives the timeouts.
    if (child.current === undefined || child.currentNumber !== report.requestsStarted) {
      child.current = { info, startedAtMs: report.oldestRunningStartMs };
      child.currentNumber = report.requestsStarted;
    }
    child.oldestRunningStartMs = report.oldestRunningStartMs;
    counters.maxActive = Math.max(counters.maxActive, countRunning(children));
  } else {
    child.current = undefined;
    child.oldestRunningStartMs = 0;
    if (report.requestsStarted > 0) {
      child.last = {
        info,
        durationUs: report.lastDurationUs,
        memoryBytes: report.lastMemoryBytes,
        cpuPercent: report.lastCpuPercent,
        status: report.lastStatus,
      };
    }
    if (wasRunning || started > 0) child.idleSinceMs = nowMs;
  }
  if (report.memoryBytes > 0) {
    child.memoryBytes = report.memoryBytes;
    counters.memoryPeak = Math.max(counters.memoryPeak, report.memoryBytes);
  }
  return true;
}

/** Children serving at least one request. */
export function countRunning(children: ReadonlyMap<number, Child>): number {
  let n = 0;
  for (const child of children.values()) if (child.running > 0) n++;
  return n;
}

/** Feeds each report line of the child's fd 4 to `apply`; a line that cannot be read or applied is logged. */
export function readSlotReports(child: Child, log: ErrorLog, apply: (report: SlotReport) => void): void {
  const stream = child.process.stdio[SCOREBOARD_FD];
  if (!(stream instanceof Readable)) return;
  readLines(stream, (line) => {
    try {
      apply(JSON.parse(line) as SlotReport);
    } catch (err) {
      log.error(
        `[pool ${child.poolName}] child ${child.pid} sent an unreadable scoreboard report: ${describeError(err)}`,
      );
    }
  });
}
