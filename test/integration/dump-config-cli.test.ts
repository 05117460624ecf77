// `tsfpm --fpm-config X --dump-config > Y` prints an INI file on stdout that `tsfpm --fpm-config Y -t` accepts:
// the real command line, its real stdout through a pipe, and the real config test.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(REPO, 'bin/tsfpm');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function tsfpm(args: readonly string[]): Promise<Run> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      // A spawn failure (no exit status at all) is the test's own fault: reject with it.
      if (err !== null && typeof err.code !== 'number') fail(new Error(err.message, { cause: err }));
      else done({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}

test('--dump-config prints the sample configuration as INI that -t accepts', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsfpm-dump-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dumped = await tsfpm(['--fpm-config', join(REPO, 'conf/tsfpm.conf'), '--dump-config']);
  assert.equal(dumped.code, 0, dumped.stderr);
  assert.match(dumped.stdout, /^\[global\]$/m);
  assert.match(dumped.stdout, /^\[www\]$/m);
  assert.match(dumped.stdout, /^pm = static$/m);
  const file = join(dir, 'dumped.conf');
  writeFileSync(file, dumped.stdout);
  const checked = await tsfpm(['--fpm-config', file, '--prefix', join(REPO, 'conf'), '-t']);
  assert.equal(checked.code, 0, `${checked.stderr}\n${dumped.stdout}`);
  assert.match(checked.stderr, /configuration file .*dumped\.conf test is successful/);
  // The dump of the dump is the same text (apart from the comment naming the file it came from).
  const again = await tsfpm(['--fpm-config', file, '--prefix', join(REPO, 'conf'), '--dump-config']);
  const body = (text: string): string => text.replace(/^;.*\n/gm, '');
  assert.equal(body(again.stdout), body(dumped.stdout));
});

test('--dump-config of a broken configuration prints nothing on stdout and exits 78', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsfpm-dump-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bad.conf'), '[www]\nlisten = 127.0.0.1:9000\npm = sometimes\n');
  const run = await tsfpm(['--fpm-config', join(dir, 'bad.conf'), '--dump-config']);
  assert.equal(run.code, 78);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /invalid process manager/);
});

test('--help lists --dump-config', async () => {
  const run = await tsfpm(['--help']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /--dump-config +print the effective configuration/);
});
