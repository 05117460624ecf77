// `-tt` output (php-src sapi/fpm/fpm/fpm_conf.c fpm_conf_dump()): php-fpm's order and value formats,
// compared with a golden file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runConfigTest } from '../../../src/cli/config-test.js';
import { dumpConfig } from '../../../src/config/dump.js';
import { loadConfig } from '../../../src/config/load.js';
import { repoPath } from '../../helpers/paths.js';

const FIXTURE = repoPath('test/fixtures/config/dump');

describe('-tt dump', () => {
  it(
    'matches the golden output (Linux: backlog -1, epoll)',
    { skip: process.platform !== 'linux' && 'golden file is for Linux defaults' },
    () => {
      const r = loadConfig({ configFile: `${FIXTURE}/tsfpm.conf`, isRoot: false, env: { TMPDIR: '/var/tmp' } });
      assert.ok(r.ok, JSON.stringify(r.messages));
      const golden = readFileSync(`${FIXTURE}/expected-dump.txt`, 'utf8').replaceAll('{PREFIX}', FIXTURE);
      assert.equal(`${dumpConfig(r.config, 1024).join('\n')}\n`, golden);
    },
  );

  it("prints 'unknown value' for a log_level never set, and the pid of -g unless the file sets one", () => {
    const r = loadConfig({
      configFile: repoPath('conf/tsfpm.conf'),
      pidFlag: '/run/from-flag.pid',
      isRoot: false,
      env: {},
    });
    assert.ok(r.ok, JSON.stringify(r.messages));
    const lines = dumpConfig(r.config);
    assert.ok(lines.includes('\tlog_level = unknown value'));
    assert.ok(lines.includes('\tpid = /run/from-flag.pid'));
    const fixture = loadConfig({
      configFile: `${FIXTURE}/tsfpm.conf`,
      pidFlag: '/run/from-flag.pid',
      isRoot: false,
      env: {},
    });
    assert.ok(fixture.ok);
    assert.equal(fixture.config.global.pid, `${FIXTURE}/run/tsfpm.pid`);
  });

  it('runConfigTest -tt prints the dump as NOTICE lines before the success line', () => {
    const out: string[] = [];
    const rc = runConfigTest({ configFile: `${FIXTURE}/tsfpm.conf`, isRoot: false, env: {}, dump: true }, (l) =>
      out.push(l),
    );
    assert.equal(rc, 0);
    const bare = out.map((l) => l.replace(/^\[\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\] /, ''));
    const first = bare.indexOf('NOTICE: [global]');
    assert.ok(first > 0, 'warnings come first');
    assert.equal(bare[first + 1], `NOTICE: \tpid = ${FIXTURE}/run/tsfpm.pid`);
    assert.equal(bare.at(-1), `NOTICE: configuration file ${FIXTURE}/tsfpm.conf test is successful`);
    assert.ok(bare.includes('NOTICE:  '), "the ' ' separator line");
  });
});
