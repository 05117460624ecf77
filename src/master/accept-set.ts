// Which children of a shared-accept pool wait on the listening socket (listen.acceptors).
//
// php-fpm's children block in accept(2), and the kernel wakes one of them per connection. A Node child
// waits in epoll instead, and the kernel wakes every epoll instance registered on the socket: with 8
// children on 2 cores, 7 of them wake up, fail accept with EAGAIN and go back to sleep for each
// connection (measured: 3/4 of all accept calls, ~4x the CPU per request of 2 children). So only a few
// children listen; the others stand by. A member whose oldest request has run for a while may be
// blocked in a script, so when every member is like that a standby child joins; once no member has
// been stuck for a while the extra members leave again.
//
// The master reads the members' scoreboard slots every ACCEPT_CHECK_MS while a member serves or
// served within BUSY_LINGER_MS; a child that begins a request after being idle that long says so
// ('busy'), so no start of a busy spell goes unseen and an idle pool costs no wake-ups.
import { availableParallelism } from 'node:os';
import type { Child } from './child.js';

/** A member whose oldest request is older than this counts as stuck. */
const STUCK_AFTER_MS = 30;
/** Extra members leave after this long without every member stuck. */
const SHRINK_AFTER_MS = 2_000;
/** How often the members are checked while one of them is busy or the set is above its size. */
export const ACCEPT_CHECK_MS = 20;
/** Checks go on this long after a member's last request; a child idle this long says when it gets busy. */
export const BUSY_LINGER_MS = 1000;

export interface AcceptLink {
  /** Tells the child to start or stop accepting; false when the message could not be sent. */
  setAccepting(child: Child, on: boolean): boolean;
}

/** 0 (auto) → one per core, at least 2. */
export function acceptorCount(configured: number): number {
  return configured > 0 ? configured : Math.max(2, availableParallelism());
}

export class AcceptSet {
  readonly #size: number;
  readonly #link: AcceptLink;
  /** Insertion order is join order: the latest joiners leave first. */
  readonly #members = new Set<Child>();
  #lastStuckMs = 0;

  constructor(size: number, link: AcceptLink) {
    this.#size = size;
    this.#link = link;
  }

  /** A child being forked: it accepts from the start when the set has room (no round trip). */
  joinAtSpawn(child: Child): boolean {
    if (this.#members.size >= this.#size) return false;
    this.#members.add(child);
    return true;
  }

  /**
   * Keeps `size` members among the live children (not exited, not asked to end), adds one standby
   * child while every member is stuck, and lets an extra member go after a quiet spell.
   */
  balance(live: readonly Child[], nowMs: number): void {
    const alive = new Set(live);
    for (const member of this.#members) if (!alive.has(member)) this.#members.delete(member);
    const standby = live.filter((child) => child.ready && !this.#members.has(child));

    standby.sort((a, b) => a.running - b.running); // idle children first
    while (this.#members.size < this.#size && standby.length > 0) this.#join(standby.shift() as Child);

    if (this.#members.size > 0 && this.#allStuck(nowMs)) {
      this.#lastStuckMs = nowMs;
      const next = standby.find((c) => c.running === 0);
      if (next !== undefined) this.#join(next);
      return;
    }
    if (this.#members.size > this.#size && nowMs - this.#lastStuckMs >= SHRINK_AFTER_MS) {
      const leaving = [...this.#members].reverse().find((c) => c.running === 0) ?? [...this.#members].pop();
      if (leaving !== undefined) {
        this.#members.delete(leaving);
        this.#link.setAccepting(leaving, false);
      }
    }
  }

  /**
   * Whether time alone can change the set: a member is serving or served lately (it may get stuck
   * without telling), or an extra member waits to leave.
   */
  needsChecks(nowMs: number): boolean {
    if (this.#members.size > this.#size) return true;
    for (const member of this.#members) {
      if (member.running > 0 || nowMs - member.idleSinceMs < BUSY_LINGER_MS) return true;
    }
    return false;
  }

  #join(child: Child): void {
    if (this.#link.setAccepting(child, true)) this.#members.add(child);
  }

  #allStuck(nowMs: number): boolean {
    for (const member of this.#members) {
      if (!member.ready) return false; // about to accept
      if (member.running === 0 || nowMs - member.oldestRunningStartMs < STUCK_AFTER_MS) return false;
    }
    return true;
  }
}
