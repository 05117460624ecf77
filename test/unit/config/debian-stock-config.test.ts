// Debian's stock php-fpm.conf and pool.d/www.conf (package php8.2-fpm) must load with warnings only.
// Skipped with a reason when the files are missing locally; a failure under CI=true, where .ci/run installs them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runConfigTest } from '../../../src/cli/config-test.js';
import { loadConfig } from '../../../src/config/load.js';
import { writeTree } from './fixture-dir.js';

const ETC = '/etc/php/8.2/fpm';
const present = existsSync(`${ETC}/php-fpm.conf`) && existsSync(`${ETC}/pool.d/www.conf`);
const skip = present || process.env['CI'] === 'true' ? false : `${ETC} not found (apt-get install php8.2-fpm)`;

describe("Debian's stock php-fpm 8.2 configuration", { skip }, () => {
  it('loads with warnings and notices only', () => {
    assert.ok(present, `${ETC}/php-fpm.conf and pool.d/www.conf are required under CI`);
    const main = readFileSync(`${ETC}/php-fpm.conf`, 'utf8');
    assert.ok(main.includes(`include=${ETC}/pool.d/*.conf`), 'the stock include line moved; update this test');
    const dir = writeTree({ 'pool.d/www.conf': readFileSync(`${ETC}/pool.d/www.conf`, 'utf8') });
    // Point the absolute include at the copy so the test only reads what it wrote.
    const copy = writeTree({
      'php-fpm.conf': main.replace(`include=${ETC}/pool.d/*.conf`, `include=${dir}/pool.d/*.conf`),
    });
    for (const isRoot of [false, true]) {
      const r = loadConfig({ configFile: `${copy}/php-fpm.conf`, isRoot, env: {} });
      assert.ok(r.ok, JSON.stringify(r.messages, null, 1));
      assert.ok(r.messages.every((m) => m.level === 'warning' || m.level === 'notice'));
      const www = r.config.pools[0];
      assert.equal(www?.name, 'www');
      assert.equal(www.listen.address, '/run/php/php8.2-fpm.sock');
      assert.equal(www.pm.style, 'dynamic');
      assert.equal(www.pm.startServers, 2);
      assert.equal(r.config.global.pid, '/run/php/php8.2-fpm.pid');
    }
    const out: string[] = [];
    const code = runConfigTest({ configFile: `${copy}/php-fpm.conf`, isRoot: false, env: {}, dump: true }, (l) =>
      out.push(l),
    );
    // -t checks that the socket's directory exists; /run/php is made by php-fpm's service, if it ever ran here.
    if (existsSync('/run/php')) assert.equal(code, 0, out.join('\n'));
    else {
      const errors = out.filter((l) => / ERROR: \[pool/.test(l));
      assert.equal(errors.length, 1, out.join('\n'));
      assert.match(
        errors[0] ?? '',
        /cannot listen on '\/run\/php\/php8\.2-fpm\.sock': the directory '\/run\/php' does not exist/,
      );
    }
  });
});
