// Threads executor: tinypool 2.2 can post a queued task to a thread it is terminating (a
// task's abort ended the thread while that thread's answer was still queued); the task fails with
// "Terminating worker thread" without having run. runOnThread posts it once more. Real tinypool, real
// threads: the race is made certain by keeping this thread busy while the first task answers.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import Tinypool from 'tinypool';
import { runOnThread } from '../../../src/handlers/executor/run-on-thread.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const SPIN = join(REPO_ROOT, 'test', 'fixtures', 'thread-tasks', 'spin.mjs');

function block(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin: the first task's answer arrives and waits in the port meanwhile
  }
}

/** One thread; task A (abortable) runs, task B waits; A answers while we are blocked; then A is aborted. */
async function raceOnOneThread(second: (pool: Tinypool) => Promise<unknown>): Promise<unknown> {
  const pool = new Tinypool({ filename: SPIN, minThreads: 1, maxThreads: 1, idleTimeout: 60_000 });
  try {
    await pool.run({ ms: 0 });
    const first = new AbortController();
    const a = pool.run({ ms: 50 }, { signal: first.signal }).catch((err: unknown) => err);
    const b = second(pool).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    block(400);
    first.abort();
    await a;
    return await b;
  } finally {
    await pool.destroy();
  }
}

test('tinypool posts a queued task to the thread an abort is ending (the race runOnThread covers)', async () => {
  const outcome = await raceOnOneThread((pool) => pool.run({ ms: 0 }, { signal: new AbortController().signal }));
  assert.ok(
    typeof outcome === 'object' && outcome !== null && 'error' in outcome,
    `B failed: ${JSON.stringify(outcome)}`,
  );
  assert.equal((outcome.error as Error).message, 'Terminating worker thread');
});

test('runOnThread posts that task again and it answers', async () => {
  let reposts = 0;
  const outcome = await raceOnOneThread((pool) =>
    runOnThread(
      pool,
      () => ({ task: { ms: 0 } }),
      new AbortController().signal,
      () => reposts++,
    ),
  );
  assert.deepEqual(outcome, { value: 'spun 0 ms' });
  assert.equal(reposts, 1);
});

test('runOnThread does not post again for an aborted task or another error', async () => {
  const pool = new Tinypool({ filename: SPIN, minThreads: 1, maxThreads: 1 });
  try {
    let reposts = 0;
    const aborted = new AbortController();
    const running = runOnThread(
      pool,
      () => ({ task: { ms: 200 } }),
      aborted.signal,
      () => reposts++,
    );
    setTimeout(() => aborted.abort(), 20);
    await assert.rejects(running, /aborted/i);
    await assert.rejects(
      runOnThread(
        pool,
        () => ({ task: null }),
        new AbortController().signal,
        () => reposts++,
      ),
    );
    assert.equal(reposts, 0);
  } finally {
    await pool.destroy();
  }
});
