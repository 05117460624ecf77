// SIGQUIT (graceful) and SIGTERM stop accepting at once: while the requests in flight finish, a new
// connection is refused (ECONNREFUSED), as from a stopped PHP-FPM, so the web server fails over at
// once instead of waiting on a socket nobody will read until process_control_timeout.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { daemonTest, type Daemon } from '../helpers/daemon.js';
import type { FcgiResponse } from '../helpers/fcgi-client.js';
import { waitFor } from '../helpers/wait-for.js';

/** How a fresh connection fares: refused at connect, or accepted (then closed by us). */
function tryConnect(fpm: Daemon): Promise<'refused' | 'accepted'> {
  return new Promise((resolve) => {
    const address = fpm.address;
    const socket =
      address.kind === 'tcp' ? connect({ host: address.host, port: address.port }) : connect({ path: address.path });
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      // A unix socket file already removed reads as ENOENT: refused as well.
      resolve(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? 'refused' : 'accepted');
    });
  });
}

for (const [signal, listen] of [
  ['SIGQUIT', 'unix'],
  ['SIGQUIT', 'tcp'],
  ['SIGTERM', 'unix'],
] as const) {
  daemonTest(
    `${signal} (${listen}): new connections are refused at once while the requests in flight finish`,
    { listen, vars: { MAX_CHILDREN: '3', GLOBAL_EXTRA: 'process_control_timeout = 20s' } },
    async (_t, fpm) => {
      // Load: two requests that take 4 s and a steady stream of short ones.
      const slow = [1, 2].map(() => fpm.request({ script: 'slow.mjs', query: 'ms=4000', timeoutMs: 15_000 }));
      let streaming = true;
      const shortOnes: Promise<FcgiResponse | Error>[] = [];
      const stream = (async (): Promise<void> => {
        while (streaming) {
          const one = fpm.request({ script: 'hello.mjs', timeoutMs: 10_000 }).catch((err: unknown) => err as Error);
          shortOnes.push(one);
          await one;
        }
      })();
      await waitFor(() => shortOnes.length >= 5, { what: 'a few short requests answered' });
      const mark = fpm.logMark;
      fpm.signal(signal);
      await fpm.expectLog(signal === 'SIGQUIT' ? /NOTICE: Finishing \.\.\./ : /NOTICE: Terminating \.\.\./, {
        from: mark,
      });
      const stoppedAt = Date.now();
      // Within 3 s (the slow requests hold the children for 4 s): refused, and refused from then on.
      await waitFor(async () => (await tryConnect(fpm)) === 'refused', {
        timeoutMs: 3000,
        what: 'a new connection to be refused',
        onTimeout: () => fpm.withLog(new Error('')).message,
      });
      streaming = false;
      for (let i = 0; i < 5; i++)
        assert.equal(await tryConnect(fpm), 'refused', `connect ${i} after the first refusal`);
      if (signal === 'SIGQUIT') {
        // The graceful stop lets what runs finish.
        for (const response of await Promise.all(slow)) assert.equal(response.status, 200);
        assert.ok(Date.now() - stoppedAt < 15_000);
      } else {
        await Promise.allSettled(slow);
      }
      await stream;
      // A short request either got its answer or was refused; none hung until the daemon went away
      // (SIGTERM ends the children at once: one in flight then may be cut).
      const outcomes = await Promise.all(shortOnes);
      if (signal === 'SIGQUIT') {
        for (const outcome of outcomes) {
          // One still in the kernel's queue when the sockets closed is reset; none may time out.
          if (outcome instanceof Error)
            assert.match(outcome.message.split('\n')[0] ?? '', /ECONNREFUSED|ENOENT|ECONNRESET|EPIPE|closed/);
          else if (outcome.ended) assert.equal(outcome.status, 200);
        }
      }
      assert.deepEqual(await fpm.waitExit(20_000), { code: 0, signal: null });
    },
  );
}
