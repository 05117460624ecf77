// Node mode builds req/res on an Express app's own prototypes, so the prototype switch
// Express makes on every request is a no-op (it made V8 keep every request's objects until a full
// GC). What the app sees must not change: its helpers work, a mounted sub-app still gets its own.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { daemonTest } from '../helpers/daemon.js';
import { FIXTURE_SCRIPTS } from '../helpers/paths.js';

const script = join(FIXTURE_SCRIPTS, 'modes', 'node', 'prototypes.mjs');

interface Report {
  topLevelSwitches: number;
  onOwnerPrototypes: boolean;
  appIsOwner: boolean;
  query: Record<string, string>;
  secure: boolean;
  path: string;
}

daemonTest(
  'node mode: Express requests are born on the app prototypes, sub-apps keep theirs',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'handler = node\n' },
  },
  async (_t, fpm) => {
    const ask = async (uri: string, params: Record<string, string> = {}): Promise<Report> => {
      const [path, query = ''] = uri.split('?');
      const res = await fpm.request({
        script,
        query,
        params: { REQUEST_URI: uri, DOCUMENT_URI: path ?? uri, ...params },
      });
      assert.equal(res.status, 200, res.body.toString());
      assert.match(res.headers['content-type'] ?? '', /^application\/json/);
      return JSON.parse(res.body.toString()) as Report;
    };
    // Twice: the second request runs on the server the first one created.
    for (let round = 0; round < 2; round++) {
      const top = await ask('/items?a=1&b=two');
      assert.deepEqual(top, {
        topLevelSwitches: 0,
        onOwnerPrototypes: true,
        appIsOwner: true,
        query: { a: '1', b: 'two' },
        secure: false,
        path: '/items',
      });
      // Express itself moves a sub-app's requests onto the sub-app's prototypes (not counted: the
      // count is taken before the mount).
      const mounted = await ask('/admin/users?id=7', { HTTPS: 'on' });
      assert.deepEqual(mounted, {
        topLevelSwitches: 0,
        onOwnerPrototypes: true,
        appIsOwner: true,
        query: { id: '7' },
        secure: true,
        path: '/users',
      });
    }
  },
);

daemonTest(
  'node mode: a plain handler that throws gets a 500 and an error line naming its script',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'handler = node\n' },
  },
  async (_t, fpm) => {
    const thrower = join(FIXTURE_SCRIPTS, 'modes', 'node', 'throws-plain.mjs');
    const res = await fpm.request({ script: thrower });
    assert.equal(res.status, 500);
    const { line } = await fpm.log.expect(/plain handler threw on purpose/);
    assert.match(line, /ERROR: /);
    assert.ok(line.includes(thrower), `the line names the script: ${line}`);
    assert.equal(
      (await fpm.request({ script: join(FIXTURE_SCRIPTS, 'modes', 'node', 'hello.mjs') })).status,
      200,
      'the child serves on',
    );
  },
);
