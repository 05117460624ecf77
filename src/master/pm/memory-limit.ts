// pm.max_memory_hard, the rules: what the master does with a child's resident memory (RSS) sampled
// while it runs requests. Past the limit the child is told to stop (it answers its requests 503, says
// it is leaving, and exits); one that is still there after a short grace, or whose memory goes on
// growing past KILL_FACTOR × the limit meanwhile, gets SIGKILL: a script in a synchronous loop never
// lets its child read the message. A child that said it is leaving gets longer (the kernel may take a
// few hundred ms to free a large process on a busy machine), but not more memory. Pure:
// src/master/memory-guard.ts samples, logs and signals.

/** Between samples while requests run. */
export const SAMPLE_MS = 100;
/** Between samples while a busy child is past half the limit, or one told to stop is still there. */
export const FAST_SAMPLE_MS = 25;
/** How long a child told to stop may take to answer its requests and exit. */
export const GRACE_MS = 500;
/** The same for a child that said it is leaving. */
export const LEAVING_GRACE_MS = 2000;
/** A child told to stop whose RSS passes this multiple of the limit is killed at once. */
export const KILL_FACTOR = 1.5;

export type MemoryAction = 'none' | 'stop' | 'kill';

/** Where a child over the limit stands: when it was told to stop, and whether it was killed already. */
export interface OverLimit {
  readonly toldAtMs: number;
  readonly killed: boolean;
}

/**
 * What to do with a child whose RSS is `rssBytes` now (`limitBytes` 0: the guard is off). `leaving`:
 * the child said it is exiting.
 */
export function memoryAction(
  rssBytes: number,
  limitBytes: number,
  over: OverLimit | undefined,
  nowMs: number,
  leaving = false,
): MemoryAction {
  if (limitBytes <= 0) return 'none';
  if (over === undefined) return rssBytes > limitBytes ? 'stop' : 'none';
  if (over.killed) return 'none';
  const graceMs = leaving ? LEAVING_GRACE_MS : GRACE_MS;
  return rssBytes > limitBytes * KILL_FACTOR || nowMs - over.toldAtMs >= graceMs ? 'kill' : 'none';
}

/** The next sample's delay: sooner when a child nears the limit, so a fast allocator overshoots less. */
export function nextSampleMs(highestRssBytes: number, limitBytes: number, anyOver: boolean): number {
  return anyOver || highestRssBytes > limitBytes / 2 ? FAST_SAMPLE_MS : SAMPLE_MS;
}
