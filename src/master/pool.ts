// The runtime of one pool in the master: its children, their scoreboard, their replacement.
import type { PoolConfig } from '../config/types.js';
import { describeError } from '../errors.js';
import { isChildMessage, type ChildMessage } from '../ipc/messages.js';
import type { ErrorLog } from '../log/error-log.js';
import type { Server, Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { BoundSocket } from './bound-socket.js';
import { Dispatcher } from './dispatcher.js';
import { classifyExit, type ExitVerdict } from './bury.js';
import { Child, type EndReason } from './child.js';
import type { PoolSnapshot } from '../status/snapshot.js';
import { newCounters, processSnapshot, type PoolCounters } from './scoreboard-view.js';
import { captureWorkerOutput } from './worker-output.js';
import { readLines } from './line-reader.js';
import { SCOREBOARD_FD, type SlotReport } from '../ipc/scoreboard-layout.js';
import { forkChild } from './spawn-child.js';
import { ListenQueueProbe } from '../status/listen-queue.js';
import { answerServiceUnavailable } from './queue-reply.js';
import { ACCEPT_CHECK_MS, AcceptSet, acceptorCount } from './accept-set.js';

export interface PoolHost {
  readonly log: ErrorLog;
  /** False while stopping or reloading: no child may be started (php-fpm's fpm_pctl_can_spawn_children). */
  canSpawn(): boolean;
  /** A child of this pool exited (after the pool has handled it). */
  childGone(pool: PoolRuntime, child: Child, verdict: ExitVerdict): void;
  /** A child sent 'ready'. */
  childReady(pool: PoolRuntime, child: Child): void;
}

/** Back-off for children that die before they are ready: no respawn storm (php-fpm has none). */
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 30_000;
/** ondemand: how long a connection waits for a busy child to free up before a child is started for it. */
const SPAWN_GRACE_MS = 5;

export class PoolRuntime {
  readonly config: PoolConfig;
  readonly socket: BoundSocket;
  readonly generation: number;
  readonly children = new Map<number, Child>();
  readonly counters: PoolCounters;
  readonly #host: PoolHost;
  /** pm.status_listen's hidden pool reports the status of this pool instead of its own. */
  statusSource: PoolRuntime | undefined;
  #backoffMs = 0;
  /** dynamic: children to start on the next tick (doubles while busy, php-fpm's idle_spawn_rate). */
  #spawnRate = 1;
  /** One max_children warning per episode. */
  #warnedMaxChildren = false;
  #respawnTimer: NodeJS.Timeout | undefined;
  /** ondemand: a spawn for waiting connections, held back for SPAWN_GRACE_MS. */
  #spawnGraceTimer: NodeJS.Timeout | undefined;
  #retired = false;
  /** ondemand: connections accepted by the master, waiting for a child. */
  readonly #waiting: Socket[] = [];
  /** ondemand: when the master accepted each connection (request_queue_timeout counts from there). */
  readonly #acceptedAt = new WeakMap<Socket, number>();
  #listenProbe: ListenQueueProbe | undefined;
  #sampling = false;
  /** Requests (Child.current objects) already reported as slow: one WARNING per request. */
  readonly #slowLogged = new WeakSet<object>();
  /** Shared accept with more children than listen.acceptors: which of them listen. */
  readonly #acceptSet: AcceptSet | undefined;
  #acceptTimer: NodeJS.Timeout | undefined;

  constructor(config: PoolConfig, socket: BoundSocket, generation: number, host: PoolHost, counters?: PoolCounters) {
    this.config = config;
    this.socket = socket;
    this.generation = generation;
    this.#host = host;
    this.counters = counters ?? newCounters(Date.now());
    const acceptors = acceptorCount(config.listen.acceptors);
    // Static only: dynamic counts idle children as spares ready to accept (its growth depends on
    // that), and ondemand's master hands connections over itself.
    if (config.pm.style === 'static' && acceptors < config.pm.maxChildren) {
      this.#acceptSet = new AcceptSet(acceptors, { setAccepting: (child, on) => this.#setAccepting(child, on) });
    }
  }

  get name(): string {
    return this.config.name;
  }

  /** Children not yet asked to end. */
  get liveChildren(): Child[] {
    return [...this.children.values()].filter((c) => c.endReason === undefined && !c.retiring);
  }

  get activeCount(): number {
    let n = 0;
    for (const child of this.children.values()) if (child.running > 0) n++;
    return n;
  }

  /** Starts the children a pool begins with (static: max_children; dynamic: start_servers; ondemand: none). */
  start(): void {
    const pm = this.config.pm;
    if (pm.style === 'ondemand') {
      this.socket.dispatcher ??= new Dispatcher(this.socket.handle, this.config.listen.backlog, (err) =>
        this.#host.log.error(`[pool ${this.name}] cannot accept on '${this.socket.display}': ${err.message}`),
      );
      this.socket.dispatcher.target = this.#dispatchBound;
    }
    const initial = pm.style === 'static' ? pm.maxChildren : pm.style === 'dynamic' ? pm.startServers : 0;
    for (let i = 0; i < initial; i++) this.spawn();
  }

  /** Initial children that are not ready yet. */
  get starting(): number {
    let n = 0;
    for (const child of this.children.values()) if (!child.ready) n++;
    return n;
  }

  spawn(): Child | undefined {
    if (!this.#host.canSpawn() || this.#retired) return undefined;
    const processHandle = forkChild(this.config);
    const child = new Child(processHandle, this.name, this.generation);
    this.children.set(child.pid, child);
    this.#host.log.notice(`[pool ${this.name}] child ${child.pid} started`);
    processHandle.on('message', (message: unknown) => {
      if (isChildMessage(message)) this.#onMessage(child, message);
    });
    processHandle.on('error', (err) => {
      this.#host.log.error(`[pool ${this.name}] child ${child.pid}: ${describeError(err)}`);
    });
    processHandle.once('exit', (code, signal) => this.#onExit(child, code, signal));
    captureWorkerOutput(child, this.config, this.#host.log);
    this.#readReports(child);
    try {
      const accept =
        this.config.pm.style === 'ondemand'
          ? 'dispatch'
          : this.#acceptSet === undefined || this.#acceptSet.joinAtSpawn(child)
            ? 'shared'
            : 'standby';
      processHandle.send(
        { type: 'init', pool: this.config, logLevel: this.#host.log.level, generation: this.generation, accept },
        // The raw listening handle: node's IPC passes libuv handles (type 'net.Native').
        accept === 'shared' ? (this.socket.handle as unknown as Server) : undefined,
      );
    } catch (err) {
      this.#host.log.error(`[pool ${this.name}] cannot hand the socket to child ${child.pid}: ${describeError(err)}`);
      processHandle.kill('SIGKILL');
    }
    return child;
  }

  /** Ask one child to end. SIGQUIT lets it finish its requests; SIGTERM and SIGKILL do not. */
  endChild(child: Child, reason: EndReason, signal: NodeJS.Signals = 'SIGQUIT'): void {
    if (child.endReason === undefined) {
      child.endReason = reason;
      child.endRequestedAtMs = Date.now();
    }
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(signal);
    this.#balanceAcceptors();
  }

  signalAll(signal: NodeJS.Signals, reason: EndReason): void {
    for (const child of this.children.values()) this.endChild(child, reason, signal);
  }

  /** No more children for this runtime (stop or reload): pending respawns are cancelled. */
  retire(): void {
    this.#retired = true;
    const dispatcher = this.socket.dispatcher;
    if (dispatcher !== undefined && dispatcher.target === this.#dispatchBound) dispatcher.target = undefined;
    if (this.#respawnTimer !== undefined) clearTimeout(this.#respawnTimer);
    this.#respawnTimer = undefined;
    if (this.#spawnGraceTimer !== undefined) clearTimeout(this.#spawnGraceTimer);
    this.#spawnGraceTimer = undefined;
    if (this.#acceptTimer !== undefined) clearInterval(this.#acceptTimer);
    this.#acceptTimer = undefined;
  }

  get retired(): boolean {
    return this.#retired;
  }

  /** The status page's view of this pool (php-fpm's scoreboard copy). */
  snapshot(nowMs: number, children: readonly Child[] = [...this.children.values()]): PoolSnapshot {
    const seconds = (ms: number): number => Math.floor(ms / 1000);
    let idle = 0;
    let active = 0;
    for (const child of children) {
      if (child.active) active++;
      else idle++;
    }
    return {
      pool: this.name,
      processManager: this.config.pm.style,
      startTime: seconds(this.counters.startedAtMs),
      startSince: seconds(nowMs - this.counters.startedAtMs),
      acceptedConn: this.counters.acceptedConn,
      listenQueue: this.counters.listenQueue,
      maxListenQueue: this.counters.maxListenQueue,
      listenQueueLen: this.counters.listenQueueLen,
      idleProcesses: idle,
      activeProcesses: active,
      totalProcesses: idle + active,
      maxActiveProcesses: this.counters.maxActive,
      maxChildrenReached: this.counters.maxChildrenReached,
      slowRequests: this.counters.slowRequests,
      memoryPeak: this.counters.memoryPeak,
      maxChildren: this.config.pm.maxChildren,
      processes: children.map((child) => processSnapshot(child, nowMs)),
    };
  }

  /** Heartbeat work: request timeouts, then the process manager's rules (php-fpm §6.5, §6.6). */
  maintain(nowMs: number, runProcessManager: boolean): void {
    this.#checkRequestTimeouts(nowMs);
    this.#checkSlowRequests(nowMs);
    if (!runProcessManager) return;
    this.#sampleListenQueue();
    this.#killStubbornIdleChildren(nowMs);
    if (this.config.pm.style === 'dynamic') this.#maintainDynamic();
    if (this.config.pm.style === 'ondemand') this.#maintainOndemand(nowMs);
  }

  readonly #dispatchBound = (connection: Socket): void => this.#dispatch(connection);

  #balanceAcceptors(): void {
    this.#acceptSet?.balance(this.liveChildren, Date.now());
    this.#watchAcceptors();
  }

  /**
   * Checks the accept set every ACCEPT_CHECK_MS only while a member may get stuck or the set has an
   * extra member to let go; an idle pool costs the master no wake-ups. A report of a new request
   * starts the checks again.
   */
  #watchAcceptors(): void {
    const set = this.#acceptSet;
    if (set === undefined || this.#retired || this.#acceptTimer !== undefined) return;
    if (set.needsChecks) {
      this.#acceptTimer = setInterval(() => {
        set.balance(this.liveChildren, Date.now());
        if (!set.needsChecks) {
          clearInterval(this.#acceptTimer);
          this.#acceptTimer = undefined;
        }
      }, ACCEPT_CHECK_MS);
      this.#acceptTimer.unref();
    }
  }

  #setAccepting(child: Child, on: boolean): boolean {
    try {
      // The handle goes with every start: a child closes its copy when told to stop.
      child.process.send({ type: 'accept', on }, on ? (this.socket.handle as unknown as Server) : undefined, (err) => {
        if (err !== null && err !== undefined) this.#host.log.debug(`[pool ${this.name}] child ${child.pid} missed an accept message: ${err.message}`);
      });
      return true;
    } catch {
      return false; // its channel is closed: it is exiting
    }
  }

  /**
   * ondemand: an idle child takes the connection; otherwise a new child is started for it (one per
   * waiting connection, up to pm.max_children); at the cap, the least busy child takes it.
   */
  #dispatch(connection: Socket): void {
    this.#acceptedAt.set(connection, Date.now());
    const live = this.liveChildren;
    const idle = live.find((c) => c.isIdle);
    if (idle !== undefined) return this.#handOver(idle, connection);
    this.#waiting.push(connection);
    const queueTimeout = this.config.requestQueueTimeoutMs;
    const timer = queueTimeout > 0 ? setTimeout(() => this.#queueTimedOut(connection), queueTimeout) : undefined;
    connection.once('close', () => {
      clearTimeout(timer);
      const at = this.#waiting.indexOf(connection);
      if (at !== -1) this.#waiting.splice(at, 1);
    });
    const starting = live.filter((c) => !c.ready).length;
    if (this.#waiting.length > starting) {
      if (live.length < this.config.pm.maxChildren) {
        // A busy child that is just finishing says so within a millisecond ('released'): a new child
        // costs tens of ms of CPU, so it is started only if the connection still waits a moment later.
        if (live.some((c) => c.ready)) this.#spawnForWaitingSoon();
        else this.spawn();
        return;
      }
      this.#warnOndemandAtCap();
      this.#drainWaiting();
    }
  }

  /** php-fpm's ondemand wording (no `pm.`), once per episode. */
  #warnOndemandAtCap(): void {
    if (this.#warnedMaxChildren) return;
    this.#host.log.warning(
      `[pool ${this.name}] server reached max_children setting (${this.config.pm.maxChildren}), consider raising it`,
    );
    this.counters.maxChildrenReached++;
    this.#warnedMaxChildren = true;
  }

  /** Starts children for the connections that waited SPAWN_GRACE_MS without a child freeing up. */
  #spawnForWaitingSoon(): void {
    const oldest = this.#waiting[0];
    if (this.#spawnGraceTimer !== undefined || oldest === undefined) return;
    const dueInMs = (this.#acceptedAt.get(oldest) ?? 0) + SPAWN_GRACE_MS - Date.now();
    this.#spawnGraceTimer = setTimeout(() => {
      this.#spawnGraceTimer = undefined;
      if (!this.#retired) this.#spawnForOverdue();
    }, Math.max(1, dueInMs));
  }

  #spawnForOverdue(): void {
    const now = Date.now();
    const overdue = this.#waiting.filter((c) => now - (this.#acceptedAt.get(c) ?? 0) >= SPAWN_GRACE_MS).length;
    let missing = overdue - this.liveChildren.filter((c) => !c.ready).length;
    for (; missing > 0 && this.liveChildren.length < this.config.pm.maxChildren; missing--) this.spawn();
    if (missing > 0) this.#warnOndemandAtCap();
    if (this.#waiting.length > overdue) this.#spawnForWaitingSoon(); // younger ones get their grace too
    this.#drainWaiting();
  }

  /** Hands waiting connections to ready children: idle ones first, then the least busy. */
  #drainWaiting(): void {
    while (this.#waiting.length > 0) {
      const ready = this.liveChildren.filter((c) => c.ready);
      if (ready.length === 0) return;
      const starting = this.liveChildren.length - ready.length;
      const idle = ready.find((c) => c.isIdle);
      // Connections that a starting child will take are left for it, and so are the ones a child
      // about to be started will take (#spawnForWaitingSoon).
      if (idle === undefined && (this.#waiting.length <= starting || this.#spawnGraceTimer !== undefined)) return;
      const target = idle ?? ready.reduce((a, b) => (a.running + a.handedOver <= b.running + b.handedOver ? a : b));
      const connection = this.#waiting.shift();
      if (connection !== undefined) this.#handOver(target, connection);
    }
  }

  /** request_queue_timeout: still no child for this connection; the master answers 503 itself. */
  #queueTimedOut(connection: Socket): void {
    const at = this.#waiting.indexOf(connection);
    if (at === -1) return; // handed over meanwhile
    this.#waiting.splice(at, 1);
    this.#host.log.warning(
      `[pool ${this.name}] a connection waited ${this.config.requestQueueTimeoutMs} ms for a free child ` +
        `(request_queue_timeout), answered 503`,
    );
    answerServiceUnavailable(connection);
  }

  #handOver(child: Child, connection: Socket): void {
    child.handedOver++;
    const acceptedAtMs = this.#acceptedAt.get(connection) ?? Date.now();
    // Counted as busy until its first request begins, so a burst spreads over several children.
    child.process.send({ type: 'connection', acceptedAtMs }, connection, { keepOpen: false }, (err) => {
      if (err !== null && err !== undefined) connection.destroy();
    });
  }

  /** ondemand: children idle longer than pm.process_idle_timeout are ended (all of them, not one a tick). */
  #maintainOndemand(nowMs: number): void {
    const timeout = this.config.pm.processIdleTimeoutMs;
    for (const child of this.liveChildren) {
      if (child.isIdle && child.handedOver === 0 && nowMs - child.idleSinceMs >= timeout) this.endChild(child, 'idle');
    }
    if (this.liveChildren.length < this.config.pm.maxChildren) this.#warnedMaxChildren = false;
  }

  /** An idle child asked to leave (SIGQUIT) that is still there a tick later gets SIGKILL (php-fpm bug77023). */
  #killStubbornIdleChildren(nowMs: number): void {
    for (const child of this.children.values()) {
      if (child.endReason === 'idle' && nowMs - child.endRequestedAtMs >= 1000 && child.process.exitCode === null) {
        this.#host.log.debug(`[pool ${this.name}] child ${child.pid} ignored SIGQUIT, sending SIGKILL`);
        child.process.kill('SIGKILL');
      }
    }
  }

  /**
   * Listen-queue figures from the kernel, once a second (php-fpm §7.4); a sample never overlaps the
   * last. A sample runs `ss` (a fork and an exec), so it is taken only while a child is busy: in a
   * pool where every child is idle they wait in accept and nothing queues. The first one is always
   * taken, for the backlog.
   */
  #sampleListenQueue(): void {
    const first = this.#listenProbe === undefined;
    this.#listenProbe ??= new ListenQueueProbe(this.socket.handle.fd, this.socket.address.kind);
    const probe = this.#listenProbe;
    if (!first && ![...this.children.values()].some((child) => child.active)) {
      this.counters.listenQueue = 0;
      return;
    }
    if (this.#sampling || !probe.usable) return;
    this.#sampling = true;
    void probe
      .sample()
      .then((sample) => {
        if (sample === undefined) return;
        this.counters.listenQueue = sample.queued;
        this.counters.maxListenQueue = Math.max(this.counters.maxListenQueue, sample.queued);
        if (sample.backlog !== undefined) this.counters.listenQueueLen = sample.backlog;
      })
      .catch(() => undefined)
      .finally(() => {
        this.#sampling = false;
      });
  }

  /**
   * request_slowlog_timeout: php-fpm's WARNING once per request and the `slow requests` counter. The
   * stack itself is written by the child's slowlog thread (src/worker/slowlog), which watches the same
   * clock on its own because the child's main thread may be busy in the script.
   */
  #checkSlowRequests(nowMs: number): void {
    const limit = this.config.requestSlowlogTimeoutMs;
    if (limit <= 0 || this.config.slowlog === undefined) return;
    for (const child of this.children.values()) {
      const current = child.current;
      if (current === undefined || this.#slowLogged.has(current) || nowMs - current.startedAtMs < limit) continue;
      this.#slowLogged.add(current);
      const info = current.info;
      const elapsedUs = (nowMs - current.startedAtMs) * 1000;
      this.#host.log.warning(
        `[pool ${this.name}] child ${child.pid}, script '${info.script}' (request: "${info.method} ${info.uri}` +
          `${info.query !== '' ? `?${info.query}` : ''}") executing too slow ` +
          `(${Math.floor(elapsedUs / 1e6)}.${String(elapsedUs % 1e6).padStart(6, '0')} sec), logging`,
      );
      this.counters.slowRequests++;
    }
  }

  #checkRequestTimeouts(nowMs: number): void {
    const limit = this.config.requestTerminateTimeoutMs;
    if (limit <= 0) return;
    for (const child of this.children.values()) {
      const since = child.running > 0 ? child.oldestRunningStartMs : undefined;
      if (since === undefined || child.endReason === 'timeout' || nowMs - since < limit) continue;
      const info = child.current?.info;
      const request = info === undefined ? '' : `${info.method} ${info.uri}${info.query !== '' ? `?${info.query}` : ''}`;
      this.#host.log.warning(
        `[pool ${this.name}] child ${child.pid}, script '${info?.script ?? '-'}' (request: "${request}") ` +
          `execution timed out (${((nowMs - since) / 1000).toFixed(6)} sec), terminating`,
      );
      this.endChild(child, 'timeout', 'SIGTERM');
    }
  }

  #maintainDynamic(): void {
    const pm = this.config.pm;
    const live = this.liveChildren;
    const idle = live.filter((c) => c.isIdle);
    if (idle.length > pm.maxSpareServers) {
      // One child per tick, the oldest first (php-fpm reaps the idle child with the oldest start).
      const oldest = idle.reduce((a, b) => (a.startedAtMs <= b.startedAtMs ? a : b));
      this.endChild(oldest, 'idle');
      this.#spawnRate = 1;
      return;
    }
    const starting = live.filter((c) => !c.ready).length;
    if (idle.length + starting >= pm.minSpareServers) {
      this.#spawnRate = 1;
      return;
    }
    const room = pm.maxChildren - live.length;
    if (room <= 0) {
      if (!this.#warnedMaxChildren) {
        this.#host.log.warning(
          `[pool ${this.name}] server reached pm.max_children setting (${pm.maxChildren}), consider raising it`,
        );
        this.counters.maxChildrenReached++;
        this.#warnedMaxChildren = true;
      }
      this.#spawnRate = 1;
      return;
    }
    if (this.#spawnRate >= 8) {
      this.#host.log.warning(
        `[pool ${this.name}] seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers), ` +
          `spawning ${this.#spawnRate} children, there are ${idle.length} idle, and ${live.length} total children`,
      );
    }
    const count = Math.min(this.#spawnRate, pm.minSpareServers - idle.length - starting, room);
    for (let i = 0; i < count; i++) this.spawn();
    this.#warnedMaxChildren = false;
    if (this.#spawnRate < pm.maxSpawnRate) this.#spawnRate *= 2;
  }

  #onMessage(child: Child, message: ChildMessage): void {
    switch (message.type) {
      case 'ready':
        child.ready = true;
        child.idleSinceMs = Date.now();
        this.#backoffMs = 0;
        this.#drainWaiting();
        this.#balanceAcceptors();
        this.#host.childReady(this, child);
        return;
      case 'log':
        this.#host.log.log(message.level, message.message);
        return;
      case 'status-query':
        if (message.slot !== undefined) this.#applyReport(child, message.slot);
        child.process.send({
          type: 'status-reply',
          id: message.id,
          snapshot: (this.statusSource ?? this).snapshot(Date.now()),
        });
        return;
      case 'released':
        if (message.slot !== undefined) this.#applyReport(child, message.slot);
        // A served connection was counted off when its first request began (#applyReport).
        if (!message.served && child.handedOver > 0) child.handedOver--;
        if (child.running === 0) child.idleSinceMs = Date.now();
        this.#drainWaiting();
        return;
      case 'retiring':
        child.retiring = true;
        this.#host.log.debug(`[pool ${this.name}] child ${child.pid} retiring: ${message.reason}`);
        this.#balanceAcceptors();
        return;
    }
  }

  /** A child's scoreboard slot, as its reporter thread (or a status query) sent it. */
  #applyReport(child: Child, report: SlotReport): void {
    if (report.seq < child.slotSeq) return; // an older copy than one already applied
    child.slotSeq = report.seq;
    const now = Date.now();
    const started = report.requestsStarted - child.requests;
    if (started > 0) {
      this.counters.acceptedConn += started;
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
      this.counters.maxActive = Math.max(this.counters.maxActive, this.activeCount);
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
      if (wasRunning || started > 0) child.idleSinceMs = now;
    }
    if (report.memoryBytes > 0) {
      child.memoryBytes = report.memoryBytes;
      this.counters.memoryPeak = Math.max(this.counters.memoryPeak, report.memoryBytes);
      this.#checkMemory(child);
    }
    if (report.running > 0) this.#watchAcceptors();
    if (this.#waiting.length > 0) this.#drainWaiting();
  }

  /**
   * pm.max_memory: a child above it is asked to quit (SIGQUIT: its requests finish first) and is
   * replaced once gone, as for pm.max_requests (php-src issue #17661).
   */
  #checkMemory(child: Child): void {
    const limit = this.config.pm.maxMemoryBytes;
    if (limit <= 0 || child.memoryBytes <= limit || child.endReason !== undefined || child.retiring) return;
    this.#host.log.notice(
      `[pool ${this.name}] child ${child.pid} uses ${Math.round(child.memoryBytes / 2 ** 20)} MiB, ` +
        `more than pm.max_memory (${Math.round(limit / 2 ** 20)} MiB), replacing it after its requests`,
    );
    this.endChild(child, 'memory');
  }

  /** Reads the JSON lines the child's reporter thread writes on fd 4. */
  #readReports(child: Child): void {
    const stream = child.process.stdio[SCOREBOARD_FD];
    if (!(stream instanceof Readable)) return;
    readLines(stream, (line) => {
      try {
        this.#applyReport(child, JSON.parse(line) as SlotReport);
      } catch (err) {
        this.#host.log.error(`[pool ${this.name}] child ${child.pid} sent an unreadable scoreboard report: ${describeError(err)}`);
      }
    });
  }

  #onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    this.children.delete(child.pid);
    this.#balanceAcceptors(); // before a replacement is forked: it may take the free place at once
    const verdict = classifyExit(this.name, child.pid, code, signal, child.uptimeText(), child.endReason, child.retiring);
    this.#host.log.log(verdict.level, verdict.message);
    if (child.endReason === undefined && !child.retiring) {
      // An unexpected death: replace it, with back-off when it never became ready.
      if (!child.ready) {
        this.#backoffMs = this.#backoffMs === 0 ? FIRST_BACKOFF_MS : Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS);
        this.#host.log.warning(
          `[pool ${this.name}] child ${child.pid} failed to initialize, next start in ${this.#backoffMs} ms`,
        );
        this.#scheduleRespawn(this.#backoffMs);
      } else if (this.config.pm.style !== 'ondemand') {
        this.spawn();
      }
    } else if (child.retiring || child.endReason === 'timeout' || child.endReason === 'memory') {
      // Replaced only once gone, so that pm.max_children is never exceeded; meanwhile new connections
      // wait in the listen backlog, which the master keeps open.
      if (this.config.pm.style !== 'ondemand') this.spawn();
    }
    this.#host.childGone(this, child, verdict);
  }

  #scheduleRespawn(delayMs: number): void {
    if (this.#respawnTimer !== undefined || this.config.pm.style === 'ondemand') return;
    this.#respawnTimer = setTimeout(() => {
      this.#respawnTimer = undefined;
      const want = this.config.pm.style === 'static' ? this.config.pm.maxChildren : this.config.pm.minSpareServers;
      if (this.liveChildren.length < want) this.spawn();
    }, delayMs);
  }
}
