// The master process: binds every pool's socket, keeps each pool's children alive, and carries out
// stop and reload requests through the process-control state machine.
import { setPriority } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { FpmConfig, PoolConfig } from '../config/types.js';
import { describeError } from '../errors.js';
import type { ErrorLog } from '../log/error-log.js';
import type { ExitVerdict } from './bury.js';
import type { Child } from './child.js';
import { PoolRuntime, type PoolHost } from './pool.js';
import type { PoolCounters } from './scoreboard-view.js';
import { ACTION_STATE, canEnter, ESCALATION, type PctlAction, type PctlState } from './process-control.js';
import { SocketRegistry } from './socket-registry.js';
import { refuseIfRunning, removePidFile, writePidFile } from './pid-file.js';
import { takeActivatedSockets } from './socket-activation.js';
import { SystemdNotifier, type SystemdFigures } from './systemd.js';

/**
 * pm.status_listen: each such pool gets a hidden `<pool>_status` pool on that address (ondemand, 2
 * children, php-fpm's values) that serves the main pool's status and ping, so status works while the
 * main pool is saturated. Placed right after its pool, which must exist first.
 */
export function withStatusPools(pools: readonly PoolConfig[]): PoolConfig[] {
  const out: PoolConfig[] = [];
  for (const pool of pools) {
    out.push(pool);
    const address = pool.pm.statusListen;
    if (address === undefined) continue;
    out.push({
      ...pool,
      name: `${pool.name}_status`,
      statusOf: pool.name,
      listen: { ...pool.listen, address },
      accessLog: undefined,
      slowlog: undefined,
      requestSlowlogTimeoutMs: 0,
      pm: {
        ...pool.pm,
        style: 'ondemand',
        maxChildren: 2,
        maxRequests: 0,
        processIdleTimeoutMs: 10_000,
        statusPath: pool.pm.statusPath ?? '/',
        statusListen: undefined,
      },
    });
  }
  return out;
}

export interface MasterOptions {
  readonly log: ErrorLog;
  /** Loads the configuration again for a reload; errors are already logged when it returns undefined. */
  readonly reloadConfig: () => FpmConfig | undefined;
  /** Called once when the master has nothing left to do; the CLI exits with this code. */
  readonly onExit: (code: number) => void;
}

/** Between escalation steps after the first one (php-fpm: 1 s). */
const ESCALATION_STEP_MS = 1000;
/** Maintenance heartbeat (php-fpm: FPM_IDLE_SERVER_MAINTENANCE_HEARTBEAT). */
const HEARTBEAT_MS = 1000;
/** Shortest period of the request-timeout checks (php-fpm: FPM_PCTL_MIN_HEARTBEAT). */
const MIN_TIMEOUT_CHECK_MS = 130;

export class Master implements PoolHost {
  readonly log: ErrorLog;
  readonly #options: MasterOptions;
  #config: FpmConfig;
  readonly #sockets = new SocketRegistry();
  /** The serving generation, by pool name. */
  #pools = new Map<string, PoolRuntime>();
  /** Old generations still finishing their requests after a reload. */
  readonly #draining = new Set<PoolRuntime>();
  #state: PctlState = 'normal';
  #generation = 0;
  #escalation: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #readyWaiters: (() => void)[] = [];
  #exited = false;
  readonly #systemd: SystemdNotifier;
  /** process.max reached: warned once until the count drops below it again. */
  #warnedProcessMax = false;
  /** Times of recent SIGSEGV/SIGBUS deaths, for emergency_restart_threshold. */
  readonly #fatalExits: number[] = [];

  constructor(config: FpmConfig, options: MasterOptions) {
    this.#config = config;
    this.#options = options;
    this.log = options.log;
    this.#systemd = new SystemdNotifier(options.log);
  }

  get state(): PctlState {
    return this.#state;
  }

  get pools(): ReadonlyMap<string, PoolRuntime> {
    return this.#pools;
  }

