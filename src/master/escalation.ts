// Stopping or replacing children that do not leave: after process_control_timeout the next signal of
// the ladder (src/master/process-control.ts ESCALATION), then one more every second, as php-src's
// sapi/fpm/fpm/fpm_process_ctl.c fpm_pctl_action_next() does.
import type { ErrorLog } from '../log/error-log.js';
import type { Child } from './child.js';

/** Between escalation steps after the first one. */
const STEP_MS = 1000;

export interface EscalatedPool {
  readonly name: string;
  readonly children: ReadonlyMap<number, Child>;
}

export class Escalation {
  readonly #log: ErrorLog;
  #timer: NodeJS.Timeout | undefined;

  constructor(log: ErrorLog) {
    this.#log = log;
  }

  /** The first signal of `ladder` was sent: send the next ones while children of `pools` remain. */
  arm(pools: readonly EscalatedPool[], ladder: readonly NodeJS.Signals[], processControlTimeoutMs: number): void {
    this.#arm(pools, ladder, 1, Math.max(processControlTimeoutMs, 0));
  }

  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(pools: readonly EscalatedPool[], ladder: readonly NodeJS.Signals[], step: number, delayMs: number): void {
    const signal = ladder[step];
    if (signal === undefined || pools.length === 0) return;
    this.#timer = setTimeout(() => {
      let left = 0;
      for (const pool of pools) {
        for (const child of pool.children.values()) {
          left++;
          this.#log.debug(`[pool ${pool.name}] sending signal ${signal} to child ${child.pid}`);
          child.process.kill(signal);
        }
      }
      if (left > 0) this.#arm(pools, ladder, step + 1, STEP_MS);
    }, delayMs);
  }
}
