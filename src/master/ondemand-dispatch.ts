// pm = ondemand, applied: the master accepts on the pool's socket, hands each connection to a child
// (src/master/pm/ondemand.ts decides which, and when a child is forked), keeps the connections no
// child could take yet in a queue, answers 503 for the ones that wait longer than
// request_queue_timeout, and ends children idle for pm.process_idle_timeout.
import type { Socket } from 'node:net';
import type { Child } from './child.js';
import { Dispatcher } from './dispatcher.js';
import {
  actionForQueued,
  countOverdue,
  decideOndemandTick,
  handOverTarget,
  idleChildFor,
  SPAWN_GRACE_MS,
  spawnsForOverdue,
} from './pm/ondemand.js';
import { maxChildrenReached } from './pm/messages.js';
import type { PoolCore } from './pool-core.js';
import { answerServiceUnavailable } from './queue-reply.js';

export class OndemandDispatch {
  readonly #pool: PoolCore;
  /** Connections accepted by the master, waiting for a child, oldest first. */
  readonly #waiting: Socket[] = [];
  /** When the master accepted each connection (request_queue_timeout counts from there). */
  readonly #acceptedAt = new WeakMap<Socket, number>();
  /** A fork for waiting connections, held back for SPAWN_GRACE_MS. */
  #graceTimer: NodeJS.Timeout | undefined;
  /** One max_children warning per episode. */
  #warnedMaxChildren = false;

  constructor(pool: PoolCore) {
    this.#pool = pool;
  }

  /** Makes the master accept on the pool's socket (one dispatcher per socket, kept across reloads) for this pool. */
  attach(): void {
    const pool = this.#pool;
    const socket = pool.socket;
    socket.dispatcher ??= new Dispatcher(socket.handle, pool.config.listen.backlog, (err) =>
      pool.log.error(`[pool ${pool.name}] cannot accept on '${socket.display}': ${err.message}`),
    );
    socket.dispatcher.target = this.#accept;
  }

