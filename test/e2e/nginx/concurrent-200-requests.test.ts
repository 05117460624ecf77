// 200 concurrent HTTP requests through nginx are all answered 200 with the right body.
import assert from 'node:assert/strict';
import { httpRequest } from '../../helpers/http-client.js';
import { stackTest, TRANSPORTS } from '../../helpers/stack.js';

for (const listen of TRANSPORTS) {
  stackTest(`nginx → tsfpm (${listen}): 200 concurrent requests are all answered 200`, { listen }, async (_t, s) => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_v, i) =>
        i % 4 === 0
          ? httpRequest(s.url('echo.mjs'), { method: 'POST', body: `request ${i}` })
          : httpRequest(s.url(i % 4 === 1 ? `slow.mjs?ms=50` : 'hello.mjs')),
      ),
    );
    const statuses = new Map<number, number>();
    for (const res of results) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    assert.deepEqual([...statuses], [[200, 200]]);
    for (const [i, res] of results.entries()) {
      const want = i % 4 === 0 ? `request ${i}` : i % 4 === 1 ? 'slept 50 ms\n' : 'Hello from tsfpm\n';
      assert.equal(res.body.toString(), want, `body of request ${i}`);
    }
  });
}
