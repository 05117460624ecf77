// Children start from the child bundle (dist/bundle/worker/, src/build/child-bundle.ts): a pool child
// from its main.js and a spare from its spare.js, and what lives next to a bundled module's own file is
// still found there: the script format hooks (a .js script that is CommonJS, one that is an ES module,
// a TypeScript one), tinypool's thread task (executor = threads), the slowlog thread; the lazy chunks
// (CGI, the status page) load too. Every import the bundle makes stays in the bundle or goes to
// node_modules: no bundled tsfpm module is loaded a second time from dist/src. Without a bundle (a build by
// `tsc -p .` alone), children start from dist/src as before.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { pathToFileURL } from 'node:url';
import { childEntry } from '../../src/master/spawn-child.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { fcgiRequest, type FcgiAddress, type FcgiResponse } from '../helpers/fcgi-client.js';
import { confTemplate, FIXTURE_SCRIPTS, repoPath } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const BUNDLE = repoPath('dist', 'bundle', 'worker');

/** What a child started from: Node keeps the entry in process.argv after process.title replaces it. */
const ENTRY_SCRIPT = 'export default { fetch: () => new Response(process.argv[1]) };\n';
const SCRIPTS: Readonly<Record<string, string>> = {
  'entry.mjs': ENTRY_SCRIPT,
  'cjs.js': 'module.exports = { fetch: () => new Response("cjs js") };\n',
  'esm.js': 'export default { fetch: () => new Response("esm js") };\n',
  'typed.ts': 'const word: string = "esm ts";\nexport default { fetch: (): Response => new Response(word) };\n',
};

/** www: a static child; spare: ondemand (its child is a spare taken); threads; cgi. */
const POOLS = `${confTemplate('static-pool.conf').replace('{{POOL_EXTRA}}', '')}
security.limit_extensions = .js .mjs .ts
pm.max_children = 1
pm.status_path = /status
slowlog = {{DIR}}/slow.log
request_slowlog_timeout = 1s

[spare]
listen = {{DIR}}/spare.sock
pm = ondemand
pm.max_children = 1

[threads]
listen = {{DIR}}/threads.sock
pm = ondemand
pm.max_children = 1
executor = threads

[cgi]
listen = {{DIR}}/cgi.sock
pm = ondemand
pm.max_children = 1
handler = cgi
security.limit_extensions = .cgi
`;

function writeScripts(dir: string): void {
  for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(dir, name), text);
}

async function body(fpm: Daemon, address: FcgiAddress, script: string, query = ''): Promise<string> {
  let res: FcgiResponse;
  try {
    res = await fcgiRequest(address, { scriptFilename: script, query }, 20_000);
  } catch (err) {
    throw fpm.withLog(err);
  }
  assert.equal(res.status, 200, `${script}: ${res.body.toString()}${fpm.log.dump()}`);
  return res.body.toString();
}

const socket = (fpm: Daemon, name: string): FcgiAddress => ({ kind: 'unix', path: join(fpm.dir.path, name) });

/**
 * A resolve hook for every child (TSFPM_CHILD_NODE_FLAGS): each module resolution, as
 * `parentURL resolvedURL`, into `log`.
 */
function resolveRecorder(dir: string, log: string): string {
  writeFileSync(
    join(dir, 'resolve-hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, (context.parentURL ?? '-') + ' ' + result.url + '\\n');
  return result;
}\n`,
  );
  const register = join(dir, 'record-resolve.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister('./resolve-hooks.mjs', import.meta.url);\n`,
  );
  return register;
}

