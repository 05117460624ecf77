// The master's spare children: Node processes that have loaded tsfpm's child code but belong to no
// pool yet (src/worker/spare.ts). A pool that needs a child takes one (src/master/pool.ts spawn()),
// sends it its identity with 'init', and has a serving child a few milliseconds later instead of
// after a Node start; Node cannot fork a running process as php-fpm's master forks itself.
//
// A spare runs as the master's user with an environment of its own and no pool's descriptors, and
// does nothing until it is assigned (src/worker/spare-assignment.ts: directory and environment,
// then the pool's user and group before any of the pool's code runs). The replacement of a taken
// spare starts right after the taken one has its 'init' (sites visited one after another each find
// a spare further along), at a lower priority while it boots, so it does not compete with the
// requests it is meant to speed up. A spare that dies is replaced after a back-off that doubles, as
// a pool child that never became ready is.
import type { ChildProcess } from 'node:child_process';
import { closeSync, readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import type { PoolConfig } from '../config/types.js';
import { describeError } from '../errors.js';
import { isChildMessage, type ChildMessage, type MasterMessage } from '../ipc/messages.js';
import { createSlotFile } from '../ipc/scoreboard-file.js';
import type { ErrorLog } from '../log/error-log.js';
import { signalNumber } from './bury.js';
import { nextBackoffMs } from './pm/respawn.js';
import { spareEnvironment, spareFits, type SparePlan } from './spare-fit.js';
import { forkSpare } from './spawn-child.js';

/** How long after a pool child became ready the missing spares are started (see refill()). */
const REFILL_DELAY_MS = 100;
/** How much nicer than the master a spare boots (only when the master runs as root and can undo it). */
const BOOT_NICENESS = 10;

/** A spare handed to a pool: the process and the scoreboard slot it writes (fd 4 in the child). */
export interface TakenSpare {
  readonly process: ChildProcess;
  readonly slotFd: number;
  /** Its code was loaded and its practice request done: it acts on 'init' at once. */
  readonly warm: boolean;
}

interface Spare {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly slotFd: number;
  /** Its code is loaded ('spare-ready'). */
  warm: boolean;
  /** Asked to end (stop, reload): its exit is expected. */
  ended: boolean;
  readonly detach: () => void;
}

export class SparePool {
  readonly #log: ErrorLog;
  readonly #onExit: () => void;
  readonly #spares = new Map<number, Spare>();
  #plan: SparePlan = { count: 0, nodeFlags: [] };
  #keeping = false;
  #backoffMs = 0;
  #retry: NodeJS.Timeout | undefined;
  #refill: NodeJS.Timeout | undefined;
  #refillDue = 0;

  /** `onExit`: a spare process is gone (the master waits for all of them before it exits). */
  constructor(log: ErrorLog, onExit: () => void) {
    this.#log = log;
    this.#onExit = onExit;
  }

  /** Spare processes not yet reaped, ended ones included. */
  get size(): number {
    return this.#spares.size;
  }

  /** Keeps `plan.count` spares from now on (start-up, the end of a reload). */
  keep(plan: SparePlan): void {
    this.#plan = plan;
    this.#keeping = true;
    this.#fill();
  }

  /** No more spares (stop, reload): the ones there are end at once, having nothing to finish. */
  release(): void {
    this.#keeping = false;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.#refill !== undefined) clearTimeout(this.#refill);
    this.#refill = undefined;
    for (const spare of this.#spares.values()) {
      spare.ended = true;
      if (spare.process.exitCode === null && spare.process.signalCode === null) spare.process.kill('SIGTERM');
    }
  }

  /** A spare that can become a child of `pool`, taken out of the set; undefined when there is none. */
  take(pool: PoolConfig, masterEnv: NodeJS.ProcessEnv): TakenSpare | undefined {
    if (!this.#keeping || !spareFits(pool, this.#plan.nodeFlags, masterEnv)) return undefined;
    let chosen: Spare | undefined;
    for (const spare of this.#spares.values()) {
      if (spare.ended || !spare.process.connected) continue;
      // A spare still loading is taken too: it is further along than a fresh fork.
      if (chosen === undefined || (spare.warm && !chosen.warm)) chosen = spare;
    }
    if (chosen === undefined) {
      // Asked for while the replacements wait for their moment: they are needed now.
      if (this.#refill !== undefined) this.refill(0);
      return undefined;
    }
    this.#spares.delete(chosen.pid);
    chosen.detach();
    restorePriority(chosen.pid);
    this.#log.debug(`spare child ${chosen.pid} assigned to pool ${pool.name}${chosen.warm ? '' : ' (still loading)'}`);
    // The replacement is forked a moment after the taken one is ready (refill()). When the taken one
    // was still booting, the load outruns the spares: the next one starts now, beside it.
    if (!chosen.warm) this.refill(0);
    return { process: chosen.process, slotFd: chosen.slotFd, warm: chosen.warm };
  }

  /**
   * Starts the spares that are missing (a pool child became ready, or failed to), `delayMs` from now:
   * by default REFILL_DELAY_MS, so that neither the fork (it stops the master for a few ms) nor the
   * new spare's boot (~150 ms of CPU) falls on the first requests of the child that took a spare.
   */
  refill(delayMs = REFILL_DELAY_MS): void {
    if (!this.#keeping) return;
    const due = Date.now() + delayMs;
    if (this.#refill !== undefined && this.#refillDue <= due) return;
    if (this.#refill !== undefined) clearTimeout(this.#refill);
    this.#refillDue = due;
    this.#refill = setTimeout(() => {
      this.#refill = undefined;
      this.#fill();
    }, delayMs);
  }

  #fill(): void {
    if (!this.#keeping || this.#retry !== undefined) return;
    let live = 0;
    for (const spare of this.#spares.values()) if (!spare.ended) live++;
    for (; live < this.#plan.count; live++) if (!this.#startOne()) return;
  }

  #startOne(): boolean {
    let process: ChildProcess;
    let slotFd: number | undefined;
    try {
      slotFd = createSlotFile();
      process = forkSpare(this.#plan.nodeFlags, spareEnvironment(globalThis.process.env), slotFd);
    } catch (err) {
      if (slotFd !== undefined) closeSync(slotFd);
      this.#log.error(`cannot start a spare child: ${describeError(err)}`);
      this.#backOff();
      return false;
    }
    const pid = process.pid;
    if (pid === undefined) {
      closeSync(slotFd);
      // fork failed (the 'error' event says why); nothing to reap.
      process.once('error', (err) => this.#log.error(`cannot start a spare child: ${describeError(err)}`));
      this.#backOff();
      return false;
    }
    lowerPriority(pid);
    const onMessage = (message: unknown): void => {
      if (isChildMessage(message)) this.#onMessage(spare, message);
    };
    const onError = (err: Error): void => this.#log.error(`spare child ${pid}: ${describeError(err)}`);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => this.#onSpareExit(spare, code, signal);
    process.on('message', onMessage);
    process.on('error', onError);
    process.once('exit', onExit);
    const spare: Spare = {
      process,
      pid,
      slotFd,
      warm: false,
      ended: false,
      detach: () => {
        process.off('message', onMessage);
        process.off('error', onError);
        process.off('exit', onExit);
      },
    };
    this.#spares.set(pid, spare);
    this.#log.debug(`spare child ${pid} started`);
    const model = this.#plan.model;
    // Without the pool's env[...] values: the practice does not need them, and a spare holds none.
    if (model !== undefined) process.send({ type: 'practice', pool: { ...model, env: {} } } satisfies MasterMessage);
    return true;
  }

  #onMessage(spare: Spare, message: ChildMessage): void {
    if (message.type === 'spare-ready') {
      spare.warm = true;
      this.#backoffMs = 0;
      const practice = message.practice;
      const how =
        practice === undefined
          ? ''
          : 'ms' in practice
            ? `, practice request in ${practice.ms} ms`
            : `, no practice request: ${practice.skipped}`;
      this.#log.debug(`spare child ${spare.pid} ready${how}`);
    } else if (message.type === 'log') {
      this.#log.log(message.level, message.message);
    }
  }

  #onSpareExit(spare: Spare, code: number | null, signal: NodeJS.Signals | null): void {
    this.#spares.delete(spare.pid);
    closeSync(spare.slotFd);
    const how = signal === null ? `with code ${code ?? 0}` : `on signal ${signalNumber(signal)} (${signal})`;
    if (spare.ended) {
      this.#log.debug(`spare child ${spare.pid} exited ${how}`);
    } else {
      this.#backOff();
      this.#log.warning(`spare child ${spare.pid} exited ${how}, next start in ${this.#backoffMs} ms`);
    }
    this.#onExit();
  }

  #backOff(): void {
    this.#backoffMs = nextBackoffMs(this.#backoffMs);
    if (this.#retry !== undefined || !this.#keeping) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#fill();
    }, this.#backoffMs);
  }
}

/** Only root can give a process its priority back: an unprivileged master leaves spares alone. */
const canRenice = (): boolean => process.getuid?.() === 0;

function lowerPriority(pid: number): void {
  if (!canRenice()) return;
  try {
    setPriority(pid, Math.min(19, getPriority() + BOOT_NICENESS));
  } catch {
    // gone already: its exit is handled
  }
}

/** Back to the master's priority, every thread (Linux sets priorities per thread; new ones inherit). */
function restorePriority(pid: number): void {
  if (!canRenice()) return;
  const priority = getPriority();
  let threads: number[];
  try {
    threads = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    threads = [pid];
  }
  for (const tid of threads) {
    try {
      setPriority(tid, priority);
    } catch {
      // a thread that ended meanwhile
    }
  }
}
