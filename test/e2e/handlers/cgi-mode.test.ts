// CGI mode (fcgiwrap replacement): shell scripts run per request; the loop's process group
// is killed on the child's request_terminate_timeout deadline and the request gets 504.
import assert from 'node:assert/strict';
import { sha256 } from '../../helpers/http-client.js';
import { modeSuite } from './mode-suite.js';

modeSuite({
  name: 'handler = cgi',
  dir: 'cgi',
  poolExtra: 'handler = cgi\nsecurity.limit_extensions = .cgi',
  file: (role) => `${role}.cgi`,
  extensions: 'cgi',
  bigSha256: sha256(Buffer.alloc(5 * 1024 * 1024)),
  loopStatus: 504,
  checkEnv: (body) => {
    assert.match(body, /^REQUEST_METHOD=GET$/m);
    assert.match(body, /^QUERY_STRING=x=1&y=2$/m);
    assert.match(body, /^GATEWAY_INTERFACE=CGI\/1\.1$/m);
    assert.match(body, /^SCRIPT_FILENAME=\/.*\/env\.cgi$/m);
    assert.match(body, /^HTTP_X_TEST=seen$/m);
    assert.match(body, /^POOL_VAR=from-pool$/m);
  },
});
