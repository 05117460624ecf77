// php-fpm parity: configuration test messages and the command line.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeResult } from '../../helpers/tsfpm-cli.js';
import { waitFor } from '../../helpers/wait-for.js';
import { check, confTree, poolConfig, tsfpm, undated, withDaemon } from './support.js';

const MAIN = `[global]
error_log = {{DIR}}/error.log
include = {{DIR}}/pool.d/*.conf
`;

/** Lines 1–6 of a valid pool file; line 7 is whatever the test adds. */
const POOL_HEAD = `[www]
listen = {{DIR}}/fpm.sock
pm = static
pm.max_children = 2
security.limit_extensions = .js .mjs
ping.path = /ping
`;

/** `needles` occur in `lines` in this order (other lines may come between). */
function assertInOrder(lines: readonly string[], needles: readonly string[], context: string): void {
  let at = 0;
  for (const needle of needles) {
    const found = lines.findIndex((line, index) => index >= at && line.includes(needle));
    assert.ok(found !== -1, `expected '${needle}' (in order) in:\n${context}`);
    at = found + 1;
  }
}

check('-t on a valid config exits 0 with "configuration file <abs path> test is successful"', {}, async (t) => {
  const dir = confTree(t, { 'tsfpm.conf': MAIN, 'pool.d/www.conf': POOL_HEAD });
  const main = join(dir.path, 'tsfpm.conf');
  const result = await tsfpm(['-t', '-y', main]);
  assert.equal(result.code, 0, describeResult(result));
  assert.ok(
    undated(result.stderr + result.stdout).includes(`NOTICE: configuration file ${main} test is successful`),
    describeResult(result),
  );
});

check(
  '-t with an unknown entry on line 7 exits 78: file:line message, failed to load, initialization failed',
  {},
  async (t) => {
    const dir = confTree(t, { 'tsfpm.conf': MAIN, 'pool.d/www.conf': `${POOL_HEAD}foo = bar\n` });
    const main = join(dir.path, 'tsfpm.conf');
    const result = await tsfpm(['-t', '-y', main]);
    assert.equal(result.code, 78, describeResult(result));
    assertInOrder(
      undated(result.stderr),
      [
        `ERROR: [${dir.path}/pool.d/www.conf:7] unknown entry 'foo'`,
        `ERROR: failed to load configuration file '${main}'`,
        'ERROR: FPM initialization failed',
      ],
      describeResult(result),
    );
  },
);

check('pm.start_servers outside the spare bounds fails; unset it is computed with a NOTICE', {}, async (t) => {
  const dynamic = POOL_HEAD.replace(
    'pm = static\npm.max_children = 2\n',
    'pm = dynamic\npm.max_children = 5\npm.min_spare_servers = 2\npm.max_spare_servers = 3\n',
  );
  const bad = confTree(t, { 'tsfpm.conf': MAIN, 'pool.d/www.conf': `${dynamic}pm.start_servers = 4\n` });
  const failed = await tsfpm(['-t', '-y', join(bad.path, 'tsfpm.conf')]);
  assert.equal(failed.code, 78, describeResult(failed));
  assert.match(
    failed.stderr,
    /\[pool www\] pm\.start_servers\(4\) must not be less than pm\.min_spare_servers\(2\) and not greater than pm\.max_spare_servers\(3\)/,
  );
  const good = confTree(t, { 'tsfpm.conf': MAIN, 'pool.d/www.conf': dynamic });
  const passed = await tsfpm(['-t', '-y', join(good.path, 'tsfpm.conf')]);
  assert.equal(passed.code, 0, describeResult(passed));
  assert.ok(
    undated(passed.stderr).includes("NOTICE: [pool www] pm.start_servers is not set. It's been set to 2."),
    describeResult(passed),
  );
});

check(
  "time values: '10x' is an unknown suffix; 10s, 2m, 1h, 1d and 30 are accepted (-tt in seconds)",
  {},
  async (t) => {
    const bad = confTree(t, { 'tsfpm.conf': MAIN, 'pool.d/www.conf': `${POOL_HEAD}request_terminate_timeout = 10x\n` });
    const failed = await tsfpm(['-t', '-y', join(bad.path, 'tsfpm.conf')]);
    assert.notEqual(failed.code, 0, describeResult(failed));
    assert.match(
      failed.stderr,
      /unable to parse value for entry 'request_terminate_timeout': unknown suffix used in time value/,
    );
    for (const [value, shown] of [
      ['10s', '10s'],
      ['2m', '120s'],
      ['1h', '3600s'],
      ['1d', '86400s'],
      ['30', '30s'],
    ] as const) {
      const dir = confTree(t, {
        'tsfpm.conf': MAIN,
        'pool.d/www.conf': `${POOL_HEAD}request_terminate_timeout = ${value}\n`,
      });
      const result = await tsfpm(['-tt', '-y', join(dir.path, 'tsfpm.conf')]);
      assert.equal(result.code, 0, `${value}: ${describeResult(result)}`);
      assert.ok(
        undated(result.stderr).some((line) => line === `NOTICE: \trequest_terminate_timeout = ${shown}`),
        `${value} → ${shown}: ${describeResult(result)}`,
      );
    }
  },
);

