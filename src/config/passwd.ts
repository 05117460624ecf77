// User and group lookups for config checks. Node has no getpwnam(3), so read /etc/passwd and /etc/group
// (NSS sources such as LDAP are not seen; a name only they know is reported as unknown in test mode).
import { readFileSync } from 'node:fs';

export interface IdEntry {
  readonly name: string;
  readonly id: number;
  /** Primary group of a user. */
  readonly gid: number | undefined;
  /** Home directory of a user. */
  readonly home?: string;
}

function readTable(path: string, gidField: boolean): IdEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return []; // no such file (e.g. minimal containers): every lookup by name then reports "unknown"
  }
  const out: IdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    const id = Number(f[2]);
    if (f.length < 3 || f[0] === undefined || f[0] === '' || !Number.isInteger(id)) continue;
    out.push(gidField ? { name: f[0], id, gid: Number(f[3]), home: f[5] ?? '/' } : { name: f[0], id, gid: undefined });
  }
  return out;
}

/** A name or a numeric id; numeric ids are accepted even without an entry, as php-fpm does. */
export function lookupUser(nameOrId: string): IdEntry | undefined {
  const users = readTable('/etc/passwd', true);
  if (/^\d+$/.test(nameOrId)) {
    const id = Number(nameOrId);
    return users.find((u) => u.id === id) ?? { name: nameOrId, id, gid: undefined };
  }
  return users.find((u) => u.name === nameOrId);
}

export function lookupGroup(nameOrId: string): IdEntry | undefined {
  const groups = readTable('/etc/group', false);
  if (/^\d+$/.test(nameOrId)) {
    const id = Number(nameOrId);
    return groups.find((g) => g.id === id) ?? { name: nameOrId, id, gid: undefined };
  }
  return groups.find((g) => g.name === nameOrId);
}
