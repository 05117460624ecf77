// The scoreboard reporter sleeps on the slot (ScoreboardSlot.waitForChange) instead of polling it.
// Checked with a real worker thread: it stays asleep while nothing changes, an update wakes it, and an
// update made just before it goes to sleep is not missed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { ScoreboardSlot } from '../../../src/ipc/scoreboard-layout.js';

const layoutUrl = new URL('../../../src/ipc/scoreboard-layout.js', import.meta.url).href;

/** A thread that waits for a change of `seenSeq`, then counts one wake-up in `woke[0]`. */
function sleeper(slot: ScoreboardSlot, seenSeq: number, woke: Int32Array): Worker {
  const source = `
    const { workerData } = require('node:worker_threads');
    import(workerData.layoutUrl).then(({ ScoreboardSlot }) => {
      new ScoreboardSlot(workerData.buffer).waitForChange(workerData.seenSeq);
      Atomics.add(workerData.woke, 0, 1);
    });`;
  return new Worker(source, { eval: true, workerData: { layoutUrl, buffer: slot.buffer, seenSeq, woke } });
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(5)) if (check()) return true;
  return check();
}

test('waitForChange sleeps while the slot is unchanged and wakes on the next update', async () => {
  const slot = new ScoreboardSlot();
  const woke = new Int32Array(new SharedArrayBuffer(4));
  const worker = sleeper(slot, slot.seq, woke);
  try {
    await sleep(300);
    assert.equal(Atomics.load(woke, 0), 0, 'asleep: nothing changed');
    slot.update((w) => w.setRunning(1));
    assert.ok(await until(() => Atomics.load(woke, 0) === 1, 5000), 'the update woke it');
  } finally {
    await worker.terminate();
  }
});

test('waitForChange returns at once when the slot changed before it was called', async () => {
  const slot = new ScoreboardSlot();
  const seen = slot.seq;
  slot.update((w) => w.setRunning(2));
  const woke = new Int32Array(new SharedArrayBuffer(4));
  const worker = sleeper(slot, seen, woke);
  try {
    assert.ok(await until(() => Atomics.load(woke, 0) === 1, 5000), 'no sleep on a stale sequence number');
  } finally {
    await worker.terminate();
  }
});
