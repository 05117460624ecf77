// Writes a throw-away config tree for a test and removes it afterwards.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';

/** Create files (paths relative to a fresh temp dir) and return the dir. */
export function writeTree(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsfpm-conf-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [rel, text] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return dir;
}

/** A minimal valid pool body, to which a test adds its one mistake. */
export const POOL_OK = 'listen = 127.0.0.1:9000\npm = static\npm.max_children = 2\n';

/** Load options that do not depend on who runs the test. */
export const NOT_ROOT = { isRoot: false, env: {} } as const;