  canSpawn(): boolean {
    if (this.#state !== 'normal' && this.#state !== 'reloading') return false;
    return this.#belowProcessMax();
  }

  /** Binds sockets, starts the initial children; resolves when every one of them is ready. */
  async start(): Promise<void> {
    const priority = this.#config.global.processPriority;
    if (priority !== undefined) {
      if (process.getuid?.() === 0) setPriority(priority);
      else this.log.notice("'process.priority' directive is ignored when FPM is not running as root");
    }
    const pid = this.#config.global.pid;
    if (pid !== undefined) refuseIfRunning(this.#resolvePath(pid));
    this.#sockets.offerActivated(takeActivatedSockets());
    const pools = await this.#openPools(this.#config);
    for (const unused of this.#sockets.releaseUnadopted()) {
      this.log.warning(`closing socket-activated fd=${unused.fd} ("${unused.name}"): no pool listens on it`);
    }
    this.#pools = pools;
    this.#writePidFile();
    this.log.notice(`fpm is running, pid ${process.pid}`);
    for (const pool of pools.values()) pool.start();
    await this.#whenStarted(pools);
    if (this.#state !== 'normal') return; // stopped while starting: never "ready"
    this.#startHeartbeat();
    this.log.notice('ready to handle connections');
    this.#systemd.ready();
    this.#systemd.startStatusUpdates(this.#config.global.systemdIntervalMs, () => this.#systemdFigures());
  }

  /** Signals only post an intent; the state machine decides (php-fpm's fpm_pctl). */
  request(action: PctlAction): void {
    const next = ACTION_STATE[action];
    if (next === this.#state) {
      this.log.debug(`${action} already in progress, ignoring the signal`);
      return;
    }
    if (!canEnter(this.#state, next)) {
      this.log.debug(`cannot ${action} while ${this.#state}, ignoring the signal`);
      return;
    }
    switch (action) {
      case 'terminate':
        this.log.notice('Terminating ...');
        this.#stop(next, 'immediate');
        return;
      case 'finish':
        this.log.notice('Finishing ...');
        this.#stop(next, 'graceful');
        return;
      case 'reload':
        this.log.notice('Reloading in progress ...');
        this.#state = 'reloading';
        this.#systemd.reloading();
        void this.#reload().catch((err: unknown) => {
          this.log.error(`reload failed: ${describeError(err)}; the running configuration stays`);
          if (this.#state === 'reloading') this.#state = 'normal';
          if (this.#state === 'normal') this.#systemd.reloaded();
        });
        return;
    }
  }

  /** SIGUSR1: reopen log files (logrotate). */
  reopenLogs(): void {
    try {
      this.log.reopen();
      this.log.notice('error log file re-opened');
    } catch (err) {
      this.log.error(`unable to re-open the error log: ${describeError(err)}`);
    }
    // Children hold the access log and slowlog: each reopens its own (or retires when it cannot).
    let withFiles = false;
    for (const pool of this.#allPools()) {
      const accessLog = pool.config.accessLog !== undefined && pool.config.accessLog !== '';
      if (!accessLog && (pool.config.slowlog === undefined || pool.config.requestSlowlogTimeoutMs <= 0)) continue;
      withFiles ||= accessLog;
      for (const child of pool.children.values()) {
        if (child.process.connected) child.process.send({ type: 'reopen-logs' }, undefined, undefined, () => undefined);
      }
    }
    if (withFiles) this.log.notice('access log file re-opened');
  }

  // PoolHost

  childReady(): void {
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const wake of waiters) wake();
  }

  childGone(pool: PoolRuntime, _child: Child, verdict: ExitVerdict): void {
    if (verdict.fatalSignal) this.#countFatalExit();
    if (this.#draining.has(pool) && pool.children.size === 0) {
      this.#draining.delete(pool);
      if (this.#draining.size === 0 && this.#state === 'reloading') this.#finishReload();
    }
    this.#checkAllGone();
    this.childReady(); // a failed start also wakes start-up waiters, which re-check
  }

  // internals

  /** emergency_restart_threshold: that many SIGSEGV/SIGBUS deaths within the interval → graceful reload. */
  #countFatalExit(): void {
    const { emergencyRestartThreshold: threshold, emergencyRestartIntervalMs: intervalMs } = this.#config.global;
    if (threshold <= 0 || intervalMs <= 0) return;
    const now = Date.now();
    this.#fatalExits.push(now);
    while (this.#fatalExits.length > 0 && now - (this.#fatalExits[0] ?? now) > intervalMs) this.#fatalExits.shift();
    if (this.#fatalExits.length >= threshold) {
      this.#fatalExits.length = 0;
      this.log.warning(
        `failed processes threshold (${threshold} in ${Math.round(intervalMs / 1000)} sec) is reached, initiating reload`,
      );
      this.request('reload');
    }
  }

  #resolvePath(path: string, pool?: PoolConfig): string {
    if (isAbsolute(path)) return path;
    return resolve(pool?.prefix ?? this.#config.global.prefix, path);
  }

  async #openPools(config: FpmConfig): Promise<Map<string, PoolRuntime>> {
    const generation = ++this.#generation;
    const pools = new Map<string, PoolRuntime>();
    for (const poolConfig of withStatusPools(config.pools)) {
      const { socket, reused } = await this.#sockets.acquire(
        poolConfig.listen,
        (p) => this.#resolvePath(p, poolConfig),
        poolConfig.name,
      );
      if (reused) this.log.notice(`using inherited socket fd=${socket.handle.fd ?? -1}, "${socket.display}"`);
      const previous = this.#pools.get(poolConfig.name);
      const counters: PoolCounters | undefined = previous?.counters;
      const runtime = new PoolRuntime(poolConfig, socket, generation, this, counters);
      if (poolConfig.statusOf !== undefined) runtime.statusSource = pools.get(poolConfig.statusOf);
      pools.set(poolConfig.name, runtime);
    }
    return pools;
  }

  /** Resolves when every initial child of these pools is ready (children that die are replaced first). */
  #whenStarted(pools: ReadonlyMap<string, PoolRuntime>): Promise<void> {
    return new Promise((resolveStarted) => {
      const check = (): void => {
        if (this.#state === 'finishing' || this.#state === 'terminating') return resolveStarted();
        for (const pool of pools.values()) if (pool.starting > 0) return void this.#readyWaiters.push(check);
        resolveStarted();
      };
      check();
    });
  }

  async #reload(): Promise<void> {
    const config = this.#options.reloadConfig();
    if (config === undefined) {
      this.log.error('reload aborted: the new configuration is invalid; the running configuration stays');
      this.#state = 'normal';
      this.#systemd.reloaded();
      return;
    }
    let fresh: Map<string, PoolRuntime>;
    try {
      fresh = await this.#openPools(config);
    } catch (err) {
      this.log.error(`reload aborted: ${describeError(err)}; the running configuration stays`);
      this.#closeUnusedSockets();
      this.#state = 'normal';
      this.#systemd.reloaded();
      return;
    }
    const old = this.#pools;
    this.#config = config;
    this.#pools = fresh;
    for (const pool of fresh.values()) pool.start();
    await this.#whenStarted(fresh);
    if (this.#state !== 'reloading') return; // a stop overrode the reload
    // The new generation serves; the old one finishes its requests and leaves.
    for (const pool of old.values()) {
      pool.retire();
      if (pool.children.size === 0) continue;
      this.#draining.add(pool);
      pool.signalAll('SIGQUIT', 'reload');
    }
    this.#closeUnusedSockets();
    this.#armEscalation([...this.#draining], ESCALATION.graceful, 1);
    if (this.#draining.size === 0) this.#finishReload();
  }

  #finishReload(): void {
    this.#clearEscalation();
    this.#closeUnusedSockets(); // sockets of removed pools, once their last child has left
    this.#startHeartbeat();
    this.#state = 'normal';
    this.log.notice('reload complete: the new configuration is serving');
    this.#systemd.reloaded();
  }

  #closeUnusedSockets(): void {
    const keep = new Set<string>();
    for (const pool of [...this.#pools.values(), ...this.#draining]) keep.add(pool.socket.key);
    this.#sockets.closeExcept(keep);
  }

  #stop(state: PctlState, kind: 'graceful' | 'immediate'): void {
    this.#state = state;
    this.#systemd.stopping();
    this.#clearEscalation();
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    const all = this.#allPools();
    for (const pool of all) pool.retire();
    const ladder = ESCALATION[kind];
    for (const pool of all) pool.signalAll(ladder[0] ?? 'SIGTERM', 'stop');
    this.#armEscalation(all, ladder, 1);
    this.childReady();
    this.#checkAllGone();
  }

  #allPools(): PoolRuntime[] {
    return [...this.#pools.values(), ...this.#draining];
  }

  /** After process_control_timeout send the next signal of the ladder, then one per second. */
  #armEscalation(pools: readonly PoolRuntime[], ladder: readonly NodeJS.Signals[], step: number): void {
    const signal = ladder[step];
    if (signal === undefined || pools.length === 0) return;
    const delay = step === 1 ? Math.max(this.#config.global.processControlTimeoutMs, 0) : ESCALATION_STEP_MS;
    this.#escalation = setTimeout(() => {
      let left = 0;
      for (const pool of pools) {
        for (const child of pool.children.values()) {
          left++;
          this.log.debug(`[pool ${pool.name}] sending signal ${signal} to child ${child.pid}`);
          child.process.kill(signal);
        }
      }
      if (left > 0) this.#armEscalation(pools, ladder, step + 1);
    }, delay);
  }

