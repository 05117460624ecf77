// Fetch mode (inline, the default) through nginx. A blocked event loop can only be stopped
// by the master killing the child, as PHP-FPM does: nginx answers 502.
import assert from 'node:assert/strict';
import { modeSuite, patternSha256 } from './mode-suite.js';

modeSuite({
  name: 'handler = fetch',
  dir: 'fetch',
  poolExtra: 'handler = fetch',
  file: (role) => `${role}.mjs`,
  extensions: 'mjs',
  bigSha256: patternSha256(5 * 1024 * 1024),
  loopStatus: 502,
  checkEnv: (body) => {
    const parsed = JSON.parse(body) as { params: Record<string, string>; env: Record<string, string>; pool: string };
    assert.equal(parsed.params['QUERY_STRING'], 'x=1&y=2');
    assert.equal(parsed.params['HTTP_X_TEST'], 'seen');
    assert.equal(parsed.env['POOL_VAR'], 'from-pool');
    assert.equal(parsed.pool, 'www');
  },
});
