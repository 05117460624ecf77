// TypeScript scripts (.ts, .mts) without a build step, through tsx's loader.
import assert from 'node:assert/strict';
import { modeSuite, patternSha256 } from './mode-suite.js';

modeSuite({
  name: 'TypeScript scripts (auto)',
  dir: 'ts',
  poolExtra: 'security.limit_extensions = .ts .mts',
  file: (role) => (role === 'env' ? 'env.mts' : `${role}.ts`),
  extensions: 'ts|mts',
  bigSha256: patternSha256(5 * 1024 * 1024),
  loopStatus: 502,
  checkEnv: (body) => {
    const parsed = JSON.parse(body) as { params: Record<string, string>; env: Record<string, string> };
    assert.equal(parsed.params['QUERY_STRING'], 'x=1&y=2');
    assert.equal(parsed.env['POOL_VAR'], 'from-pool');
  },
});