check("booleans: 'maybe' is an invalid boolean value; yes/no/on/off/true/false are accepted", {}, async (t) => {
  const bad = confTree(t, { 'tsfpm.conf': MAIN, 'pool.d/www.conf': `${POOL_HEAD}catch_workers_output = maybe\n` });
  const failed = await tsfpm(['-t', '-y', join(bad.path, 'tsfpm.conf')]);
  assert.notEqual(failed.code, 0, describeResult(failed));
  assert.match(failed.stderr, /invalid boolean value/);
  for (const value of ['yes', 'no', 'on', 'off', 'true', 'false']) {
    const dir = confTree(t, { 'tsfpm.conf': MAIN, 'pool.d/www.conf': `${POOL_HEAD}catch_workers_output = ${value}\n` });
    const result = await tsfpm(['-t', '-y', join(dir.path, 'tsfpm.conf')]);
    assert.equal(result.code, 0, `${value}: ${describeResult(result)}`);
  }
});

check('two pools with the same listen address fail', {}, async (t) => {
  const dir = confTree(t, {
    'tsfpm.conf': MAIN,
    'pool.d/a.conf': POOL_HEAD,
    'pool.d/b.conf': POOL_HEAD.replace('[www]', '[other]'),
  });
  const result = await tsfpm(['-t', '-y', join(dir.path, 'tsfpm.conf')]);
  assert.notEqual(result.code, 0, describeResult(result));
  assert.match(result.stderr, /unable to set listen address as it's already used in another pool/);
});

check("pm.status_path must start with '/' and use only the allowed characters", {}, async (t) => {
  const noSlash = confTree(t, { 'tsfpm.conf': MAIN, 'pool.d/www.conf': `${POOL_HEAD}pm.status_path = status\n` });
  const first = await tsfpm(['-t', '-y', join(noSlash.path, 'tsfpm.conf')]);
  assert.notEqual(first.code, 0, describeResult(first));
  assert.match(first.stderr, /the status path 'status' must start with a '\/'/);
  const space = confTree(t, { 'tsfpm.conf': MAIN, 'pool.d/www.conf': `${POOL_HEAD}pm.status_path = /st atus\n` });
  const second = await tsfpm(['-t', '-y', join(space.path, 'tsfpm.conf')]);
  assert.notEqual(second.code, 0, describeResult(second));
  assert.match(
    second.stderr,
    /the status path '\/st atus' must contain only the following characters '\[alphanum\]\/_-\.~'/,
  );
});

check(
  'include of an absolute glob loads b.conf and a.conf in alphabetical order; an empty match only warns',
  {},
  async (t) => {
    const pools = confTree(t, {
      'b.conf': '[bbb]\nlisten = {{DIR}}/b.sock\npm = static\npm.max_children = 1\n',
      'a.conf': '[aaa]\nlisten = {{DIR}}/a.sock\npm = static\npm.max_children = 1\n',
    });
    const config = poolConfig(
      'pm = static\npm.max_children = 1',
      `include = ${pools.path}/*.conf\ninclude = ${pools.path}/none/*.conf`,
    );
    await withDaemon(t, { config }, async (fpm) => {
      assert.ok(
        fpm.log.find(/WARNING: Nothing matches the include pattern/) !== undefined,
        'the empty pattern is a warning',
      );
      const aaa = fpm.log.find(/\[pool aaa\] child \d+ started/);
      const bbb = fpm.log.find(/\[pool bbb\] child \d+ started/);
      assert.ok(aaa !== undefined && bbb !== undefined, 'both pools start');
      assert.ok(aaa.index < bbb.index, "aaa's notices come first");
    });
  },
);

check('$pool expands in access.log and env[]: www.access.log is created, the worker sees POOL=www', {}, async (t) => {
  const logs = confTree(t, {});
  const config = poolConfig(
    `pm = static\npm.max_children = 1\naccess.log = ${logs.path}/$pool.access.log\nenv[POOL] = $pool`,
  );
  await withDaemon(t, { config }, async (fpm) => {
    const res = await fpm.request({ script: 'check-env.mjs' });
    assert.equal(res.body.toString(), 'POOL=www');
    const file = join(logs.path, 'www.access.log');
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').includes('check-env.mjs'), { what: file });
  });
});

check(
  'an unknown option exits 64 with a Usage: line; -v exits 0; -tt dumps [global], [www], pm.max_children first',
  {},
  async (t) => {
    const unknown = await tsfpm(['--memory-limit=1G']);
    assert.equal(unknown.code, 64, describeResult(unknown));
    assert.match(unknown.stderr + unknown.stdout, /^Usage: /m);
    const version = await tsfpm(['-v']);
    assert.equal(version.code, 0, describeResult(version));
    const dir = confTree(t, { 'tsfpm.conf': MAIN, 'pool.d/www.conf': POOL_HEAD });
    const dump = await tsfpm(['-tt', '-y', join(dir.path, 'tsfpm.conf')]);
    assert.equal(dump.code, 0, describeResult(dump));
    assertInOrder(
      undated(dump.stderr),
      ['NOTICE: [global]', 'NOTICE: [www]', 'NOTICE: \tpm.max_children = 2', 'test is successful'],
      describeResult(dump),
    );
  },
);