  /** No more connections for this pool (stop or reload); a pending fork is cancelled. */
  detach(): void {
    const dispatcher = this.#pool.socket.dispatcher;
    if (dispatcher !== undefined && dispatcher.target === this.#accept) dispatcher.target = undefined;
    if (this.#graceTimer !== undefined) clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** The heartbeat: children idle for pm.process_idle_timeout end (all of them, not one a tick). */
  tick(nowMs: number): void {
    const pool = this.#pool;
    const decision = decideOndemandTick(pool.liveChildren, pool.config.pm, this.#warnedMaxChildren, nowMs);
    for (const child of decision.end) pool.endChild(child, 'idle');
    this.#warnedMaxChildren = decision.warnedMaxChildren;
  }

  /** Hands waiting connections to ready children: idle ones first, then the least busy. */
  drain(): void {
    if (this.#waiting.length > 0) this.#pool.readSlots();
    while (this.#waiting.length > 0) {
      const target = handOverTarget(this.#pool.liveChildren, this.#waiting.length, this.#graceTimer !== undefined);
      if (target === undefined) return;
      const connection = this.#waiting.shift();
      if (connection !== undefined) this.#handOver(target, connection);
    }
  }

  readonly #accept = (connection: Socket): void => {
    this.#acceptedAt.set(connection, Date.now());
    const pool = this.#pool;
    const live = pool.liveChildren;
    const idle = this.#idleChild(live);
    if (idle !== undefined) return this.#handOver(idle, connection);
    this.#waiting.push(connection);
    const queueTimeout = pool.config.requestQueueTimeoutMs;
    const timer = queueTimeout > 0 ? setTimeout(() => this.#queueTimedOut(connection), queueTimeout) : undefined;
    connection.once('close', () => {
      clearTimeout(timer);
      const at = this.#waiting.indexOf(connection);
      if (at !== -1) this.#waiting.splice(at, 1);
    });
    switch (actionForQueued(live, this.#waiting.length, pool.config.pm.maxChildren)) {
      case 'wait':
        return;
      case 'spawn': {
        const child = pool.spawn();
        // A warm spare gets the connection right behind its 'init', without waiting for its 'ready':
        // one round trip less for the first request of an idle pool.
        if (child?.fromWarmSpare === true) this.#handOverWaiting(child, connection);
        return;
      }
      case 'spawn-after-grace':
        // A busy child that is just finishing says so within a millisecond ('released'): a new child
        // costs tens of ms of CPU, so it is forked only if the connection still waits a moment later.
        this.#spawnAfterGrace();
        return;
      case 'at-cap':
        this.#warnAtCap();
        this.drain();
        return;
    }
  };

  /**
   * An idle child, checked against the slots: a child the master last saw idle may have begun a
   * request on a connection it kept, and one it last saw busy may have finished a moment ago (its
   * 'released' message not read yet).
   */
  #idleChild(live: readonly Child[]): Child | undefined {
    for (;;) {
      const candidate = idleChildFor(live);
      if (candidate === undefined) break;
      if (this.#pool.readSlot(candidate).running === 0) return candidate;
    }
    this.#pool.readSlots();
    return idleChildFor(live);
  }

  /** Once per episode. */
  #warnAtCap(): void {
    if (this.#warnedMaxChildren) return;
    const pool = this.#pool;
    pool.log.warning(maxChildrenReached(pool.name, 'ondemand', pool.config.pm.maxChildren));
    pool.counters.maxChildrenReached++;
    this.#warnedMaxChildren = true;
  }

  /** Forks children for the connections that waited SPAWN_GRACE_MS without a child freeing up. */
  #spawnAfterGrace(): void {
    const oldest = this.#waiting[0];
    if (this.#graceTimer !== undefined || oldest === undefined) return;
    const dueInMs = (this.#acceptedAt.get(oldest) ?? 0) + SPAWN_GRACE_MS - Date.now();
    this.#graceTimer = setTimeout(
      () => {
        this.#graceTimer = undefined;
        if (!this.#pool.retired) this.#spawnForOverdue();
      },
      Math.max(1, dueInMs),
    );
  }

  #spawnForOverdue(): void {
    const pool = this.#pool;
    // A child that freed up during the grace takes the oldest connections first.
    const live = pool.liveChildren;
    for (
      let idle = this.#idleChild(live);
      idle !== undefined && this.#waiting.length > 0;
      idle = this.#idleChild(live)
    ) {
      const connection = this.#waiting.shift();
      if (connection !== undefined) this.#handOver(idle, connection);
    }
    const overdue = countOverdue(
      this.#waiting.map((c) => this.#acceptedAt.get(c) ?? 0),
      Date.now(),
    );
    const { spawn, atCap } = spawnsForOverdue(pool.liveChildren, overdue, pool.config.pm.maxChildren);
    let forked = 0;
    while (forked < spawn && pool.spawn() !== undefined) forked++;
    // A refused fork (stopping, process.max reached) is not the max_children cap: no warning then.
    if (atCap && forked === spawn) this.#warnAtCap();
    if (this.#waiting.length > overdue) this.#spawnAfterGrace(); // younger ones get their grace too
    this.drain();
  }

  /** request_queue_timeout: still no child for this connection; the master answers 503 itself. */
  #queueTimedOut(connection: Socket): void {
    const at = this.#waiting.indexOf(connection);
    if (at === -1) return; // handed over meanwhile
    this.#waiting.splice(at, 1);
    const pool = this.#pool;
    pool.log.warning(
      `[pool ${pool.name}] a connection waited ${pool.config.requestQueueTimeoutMs} ms for a free child ` +
        `(request_queue_timeout), answered 503`,
    );
    answerServiceUnavailable(connection);
  }

  /** Hands over `connection` if it still waits (out of the queue first). */
  #handOverWaiting(child: Child, connection: Socket): void {
    const at = this.#waiting.indexOf(connection);
    if (at === -1) return;
    this.#waiting.splice(at, 1);
    this.#handOver(child, connection);
  }

  #handOver(child: Child, connection: Socket): void {
    child.handedOver++;
    const acceptedAtMs = this.#acceptedAt.get(connection) ?? Date.now();
    // Counted as busy until its first request begins, so a burst spreads over several children.
    child.process.send({ type: 'connection', acceptedAtMs }, connection, { keepOpen: false }, (err) => {
      if (err !== null && err !== undefined) connection.destroy();
    });
  }
}
