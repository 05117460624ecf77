// A shared-accept pool's accept set, applied (listen.acceptors, src/master/accept-set.ts): tells
// children over IPC to start or stop accepting, and re-balances the set on a timer only while time
// alone can change it.
import type { Server } from 'node:net';
import { ACCEPT_CHECK_MS, AcceptSet } from './accept-set.js';
import type { Child } from './child.js';
import type { PoolCore } from './pool-core.js';

export class PoolAcceptors {
  readonly #pool: PoolCore;
  readonly #set: AcceptSet;
  #timer: NodeJS.Timeout | undefined;

  constructor(pool: PoolCore, size: number) {
    this.#pool = pool;
    this.#set = new AcceptSet(size, { setAccepting: (child, on) => this.#setAccepting(child, on) });
  }

  /** How a child being forked gets connections: it accepts from the start when the set has room. */
  acceptModeAtSpawn(child: Child): 'shared' | 'standby' {
    return this.#set.joinAtSpawn(child) ? 'shared' : 'standby';
  }

  /** Re-balances now (a child became ready, began to leave, or exited), then watches if needed. */
  balance(): void {
    this.#set.balance(this.#pool.liveChildren, Date.now());
    this.watch();
  }

  /**
   * Checks the set every ACCEPT_CHECK_MS (reading the children's slots) only while a member may get
   * stuck or the set has an extra member to let go; an idle pool costs the master no wake-ups. A
   * child's 'busy' message starts the checks again.
   */
  watch(): void {
    const set = this.#set;
    if (this.#pool.retired || this.#timer !== undefined || !set.needsChecks(Date.now())) return;
    this.#timer = setInterval(() => {
      this.#pool.readSlots();
      const now = Date.now();
      set.balance(this.#pool.liveChildren, now);
      if (!set.needsChecks(now)) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    }, ACCEPT_CHECK_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #setAccepting(child: Child, on: boolean): boolean {
    const pool = this.#pool;
    try {
      // The handle goes with every start: a child closes its copy when told to stop.
      child.process.send({ type: 'accept', on }, on ? (pool.socket.handle as unknown as Server) : undefined, (err) => {
        if (err !== null && err !== undefined)
          pool.log.debug(`[pool ${pool.name}] child ${child.pid} missed an accept message: ${err.message}`);
      });
      return true;
    } catch {
      return false; // its channel is closed: it is exiting
    }
  }
}
