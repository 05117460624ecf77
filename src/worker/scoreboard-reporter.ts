// Thread entry: sends each change of the child's scoreboard slot as one JSON line to the pipe the
// master reads. A thread, so that the master hears of a request even when the script then blocks the
// child's main thread (the master can only time it out if it knows). It sleeps on the slot while
// nothing changes, so an idle child costs no wake-ups (php-fpm's idle children sleep in accept).
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { SCOREBOARD_FD, ScoreboardSlot } from '../ipc/scoreboard-layout.js';

/** After a report, changes within this window go out together: a busy child sends ~100 a second at most. */
const COALESCE_MS = 10;
const slot = new ScoreboardSlot((workerData as { buffer: SharedArrayBuffer }).buffer);
const pause = new Int32Array(new SharedArrayBuffer(4));
let lastSeq = -1; // the first pass reports the slot as it is

// A blocking loop is this thread's whole job; terminating the worker (the child exiting) interrupts
// Atomics.wait.
for (;;) {
  slot.waitForChange(lastSeq);
  const report = slot.read();
  if (report !== undefined && report.seq !== lastSeq) {
    lastSeq = report.seq;
    try {
      writeSync(SCOREBOARD_FD, `${JSON.stringify(report)}\n`);
    } catch {
      // The master closed the pipe (it is stopping or gone): the child is about to end as well.
      process.exit(0);
    }
  }
  Atomics.wait(pause, 0, 0, COALESCE_MS);
}
