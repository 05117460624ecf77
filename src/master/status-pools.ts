// pm.status_listen: the hidden pools that serve a pool's status page on an address of their own.
import type { PoolConfig } from '../config/types.js';

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
