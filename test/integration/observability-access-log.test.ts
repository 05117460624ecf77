// access.log / access.format / access.suppress_path (php-src sapi/fpm/fpm/fpm_log.c fpm_log_write())
// and the SIGUSR1 reopen: lines are written by the children, one per request, whole lines only.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonTest, type Daemon } from '../helpers/daemon.js';
import { confTemplate } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait-for.js';

const X_SCRIPT = `export default () => new Response('x\\n', { headers: { 'content-type': 'text/x-test' } });\n`;

/** The stock template with `access.log = {{DIR}}/access.log` (a var's own placeholders are not filled). */
const CONFIG = confTemplate('static-pool.conf').replace(
  '{{POOL_EXTRA}}',
  'access.log = {{DIR}}/access.log\n{{POOL_EXTRA}}',
);

function accessLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/** Waits until the file holds `count` lines (children flush within ~100 ms). */
function linesOf(fpm: Daemon, path: string, count: number): Promise<string[]> {
  return waitFor(() => (accessLines(path).length >= count ? accessLines(path) : undefined), {
    what: `${count} lines in ${path}`,
    onTimeout: () => `\n--- ${path}:\n${accessLines(path).join('\n')}${fpm.log.dump()}`,
  });
}

function xScript(fpm: Daemon): string {
  const path = join(fpm.dir.path, 'x.mjs');
  writeFileSync(path, X_SCRIPT);
  return path;
}

daemonTest(
  'default access.format: `%R - %u %t "%m %r" %s` as php-fpm writes it',
  { config: CONFIG, listen: 'tcp' },
  async (_t, fpm) => {
    const res = await fpm.request({ script: xScript(fpm), query: 'a=1' });
    assert.equal(res.status, 200);
    const [line] = await linesOf(fpm, join(fpm.dir.path, 'access.log'), 1);
    assert.match(line ?? '', /^127\.0\.0\.1 - +\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4} "GET \/x\.mjs" 200$/);
  },
);

daemonTest(
  'custom access.format "%m %r%Q%q %s %{HTTP_HOST}e"',
  { config: CONFIG, listen: 'tcp', vars: { POOL_EXTRA: 'access.format = "%m %r%Q%q %s %{HTTP_HOST}e"' } },
  async (_t, fpm) => {
    await fpm.request({ script: xScript(fpm), query: 'a=1', params: { HTTP_HOST: 'example.test' } });
    await fpm.request({ script: 'missing.mjs' });
    const lines = await linesOf(fpm, join(fpm.dir.path, 'access.log'), 2);
    assert.deepEqual(lines.sort(), ['GET /missing.mjs 404 localhost', 'GET /x.mjs?a=1 200 example.test']);
  },
);

daemonTest(
  'every other token: %C %d %e %f %l %M %n %o %p %P %T %t{strftime} %u %%',
  {
    config: CONFIG,
    vars: {
      POOL_EXTRA:
        'access.format = "%R|%n|%p|%P|%f|%l|%{micro}d|%{milli}d|%d|%{kilo}M|%M|%C|%{user}C|%{Content-Type}o|%{X-None}o|%{%Y-%m-%d}t|%T|%u|%%|%{NOPE}e"',
    },
  },
  async (_t, fpm) => {
    const script = xScript(fpm);
    await fpm.request({ script, method: 'POST', body: 'hello', params: { REMOTE_USER: 'alice' } });
    const [line] = await linesOf(fpm, join(fpm.dir.path, 'access.log'), 1);
    const f = (line ?? '').split('|');
    assert.equal(f[0], '-', '%R is - on a unix socket');
    assert.equal(f[1], 'www');
    assert.ok(fpm.liveChildren().includes(Number(f[2])), `%p ${f[2]} is a child`);
    assert.equal(Number(f[3]), fpm.pid, '%P is the master');
    assert.equal(f[4], script);
    assert.equal(f[5], '5');
    assert.match(f[6] ?? '', /^\d+$/);
    assert.match(f[7] ?? '', /^\d+\.\d{3}$/);
    assert.match(f[8] ?? '', /^\d+\.\d{3}$/);
    assert.match(f[9] ?? '', /^\d+$/);
    assert.ok(Number(f[10]) > 1_000_000, "%M: the child's memory in bytes");
    assert.match(f[11] ?? '', /^\d+\.\d\d$/);
    assert.match(f[12] ?? '', /^\d+\.\d\d$/);
    assert.equal(f[13], 'text/x-test');
    assert.equal(f[14], '-');
    assert.match(f[15] ?? '', /^\d{4}-\d\d-\d\d$/);
    assert.match(f[16] ?? '', /^\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}$/);
    assert.equal(f[17], 'alice');
    assert.equal(f[18], '%');
    assert.equal(f[19], '-');
  },
);

daemonTest(
  'access.suppress_path hides successful GETs of that path only (not with a query, a body or a non-2xx status)',
  {
    config: CONFIG,
    vars: {
      POOL_EXTRA:
        'access.format = "%m %r%Q%q %s"\naccess.suppress_path[] = /ping\naccess.suppress_path[] = /missing.mjs',
    },
  },
  async (_t, fpm) => {
    await fpm.request({ params: { SCRIPT_NAME: '/ping' } }); // hidden
    await fpm.request({ params: { SCRIPT_NAME: '/ping' }, query: 'x=1' }); // query: logged
    await fpm.request({ params: { SCRIPT_NAME: '/ping' }, method: 'HEAD' }); // hidden
    await fpm.request({ params: { SCRIPT_NAME: '/ping' }, method: 'POST', body: 'b' }); // POST: logged
    await fpm.request({ script: 'missing.mjs' }); // 404: logged
    await fpm.request({ script: xScript(fpm) }); // another path: logged
    const lines = await linesOf(fpm, join(fpm.dir.path, 'access.log'), 4);
    assert.deepEqual(lines.sort(), ['GET /missing.mjs 404', 'GET /ping?x=1 200', 'GET /x.mjs 200', 'POST /ping 200']);
  },
);

daemonTest(
  'SIGUSR1 after renaming access.log: later lines land in a fresh file, none lost',
  { config: CONFIG, vars: { MAX_CHILDREN: '1' } },
  async (_t, fpm) => {
    const path = join(fpm.dir.path, 'access.log');
    const rotated = `${path}.1`;
    const script = xScript(fpm);
    for (let i = 0; i < 5; i++) await fpm.request({ script, query: `before=${i}` });
    await linesOf(fpm, path, 5);
    renameSync(path, rotated);
    const mark = fpm.logMark;
    fpm.signal('SIGUSR1');
    await fpm.expectLog(/NOTICE: error log file re-opened/, { from: mark });
    await fpm.expectLog(/NOTICE: access log file re-opened/, { from: mark });
    // The child creates the fresh file when it reopens.
    await waitFor(() => existsSync(path), { what: 'the child to reopen access.log', onTimeout: () => fpm.log.dump() });
    for (let i = 0; i < 7; i++) await fpm.request({ script, query: `after=${i}` });
    const fresh = await linesOf(fpm, path, 7);
    assert.equal(fresh.length, 7);
    assert.ok(fresh.every((l) => l.includes('"GET /x.mjs" 200')));
    assert.equal(accessLines(rotated).length, 5);
  },
);
