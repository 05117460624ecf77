// An edited script takes effect without a failed request. The child that notices the new
// mtime (revalidated every 2 s) serves the new version and retires; the master replaces it.
import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonTest } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';

const version = (v: string): string => `export default () => new Response('${v}');\n`;

daemonTest(
  'an edited script is served within a bounded time, no request fails, the noticing child retires',
  {
    vars: { MAX_CHILDREN: '2' },
    timeout: 60_000,
  },
  async (_t, fpm) => {
    const script = join(fpm.dir.path, 'edited.mjs');
    writeFileSync(script, version('v1'));
    const statuses: number[] = [];
    const ask = async (): Promise<string> => {
      const res = await fpm.request({ script });
      statuses.push(res.status);
      return res.body.toString();
    };
    for (let i = 0; i < 6; i++) assert.equal(await ask(), 'v1');
    writeFileSync(script, version('v2'));
    const future = new Date(Date.now() + 5000); // a distinct mtime even on coarse file systems
    utimesSync(script, future, future);
    const editedAt = Date.now();
    await waitFor(async () => (await ask()) === 'v2', { timeoutMs: 10_000, what: 'the new version' });
    // From here on, at most the other child's 2 s revalidation window may still show v1.
    let consecutive = 0;
    await waitFor(
      async () => {
        consecutive = (await ask()) === 'v2' ? consecutive + 1 : 0;
        return consecutive >= 20;
      },
      { timeoutMs: 10_000, what: '20 requests in a row with the new version' },
    );
    assert.ok(Date.now() - editedAt < 15_000);
    assert.deepEqual(
      statuses.filter((s) => s !== 200),
      [],
      'no request failed',
    );
    await fpm.expectLog(/child \d+ retiring: script '.*edited\.mjs' changed on disk/);
  },
);
