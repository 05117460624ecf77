// Apache mod_proxy_fcgi's SCRIPT_FILENAME forms, as Apache 2.4.71 sends them (test/e2e/apache),
// resolved the way PHP-FPM 8.2 does: the `proxy:fcgi://host[:port]` prefix is stripped in place (the
// script sees the file path, no ORIG_SCRIPT_FILENAME), and a path-info walk keeps the stripped path.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  applyPathInfo,
  requestedScriptPath,
  resolveScript,
  stripProxyPrefix,
} from '../../../src/handlers/resolve-script.js';
import type { Params } from '../../../src/fastcgi/params.js';
import { FIXTURE_SCRIPTS } from '../../helpers/paths.js';

const options = { extensions: ['.mjs'], root: undefined };

test('SetHandler form: proxy:fcgi://localhost/<file> runs the file and the script sees the plain path', async () => {
  const file = join(FIXTURE_SCRIPTS, 'hello.mjs');
  const params: Params = { SCRIPT_FILENAME: `proxy:fcgi://localhost${file}`, SCRIPT_NAME: '/hello.mjs' };
  const resolved = await resolveScript(params, options);
  assert.equal(resolved.kind, 'ok');
  assert.equal(params['SCRIPT_FILENAME'], file);
  assert.equal(params['ORIG_SCRIPT_FILENAME'], undefined, 'PHP-FPM keeps no original for the prefix');
});

test('ProxyPassMatch form: proxy:fcgi://127.0.0.1:port/<file>/<path info> walks to the file', async () => {
  const file = join(FIXTURE_SCRIPTS, 'path-info.mjs');
  const params: Params = {
    SCRIPT_FILENAME: `proxy:fcgi://127.0.0.1:9000${file}/users/7`,
    SCRIPT_NAME: '/app/path-info.mjs/users/7',
    DOCUMENT_ROOT: FIXTURE_SCRIPTS,
  };
  const resolved = await resolveScript(params, options);
  assert.ok(resolved.kind === 'ok' && resolved.walked !== undefined, JSON.stringify(resolved));
  applyPathInfo(params, resolved.walked.scriptFilename, resolved.walked.pathInfo);
  assert.deepEqual(
    {
      SCRIPT_FILENAME: params['SCRIPT_FILENAME'],
      ORIG_SCRIPT_FILENAME: params['ORIG_SCRIPT_FILENAME'],
      PATH_INFO: params['PATH_INFO'],
      SCRIPT_NAME: params['SCRIPT_NAME'],
      ORIG_SCRIPT_NAME: params['ORIG_SCRIPT_NAME'],
      PATH_TRANSLATED: params['PATH_TRANSLATED'],
    },
    {
      SCRIPT_FILENAME: file,
      ORIG_SCRIPT_FILENAME: `${file}/users/7`,
      PATH_INFO: '/users/7',
      SCRIPT_NAME: '/app/path-info.mjs',
      ORIG_SCRIPT_NAME: '/app/path-info.mjs/users/7',
      PATH_TRANSLATED: `${FIXTURE_SCRIPTS}/users/7`,
    },
  );
});

test('a query part after the prefix (RewriteRule [P]) is dropped; other values are left alone', () => {
  const withQuery: Params = { SCRIPT_FILENAME: 'proxy:fcgi://127.0.0.1:9000/var/www/x.mjs?a=1' };
  stripProxyPrefix(withQuery);
  assert.equal(withQuery['SCRIPT_FILENAME'], '/var/www/x.mjs');
  const balancer: Params = { SCRIPT_FILENAME: 'proxy:balancer://pool/var/www/x.mjs' };
  assert.equal(requestedScriptPath(balancer), '/var/www/x.mjs');
  const plain: Params = { SCRIPT_FILENAME: '/var/www/proxy:fcgi.mjs' };
  stripProxyPrefix(plain);
  assert.equal(plain['SCRIPT_FILENAME'], '/var/www/proxy:fcgi.mjs');
});
