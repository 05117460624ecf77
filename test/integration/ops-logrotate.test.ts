// The shipped conf/logrotate.d/tsfpm, run by the real logrotate with -f against a running
// daemonized tsfpm (only its paths changed to the test's): the rotated file keeps the old lines, the
// fresh file gets the new ones after postrotate's SIGUSR1, and no line is lost or written twice,
// even with requests logging while the rotation happens.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { promisify } from 'node:util';
import { DAEMONIZED_CONF, startDaemonized } from '../helpers/daemonized.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { requireTool } from '../helpers/tools.js';
import { describeResult, runTsfpm } from '../helpers/tsfpm-cli.js';
import { waitFor } from '../helpers/wait-for.js';

const run = promisify(execFile);

const MARK_SCRIPT = `export default function (request) {
  console.log('mark ' + new URL(request.url).searchParams.get('n'));
  return new Response('ok\\n');
}
`;

void test(
  'logrotate -f with the shipped config: old lines rotated, new lines in the fresh file, none lost',
  { timeout: 90_000 },
  async (t) => {
    const logrotate = requireTool(t, 'logrotate', 'logrotate');
    if (logrotate === undefined) return;
    const fpm = await startDaemonized(t, DAEMONIZED_CONF);
    assert.equal(fpm.launcher.code, 0, describeResult(fpm.launcher));
    const script = join(fpm.dir.path, 'mark.mjs');
    writeFileSync(script, MARK_SCRIPT);
    const conf = join(fpm.dir.path, 'logrotate.conf');
    const shipped = readFileSync(join(REPO_ROOT, 'conf/logrotate.d/tsfpm'), 'utf8');
    assert.match(shipped, /\/var\/log\/tsfpm\/\*\.log/);
    assert.match(shipped, /\/run\/tsfpm\/tsfpm\.pid/);
    writeFileSync(
      conf,
      shipped.replace('/var/log/tsfpm/*.log', fpm.errorLog).replaceAll('/run/tsfpm/tsfpm.pid', fpm.pidFile),
      { mode: 0o644 },
    );

    let next = 1;
    const mark = async (): Promise<void> => {
      const n = next++;
      const result = await runTsfpm(['request', '--connect', fpm.socketPath, '-b', `${script}?n=${n}`]);
      assert.equal(result.code, 0, describeResult(result));
    };
    for (let i = 0; i < 10; i++) await mark();

    // Requests keep logging while logrotate renames the file and signals the master.
    let rotating = true;
    const during = (async () => {
      while (rotating) await mark();
    })();
    const rotation = await run(logrotate, ['-f', '-s', join(fpm.dir.path, 'logrotate.state'), conf]).finally(() => {
      rotating = false;
    });
    await during;
    assert.equal(rotation.stderr, '');
    const rotated = `${fpm.errorLog}.1`;
    await waitFor(() => fpm.errorLogText().includes('NOTICE: error log file re-opened'), {
      what: 'the master to reopen its error log',
      onTimeout: () => `\n${fpm.errorLogText()}`,
    });
    for (let i = 0; i < 10; i++) await mark();
    const last = next - 1;

    const marks = (text: string): number[] => [...text.matchAll(/mark (\d+)"?$/gm)].map((m) => Number(m[1]));
    const both = async (): Promise<number[] | undefined> => {
      const all = [...marks(readFileSync(rotated, 'utf8')), ...marks(fpm.errorLogText())];
      return all.length >= last ? all : undefined;
    };
    const seen = await waitFor(both, { what: `${last} mark lines in the two files` });
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      Array.from({ length: last }, (_, i) => i + 1),
      'each line once',
    );

    const old = readFileSync(rotated, 'utf8');
    const fresh = fpm.errorLogText();
    assert.match(old, /NOTICE: ready to handle connections/);
    assert.match(old, /mark 1"?$/m);
    assert.doesNotMatch(old, /error log file re-opened/);
    assert.match(fresh, /^\[[^\]]+\] NOTICE: error log file re-opened$/m);
    assert.match(fresh, new RegExp(`mark ${last}"?$`, 'm'));
    assert.doesNotMatch(fresh, /ready to handle connections/);
  },
);
