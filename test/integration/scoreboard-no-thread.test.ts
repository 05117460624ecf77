// The scoreboard costs a child no thread: the child writes its slot from its main thread and the
// master reads it. A child of a pool without a slowlog has exactly the threads of a bare Node process
// (its main thread, V8's platform threads, and libuv's thread pool once something used it); a pool
// with a slowlog has one more, the slowlog thread that takes stacks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { startDaemon } from '../helpers/daemon.js';
import { confTemplate } from '../helpers/paths.js';
import { threadCountOf } from '../helpers/proc.js';

/** A bare Node process's threads: before and after libuv's thread pool started. */
function bareNodeThreads(): readonly [number, number] {
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      `const fs = require('node:fs');
       const count = () => fs.readdirSync('/proc/self/task').length;
       setImmediate(() => { const before = count(); fs.readFile(__filename === '[eval]' ? '/proc/self/stat' : __filename, () => console.log(before, count())); });`,
    ],
    { encoding: 'utf8' },
  );
  const [before = NaN, after = NaN] = out.trim().split(' ').map(Number);
  return [before, after];
}

async function childThreads(t: test.TestContext, poolExtra: string): Promise<number> {
  const config = confTemplate('static-pool.conf').replace('{{POOL_EXTRA}}', poolExtra);
  const fpm = await startDaemon(t, { config, vars: { MAX_CHILDREN: '1' } });
  // A few requests, so that the child has done all it does per request.
  let pid = 0;
  for (let i = 0; i < 5; i++) {
    const res = await fpm.request({ script: 'pid.mjs' });
    assert.equal(res.status, 200);
    pid = Number(res.body.toString());
  }
  const threads = threadCountOf(pid);
  assert.ok(threads > 0, `child ${pid} is alive`);
  await fpm.stop();
  return threads;
}

void test(
  'a child of a pool without slowlog runs no thread of its own; with a slowlog, one',
  { timeout: 60_000 },
  async (t) => {
    const bare = bareNodeThreads();
    assert.equal(bare[1] - bare[0], 4, `libuv's pool is 4 threads: ${bare.join(' → ')}`);
    const plain = await childThreads(t, '');
    assert.ok(bare.includes(plain), `a plain child has ${plain} threads; a bare node process ${bare.join(' or ')}`);
    const withSlowlog = await childThreads(t, 'slowlog = {{DIR}}/slow.log\nrequest_slowlog_timeout = 5s');
    assert.ok(
      bare.map((n) => n + 1).includes(withSlowlog),
      `a slowlog child has ${withSlowlog} threads; a bare node process ${bare.join(' or ')}, plus one`,
    );
  },
);
