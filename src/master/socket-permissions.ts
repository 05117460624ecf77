// A reload keeps a pool's listening socket (no connection refused meanwhile), so a changed
// listen.owner, listen.group or listen.mode is applied to the socket's file in place (chmod, chown)
// instead of to a new bind. When that cannot be done (a socket systemd passed in, whose file belongs
// to the .socket unit; chown without the right) the log says the old permissions stay and what to do.
import { chmodSync, chownSync } from 'node:fs';
import type { ErrorLog } from '../log/error-log.js';
import type { BoundSocket, UnixSocketOptions } from './bound-socket.js';

export interface PermissionChange {
  /** Applied to the file, or left as it was. */
  readonly applied: boolean;
  /** What changed and what happened, for the log. */
  readonly text: string;
}

const octal = (mode: number): string => `0${(mode & 0o7777).toString(8)}`;
const id = (value: number | undefined): string => (value === undefined ? 'unchanged' : String(value));

function describe(from: UnixSocketOptions | undefined, to: UnixSocketOptions): string {
  const parts: string[] = [];
  if (from?.mode !== to.mode) parts.push(`mode ${from === undefined ? '?' : octal(from.mode)} → ${octal(to.mode)}`);
  if (from?.uid !== to.uid) parts.push(`owner ${id(from?.uid)} → ${id(to.uid)}`);
  if (from?.gid !== to.gid) parts.push(`group ${id(from?.gid)} → ${id(to.gid)}`);
  return parts.join(', ');
}

/** Applies changed permissions to a kept unix socket; undefined when nothing changed. */
export function applyPermissions(
  socket: BoundSocket,
  wanted: UnixSocketOptions,
  ownedBySystemd: boolean,
): PermissionChange | undefined {
  if (socket.address.kind !== 'unix') return undefined;
  const path = socket.address.path;
  const had = socket.permissions;
  if (ownedBySystemd) {
    // Its file was made by systemd (SocketMode=, SocketUser=, SocketGroup=); nothing of ours applies.
    return undefined;
  }
  if (had !== undefined && had.mode === wanted.mode && had.uid === wanted.uid && had.gid === wanted.gid) {
    return undefined;
  }
  const what = describe(had, wanted);
  try {
    chmodSync(path, wanted.mode);
    if (wanted.uid !== undefined || wanted.gid !== undefined) chownSync(path, wanted.uid ?? -1, wanted.gid ?? -1);
  } catch (err) {
    return {
      applied: false,
      text: `not applied to the kept socket '${path}' (${what}): ${(err as Error).message}; it keeps the old permissions until tsfpm is restarted`,
    };
  }
  socket.permissions = wanted;
  return { applied: true, text: `applied to the kept socket '${path}': ${what}` };
}

/** The reload's log line for a changed listen.owner/group/mode: a NOTICE when applied, an ERROR when not. */
export function logPermissionChange(poolName: string, change: PermissionChange | undefined, log: ErrorLog): void {
  if (change === undefined) return;
  const line = `[pool ${poolName}] listen.owner/group/mode ${change.text}`;
  if (change.applied) log.notice(line);
  else log.error(line);
}
