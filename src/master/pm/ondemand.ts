// pm = ondemand: the master accepts connections itself and decides which child takes each one, when
// a child is forked for them, and when an idle child ends. php-src forks from
// sapi/fpm/fpm/fpm_process_ctl.c fpm_pctl_on_socket_accept() and ends idle children in
// fpm_pctl_perform_idle_server_maintenance(); these are the same rules for children that serve several
// connections at once. Pure: src/master/ondemand-dispatch.ts applies them.
import type { PmConfig } from '../../config/types.js';
import { countStarting, isIdle, type ChildView } from './view.js';

/** How long a connection waits for a busy child to free up before a child is forked for it. */
export const SPAWN_GRACE_MS = 5;

/**
 * Children idle for pm.process_idle_timeout or longer; all of them end on this tick (php-src ends one
 * per tick, the one idle longest: a Node pool would shrink too slowly after a burst).
 */
export function idleTimedOut<C extends ChildView>(
  live: readonly C[],
  processIdleTimeoutMs: number,
  nowMs: number,
): C[] {
  return live.filter((child) => isIdle(child) && nowMs - child.idleSinceMs >= processIdleTimeoutMs);
}

/**
 * The heartbeat's ondemand work: which children end for being idle, and whether the max_children
 * warning may be given again (once fewer than pm.max_children children remain).
 */
export function decideOndemandTick<C extends ChildView>(
  live: readonly C[],
  pm: Pick<PmConfig, 'processIdleTimeoutMs' | 'maxChildren'>,
  warnedMaxChildren: boolean,
  nowMs: number,
): { readonly end: C[]; readonly warnedMaxChildren: boolean } {
  const end = idleTimedOut(live, pm.processIdleTimeoutMs, nowMs);
  return { end, warnedMaxChildren: warnedMaxChildren && live.length - end.length >= pm.maxChildren };
}

/** The child that takes a new connection at once: the first idle one. */
export function idleChildFor<C extends ChildView>(live: readonly C[]): C | undefined {
  return live.find(isIdle);
}

/**
 * A connection found no idle child and joined the `waiting` ones. Starting children will take as many
 * as there are of them ('wait'); beyond that a child is forked ('spawn'), or, while some child is
 * ready and may free up within a millisecond, forked only if the connection still waits after
 * SPAWN_GRACE_MS ('spawn-after-grace'); at pm.max_children the connections go to the least busy
 * children ('at-cap').
 */
export type QueuedAction = 'wait' | 'spawn' | 'spawn-after-grace' | 'at-cap';

export function actionForQueued(live: readonly ChildView[], waiting: number, maxChildren: number): QueuedAction {
  if (waiting <= countStarting(live)) return 'wait';
  if (live.length < maxChildren) return live.some((c) => c.ready) ? 'spawn-after-grace' : 'spawn';
  return 'at-cap';
}

/**
 * Connections that waited out the grace (`overdue`) and are not covered by a starting child each get
 * a new child, up to pm.max_children; `atCap` when some of them get none.
 */
export function spawnsForOverdue(
  live: readonly ChildView[],
  overdue: number,
  maxChildren: number,
): { readonly spawn: number; readonly atCap: boolean } {
  const missing = overdue - countStarting(live);
  const room = Math.max(0, maxChildren - live.length);
  return { spawn: Math.max(0, Math.min(missing, room)), atCap: missing > room };
}

/**
 * Who takes the oldest waiting connection, or undefined to keep it waiting: an idle child first; else
 * the least busy ready child (requests running plus connections handed over; the first of equals),
 * unless a starting child will take it or a fork for it is pending (`spawnPending`).
 */
export function handOverTarget<C extends ChildView>(
  live: readonly C[],
  waiting: number,
  spawnPending: boolean,
): C | undefined {
  const ready = live.filter((c) => c.ready);
  if (ready.length === 0) return undefined;
  const idle = ready.find(isIdle);
  if (idle !== undefined) return idle;
  if (waiting <= live.length - ready.length || spawnPending) return undefined;
  return ready.reduce((a, b) => (a.running + a.handedOver <= b.running + b.handedOver ? a : b));
}

/** How many connections, by the time the master accepted them, have waited SPAWN_GRACE_MS or longer. */
export function countOverdue(acceptedAtMs: readonly number[], nowMs: number): number {
  let n = 0;
  for (const at of acceptedAtMs) if (nowMs - at >= SPAWN_GRACE_MS) n++;
  return n;
}
