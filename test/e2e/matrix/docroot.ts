// The document root every matrix suite serves: copies of the shared fixture scripts plus the matrix's
// own (test/e2e/matrix/scripts), in a fresh temp dir that other users can read. Apache's and nginx's
// workers run as www-data/nobody when the test runs as root, and mkdtemp makes 0700 dirs.
import { chmodSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CleanupScope } from '../../helpers/daemon.js';
import { FIXTURE_SCRIPTS, REPO_ROOT } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

export const MATRIX_SCRIPTS = join(REPO_ROOT, 'test', 'e2e', 'matrix', 'scripts');

/** The fixture scripts the matrix uses (test/fixtures/scripts). */
const SHARED = [
  'hello.mjs',
  'echo.mjs',
  'big.mjs',
  'sha256.mjs',
  'status-418.mjs',
  'throws.mjs',
  'slow.mjs',
  'pid.mjs',
  'path-info.mjs',
];

export function makeMatrixDocroot(scope: CleanupScope): string {
  const dir = makeTempDir('tsfpm-www-');
  scope.after(() => dir.remove());
  for (const name of SHARED) copyFileSync(join(FIXTURE_SCRIPTS, name), join(dir.path, name));
  for (const name of readdirSync(MATRIX_SCRIPTS)) copyFileSync(join(MATRIX_SCRIPTS, name), join(dir.path, name));
  chmodSync(dir.path, 0o755);
  return dir.path;
}
