// Fetch mode details: a Hono app exported as is; the child-side request_terminate_timeout
// aborts ctx.signal, so a script that honours it ends with 504 and its child lives on.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';

daemonTest(
  'a Hono app as the default export works unchanged (GET with query, POST with status 201)',
  {},
  async (_t, fpm) => {
    const get = await fpm.request({
      script: 'hono-app.mjs',
      query: 'name=bob',
      params: { REQUEST_URI: '/hono-app.mjs?name=bob' },
    });
    assert.equal(get.status, 200);
    assert.equal(get.body.toString(), 'hono bob');
    const post = await fpm.request({
      script: 'hono-app.mjs',
      method: 'POST',
      body: 'payload',
      params: { REQUEST_URI: '/hono-app.mjs' },
    });
    assert.equal(post.status, 201);
    assert.deepEqual(JSON.parse(post.body.toString()), { received: 'payload' });
  },
);

daemonTest(
  'request_terminate_timeout aborts ctx.signal first: a script honouring it gets 504, the child survives',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'request_terminate_timeout = 2s' },
  },
  async (_t, fpm) => {
    const pid = (await fpm.request({ script: 'pid.mjs' })).body.toString();
    const marker = fpm.marker();
    const res = await fpm.request({ script: 'slow.mjs', query: `ms=20000&${marker.query}`, timeoutMs: 15_000 });
    assert.equal(res.status, 504);
    await marker.aborted();
    assert.equal((await fpm.request({ script: 'pid.mjs' })).body.toString(), pid);
  },
);
