// The process manager's warnings, in php-src's words (sapi/fpm/fpm/fpm_process_ctl.c): operators and
// their log watchers grep for them.
import type { PmStyle } from '../../config/types.js';

/**
 * A pool at pm.max_children that needs more children. php-src's dynamic manager names the directive
 * `pm.max_children`; its ondemand accept handler (fpm_pctl_on_socket_accept()) says `max_children`.
 */
export function maxChildrenReached(pool: string, style: PmStyle, maxChildren: number): string {
  const directive = style === 'ondemand' ? 'max_children' : 'pm.max_children';
  return `[pool ${pool}] server reached ${directive} setting (${maxChildren}), consider raising it`;
}

/** pm = dynamic forking at a spawn rate of 8 or more. */
export function seemsBusy(
  pool: string,
  busy: { readonly rate: number; readonly idle: number; readonly total: number },
): string {
  return (
    `[pool ${pool}] seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers), ` +
    `spawning ${busy.rate} children, there are ${busy.idle} idle, and ${busy.total} total children`
  );
}
