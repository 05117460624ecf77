// `executor = threads`: fetch scripts in worker threads; the loop's thread is terminated on
// the child's request_terminate_timeout deadline and the request gets 504 (the child lives on).
import assert from 'node:assert/strict';
import { modeSuite, patternSha256 } from './mode-suite.js';

modeSuite({
  name: 'executor = threads',
  dir: 'fetch',
  poolExtra: 'handler = fetch\nexecutor = threads',
  file: (role) => `${role}.mjs`,
  extensions: 'mjs',
  bigSha256: patternSha256(5 * 1024 * 1024),
  loopStatus: 504,
  checkEnv: (body) => {
    const parsed = JSON.parse(body) as { params: Record<string, string>; env: Record<string, string> };
    assert.equal(parsed.params['QUERY_STRING'], 'x=1&y=2');
    assert.equal(parsed.env['POOL_VAR'], 'from-pool');
  },
});
