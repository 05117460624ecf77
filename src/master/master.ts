// The master process: binds every pool's socket, keeps each pool's children alive, and carries out
// stop and reload requests through the process-control state machine.
import { setPriority } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { FpmConfig, PoolConfig } from '../config/types.js';
import { EXIT_OK } from '../exit-codes.js';
import { describeError } from '../errors.js';
import type { ErrorLog } from '../log/error-log.js';
import { checkInstallAccess } from './install-access.js';
import type { ExitVerdict } from './bury.js';
import type { Child } from './child.js';
import { PoolRuntime, type PoolHost } from './pool.js';
import type { PoolCounters } from './scoreboard-view.js';
import { ACTION_STATE, canEnter, ESCALATION, type PctlAction, type PctlState } from './process-control.js';
import { SocketRegistry } from './socket-registry.js';
import { refuseIfRunning, removePidFile, writePidFile } from './pid-file.js';
import { takeActivatedSockets } from './socket-activation.js';
import { SystemdNotifier, systemdFigures } from './systemd.js';
import { withStatusPools } from './status-pools.js';
import { FatalExitCounter } from './emergency-restart.js';
import { Escalation } from './escalation.js';
import { Heartbeat, heartbeatPeriodMs } from './heartbeat.js';
import { ProcessMax } from './process-max.js';
import { Readiness } from './readiness.js';
import { applyMasterFileLimit, reapplyMasterFileLimit, reportConnectionCaps } from './file-limits.js';
import { logPermissionChange } from './socket-permissions.js';
import { planSpares } from './spare-fit.js';
import { SparePool, type TakenSpare } from './spare-pool.js';

