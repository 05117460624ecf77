// What follows a child's exit: a replacement at once, one after a back-off, or none. php-src's
// sapi/fpm/fpm/fpm_children.c fpm_children_bury() restarts a child that died unexpectedly at once;
// here a child that dies before it was ever ready (a broken script, a bad node flag) is restarted
// after a back-off that doubles, so that it cannot become a fork storm. Pure: the pool's runtime
// (src/master/child-exits.ts) forks and arms the timer.
import type { PmConfig, PmStyle } from '../../config/types.js';
import type { ChildView } from './view.js';

export const FIRST_BACKOFF_MS = 100;
export const MAX_BACKOFF_MS = 30_000;

/** The back-off after one more child died before it was ready (`previousMs` 0: none so far). */
export function nextBackoffMs(previousMs: number): number {
  return previousMs === 0 ? FIRST_BACKOFF_MS : Math.min(previousMs * 2, MAX_BACKOFF_MS);
}

export type AfterExit = 'back-off' | 'replace' | 'none';

/**
 * An unexpected death is replaced: after a back-off when the child never became ready, else at once.
 * A child the master ended for a timeout, pm.max_memory or pm.max_memory_hard, or one that left on its
 * own (pm.max_requests), is replaced only once gone, so that pm.max_children is never exceeded.
 * Children ended for being idle, a reload or a stop are not replaced. ondemand pools fork only for
 * connections, never here.
 */
export function afterExit(child: ChildView, style: PmStyle): AfterExit {
  if (child.endReason === undefined && !child.retiring) {
    if (!child.ready) return 'back-off';
    return style === 'ondemand' ? 'none' : 'replace';
  }
  const reason = child.endReason;
  if (child.retiring || reason === 'timeout' || reason === 'memory' || reason === 'memory-limit') {
    return style === 'ondemand' ? 'none' : 'replace';
  }
  return 'none';
}

/** When a back-off ends: fork one child if the pool is below its floor (static: pm.max_children; dynamic: pm.min_spare_servers). */
export function respawnAfterBackoff(
  liveCount: number,
  pm: Pick<PmConfig, 'style' | 'maxChildren' | 'minSpareServers'>,
): boolean {
  const want = pm.style === 'static' ? pm.maxChildren : pm.minSpareServers;
  return liveCount < want;
}
