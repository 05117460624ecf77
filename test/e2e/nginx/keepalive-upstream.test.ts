// nginx with `fastcgi_keep_conn on` and an upstream `keepalive` pool reuses its FastCGI
// connections to tsfpm (counted by a proxy in between) and serves many sequential and concurrent
// requests; without keep_conn every request opens a new connection.
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { httpRequest } from '../../helpers/http-client.js';
import { stackTest, TRANSPORTS } from '../../helpers/stack.js';

for (const listen of TRANSPORTS) {
  stackTest(
    `nginx keepalive → tsfpm (${listen}): 100 sequential requests share one upstream connection`,
    {
      listen,
      keepalive: true,
      countConnections: true,
    },
    async (t, s) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      t.after(() => agent.destroy());
      for (let i = 0; i < 100; i++) {
        const res =
          i % 2 === 0
            ? await httpRequest(s.url('hello.mjs'), { agent })
            : await httpRequest(s.url('echo.mjs'), { agent, method: 'POST', body: `body ${i}` });
        assert.equal(res.status, 200, `request ${i}`);
        assert.equal(res.body.toString(), i % 2 === 0 ? 'Hello from tsfpm\n' : `body ${i}`);
      }
      assert.equal(s.proxy?.accepted, 1, 'nginx kept reusing one FastCGI connection');
      assert.equal(s.proxy?.open, 1, 'and it is still open');
    },
  );

  stackTest(
    `nginx keepalive → tsfpm (${listen}): 300 requests, 30 at a time, all 200 over a few upstream connections`,
    {
      listen,
      keepalive: true,
      countConnections: true,
    },
    async (t, s) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 30 });
      t.after(() => agent.destroy());
      let next = 0;
      const failures: string[] = [];
      const worker = async (): Promise<void> => {
        while (next < 300) {
          const i = next++;
          const res = await httpRequest(s.url(i % 3 === 0 ? 'slow.mjs?ms=20' : 'hello.mjs'), { agent });
          if (res.status !== 200) failures.push(`request ${i}: ${res.status}`);
        }
      };
      await Promise.all(Array.from({ length: 30 }, worker));
      assert.deepEqual(failures, []);
      const accepted = s.proxy?.accepted ?? 0;
      assert.ok(accepted < 300, `connections were reused (${accepted} upstream connections for 300 requests)`);
      // Afterwards the kept connections are still good.
      for (let i = 0; i < 10; i++) assert.equal((await httpRequest(s.url('hello.mjs'), { agent })).status, 200);
    },
  );
}

stackTest(
  'nginx without keep_conn → tsfpm: each request opens its own upstream connection',
  {
    listen: 'tcp',
    keepalive: false,
    countConnections: true,
  },
  async (_t, s) => {
    for (let i = 0; i < 10; i++) assert.equal((await httpRequest(s.url('hello.mjs'))).status, 200);
    assert.equal(s.proxy?.accepted, 10);
  },
);
