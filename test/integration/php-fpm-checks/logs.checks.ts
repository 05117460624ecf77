// php-fpm parity: access log lines and captured worker output.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Daemon } from '../../helpers/daemon.js';
import { confTemplate } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait-for.js';
import { check, withDaemon } from './support.js';

/** The test template with pool lines that use {{DIR}} (placeholders in `vars` values are not expanded). */
const withPoolLines = (lines: string): string =>
  confTemplate('static-pool.conf').replace('{{POOL_EXTRA}}', `${lines}\n{{POOL_EXTRA}}`);

/** The access log's lines once it has `count` of them. */
async function accessLines(fpm: Daemon, count: number): Promise<string[]> {
  const file = join(fpm.dir.path, 'access.log');
  return waitFor(
    () => {
      if (!existsSync(file)) return undefined;
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      return lines.length >= count ? lines : undefined;
    },
    { what: `${count} access log lines`, onTimeout: () => (existsSync(file) ? readFileSync(file, 'utf8') : '(none)') },
  );
}

/** A GET like the web server sends for /x.mjs?a=1 (REQUEST_URI with the query). */
const get = (fpm: Daemon, script: string, query = '', extra: Record<string, string> = {}) =>
  fpm.request({
    script,
    query,
    params: { REQUEST_URI: query === '' ? `/${script}` : `/${script}?${query}`, ...extra },
  });

check(
  'access log: the default line shape; a custom %m %r%Q%q %s %{HTTP_HOST}e; suppress_path hides only plain 2xx /ping',
  {},
  async (t) => {
    // %R is the peer's address, '-' on a unix socket (as PHP-FPM): this part runs over TCP.
    await withDaemon(t, { listen: 'tcp', config: withPoolLines('access.log = {{DIR}}/access.log') }, async (fpm) => {
      assert.equal((await get(fpm, 'hello.mjs', 'a=1')).status, 200);
      const [line] = await accessLines(fpm, 1);
      assert.match(line ?? '', /^127\.0\.0\.1 - +\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4} "GET \/hello\.mjs" 200$/);
    });
    const custom = 'access.log = {{DIR}}/access.log\naccess.format = "%m %r%Q%q %s %{HTTP_HOST}e"';
    await withDaemon(t, { config: withPoolLines(custom) }, async (fpm) => {
      await get(fpm, 'hello.mjs', 'a=1', { HTTP_HOST: 'example.test' });
      assert.deepEqual(await accessLines(fpm, 1), ['GET /hello.mjs?a=1 200 example.test']);
    });
    const suppress =
      'access.log = {{DIR}}/access.log\naccess.suppress_path[] = /ping\naccess.suppress_path[] = /check-status.mjs';
    // One child: its lines are written in request order.
    await withDaemon(t, { config: withPoolLines(suppress), vars: { MAX_CHILDREN: '1' } }, async (fpm) => {
      const ping = (query: string) =>
        fpm.request({
          query,
          params: {
            SCRIPT_NAME: '/ping',
            SCRIPT_FILENAME: '/ping',
            REQUEST_URI: query === '' ? '/ping' : `/ping?${query}`,
          },
        });
      await ping('');
      await ping('x=1');
      await get(fpm, 'check-status.mjs', '', { SCRIPT_NAME: '/check-status.mjs' });
      await get(fpm, 'check-status.mjs', 'code=404');
      await get(fpm, 'hello.mjs');
      // The last request's line is there: every earlier line is too.
      const lines = await waitFor(
        async () => {
          const found = await accessLines(fpm, 1);
          return found.some((line) => line.includes('hello.mjs')) ? found : undefined;
        },
        { what: 'the access line of the last request' },
      );
      assert.equal(lines.length, 3, lines.join('\n'));
      assert.match(lines[0] ?? '', /"GET \/ping\?x=1" 200$|"GET \/ping" 200$/, 'the ping with a query is logged');
      assert.match(lines[1] ?? '', /" 404$/, 'the non-2xx suppressed path is logged');
      assert.match(lines[2] ?? '', /"GET \/hello\.mjs" 200$/);
    });
  },
);

check(
  'worker output: said into stderr: "hello"; undecorated exactly hello; a 3000-char line wrapped at log_limit 1024',
  {},
  async (t) => {
    await withDaemon(t, {}, async (fpm) => {
      await fpm.request({ script: 'check-stderr.mjs', query: 'text=hello' });
      await fpm.expectLog(/WARNING: \[pool www\] child \d+ said into stderr: "hello"$/);
    });
    await withDaemon(t, { vars: { POOL_EXTRA: 'decorate_workers_output = no' } }, async (fpm) => {
      const mark = fpm.logMark;
      await fpm.request({ script: 'check-stderr.mjs', query: 'text=hello' });
      await fpm.expectLog(/^hello$/, { from: mark });
    });
    await withDaemon(t, { vars: { GLOBAL_EXTRA: 'log_limit = 1024' } }, async (fpm) => {
      const mark = fpm.logMark;
      await fpm.request({ script: 'check-stderr.mjs', query: 'len=3000' });
      const pieces = await waitFor(
        () => {
          const found = fpm.log.lines.slice(mark).filter((l) => /said into stderr: "x/.test(l));
          const xs = found.map((p) => /"(x+)"$/.exec(p)?.[1]?.length ?? 0).reduce((a, b) => a + b, 0);
          return xs >= 3000 ? found : undefined;
        },
        { what: 'the wrapped pieces of the 3000-character line' },
      );
      assert.ok(pieces.length > 1);
      for (const piece of pieces)
        assert.match(piece, /^\[[^\]]+\] WARNING: \[pool www\] child \d+ said into stderr: "x+"$/);
      for (const piece of pieces.slice(0, -1)) assert.equal(piece.length, 1024);
      assert.ok((pieces.at(-1)?.length ?? 0) <= 1024);
    });
  },
);
