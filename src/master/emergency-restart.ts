// emergency_restart_threshold / emergency_restart_interval: that many children killed by SIGSEGV or
// SIGBUS within the interval make the master reload gracefully (php-src's
// sapi/fpm/fpm/fpm_children.c fpm_children_bury() counts them the same way).

export class FatalExitCounter {
  /** Times of recent fatal deaths, oldest first. */
  readonly #times: number[] = [];

  /**
   * Records one fatal death; true when the threshold is reached within the interval (the count then
   * starts over). Either setting at 0 turns the rule off.
   */
  record(nowMs: number, threshold: number, intervalMs: number): boolean {
    if (threshold <= 0 || intervalMs <= 0) return false;
    this.#times.push(nowMs);
    while (this.#times.length > 0 && nowMs - (this.#times[0] ?? nowMs) > intervalMs) this.#times.shift();
    if (this.#times.length < threshold) return false;
    this.#times.length = 0;
    return true;
  }
}
