// Node mode: Express apps and a plain (req, res) handler behind a real http.Server.
import assert from 'node:assert/strict';
import { modeSuite, patternSha256 } from './mode-suite.js';

modeSuite({
  name: 'handler = node (Express)',
  dir: 'node',
  poolExtra: 'handler = node',
  file: (role) => `${role}.mjs`,
  extensions: 'mjs',
  bigSha256: patternSha256(5 * 1024 * 1024),
  loopStatus: 502,
  checkEnv: (body) => {
    const parsed = JSON.parse(body) as {
      method: string;
      url: string;
      headers: Record<string, string>;
      remoteAddress: string;
    };
    assert.equal(parsed.method, 'GET');
    assert.equal(parsed.url, '/env.mjs?x=1&y=2');
    assert.equal(parsed.headers['x-test'], 'seen');
    assert.equal(parsed.headers['connection'], 'close');
    assert.equal(parsed.remoteAddress, '127.0.0.1');
  },
});
