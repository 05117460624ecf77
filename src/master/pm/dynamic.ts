// pm = dynamic: the spare-server rule php-src runs once a second in sapi/fpm/fpm/fpm_process_ctl.c
// fpm_pctl_perform_idle_server_maintenance(), as a pure function of the live children and the pool's
// spawn state. src/master/dynamic-spares.ts applies the decision (ends, forks, logs).
import type { PmConfig } from '../../config/types.js';
import { countStarting, isIdle, type ChildView } from './view.js';

export type DynamicSettings = Pick<PmConfig, 'minSpareServers' | 'maxSpareServers' | 'maxChildren' | 'maxSpawnRate'>;

export interface DynamicState {
  /** Children to start on the next tick that lacks spares (php-src's idle_spawn_rate). */
  readonly spawnRate: number;
  /** The max_children warning was given in this episode (php-src's warn_max_children). */
  readonly warnedMaxChildren: boolean;
}

export const DYNAMIC_START: DynamicState = { spawnRate: 1, warnedMaxChildren: false };

/** From this spawn rate on, php-src warns that the pool "seems busy". */
export const BUSY_SPAWN_RATE = 8;

export interface DynamicDecision<C> {
  /** The idle child to end (SIGQUIT): there are more spares than pm.max_spare_servers. */
  readonly retire: C | undefined;
  /** Children to fork now. */
  readonly spawn: number;
  /** The "seems busy" warning's figures, when it is due. */
  readonly busy: { readonly rate: number; readonly idle: number; readonly total: number } | undefined;
  /** Log "server reached pm.max_children setting" and count it in `max children reached`. */
  readonly warnMaxChildren: boolean;
  readonly next: DynamicState;
}

/**
 * One tick. Children starting count as spares (they are about to accept). More idle children than
 * pm.max_spare_servers: the one started first ends, one per tick. Fewer spares than
 * pm.min_spare_servers: fork up to the spawn rate (never above pm.max_children), and double the rate
 * for the next tick up to pm.max_spawn_rate; at pm.max_children, warn once per episode. Any tick that
 * does not fork resets the rate to 1.
 */
export function decideDynamic<C extends ChildView>(
  live: readonly C[],
  pm: DynamicSettings,
  state: DynamicState,
): DynamicDecision<C> {
  const idle = live.filter(isIdle);
  const none = { retire: undefined, spawn: 0, busy: undefined, warnMaxChildren: false };
  if (idle.length > pm.maxSpareServers) {
    const oldest = idle.reduce((a, b) => (a.startedAtMs <= b.startedAtMs ? a : b));
    return { ...none, retire: oldest, next: { ...state, spawnRate: 1 } };
  }
  const starting = countStarting(live);
  if (idle.length + starting >= pm.minSpareServers) return { ...none, next: { ...state, spawnRate: 1 } };
  const room = pm.maxChildren - live.length;
  if (room <= 0) {
    return {
      ...none,
      warnMaxChildren: !state.warnedMaxChildren,
      next: { spawnRate: 1, warnedMaxChildren: true },
    };
  }
  const rate = state.spawnRate;
  return {
    ...none,
    spawn: Math.min(rate, pm.minSpareServers - idle.length - starting, room),
    busy: rate >= BUSY_SPAWN_RATE ? { rate, idle: idle.length, total: live.length } : undefined,
    next: { spawnRate: rate < pm.maxSpawnRate ? rate * 2 : rate, warnedMaxChildren: false },
  };
}
