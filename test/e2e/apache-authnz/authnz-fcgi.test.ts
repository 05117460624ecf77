// Apache httpd's mod_authnz_fcgi asks tsfpm (FastCGI AUTHORIZER role) whether a request may
// go on, and mod_proxy_fcgi then runs the same script as the responder. The script decides from
// ctx.role: it denies without the token (its 403 reaches the client whole) and allows with it,
// passing AUTH_USER_ID=42 in a Variable- header, which Apache turns into the user name and into a
// parameter of the responder request.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { listenText } from '../../helpers/fcgi-client.js';
import { httpRequest } from '../../helpers/http-client.js';
import { startApache } from '../../helpers/apache.js';

test(
  'Apache mod_authnz_fcgi: tsfpm authorizes, denies, and passes a variable to the responder',
  { timeout: 60_000 },
  async (t) => {
    // mod_authnz_fcgi talks TCP only (fcgi://host:port/).
    const fpm = await startDaemon(t, { listen: 'tcp' });
    const apache = await startApache(t, {
      extraModules: ['authn_core', 'authz_user', 'authnz_fcgi'],
      logLevel: 'info authnz_fcgi:debug',
      routes: `AuthnzFcgiDefineProvider authn tsfpm fcgi://${listenText(fpm.address)}/
<Directory {{DIR}}/docroot>
  AuthType tsfpm
  AuthName tsfpm
  AuthnzFcgiCheckAuthnProvider tsfpm Authoritative On RequireBasicAuth Off UserExpr "%{reqenv:AUTH_USER_ID}"
  Require valid-user
</Directory>
<Files "*.mjs">
  SetHandler "proxy:fcgi://${listenText(fpm.address)}"
</Files>
`,
      setup: (dir) => {
        mkdirSync(join(dir, 'docroot'), { mode: 0o755 });
        copyFileSync(fpm.script('authorizer.mjs'), join(dir, 'docroot', 'app.mjs'));
      },
    });
    if (apache === undefined) return; // skipped: apache2 is not installed
    const failWith = (what: string, res: { status: number; body: Buffer }): string =>
      `${what}: HTTP ${res.status} ${res.body.toString()}${apache.dump()}${fpm.log.dump()}`;

    const denied = await httpRequest(`${apache.baseUrl}/app.mjs`, { timeoutMs: 10_000 });
    assert.equal(denied.status, 403, failWith('no token', denied));
    assert.equal(
      denied.body.toString(),
      'denied by the authorizer\n',
      failWith('the denial body reaches the client', denied),
    );
    assert.equal(
      denied.headers['x-denied-by'],
      'tsfpm-authorizer',
      failWith('the denial headers reach the client', denied),
    );

    const allowed = await httpRequest(`${apache.baseUrl}/app.mjs`, {
      headers: { 'X-Token': 'letmein' },
      timeoutMs: 10_000,
    });
    assert.equal(allowed.status, 200, failWith('with the token', allowed));
    assert.equal(
      allowed.body.toString(),
      'responder: user 42, REMOTE_USER 42, role responder\n',
      failWith('the responder sees the variable and the user the authorizer set', allowed),
    );
    assert.equal(allowed.headers['x-not-a-variable'], undefined, 'headers of an allowing answer are not passed on');

    const byQuery = await httpRequest(`${apache.baseUrl}/app.mjs?token=letmein`, { timeoutMs: 10_000 });
    assert.equal(byQuery.status, 200, failWith('token in the query', byQuery));
  },
);
