// Reading a child's scoreboard slot into the master's record of it (src/master/child.ts), and the
// pool counters that grow with it. The master reads a slot when it needs the child's state: on its
// heartbeat, for the status page, when the child says it was released or got busy, before handing it a
// connection, and once more when the child is gone.
import { closeSync } from 'node:fs';
import { addDifference } from '../ipc/scoreboard-histogram.js';
import type { Child } from './child.js';
import type { PoolCounters } from './scoreboard-view.js';

/** Reads the child's slot and applies it; returns the child. */
export function readChildSlot(child: Child, counters: PoolCounters, nowMs: number): Child {
  const slot = child.slot.read();
  const started = slot.requestsStarted - child.requests;
  if (started > 0) {
    counters.acceptedConn += started;
    // A connection handed over is counted off when its first request begins.
    child.handedOver = Math.max(0, child.handedOver - started);
    child.requests = slot.requestsStarted;
  }
  const wasRunning = child.running > 0;
  child.running = slot.running;
  child.inFlight = slot.inFlight;
  child.overflow = slot.overflow;
  child.last = slot.last;
  child.oldestRunningStartMs = oldestStartMs(slot.inFlight, slot.overflow > 0 ? slot.overflowOldestEpochMs : 0);
  if (slot.running === 0) {
    if (slot.idleSinceMs > child.idleSinceMs) child.idleSinceMs = slot.idleSinceMs;
    else if (wasRunning) child.idleSinceMs = nowMs;
  }
  if (slot.rssBytes > 0) child.memoryBytes = slot.rssBytes;
  counters.memoryPeak = Math.max(counters.memoryPeak, slot.rssPeakBytes, slot.rssBytes);
  addDifference(counters.durations.total, child.durations, slot.durations);
  child.durations = slot.durations;
  return child;
}

function oldestStartMs(inFlight: readonly { readonly startEpochMs: number }[], overflowOldestMs: number): number {
  let oldest = overflowOldestMs;
  for (const r of inFlight) if (oldest === 0 || r.startEpochMs < oldest) oldest = r.startEpochMs;
  return oldest;
}

/** Reads every slot, then notes how many children are busy (php-fpm's `max active processes`). */
export function readAllSlots(children: Iterable<Child>, counters: PoolCounters, nowMs: number): void {
  let active = 0;
  for (const child of children) if (readChildSlot(child, counters, nowMs).running > 0) active++;
  counters.maxActive = Math.max(counters.maxActive, active);
}

/** The child is gone: its last writes are counted, then the slot's descriptor is closed. */
export function closeChildSlot(child: Child, counters: PoolCounters, nowMs: number): void {
  readChildSlot(child, counters, nowMs);
  try {
    closeSync(child.slotFd);
  } catch {
    // Already closed.
  }
}

/** Children serving at least one request. */
export function countRunning(children: ReadonlyMap<number, Child>): number {
  let n = 0;
  for (const child of children.values()) if (child.running > 0) n++;
  return n;
}
