// Resolving user and group names (or numeric ids) without a native addon: /etc/passwd and /etc/group.
import { readFileSync } from 'node:fs';

function readDatabase(path: string): string[][] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.split(':'));
  } catch {
    return [];
  }
}

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export function findUser(nameOrId: string): PasswdEntry | undefined {
  const numeric = /^\d+$/.test(nameOrId);
  for (const fields of readDatabase('/etc/passwd')) {
    const [name, , uid, gid, , home] = fields;
    if (name === undefined || uid === undefined || gid === undefined) continue;
    if (numeric ? uid === nameOrId : name === nameOrId) {
      return { name, uid: Number(uid), gid: Number(gid), home: home ?? '/' };
    }
  }
  return numeric ? { name: nameOrId, uid: Number(nameOrId), gid: -1, home: '/' } : undefined;
}

export function lookupUserId(nameOrId: string): number {
  const entry = findUser(nameOrId);
  if (entry === undefined) throw new Error(`cannot get uid for user '${nameOrId}'`);
  return entry.uid;
}

export function lookupGroupId(nameOrId: string): number {
  if (/^\d+$/.test(nameOrId)) return Number(nameOrId);
  for (const [name, , gid] of readDatabase('/etc/group')) {
    if (name === nameOrId && gid !== undefined) return Number(gid);
  }
  throw new Error(`cannot get gid for group '${nameOrId}'`);
}
