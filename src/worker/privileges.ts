// Dropping a child to its pool's user and group (only when the master runs as root), with the
// user's supplementary groups (initgroups, as php-fpm): fork({ uid, gid }) would drop them.
import { setPriority } from 'node:os';
import { lookupGroup, lookupUser } from '../config/passwd.js';
import type { PoolConfig } from '../config/types.js';

// @types/node 20 lacks initgroups in the Process type, although Node has it on POSIX.
type WithInitgroups = { initgroups?: (user: string | number, extraGroup: string | number) => void };

export function applyPoolIdentity(pool: PoolConfig): void {
  if (pool.processPriority !== undefined) setPriority(pool.processPriority);
  if (process.getuid?.() !== 0 || pool.user === undefined) return;
  const user = lookupUser(pool.user);
  if (user === undefined) throw new Error(`[pool ${pool.name}] cannot get uid for user '${pool.user}'`);
  const gid = pool.group !== undefined ? lookupGroup(pool.group)?.id : user.gid;
  if (gid === undefined) throw new Error(`[pool ${pool.name}] cannot get gid for user '${pool.user}'`);
  (process as WithInitgroups).initgroups?.(user.name, gid);
  process.setgid?.(gid);
  process.setuid?.(user.id);
  if (!/^\d+$/.test(pool.user)) {
    process.env['USER'] = user.name;
    process.env['HOME'] = user.home ?? '/';
  }
}
