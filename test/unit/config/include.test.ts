// include = PATTERN (as php-src sapi/fpm/fpm/fpm_conf.c reads it): prefix-relative globs, alphabetical
// order, depth 5, cycles, no-match.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globSync } from '../../../src/config/glob.js';
import { loadConfig } from '../../../src/config/load.js';
import { NOT_ROOT, POOL_OK, writeTree } from './fixture-dir.js';

const pool = (name: string, port: number): string =>
  `[${name}]\nlisten = 127.0.0.1:${port}\npm = static\npm.max_children = 1\n`;

describe('include', () => {
  it('loads matches in alphabetical order (bug68391) and skips directories', () => {
    const dir = writeTree({
      'main.conf': 'include = pools/*.conf\n',
      'pools/cccc.conf': pool('cccc', 9003),
      'pools/aaaa.conf': pool('aaaa', 9001),
      'pools/eeee.conf': pool('eeee', 9005),
      'pools/dddd.conf': pool('dddd', 9004),
      'pools/bbbb.conf': pool('bbbb', 9002),
      'pools/dir.conf/x': 'not read',
    });
    const r = loadConfig({ configFile: `${dir}/main.conf`, ...NOT_ROOT });
    assert.ok(r.ok, JSON.stringify(r.messages));
    assert.deepEqual(
      r.config.pools.map((p) => p.name),
      ['aaaa', 'bbbb', 'cccc', 'dddd', 'eeee'],
    );
  });

  it('resolves patterns against the global prefix, not the including file', () => {
    const dir = writeTree({
      'etc/main.conf': 'include = etc/sub/a.conf\n',
      'etc/sub/a.conf': 'include = etc/sub/b.conf\n',
      'etc/sub/b.conf': pool('www', 9000),
    });
    const r = loadConfig({ configFile: `${dir}/etc/main.conf`, prefix: dir, ...NOT_ROOT });
    assert.ok(r.ok, JSON.stringify(r.messages));
  });

  it('carries the section into an included file and back', () => {
    const dir = writeTree({
      'main.conf': '[www]\ninclude = www-extra.conf\npm.max_children = 3\n',
      'www-extra.conf': 'listen = 127.0.0.1:9000\npm = static\n',
    });
    const r = loadConfig({ configFile: `${dir}/main.conf`, ...NOT_ROOT });
    assert.ok(r.ok, JSON.stringify(r.messages));
    assert.equal(r.config.pools[0]?.listen.address, '127.0.0.1:9000');
    assert.equal(r.config.pools[0]?.pm.maxChildren, 3);
  });

  it('warns when nothing matches', () => {
    const dir = writeTree({ 'main.conf': `include = nope/*.conf\n[www]\n${POOL_OK}` });
    const r = loadConfig({ configFile: `${dir}/main.conf`, ...NOT_ROOT });
    assert.ok(r.ok);
    assert.deepEqual(
      r.messages.map((m) => `${m.level}: ${m.message}`),
      [`warning: Nothing matches the include pattern '${dir}/nope/*.conf' from ${dir}/main.conf at line 1.`],
    );
  });

  it('allows five files in a chain and refuses the sixth', () => {
    const chain: Record<string, string> = { 'f1.conf': 'include = f2.conf\n' };
    for (let i = 2; i <= 5; i++) chain[`f${i}.conf`] = `include = f${i + 1}.conf\n`;
    chain['f6.conf'] = pool('www', 9000);
    const dir = writeTree(chain);
    const r = loadConfig({ configFile: `${dir}/f1.conf`, ...NOT_ROOT });
    assert.equal(r.ok, false);
    const texts = r.messages.map((m) => m.message);
    assert.equal(texts[0], 'failed to include more than 5 files recursively');
    assert.equal(texts[1], `Unable to include ${dir}/f6.conf from ${dir}/f5.conf at line 1`);
    assert.equal(texts.at(-1), `Unable to include ${dir}/f2.conf from ${dir}/f1.conf at line 1`);

    const ok = writeTree({ ...chain, 'f5.conf': pool('www', 9000) });
    assert.ok(loadConfig({ configFile: `${ok}/f1.conf`, ...NOT_ROOT }).ok);
  });

  it('detects include cycles', () => {
    const dir = writeTree({ 'a.conf': `[www]\n${POOL_OK}include = b.conf\n`, 'b.conf': 'include = a.conf\n' });
    const r = loadConfig({ configFile: `${dir}/a.conf`, ...NOT_ROOT });
    assert.equal(r.ok, false);
    assert.equal(
      r.messages[0]?.message,
      `[${dir}/b.conf:1] include cycle: '${dir}/a.conf' is already being read (${dir}/a.conf -> ${dir}/b.conf -> ${dir}/a.conf)`,
    );
    assert.equal(r.messages[1]?.message, `Unable to include ${dir}/b.conf from ${dir}/a.conf at line 5`);
  });

  it('reports a syntax error inside an included file with its own file:line', () => {
    const dir = writeTree({ 'main.conf': `[www]\n${POOL_OK}include = x.conf\n`, 'x.conf': 'pm.max_children = "2\n' });
    const r = loadConfig({ configFile: `${dir}/main.conf`, ...NOT_ROOT });
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.messages.map((m) => m.message),
      [
        `[${dir}/x.conf:1] syntax error, unterminated double-quoted string "2`,
        `Unable to include ${dir}/x.conf from ${dir}/main.conf at line 5`,
      ],
    );
  });

  it('glob: ? and [...] classes, hidden files, directory wildcards', () => {
    const dir = writeTree({
      'a1.conf': '',
      'a2.conf': '',
      'b1.conf': '',
      '.h.conf': '',
      'd1/x.conf': '',
      'd2/x.conf': '',
    });
    const names = (p: string): string[] => {
      const r = globSync(`${dir}/${p}`);
      assert.ok(r.ok);
      return r.matches.map((m) => m.slice(dir.length + 1));
    };
    assert.deepEqual(names('a?.conf'), ['a1.conf', 'a2.conf']);
    assert.deepEqual(names('[!a]*.conf'), ['b1.conf']);
    assert.deepEqual(names('[a-b]1.conf'), ['a1.conf', 'b1.conf']);
    assert.deepEqual(names('*.conf'), ['a1.conf', 'a2.conf', 'b1.conf']);
    assert.deepEqual(names('.*.conf'), ['.h.conf']);
    assert.deepEqual(names('d*/x.conf'), ['d1/x.conf', 'd2/x.conf']);
    assert.deepEqual(names('d*'), ['d1/', 'd2/']);
    assert.deepEqual(names('missing.conf'), []);
  });
});
