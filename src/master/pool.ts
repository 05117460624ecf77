// The runtime of one pool in the master: its children and the parts that keep them (one file per
// concern, as php-src's sapi/fpm has one fpm_<concern>.c per subsystem): ondemand dispatch, dynamic
// spares, the request watchdog, child reports, child exits, listen-queue sampling, the accept set.
// This file forks children and routes their messages and exits to those parts.
import type { ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import type { Server } from 'node:net';
import type { PoolConfig } from '../config/types.js';
import { describeError } from '../errors.js';
import { isChildMessage, type ChildMessage } from '../ipc/messages.js';
import { createSlotFile } from '../ipc/scoreboard-file.js';
import type { ErrorLog } from '../log/error-log.js';
import type { PoolSnapshot } from '../status/snapshot.js';
import { acceptorCount, BUSY_LINGER_MS } from './accept-set.js';
import type { BoundSocket } from './bound-socket.js';
import { classifyExit, type ExitVerdict } from './bury.js';
import { Child, type EndReason } from './child.js';
import { ChildExits } from './child-exits.js';
import { closeChildSlot, countRunning, readAllSlots, readChildSlot } from './child-reports.js';
import { DynamicSpares } from './dynamic-spares.js';
import { ListenQueueSampler } from './listen-queue-sampler.js';
import { MemoryGuard } from './memory-guard.js';
import { OndemandDispatch } from './ondemand-dispatch.js';
import { isLive } from './pm/view.js';
import { PoolAcceptors } from './pool-acceptors.js';
import type { PoolCore } from './pool-core.js';
import { RequestWatchdog } from './request-watchdog.js';
import { newCounters, poolSnapshot, type PoolCounters } from './scoreboard-view.js';
import { spareAssignment } from './spare-fit.js';
import type { TakenSpare } from './spare-pool.js';
import { forkChild } from './spawn-child.js';
import { applyChildFileLimit } from './file-limits.js';
import { afterWorkerOutput, captureWorkerOutput, reachedHeapLimit } from './worker-output.js';

export interface PoolHost {
  readonly log: ErrorLog;
  /** False while stopping or reloading: no child may be started (php-fpm's fpm_pctl_can_spawn_children). */
  canSpawn(): boolean;
  /** A child of this pool exited (after the pool has handled it). */
  childGone(pool: PoolRuntime, child: Child, verdict: ExitVerdict): void;
  /** A child sent 'ready'. */
  childReady(pool: PoolRuntime, child: Child): void;
  /** A spare child that can become a child of this pool (src/master/spare-pool.ts), if there is one. */
  takeSpare(pool: PoolConfig): TakenSpare | undefined;
}

export class PoolRuntime implements PoolCore {
  readonly config: PoolConfig;
  readonly socket: BoundSocket;
  readonly generation: number;
  readonly children = new Map<number, Child>();
  readonly counters: PoolCounters;
  readonly #host: PoolHost;
  /** pm.status_listen's hidden pool reports the status of this pool instead of its own. */
  statusSource: PoolRuntime | undefined;
  #retired = false;
  readonly #exits = new ChildExits(this);
  readonly #watchdog = new RequestWatchdog(this);
  readonly #memory = new MemoryGuard(this);
  readonly #listenQueue: ListenQueueSampler;
  /** pm = ondemand only. */
  readonly #ondemand: OndemandDispatch | undefined;
  /** pm = dynamic only. */
  readonly #spares: DynamicSpares | undefined;
  /** Shared accept with more children than listen.acceptors: which of them listen. */
  readonly #acceptors: PoolAcceptors | undefined;

  constructor(config: PoolConfig, socket: BoundSocket, generation: number, host: PoolHost, counters?: PoolCounters) {
    this.config = config;
    this.socket = socket;
    this.generation = generation;
    this.#host = host;
    this.counters = counters ?? newCounters(Date.now());
    this.#listenQueue = new ListenQueueSampler(socket, this.counters);
    const style = config.pm.style;
    this.#ondemand = style === 'ondemand' ? new OndemandDispatch(this) : undefined;
    this.#spares = style === 'dynamic' ? new DynamicSpares(this) : undefined;
    const acceptors = acceptorCount(config.listen.acceptors);
    // Static only: dynamic counts idle children as spares ready to accept (its growth depends on
    // that), and ondemand's master hands connections over itself.
    if (style === 'static' && acceptors < config.pm.maxChildren) this.#acceptors = new PoolAcceptors(this, acceptors);
  }

  get name(): string {
    return this.config.name;
  }

  get log(): ErrorLog {
    return this.#host.log;
  }

  /** Children not yet asked to end. */
  get liveChildren(): Child[] {
    return [...this.children.values()].filter(isLive);
  }

  get activeCount(): number {
    return countRunning(this.children);
  }

  /** Initial children that are not ready yet. */
  get starting(): number {
    let n = 0;
    for (const child of this.children.values()) if (!child.ready) n++;
    return n;
  }

  get retired(): boolean {
    return this.#retired;
  }

  /** Starts the children a pool begins with (static: max_children; dynamic: start_servers; ondemand: none). */
  start(): void {
    const pm = this.config.pm;
    this.#ondemand?.attach();
    const initial = pm.style === 'static' ? pm.maxChildren : pm.style === 'dynamic' ? pm.startServers : 0;
    for (let i = 0; i < initial; i++) this.spawn();
  }

  spawn(): Child | undefined {
    if (!this.#host.canSpawn() || this.#retired) return undefined;
    // A spare comes with the scoreboard slot it was forked with.
    const spare = this.#host.takeSpare(this.config);
    let processHandle: ChildProcess;
    let slotFd: number;
    if (spare !== undefined) {
      ({ process: processHandle, slotFd } = spare);
    } else {
      slotFd = createSlotFile();
      try {
        processHandle = forkChild(this.config, slotFd);
      } catch (err) {
        closeSync(slotFd);
        throw err;
      }
    }
    const child = new Child(processHandle, this.name, this.generation, slotFd);
    child.fromWarmSpare = spare?.warm === true;
    applyChildFileLimit(this.config, child.pid, this.log); // before the init message: the child derives its cap from it
    this.children.set(child.pid, child);
    this.log.notice(`[pool ${this.name}] child ${child.pid} started`);
    processHandle.on('message', (message: unknown) => {
      if (isChildMessage(message)) this.#onMessage(child, message);
    });
    processHandle.on('error', (err) => {
      this.log.error(`[pool ${this.name}] child ${child.pid}: ${describeError(err)}`);
    });
    processHandle.once('exit', (code, signal) => afterWorkerOutput(child, () => this.#onExit(child, code, signal)));
    captureWorkerOutput(child, this.config, this.log);
    try {
      const accept =
        this.#ondemand !== undefined ? 'dispatch' : (this.#acceptors?.acceptModeAtSpawn(child) ?? 'shared');
      // An accept set and the memory guard watch busy children: the child says when it gets busy
      // after a quiet spell.
      const watched = this.#acceptors !== undefined || this.config.pm.maxMemoryHardBytes > 0;
      const busyNotice = watched ? { busyNotice: BUSY_LINGER_MS } : {};
      processHandle.send(
        {
          type: 'init',
          pool: this.config,
          logLevel: this.log.level,
          generation: this.generation,
          accept,
          ...(spare === undefined ? {} : { spare: spareAssignment(this.config, process.env) }),
          ...busyNotice,
        },
        // The raw listening handle: node's IPC passes libuv handles (type 'net.Native').
        accept === 'shared' ? (this.socket.handle as unknown as Server) : undefined,
      );
    } catch (err) {
      this.log.error(`[pool ${this.name}] cannot hand the socket to child ${child.pid}: ${describeError(err)}`);
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
    this.#acceptors?.balance();
  }

  signalAll(signal: NodeJS.Signals, reason: EndReason): void {
    for (const child of this.children.values()) this.endChild(child, reason, signal);
  }

  /** No more children for this runtime (stop or reload): pending respawns are cancelled. */
  retire(): void {
    this.#retired = true;
    this.#ondemand?.detach();
    this.#exits.stop();
    this.#acceptors?.stop();
  }

  /**
   * SIGUSR1: the children hold the access log and slowlog, so each reopens its own (or retires when it
   * cannot). True when the pool writes an access log.
   */
  reopenLogs(): boolean {
    const config = this.config;
    const accessLog = config.accessLog !== undefined && config.accessLog !== '';
    if (!accessLog && (config.slowlog === undefined || config.requestSlowlogTimeoutMs <= 0)) return false;
    for (const child of this.children.values()) {
      if (child.process.connected) child.process.send({ type: 'reopen-logs' }, undefined, undefined, () => undefined);
    }
    return accessLog;
  }

  /** The status page's view of this pool (php-fpm's scoreboard copy). */
  snapshot(nowMs: number, children: readonly Child[] = [...this.children.values()]): PoolSnapshot {
    const pm = this.config.pm;
    return poolSnapshot(
      { name: this.name, style: pm.style, maxChildren: pm.maxChildren, counters: this.counters },
      children,
      nowMs,
    );
  }

  /**
   * Heartbeat work: request timeouts and slow requests, then, once a second, the process manager's
   * rules (php-src's sapi/fpm/fpm/fpm_process_ctl.c fpm_pctl_check_request_timeout() and
   * fpm_pctl_perform_idle_server_maintenance()).
   */
  maintain(nowMs: number, runProcessManager: boolean): void {
    this.readSlots(nowMs);
    this.#watchdog.check(nowMs);
    this.#acceptors?.watch();
    this.#memory.watchAll();
    if (!runProcessManager) return;
    this.counters.durations.sample(performance.now());
    for (const child of this.children.values()) this.#watchdog.checkMemory(child);
    this.#listenQueue.sample(() => [...this.children.values()].some((child) => child.active));
    this.#exits.killStubbornIdle(nowMs);
    this.#spares?.tick();
    this.#ondemand?.tick(nowMs);
  }

  #onMessage(child: Child, message: ChildMessage): void {
    switch (message.type) {
      case 'ready':
        child.ready = true;
        child.idleSinceMs = Date.now();
        this.#exits.childReady();
        this.#ondemand?.drain();
        this.#acceptors?.balance();
        this.#host.childReady(this, child);
        return;
      case 'log':
        this.log.log(message.level, message.message);
        return;
      case 'status-query': {
        const source = this.statusSource ?? this;
        const now = Date.now();
        source.readSlots(now);
        child.process.send({ type: 'status-reply', id: message.id, snapshot: source.snapshot(now) });
        return;
      }
      case 'released':
        this.readSlot(child);
        // A served connection was counted off when its first request began (readChildSlot).
        if (!message.served && child.handedOver > 0) child.handedOver--;
        if (child.running === 0) child.idleSinceMs = Date.now();
        this.#memory.watch(child);
        this.#ondemand?.drain();
        return;
      case 'busy':
        this.readSlot(child);
        this.#acceptors?.watch();
        this.#memory.watch(child);
        return;
      case 'retiring':
        child.retiring = true;
        this.log.debug(`[pool ${this.name}] child ${child.pid} retiring: ${message.reason}`);
        this.#acceptors?.balance();
        return;
      case 'spare-ready':
        return; // a spare's message, sent before it became this child (src/master/spare-pool.ts)
    }
  }

  /** Reads one child's scoreboard slot. */
  readSlot(child: Child): Child {
    const now = Date.now();
    readChildSlot(child, this.counters, now);
    this.counters.maxActive = Math.max(this.counters.maxActive, countRunning(this.children));
    return child;
  }

  /** Reads every child's scoreboard slot (the heartbeat, the status page, the accept set's checks). */
  readSlots(nowMs = Date.now()): void {
    readAllSlots(this.children.values(), this.counters, nowMs);
  }

  #onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    closeChildSlot(child, this.counters, Date.now());
    this.children.delete(child.pid);
    this.#acceptors?.balance(); // before a replacement is forked: it may take the free place at once
    const verdict = classifyExit(
      this.name,
      child.pid,
      code,
      signal,
      child.uptimeText(),
      child.endReason,
      child.retiring,
      this.#memory.exitCause(child, signal, reachedHeapLimit(child)),
    );
    this.log.log(verdict.level, verdict.message);
    this.#exits.childExited(child);
    this.#host.childGone(this, child, verdict);
  }
}
