// Finish-request (PHP's fastcgi_finish_request): the HTTP client through nginx has the whole
// response long before the script's ctx.waitUntil work (2 s) ends; that work's side effect appears,
// and a failing background task is logged.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { httpRequest } from '../../helpers/http-client.js';
import { stackTest } from '../../helpers/stack.js';
import { waitFor } from '../../helpers/wait-for.js';

stackTest(
  'finish-request: the response completes at once, the waitUntil work goes on and writes its file',
  { listen: 'unix' },
  async (_t, { fpm, url }) => {
    const file = join(fpm.dir.path, 'after-response.done');
    const started = Date.now();
    const res = await httpRequest(url(`after-response.mjs?file=${encodeURIComponent(file)}`));
    const tookMs = Date.now() - started;
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'answered\n');
    // Loose: the background work takes 2 s; the response must not wait for it.
    assert.ok(tookMs < 1000, `the response took ${tookMs} ms`);
    assert.equal(existsSync(file), false, 'the background work is still running');
    await waitFor(() => existsSync(file), { timeoutMs: 10_000, what: 'the background work to write its file' });
    await fpm.expectLog(/waitUntil task failed: .*background failure on purpose/);
  },
);
