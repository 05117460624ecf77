// The master's heartbeat. php-src checks request timeouts every min(timeout)/3, never more often than
// FPM_PCTL_MIN_HEARTBEAT (130 ms), and runs the process managers every
// FPM_IDLE_SERVER_MAINTENANCE_HEARTBEAT (1 s) (sapi/fpm/fpm/fpm_process_ctl.c fpm_pctl_heartbeat()
// and fpm_pctl_perform_idle_server_maintenance_heartbeat()); one timer at the shorter period does both.

/** The process managers' period. */
export const PM_HEARTBEAT_MS = 1000;
/** The shortest period of the request-timeout checks. */
export const MIN_TIMEOUT_CHECK_MS = 130;

export interface TimeoutSettings {
  readonly requestTerminateTimeoutMs: number;
  readonly requestSlowlogTimeoutMs: number;
}

/** The timer's period: a third of the shortest request timeout (at least MIN_TIMEOUT_CHECK_MS), at most PM_HEARTBEAT_MS. */
export function heartbeatPeriodMs(pools: Iterable<TimeoutSettings>): number {
  let shortest = PM_HEARTBEAT_MS;
  for (const pool of pools) {
    for (const timeout of [pool.requestTerminateTimeoutMs, pool.requestSlowlogTimeoutMs]) {
      if (timeout > 0) shortest = Math.min(shortest, Math.max(MIN_TIMEOUT_CHECK_MS, Math.floor(timeout / 3)));
    }
  }
  return shortest;
}

export class Heartbeat {
  #timer: NodeJS.Timeout | undefined;

  /** (Re)starts the timer; `tick` learns whether the process managers are due on this beat. */
  start(periodMs: number, tick: (nowMs: number, processManagersDue: boolean) => void): void {
    this.stop();
    let lastMaintenanceMs = 0;
    this.#timer = setInterval(() => {
      const now = Date.now();
      // Due when the next beat would be further from a whole second than this one.
      const due = now - lastMaintenanceMs >= PM_HEARTBEAT_MS - periodMs / 2;
      if (due) lastMaintenanceMs = now;
      tick(now, due);
    }, periodMs);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
