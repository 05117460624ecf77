// A log path that cannot be opened is reported by `tsfpm -t`, naming the directive, instead of
// surfacing only at start (php-fpm: "Unable to create or open slowlog", laradock/laradock#3187).
// A directory that is merely missing is fine: tsfpm creates it, as the start-up test below shows.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../helpers/temp-dir.js';
import { runTsfpm } from '../helpers/tsfpm-cli.js';

function writeConfig(dir: string, global: string, pool: string): string {
  const file = join(dir, 'tsfpm.conf');
  writeFileSync(
    file,
    `[global]\n${global}\n[www]\nlisten = ${join(dir, 'fpm.sock')}\npm = static\npm.max_children = 1\n${pool}\n`,
  );
  return file;
}

test('tsfpm -t names access.log, slowlog and error_log when their directory cannot be created', async (t) => {
  const dir = makeTempDir();
  t.after(() => dir.remove());
  const file = join(dir.path, 'not-a-dir');
  writeFileSync(file, 'a file where a directory should be\n');
  const conf = writeConfig(
    dir.path,
    `error_log = ${file}/log/tsfpm.log`,
    `access.log = ${file}/access.log\nslowlog = ${file}/slow/www.slow\nrequest_slowlog_timeout = 5s`,
  );
  const result = await runTsfpm(['-t', '-R', '-y', conf]);
  const out = result.stdout + result.stderr;
  assert.notEqual(result.code, 0, out);
  assert.match(
    out,
    /ERROR: cannot open error_log '[^']+\/not-a-dir\/log\/tsfpm\.log': its directory '[^']+' does not exist and cannot be created \('[^']+\/not-a-dir' is not a directory\) \(at [^)]*tsfpm\.conf:2: error_log = /,
  );
  assert.match(
    out,
    /ERROR: \[pool www\] cannot open access\.log '[^']+\/not-a-dir\/access\.log': .*\(at [^)]*tsfpm\.conf:\d+: access\.log = /,
  );
  assert.match(
    out,
    /ERROR: \[pool www\] cannot open slowlog '[^']+\/not-a-dir\/slow\/www\.slow': .*\(at [^)]*tsfpm\.conf:\d+: slowlog = /,
  );
  assert.doesNotMatch(out, /test is successful/);
});

test('tsfpm -t accepts log paths in directories that do not exist yet but can be created', async (t) => {
  const dir = makeTempDir();
  t.after(() => dir.remove());
  mkdirSync(join(dir.path, 'var'));
  const conf = writeConfig(
    dir.path,
    `error_log = ${dir.path}/var/log/new/tsfpm.log`,
    `access.log = ${dir.path}/var/log/new/access.log\nslowlog = ${dir.path}/var/slow/www.slow`,
  );
  const result = await runTsfpm(['-t', '-R', '-y', conf]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout + result.stderr, /test is successful/);
});

// Node's recursive mkdir never returns for a directory under /proc (mkdir answers ENOENT although the
// parent exists): the master used to spin at 100% CPU. Both -t and the start now name the path.
test('an error_log under /proc fails at -t and at start, naming the path, instead of spinning', async (t) => {
  const dir = makeTempDir();
  t.after(() => dir.remove());
  const conf = writeConfig(dir.path, 'error_log = /proc/tsfpm-no-such-dir/error.log', '');
  const expected =
    /ERROR: cannot open error_log '\/proc\/tsfpm-no-such-dir\/error\.log': its directory '\/proc\/tsfpm-no-such-dir' does not exist and cannot be created \('\/proc' is on a proc filesystem, where no file or directory can be created\)/;
  const tested = await runTsfpm(['-t', '-R', '-y', conf], { timeoutMs: 20_000 });
  assert.equal(tested.code, 78, tested.stdout + tested.stderr);
  assert.match(tested.stderr, expected);
  const started = await runTsfpm(['-F', '-O', '-R', '-y', conf], { timeoutMs: 20_000 });
  assert.equal(started.signal, null, 'the start ended by itself (not killed at the deadline)');
  assert.equal(started.code, 78, started.stdout + started.stderr);
  assert.match(started.stderr, expected);
  assert.match(started.stderr, /ERROR: FPM initialization failed/);
});

test('an error_log that is an existing file under /proc (/proc/self/fd/2) is accepted', async (t) => {
  const dir = makeTempDir();
  t.after(() => dir.remove());
  const conf = writeConfig(dir.path, 'error_log = /proc/self/fd/2', '');
  const result = await runTsfpm(['-t', '-R', '-y', conf]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
});
