// pm = dynamic, applied: once a second the pool's spare rule (src/master/pm/dynamic.ts) decides, and
// this ends the surplus idle child, forks the missing ones and logs php-fpm's warnings.
import { decideDynamic, DYNAMIC_START, type DynamicState } from './pm/dynamic.js';
import { maxChildrenReached, seemsBusy } from './pm/messages.js';
import type { PoolCore } from './pool-core.js';

export class DynamicSpares {
  readonly #pool: PoolCore;
  #state: DynamicState = DYNAMIC_START;

  constructor(pool: PoolCore) {
    this.#pool = pool;
  }

  tick(): void {
    const pool = this.#pool;
    const pm = pool.config.pm;
    const decision = decideDynamic(pool.liveChildren, pm, this.#state);
    this.#state = decision.next;
    if (decision.retire !== undefined) pool.endChild(decision.retire, 'idle');
    if (decision.warnMaxChildren) {
      pool.log.warning(maxChildrenReached(pool.name, 'dynamic', pm.maxChildren));
      pool.counters.maxChildrenReached++;
    }
    if (decision.busy !== undefined) pool.log.warning(seemsBusy(pool.name, decision.busy));
    for (let i = 0; i < decision.spawn; i++) pool.spawn();
  }
}
