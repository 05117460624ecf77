// Thread entry: reads the child's scoreboard slot every few ms and writes each change as one JSON
// line to the pipe the master reads. A thread, so that the master hears of a request even when the
// script then blocks the child's main thread (the master can only time it out if it knows).
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { SCOREBOARD_FD, ScoreboardSlot } from '../ipc/scoreboard-layout.js';

const REPORT_EVERY_MS = 10;
const slot = new ScoreboardSlot((workerData as { buffer: SharedArrayBuffer }).buffer);
let lastSeq = -1;

setInterval(() => {
  if (slot.seq === lastSeq) return;
  const report = slot.read();
  if (report === undefined) return;
  lastSeq = report.seq;
  try {
    writeSync(SCOREBOARD_FD, `${JSON.stringify(report)}\n`);
  } catch {
    // The master closed the pipe (it is stopping or gone): the child is about to end as well.
    process.exit(0);
  }
}, REPORT_EVERY_MS);