  #clearEscalation(): void {
    if (this.#escalation !== undefined) clearTimeout(this.#escalation);
    this.#escalation = undefined;
  }

  #checkAllGone(): void {
    if (this.#exited || (this.#state !== 'finishing' && this.#state !== 'terminating')) return;
    for (const pool of this.#allPools()) if (pool.children.size > 0) return;
    this.#exited = true;
    this.#clearEscalation();
    this.#sockets.closeAll();
    this.#removePidFile();
    this.log.notice('exiting, bye-bye!');
    this.log.flush();
    // STOPPING=1 must reach systemd before the main process is gone.
    void this.#systemd.flush().then(() => this.#options.onExit(0));
  }

  /** php-fpm's process.max: a cap on the serving generation's children across all pools. */
  #belowProcessMax(): boolean {
    const max = this.#config.global.processMax;
    if (max <= 0) return true;
    let total = 0;
    for (const pool of this.#pools.values()) total += pool.children.size;
    if (total < max) {
      this.#warnedProcessMax = false;
      return true;
    }
    if (!this.#warnedProcessMax) {
      this.log.warning(
        "The maximum number of processes has been reached. Please review your configuration and consider raising 'process.max'",
      );
      this.#warnedProcessMax = true;
    }
    return false;
  }

  /** Totals for systemd's STATUS= line, over the serving pools. */
  #systemdFigures(): SystemdFigures {
    const now = Date.now();
    let active = 0;
    let idle = 0;
    let requests = 0;
    let slow = 0;
    for (const pool of this.#pools.values()) {
      const snapshot = pool.snapshot(now);
      active += snapshot.activeProcesses;
      idle += snapshot.idleProcesses;
      requests += snapshot.acceptedConn;
      slow += snapshot.slowRequests;
    }
    return { active, idle, requests, slow };
  }

