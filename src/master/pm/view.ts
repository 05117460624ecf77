// What the process manager's rules read of a child: a slice of the master's record of it
// (src/master/child.ts). The rules in this folder are pure functions of such views and the clock, so
// they can be tested on plain objects; the pool's runtime applies what they decide.

/** Why the master itself ended a child: such exits are not failures and are not always replaced. */
export type EndReason = 'idle' | 'retire' | 'reload' | 'stop' | 'timeout' | 'memory' | 'memory-limit';

export interface ChildView {
  /** Sent 'ready': it can take connections. */
  readonly ready: boolean;
  /** Requests in progress (a Node child serves several at once). */
  readonly running: number;
  /** ondemand: connections handed to the child whose first request has not begun yet. */
  readonly handedOver: number;
  /** When the child was forked (ms epoch). */
  readonly startedAtMs: number;
  /** When the child last became idle (or started). */
  readonly idleSinceMs: number;
  /** Set when the master asked the child to end. */
  readonly endReason: EndReason | undefined;
  /** When the master asked the child to end. */
  readonly endRequestedAtMs: number;
  /** The child is leaving on its own (pm.max_requests, pm.max_memory seen by the child). */
  readonly retiring: boolean;
}

/** Not asked to end and not leaving on its own: the children the process manager counts. */
export function isLive(child: ChildView): boolean {
  return child.endReason === undefined && !child.retiring;
}

/** A spare: ready, serving nothing, handed nothing, and staying (php-src's fpm_request_is_idle()). */
export function isIdle(child: ChildView): boolean {
  return child.ready && child.running === 0 && child.handedOver === 0 && isLive(child);
}

/** Forked but not ready yet. */
export function countStarting(children: readonly ChildView[]): number {
  let n = 0;
  for (const child of children) if (!child.ready) n++;
  return n;
}
