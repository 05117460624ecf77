// The child bundle (src/build/child-bundle.ts), read as files: every dynamic import in it names a chunk
// or a package, save the one that loads user scripts, so no computed path can load a tsfpm module a
// second time from dist/src next to the bundled copy; import.meta.url is rewritten to each module's own
// dist/src file; and code whose meaning rests on a name (params inspect as Object.create(null)
// objects do) keeps it once bundled.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { inspect } from 'node:util';
import { build } from 'esbuild';
import { childBundleOptions, keepModuleLocations } from '../../../src/build/child-bundle.js';
import type * as ParamsModule from '../../../src/fastcgi/params.js';
import { repoPath } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const BUNDLE = repoPath('dist', 'bundle', 'worker');
const bundleFiles = readdirSync(BUNDLE).filter((name) => name.endsWith('.js'));
const text = (name: string): string => readFileSync(join(BUNDLE, name), 'utf8');

void test('the bundle is there: npm run build wrote it', () => {
  assert.ok(bundleFiles.includes('main.js') && bundleFiles.includes('spare.js'), bundleFiles.join(' '));
});

void test('every import() in the bundle names a chunk or a package, but the one of user scripts', () => {
  const computed: string[] = [];
  for (const name of bundleFiles) {
    for (const match of text(name).matchAll(/\bimport\(\s*([^)]*)\)/g)) {
      const argument = match[1] ?? '';
      const literal = /^"([^"]+)"$/.exec(argument)?.[1];
      if (literal === undefined) computed.push(argument);
      else
        assert.match(literal, /^(\.\/(chunk-[A-Z0-9]+|main)\.js|esbuild|tsx\/(esm|cjs)\/api)$/, `${name}: ${literal}`);
    }
  }
  assert.deepEqual(computed, ['url.href'], 'src/handlers/module-loader.ts importScript() alone');
});

void test("import.meta.url is each module's own dist/src file, relative to the bundle", () => {
  const all = bundleFiles.map(text).join('\n');
  for (const own of [
    'src/handlers/module-loader.js',
    'src/handlers/executor/thread-pool.js',
    'src/worker/slowlog/slowlog-watcher.js',
  ]) {
    assert.ok(all.includes(`new URL("../../${own}", import.meta.url).href`), own);
  }
  const bare = all.split('\n').filter((line) => /import\.meta\.url(?!\)\.href)/.test(line));
  assert.deepEqual(bare, [], 'import.meta.url left as the chunk URL');
});

void test('params keep their Object.create(null) inspect shape once bundled', async (t) => {
  const dir = makeTempDir('tsfpm-bundle-params-');
  t.after(() => dir.remove());
  const options = childBundleOptions(repoPath('dist'));
  await build({
    ...options,
    entryPoints: [repoPath('dist', 'src', 'fastcgi', 'params.js')],
    outdir: dir.path,
    outExtension: { '.js': '.mjs' },
    sourcemap: false,
    plugins: [keepModuleLocations(repoPath('dist', 'src'), dir.path)],
  });
  const params = (await import(join(dir.path, 'params.mjs'))) as typeof ParamsModule;
  const decoded = params.decodeParams(params.encodeParams([['A', 'a']]));
  assert.equal(inspect(decoded), "[Object: null prototype] { A: 'a' }");
});