  /**
   * The heartbeat: php-fpm checks request timeouts every min(timeout)/3 (at least 130 ms) and runs the
   * process managers once a second; one timer at the shorter period does both.
   */
  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    let shortest = HEARTBEAT_MS;
    for (const pool of this.#pools.values()) {
      for (const timeout of [pool.config.requestTerminateTimeoutMs, pool.config.requestSlowlogTimeoutMs]) {
        if (timeout > 0) shortest = Math.min(shortest, Math.max(MIN_TIMEOUT_CHECK_MS, Math.floor(timeout / 3)));
      }
    }
    let lastMaintenanceMs = 0;
    this.#heartbeat = setInterval(() => {
      const now = Date.now();
      const runPm = now - lastMaintenanceMs >= HEARTBEAT_MS - shortest / 2;
      if (runPm) lastMaintenanceMs = now;
      for (const pool of this.#pools.values()) pool.maintain(now, runPm && this.#state === 'normal');
      for (const pool of this.#draining) pool.maintain(now, false);
    }, shortest);
  }

  #writePidFile(): void {
    const pid = this.#config.global.pid;
    if (pid !== undefined) writePidFile(this.#resolvePath(pid));
  }

  #removePidFile(): void {
    const pid = this.#config.global.pid;
    if (pid !== undefined) removePidFile(this.#resolvePath(pid));
  }
}
