// The shipped conf/ loads cleanly, and the sample files and the docs/configuration.md reference cannot drift from THE table.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runConfigTest } from '../../../src/cli/config-test.js';
import { DIRECTIVES } from '../../../src/config/directives.js';
import { renderDirectiveReference } from '../../../src/config/docs.js';
import { loadConfig } from '../../../src/config/load.js';
import { repoPath } from '../../helpers/paths.js';

const MAIN = repoPath('conf/tsfpm.conf');

describe('shipped conf/', () => {
  it('loads as a normal user and as root (user = nobody)', () => {
    for (const isRoot of [false, true]) {
      const r = loadConfig({ configFile: MAIN, isRoot, env: {} });
      assert.ok(r.ok, JSON.stringify(r.messages, null, 1));
      assert.ok(
        r.messages.every((m) => m.level === 'notice'),
        JSON.stringify(r.messages),
      );
      const [www] = r.config.pools;
      assert.equal(r.config.pools.length, 1);
      assert.equal(www?.name, 'www');
      assert.equal(www.listen.address, '127.0.0.1:9000');
      assert.equal(www.pm.style, 'static');
      assert.equal(www.pm.maxChildren, 2);
      assert.equal(www.pingPath, '/ping');
      assert.equal(www.pm.statusPath, '/status');
      assert.equal(www.chdir, repoPath('conf/www'));
      assert.deepEqual(www.securityLimitExtensions, ['.js', '.mjs']);
      assert.equal(r.config.global.errorLog, repoPath('conf/log/tsfpm.log'));
    }
  });

  it('passes tsfpm -t', () => {
    const out: string[] = [];
    assert.equal(
      runConfigTest({ configFile: MAIN, env: {}, dump: false }, (l) => out.push(l)),
      0,
    );
    assert.match(out.at(-1) ?? '', /NOTICE: configuration file .*conf\/tsfpm\.conf test is successful$/);
  });

  it('documents every directive of the table (commented or not)', () => {
    const text = readFileSync(MAIN, 'utf8') + readFileSync(repoPath('conf/tsfpm.d/www.conf'), 'utf8');
    const missing = DIRECTIVES.filter((d) => {
      const name = d.name.replace(/[.[\]]/g, '\\$&');
      const re = d.kind === 'array' ? new RegExp(`^;?${name}\\[[^\\]]*\\] = `, 'm') : new RegExp(`^;?${name} = `, 'm');
      return !re.test(text);
    });
    assert.deepEqual(
      missing.map((d) => d.name),
      [],
    );
  });

  it('the directive reference lists every directive with scope, type and default', () => {
    const md = renderDirectiveReference();
    const rows = md.trim().split('\n');
    assert.equal(rows[0], '| directive | scope | type | default | meaning |');
    assert.equal(rows.length, DIRECTIVES.length + 2);
    for (const d of DIRECTIVES) assert.ok(md.includes(`| \`${d.name}`), d.name);
    assert.ok(md.includes('| `handler` (tsfpm) | pool | enum | auto |'));
    assert.ok(md.includes('| `security.limit_extensions` | pool | extension list | .js .mjs |'));
    assert.ok(md.includes('**Accepted but ignored by tsfpm:** tsfpm runs JavaScript, not PHP.'));
  });
});