export interface MasterOptions {
  readonly log: ErrorLog;
  /** Loads the configuration again for a reload; errors are already logged when it returns undefined. */
  readonly reloadConfig: () => FpmConfig | undefined;
  /** Called once when the master has nothing left to do; the CLI exits with this code. */
  readonly onExit: (code: number) => void;
}

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
  readonly #escalation: Escalation;
  readonly #heartbeat = new Heartbeat();
  readonly #readiness = new Readiness();
  #exited = false;
  readonly #systemd: SystemdNotifier;
  readonly #processMax: ProcessMax;
  /** Recent SIGSEGV/SIGBUS deaths, for emergency_restart_threshold. */
  readonly #fatalExits = new FatalExitCounter();
  /** Children in no pool yet, which a pool takes instead of forking (process.spare_children). */
  readonly #spares: SparePool;

  constructor(config: FpmConfig, options: MasterOptions) {
    this.#config = config;
    this.#options = options;
    this.log = options.log;
    this.#systemd = new SystemdNotifier(options.log);
    this.#escalation = new Escalation(options.log);
    this.#processMax = new ProcessMax(options.log);
    this.#spares = new SparePool(options.log, () => this.#checkAllGone());
  }

  get state(): PctlState {
    return this.#state;
  }

  get pools(): ReadonlyMap<string, PoolRuntime> {
    return this.#pools;
  }

  canSpawn(): boolean {
    if (this.#state !== 'normal' && this.#state !== 'reloading') return false;
    // process.max caps the serving generation's children across all pools.
    let total = 0;
    for (const pool of this.#pools.values()) total += pool.children.size;
    return this.#processMax.allows(total, this.#config.global.processMax);
  }

  /** Binds sockets, starts the initial children; resolves when every one of them is ready. */
  async start(): Promise<void> {
    const priority = this.#config.global.processPriority;
    if (priority !== undefined) {
      if (process.getuid?.() === 0) setPriority(priority);
      else this.log.notice("'process.priority' directive is ignored when FPM is not running as root");
    }
    applyMasterFileLimit(this.#config.global.rlimitFiles);
    const pidFile = this.#pidFile();
    if (pidFile !== undefined) refuseIfRunning(pidFile);
    checkInstallAccess(this.#config.pools);
    this.#sockets.offerActivated(takeActivatedSockets());
    const pools = await this.#openPools(this.#config);
    for (const unused of this.#sockets.releaseUnadopted()) {
      this.log.warning(`closing socket-activated fd=${unused.fd} ("${unused.name}"): no pool listens on it`);
    }
    this.#pools = pools;
    if (pidFile !== undefined) writePidFile(pidFile);
    this.log.notice(`fpm is running, pid ${process.pid}`);
    for (const pool of pools.values()) pool.start();
    await this.#whenStarted(pools);
    if (this.#state !== 'normal') return; // stopped while starting: never "ready"
    this.#startHeartbeat();
    this.#spares.keep(planSpares(this.#config, process.env));
    this.log.notice('ready to handle connections');
    this.#systemd.ready();
    // STATUS= totals over the serving pools.
    this.#systemd.startStatusUpdates(this.#config.global.systemdIntervalMs, () =>
      systemdFigures([...this.#pools.values()].map((pool) => pool.snapshot(Date.now()))),
    );
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
    let accessLogs = false;
    for (const pool of this.#allPools()) accessLogs = pool.reopenLogs() || accessLogs;
    if (accessLogs) this.log.notice('access log file re-opened');
  }

  // PoolHost

  childReady(): void {
    this.#readiness.wake();
    this.#spares.refill();
  }

  takeSpare(pool: PoolConfig): TakenSpare | undefined {
    return this.#spares.take(pool, process.env);
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
    if (!this.#fatalExits.record(Date.now(), threshold, intervalMs)) return;
    this.log.warning(
      `failed processes threshold (${threshold} in ${Math.round(intervalMs / 1000)} sec) is reached, initiating reload`,
    );
    this.request('reload');
  }

  #resolvePath(path: string, pool?: PoolConfig): string {
    if (isAbsolute(path)) return path;
    return resolve(pool?.prefix ?? this.#config.global.prefix, path);
  }

  async #openPools(config: FpmConfig): Promise<Map<string, PoolRuntime>> {
    const generation = ++this.#generation;
    reportConnectionCaps(config.pools, this.log);
    const pools = new Map<string, PoolRuntime>();
    for (const poolConfig of withStatusPools(config.pools)) {
      const { socket, reused, permissionChange } = await this.#sockets.acquire(
        poolConfig.listen,
        (p) => this.#resolvePath(p, poolConfig),
        poolConfig.name,
      );
      if (reused) this.log.notice(`using inherited socket fd=${socket.handle.fd ?? -1}, "${socket.display}"`);
      logPermissionChange(poolConfig.name, permissionChange, this.log);
      const previous = this.#pools.get(poolConfig.name);
      const counters: PoolCounters | undefined = previous?.counters;
      const runtime = new PoolRuntime(poolConfig, socket, generation, this, counters);
      if (poolConfig.statusOf !== undefined) runtime.statusSource = pools.get(poolConfig.statusOf);
      pools.set(poolConfig.name, runtime);
    }
    return pools;
  }

  /** Resolves when every initial child of these pools is ready (children that die are replaced first), or on a stop. */
  #whenStarted(pools: ReadonlyMap<string, PoolRuntime>): Promise<void> {
    const stopping = (): boolean => this.#state === 'finishing' || this.#state === 'terminating';
    return this.#readiness.until(() => stopping() || [...pools.values()].every((pool) => pool.starting === 0));
  }

  async #reload(): Promise<void> {
    const config = this.#options.reloadConfig();
    if (config === undefined) {
      this.log.error('reload aborted: the new configuration is invalid; the running configuration stays');
      this.#state = 'normal';
      this.#systemd.reloaded();
      return;
    }
    reapplyMasterFileLimit(this.#config.global.rlimitFiles, config.global.rlimitFiles, this.log);
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
    // Spares never outlive a reload: they would serve with the code and plan of the old generation.
    this.#spares.release();
    for (const pool of fresh.values()) pool.start();
    await this.#whenStarted(fresh);
    if (this.#state !== 'reloading') return; // a stop overrode the reload
    this.#spares.keep(planSpares(config, process.env));
    // The new generation serves; the old one finishes its requests and leaves.
    for (const pool of old.values()) {
      pool.retire();
      if (pool.children.size === 0) continue;
      this.#draining.add(pool);
      pool.signalAll('SIGQUIT', 'reload');
    }
    this.#closeUnusedSockets();
    this.#escalation.arm([...this.#draining], ESCALATION.graceful, this.#config.global.processControlTimeoutMs);
    if (this.#draining.size === 0) this.#finishReload();
  }

  #finishReload(): void {
    this.#escalation.clear();
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
    this.#escalation.clear();
    this.#heartbeat.stop();
    this.#spares.release();
    const all = this.#allPools();
    for (const pool of all) pool.retire();
    this.#sockets.stopListening(); // new connections are refused from now on, not queued
    const ladder = ESCALATION[kind];
    for (const pool of all) pool.signalAll(ladder[0] ?? 'SIGTERM', 'stop');
    this.#escalation.arm(all, ladder, this.#config.global.processControlTimeoutMs);
    this.childReady();
    this.#checkAllGone();
  }

  #allPools(): PoolRuntime[] {
    return [...this.#pools.values(), ...this.#draining];
  }

  #checkAllGone(): void {
    if (this.#exited || (this.#state !== 'finishing' && this.#state !== 'terminating')) return;
    for (const pool of this.#allPools()) if (pool.children.size > 0) return;
    if (this.#spares.size > 0) return;
    this.#exited = true;
    this.#escalation.clear();
    this.#sockets.closeAll();
    const pidFile = this.#pidFile();
    if (pidFile !== undefined) removePidFile(pidFile);
    this.log.notice('exiting, bye-bye!');
    this.log.flush();
    // STOPPING=1 must reach systemd before the main process is gone.
    void this.#systemd.flush().then(() => this.#options.onExit(EXIT_OK));
  }

  /** Request timeouts for every pool; the process managers of the serving pools, while nothing else is under way. */
  #startHeartbeat(): void {
    const period = heartbeatPeriodMs([...this.#pools.values()].map((pool) => pool.config));
    this.#heartbeat.start(period, (now, processManagersDue) => {
      for (const pool of this.#pools.values()) pool.maintain(now, processManagersDue && this.#state === 'normal');
      for (const pool of this.#draining) pool.maintain(now, false);
    });
  }

  /** The pid file's path under the current configuration. */
  #pidFile(): string | undefined {
    const pid = this.#config.global.pid;
    return pid === undefined ? undefined : this.#resolvePath(pid);
  }
}
