// A child killed while nginx waits for it: nginx answers 502 for that request (the FastCGI
// connection closed without END_REQUEST), the child is replaced, and the next requests are 200.
import assert from 'node:assert/strict';
import { httpRequest } from '../../helpers/http-client.js';
import { stackTest, TRANSPORTS } from '../../helpers/stack.js';
import { waitFor } from '../../helpers/wait-for.js';

for (const listen of TRANSPORTS) {
  stackTest(
    `nginx → tsfpm (${listen}): SIGKILL of the busy child gives 502, then a new child serves`,
    {
      listen,
      maxChildren: 1,
    },
    async (_t, s) => {
      const marker = s.fpm.marker();
      const pending = httpRequest(s.url(`slow.mjs?ms=20000&${marker.query}`));
      const pid = await marker.started();
      process.kill(pid, 'SIGKILL');
      const res = await pending;
      assert.equal(res.status, 502);
      await s.fpm.expectLog(new RegExp(`child ${pid} exited on signal 9 \\(SIGKILL\\)`));
      await waitFor(() => s.fpm.liveChildren().length === 1, { what: 'a replacement child' });
      for (let i = 0; i < 5; i++) assert.equal((await httpRequest(s.url('hello.mjs'))).status, 200);
    },
  );
}
