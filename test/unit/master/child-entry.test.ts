// Which file a child starts from (src/master/spawn-child.ts childEntry): the child bundle when the
// build wrote one at least as new as tsc's output, else tsc's dist/src/worker/<file>.
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { pathToFileURL } from 'node:url';
import { childEntry } from '../../../src/master/spawn-child.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

function layout(t: test.TestContext): { distSrc: URL; unbundled: string; bundled: string } {
  const dir = makeTempDir('tsfpm-entry-');
  t.after(() => dir.remove());
  const unbundled = join(dir.path, 'dist', 'src', 'worker', 'spare.js');
  const bundled = join(dir.path, 'dist', 'bundle', 'worker', 'spare.js');
  mkdirSync(join(unbundled, '..'), { recursive: true });
  writeFileSync(unbundled, '');
  return { distSrc: pathToFileURL(join(dir.path, 'dist', 'src') + '/'), unbundled, bundled };
}

void test('no bundle (tsc -p . alone): the unbundled entry', (t) => {
  const { distSrc, unbundled } = layout(t);
  assert.equal(childEntry('spare.js', distSrc), unbundled);
});

void test('a bundle written after tsc: the bundled entry', (t) => {
  const { distSrc, unbundled, bundled } = layout(t);
  mkdirSync(join(bundled, '..'), { recursive: true });
  writeFileSync(bundled, '');
  utimesSync(unbundled, 1000, 1000);
  utimesSync(bundled, 2000, 2000);
  assert.equal(childEntry('spare.js', distSrc), bundled);
  // An installed package: npm gives every file the same time.
  utimesSync(bundled, 1000, 1000);
  assert.equal(childEntry('spare.js', distSrc), bundled);
});

void test('a bundle older than tsc output (tsc -p . after an edit): the unbundled entry', (t) => {
  const { distSrc, unbundled, bundled } = layout(t);
  mkdirSync(join(bundled, '..'), { recursive: true });
  writeFileSync(bundled, '');
  utimesSync(bundled, 1000, 1000);
  utimesSync(unbundled, 2000, 2000);
  assert.equal(childEntry('spare.js', distSrc), unbundled);
});
