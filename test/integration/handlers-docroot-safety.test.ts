// Docroot safety: PHP-FPM's path-info walk (php-src sapi/fpm/fpm/fpm_main.c
// init_request_info()), `..` refused, and script_root
// confinement on the real path (a symlink pointing out of it is refused with 403).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { daemonTest } from '../helpers/daemon.js';
import { confTemplate, FIXTURE_SCRIPTS } from '../helpers/paths.js';

daemonTest('path-info walk: /path-info.mjs/users/7 runs path-info.mjs with PATH_INFO=/users/7', {}, async (_t, fpm) => {
  const res = await fpm.request({
    params: {
      SCRIPT_FILENAME: join(FIXTURE_SCRIPTS, 'path-info.mjs/users/7'),
      SCRIPT_NAME: '/path-info.mjs/users/7',
      DOCUMENT_ROOT: FIXTURE_SCRIPTS,
    },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body.toString()), {
    SCRIPT_FILENAME: join(FIXTURE_SCRIPTS, 'path-info.mjs'),
    SCRIPT_NAME: '/path-info.mjs',
    PATH_INFO: '/users/7',
    PATH_TRANSLATED: `${FIXTURE_SCRIPTS}/users/7`,
    ORIG_SCRIPT_FILENAME: join(FIXTURE_SCRIPTS, 'path-info.mjs/users/7'),
  });
  const missing = await fpm.request({ params: { SCRIPT_FILENAME: join(FIXTURE_SCRIPTS, 'nothing-here/users/7') } });
  assert.equal(missing.status, 404);
});

daemonTest('a `..` segment is refused with 404', {}, async (_t, fpm) => {
  const res = await fpm.request({ params: { SCRIPT_FILENAME: `${FIXTURE_SCRIPTS}/../scripts/hello.mjs` } });
  assert.equal(res.status, 404);
  assert.equal(res.body.toString(), 'File not found.\n');
});

daemonTest(
  'script_root: scripts inside run, a symlink escaping it gets 403, a path outside gets 403',
  {
    // {{DIR}} inside a var is not expanded again: put it in the template itself.
    config: confTemplate('static-pool.conf').replace('{{POOL_EXTRA}}', 'script_root = {{DIR}}/root'),
  },
  async (_t, fpm) => {
    const root = join(fpm.dir.path, 'root');
    mkdirSync(root);
    copyFileSync(join(FIXTURE_SCRIPTS, 'hello.mjs'), join(root, 'inside.mjs'));
    symlinkSync(join(FIXTURE_SCRIPTS, 'hello.mjs'), join(root, 'escape.mjs'));
    assert.equal((await fpm.request({ script: join(root, 'inside.mjs') })).status, 200);
    const escaped = await fpm.request({ script: join(root, 'escape.mjs') });
    assert.equal(escaped.status, 403);
    assert.equal(escaped.body.toString(), 'Access denied.\n');
    assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 403);
    await fpm.expectLog(/Access to the script '.*escape\.mjs' has been denied \(see script_root\)/);
  },
);
