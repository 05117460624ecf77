// catch_workers_output (php-src sapi/fpm/fpm/fpm_stdio.c): log_limit wrapping with the decoration on every
// physical line, nothing lost from a script that writes 10,000 lines and then throws, and the error log's
// SIGUSR1 reopen with the daemon writing to its error_log file (no -O).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { daemonTest } from '../helpers/daemon.js';
import { fcgiRequest } from '../helpers/fcgi-client.js';
import { TSFPM_BIN } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const LONG_LINE_SCRIPT = `export default () => { process.stderr.write('x'.repeat(2048) + '\\n'); return new Response('ok'); };\n`;
const TEN_THOUSAND_THEN_THROW = `export default () => {
  for (let i = 0; i < 10000; i++) console.error('line ' + i);
  throw new Error('after ten thousand lines');
};\n`;

daemonTest(
  'a 2048-character stderr line with log_limit = 1050 is wrapped: every piece decorated, full pieces exactly 1050',
  { vars: { GLOBAL_EXTRA: 'log_limit = 1050' } },
  async (_t, fpm) => {
    const script = join(fpm.dir.path, 'long-line.mjs');
    writeFileSync(script, LONG_LINE_SCRIPT);
    const mark = fpm.logMark;
    assert.equal((await fpm.request({ script })).status, 200);
    const pieces = await waitFor(
      () => {
        const found = fpm.log.lines.slice(mark).filter((l) => /said into stderr: "x/.test(l));
        return found.length >= 3 ? found : undefined;
      },
      { what: 'three wrapped pieces', onTimeout: () => fpm.log.dump() },
    );
    assert.equal(pieces.length, 3);
    for (const piece of pieces)
      assert.match(piece, /^\[[^\]]+\] WARNING: \[pool www\] child \d+ said into stderr: "x+"$/);
    assert.equal(pieces[0]?.length, 1050);
    assert.equal(pieces[1]?.length, 1050);
    const xs = pieces.map((p) => /"(x+)"$/.exec(p)?.[1]?.length ?? 0).reduce((a, b) => a + b, 0);
    assert.equal(xs, 2048, 'no character lost or repeated');
  },
);

daemonTest(
  'a script that logs 10,000 lines then throws: every line reaches the error log',
  { timeout: 90_000 },
  async (_t, fpm) => {
    const script = join(fpm.dir.path, 'many-lines.mjs');
    writeFileSync(script, TEN_THOUSAND_THEN_THROW);
    const mark = fpm.logMark;
    assert.equal((await fpm.request({ script, timeoutMs: 30_000 })).status, 500);
    const seen = await waitFor(
      () => {
        const numbers = new Set<number>();
        for (const l of fpm.log.lines.slice(mark)) {
          const m = /said into stderr: "line (\d+)"$/.exec(l);
          if (m?.[1] !== undefined) numbers.add(Number(m[1]));
        }
        return numbers.size >= 10_000 ? numbers : undefined;
      },
      { timeoutMs: 30_000, what: '10,000 captured lines' },
    );
    assert.equal(seen.size, 10_000);
    await fpm.expectLog(/after ten thousand lines/, { from: mark });
  },
);

void test(
  'SIGUSR1 after renaming the error log: the reopen notice and later lines land in a fresh file',
  { timeout: 60_000 },
  async (t) => {
    const dir = makeTempDir();
    const log = join(dir.path, 'error.log');
    const sock = dir.socketPath('fpm.sock');
    const conf = join(dir.path, 'tsfpm.conf');
    writeFileSync(
      conf,
      `[global]\nerror_log = ${log}\nlog_level = notice\n[www]\nlisten = ${sock}\npm = static\npm.max_children = 1\n` +
        `security.limit_extensions = .mjs\ncatch_workers_output = yes\n`,
    );
    const env = { ...process.env };
    delete env['NODE_TEST_CONTEXT'];
    // Without -O the daemon writes to its error_log file even in the foreground (php-fpm's rule).
    const daemon = spawn(process.execPath, [TSFPM_BIN, '-y', conf, '-F', '-R'], {
      cwd: dir.path,
      env,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => daemon.once('exit', resolve));
    t.after(async () => {
      daemon.kill('SIGQUIT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 8000).unref())]);
      if (daemon.exitCode === null) daemon.kill('SIGKILL');
      dir.remove();
    });
    const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    await waitFor(() => read(log).includes('ready to handle connections'), {
      timeoutMs: 15_000,
      what: 'the daemon to start',
    });
    const script = join(dir.path, 'say.mjs');
    writeFileSync(
      script,
      `export default (r) => { console.error('said ' + new URL(r.url).search); return new Response('ok'); };\n`,
    );
    const address = { kind: 'unix', path: sock } as const;
    const say = (query: string) =>
      fcgiRequest(address, { scriptFilename: script, params: { SCRIPT_NAME: '/say.mjs' }, query }, 10_000);
    await say('before');
    await waitFor(() => read(log).includes('said ?before'), { what: 'the first line' });
    renameSync(log, `${log}.1`);
    daemon.kill('SIGUSR1');
    await waitFor(() => read(log).includes('NOTICE: error log file re-opened'), {
      what: 'the reopen notice in a fresh file',
    });
    await say('after');
    await waitFor(() => read(log).includes('said ?after'), { what: 'a later line in the fresh file' });
    assert.ok(read(`${log}.1`).includes('said ?before'));
    assert.ok(!read(`${log}.1`).includes('said ?after'));
    assert.ok(!read(log).includes('said ?before'));
  },
);
