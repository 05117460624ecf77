// Where things are in the source tree. Tests run from dist/test/..., but fixtures (.mjs scripts,
// .conf templates) are not copied by tsc, so they are read from the repository itself.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && 'name' in parsed && parsed.name === 'tsfpm') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no tsfpm package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export const REPO_ROOT = findRepoRoot();
/** A path in the source tree: `repoPath('conf', 'tsfpm.conf')`. */
export const repoPath = (...parts: string[]): string => join(REPO_ROOT, ...parts);
export const TSFPM_BIN = join(REPO_ROOT, 'bin', 'tsfpm');
export const FIXTURE_SCRIPTS = join(REPO_ROOT, 'test', 'fixtures', 'scripts');
export const FIXTURE_CONF = join(REPO_ROOT, 'test', 'fixtures', 'conf');

/** A config template from test/fixtures/conf by file name. */
export function confTemplate(name: string): string {
  return readFileSync(join(FIXTURE_CONF, name), 'utf8');
}

/** static-pool.conf with /status also served on its own socket (pm.status_listen), apart from the pool's children. */
export function staticPoolWithStatusListen(statusSocket: string): string {
  return confTemplate('static-pool.conf').replace(
    '{{POOL_EXTRA}}',
    `pm.status_path = /status\npm.status_listen = ${statusSocket}\n{{POOL_EXTRA}}`,
  );
}
