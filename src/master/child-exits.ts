// After a child's exit: its replacement, at once or after a back-off (src/master/pm/respawn.ts
// decides), and the SIGKILL for an idle child that did not leave after SIGQUIT.
import type { Child } from './child.js';
import { afterExit, nextBackoffMs, respawnAfterBackoff } from './pm/respawn.js';
import { stubbornIdleChildren } from './pm/watchdog.js';
import type { PoolCore } from './pool-core.js';

export class ChildExits {
  readonly #pool: PoolCore;
  /** The current back-off; 0 once a child became ready. */
  #backoffMs = 0;
  #respawnTimer: NodeJS.Timeout | undefined;

  constructor(pool: PoolCore) {
    this.#pool = pool;
  }

  /** A child became ready: the pool starts fine again, the next failure backs off from the start. */
  childReady(): void {
    this.#backoffMs = 0;
  }

  /** The child's exit has been logged: replace it if its pool still needs it. */
  childExited(child: Child): void {
    const pool = this.#pool;
    switch (afterExit(child, pool.config.pm.style)) {
      case 'back-off':
        this.#backoffMs = nextBackoffMs(this.#backoffMs);
        pool.log.warning(
          `[pool ${pool.name}] child ${child.pid} failed to initialize, next start in ${this.#backoffMs} ms`,
        );
        this.#scheduleRespawn(this.#backoffMs);
        return;
      case 'replace':
        // Meanwhile new connections wait in the listen backlog, which the master keeps open.
        pool.spawn();
        return;
      case 'none':
        return;
    }
  }

  /** An idle child asked to leave (SIGQUIT) that is still there a while later gets SIGKILL. */
  killStubbornIdle(nowMs: number): void {
    const pool = this.#pool;
    for (const child of stubbornIdleChildren(pool.children.values(), nowMs)) {
      pool.log.debug(`[pool ${pool.name}] child ${child.pid} ignored SIGQUIT, sending SIGKILL`);
      child.process.kill('SIGKILL');
    }
  }

  /** The pool forks nothing more: a pending respawn is cancelled. */
  stop(): void {
    if (this.#respawnTimer !== undefined) clearTimeout(this.#respawnTimer);
    this.#respawnTimer = undefined;
  }

  #scheduleRespawn(delayMs: number): void {
    const pool = this.#pool;
    if (this.#respawnTimer !== undefined || pool.config.pm.style === 'ondemand') return;
    this.#respawnTimer = setTimeout(() => {
      this.#respawnTimer = undefined;
      if (respawnAfterBackoff(pool.liveChildren.length, pool.config.pm)) pool.spawn();
    }, delayMs);
  }
}