void test('children run from the bundle; each bundled module still finds the files next to its own', async (t) => {
  assert.equal(childEntry('main.js'), join(BUNDLE, 'main.js'), 'no bundle newer than tsc output: run npm run build');
  const scripts = makeTempDir('tsfpm-bundle-scripts-');
  t.after(() => scripts.remove());
  writeScripts(scripts.path);
  const resolutions = join(scripts.path, 'resolutions.log');
  const fpm = await startDaemon(t, {
    config: POOLS,
    env: { TSFPM_CHILD_NODE_FLAGS: `--import=${resolveRecorder(scripts.path, resolutions)}` },
  });
  const at = (name: string): string => join(scripts.path, name);

  assert.equal(await body(fpm, fpm.address, at('entry.mjs')), join(BUNDLE, 'main.js'), 'a pool child');
  assert.equal(await body(fpm, socket(fpm, 'spare.sock'), at('entry.mjs')), join(BUNDLE, 'spare.js'), 'a spare');
  // src/handlers/module-loader.ts registers ./script-format-hooks.js next to itself.
  assert.equal(await body(fpm, fpm.address, at('cjs.js')), 'cjs js');
  assert.equal(await body(fpm, fpm.address, at('esm.js')), 'esm js');
  assert.equal(await body(fpm, fpm.address, at('typed.ts')), 'esm ts');
  // src/handlers/executor/thread-pool.ts: tinypool runs ./thread-task.js.
  assert.notEqual(await body(fpm, socket(fpm, 'threads.sock'), join(FIXTURE_SCRIPTS, 'thread-id.mjs')), '0');
  // Lazy chunks: the CGI runner, the status page.
  assert.equal(await body(fpm, socket(fpm, 'cgi.sock'), join(FIXTURE_SCRIPTS, 'modes/cgi/hello.cgi')), 'hello\n');
  const status = await fcgiRequest(fpm.address, { params: { SCRIPT_NAME: '/status', SCRIPT_FILENAME: '/status' } });
  assert.equal(status.status, 200);
  assert.match(status.body.toString(), /^pool:\s+www$/m);
  // src/worker/slowlog/slowlog-watcher.ts starts ./slowlog-thread.js, which writes the slow request.
  const slow = join(FIXTURE_SCRIPTS, 'slow.mjs');
  assert.equal(await body(fpm, fpm.address, slow, 'ms=1500'), 'slept 1500 ms\n');
  const slowlog = join(fpm.dir.path, 'slow.log');
  await waitFor(() => existsSync(slowlog) && readFileSync(slowlog, 'utf8').includes(`script_filename = ${slow}`), {
    what: 'the slowlog entry',
    onTimeout: () => fpm.log.dump(),
  });

  const bundleUrl = pathToFileURL(BUNDLE).href + '/';
  const fromBundle = readFileSync(resolutions, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith(bundleUrl))
    .map((line) => line.split(' ')[1] ?? '');
  assert.ok(
    fromBundle.some((url) => url.includes('/chunk-')),
    'the bundle imports its chunks',
  );
  assert.ok(
    fromBundle.some((url) => url.includes('/node_modules/tsx/')),
    'and tsx from node_modules',
  );
  // A module that is in the bundle is never loaded from dist/src too (files loaded by path, such as
  // the practice script of a spare, are not in the bundle and load from dist/src).
  const bundled = new Set(
    readdirSync(BUNDLE)
      .filter((name) => name.endsWith('.js'))
      .flatMap((name) => [...readFileSync(join(BUNDLE, name), 'utf8').matchAll(/^\/\/ dist\/(src\/\S+\.js)$/gm)])
      .map((match) => pathToFileURL(repoPath('dist', match[1] ?? '')).href),
  );
  assert.ok(bundled.has(pathToFileURL(repoPath('dist', 'src', 'worker', 'connection.js')).href), 'bundled modules');
  const twice = fromBundle.filter((url) => bundled.has(url));
  assert.deepEqual(twice, [], 'modules of the bundle loaded again from dist/src');
});

void test('without a bundle (tsc -p . alone), children start from dist/src', { timeout: 60_000 }, async (t) => {
  const root = makeTempDir('tsfpm-nobundle-');
  t.after(() => root.remove());
  cpSync(repoPath('dist', 'src'), join(root.path, 'dist', 'src'), { recursive: true });
  cpSync(repoPath('package.json'), join(root.path, 'package.json'));
  symlinkSync(repoPath('node_modules'), join(root.path, 'node_modules'));
  writeScripts(root.path);
  const cli = join(root.path, 'dist', 'src', 'cli', 'main.js');
  // Runs the copy's CLI in place of bin/tsfpm: bash -c SCRIPT CLI NODE BIN ARGS... → NODE CLI ARGS...
  const fpm = await startDaemon(t, { config: POOLS, wrapper: ['bash', '-c', 'exec "$1" "$0" "${@:3}"', cli] });
  const entry = join(root.path, 'entry.mjs');
  const unbundled = join(root.path, 'dist', 'src', 'worker');
  assert.equal(await body(fpm, fpm.address, entry), join(unbundled, 'main.js'), 'a pool child');
  assert.equal(await body(fpm, socket(fpm, 'spare.sock'), entry), join(unbundled, 'spare.js'), 'a spare');
  assert.equal(await body(fpm, fpm.address, join(root.path, 'typed.ts')), 'esm ts');
});
