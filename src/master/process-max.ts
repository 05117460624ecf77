// process.max: a cap on the serving generation's children across all pools, with php-fpm's warning
// once each time the cap is reached (php-src's sapi/fpm/fpm/fpm_children.c fpm_children_make()).
import type { ErrorLog } from '../log/error-log.js';

export class ProcessMax {
  readonly #log: ErrorLog;
  /** Warned once until the count drops below the cap again. */
  #warned = false;

  constructor(log: ErrorLog) {
    this.#log = log;
  }

  /** May one more child be forked with `total` children alive and a cap of `max` (0: none)? */
  allows(total: number, max: number): boolean {
    if (max <= 0) return true;
    if (total < max) {
      this.#warned = false;
      return true;
    }
    if (!this.#warned) {
      this.#log.warning(
        "The maximum number of processes has been reached. Please review your configuration and consider raising 'process.max'",
      );
      this.#warned = true;
    }
    return false;
  }
}
