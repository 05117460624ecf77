// Micro-benchmark (a script, not a test): the child's per-request scoreboard cost, old against new.
//
//   node dist/test/bench/scoreboard-writes.js [pairs=100000] [rounds=5]
//
// old: the SharedArrayBuffer slot a reporter thread read (test/bench/old-scoreboard-slot.ts), with
//      the CPU time and RSS sampled at most every 50 ms, as the child did (a reporter thread sleeping
//      on the slot, as in an idle child, so each update also pays the futex wake);
// new: ScoreboardWriter.began()/ended() on a real slot file: two positioned writes, CLOCK_MONOTONIC,
//      getrusage(2) at the end, and at the start unless the last reading is under 1 ms old (back to
//      back here, so one per pair: src/worker/scoreboard-writer.ts);
// pwrite: the two positioned writes alone; getrusage: the two CPU-time readings alone.
// Rounds alternate old and new; the medians and the spread (min–max) of ns per began/ended pair are
// printed, in wall-clock time and in the process's CPU time (all threads: for `old`, the reporter
// thread's wake-ups count too). The reporter's work beyond that (JSON, the pipe, the master's parsing)
// is not counted: it ran in other processes, and is gone.
import { closeSync, writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createSlotFile } from '../../src/ipc/scoreboard-file.js';
import { RECORD_BYTES } from '../../src/ipc/scoreboard-layout.js';
import { residentBytes } from '../../src/worker/usage-sampler.js';
import { ScoreboardWriter } from '../../src/worker/scoreboard-writer.js';
import { ScoreboardSlot } from './old-scoreboard-slot.js';

const pairs = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 5);
const info = { method: 'GET', uri: '/hello.mjs', query: '', script: '/srv/www/hello.mjs', contentLength: 0, user: '-' };

/** The old child's sampler: CPU time and RSS at most every 50 ms. */
let sampledAt = 0;
let cpu = 0;
function oldCpuMicros(): number {
  const now = Date.now();
  if (now - sampledAt >= 50) {
    sampledAt = now;
    const u = process.cpuUsage();
    cpu = u.user + u.system;
    residentBytes();
  }
  return cpu;
}

interface Timing {
  /** ns of wall-clock time per pair. */
  readonly wall: number;
  /** ns of the process's CPU time (all its threads, user + system) per pair. */
  readonly cpu: number;
}

function timed(loop: () => void): Timing {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  loop();
  const wall = Number(process.hrtime.bigint() - t0) / pairs;
  const c = process.cpuUsage(c0);
  return { wall, cpu: ((c.user + c.system) * 1000) / pairs };
}

function timeOld(slot: ScoreboardSlot): Timing {
  const running = new Set<{ startedAtMs: number }>();
  let started = 0;
  return timed(() => {
    for (let i = 0; i < pairs; i++) {
      const now = Date.now();
      const token = { startedAtMs: now };
      running.add(token);
      started++;
      const cpuAtStart = oldCpuMicros();
      slot.update((w) => {
        w.setNumber('requestsStarted', started);
        w.setRunning(running.size);
        w.setNumber('lastBeginMs', now);
        w.setNumber('oldestRunningStartMs', now);
        w.setNumber('contentLength', info.contentLength);
        w.setText('method', info.method);
        w.setText('uri', info.uri);
        w.setText('query', info.query);
        w.setText('script', info.script);
        w.setText('user', info.user);
      });
      const durationMs = Date.now() - token.startedAtMs;
      const cpuMicros = oldCpuMicros() - cpuAtStart;
      running.delete(token);
      slot.update((w) => {
        w.setRunning(running.size);
        w.setNumber('oldestRunningStartMs', 0);
        w.setNumber('lastDurationUs', durationMs * 1000);
        w.setNumber('lastCpuPercent', durationMs > 0 ? cpuMicros / 10 / durationMs : 0);
        w.setNumber('lastMemoryBytes', residentBytes());
        w.setNumber('lastStatus', 200);
        w.setNumber('memoryBytes', residentBytes());
      });
    }
  });
}

function timeNew(writer: ScoreboardWriter): Timing {
  return timed(() => {
    for (let i = 0; i < pairs; i++) writer.ended(writer.began(info, true), 200);
  });
}

function timePwrite(fd: number): Timing {
  const record = Buffer.alloc(RECORD_BYTES);
  return timed(() => {
    for (let i = 0; i < pairs; i++) {
      writeSync(fd, record, 0, RECORD_BYTES, 0);
      writeSync(fd, record, 0, RECORD_BYTES, RECORD_BYTES);
    }
  });
}

/** getrusage(2) twice, as the path read the CPU time at each request start and end before it shared one. */
function timeRusage(): Timing {
  return timed(() => {
    for (let i = 0; i < pairs; i++) {
      process.cpuUsage();
      process.cpuUsage();
    }
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const spread = (xs: number[]): string => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;

const slot = new ScoreboardSlot();
// The old reporter thread, asleep on the slot as in a child (it wakes at most every 10 ms).
const reporter = new Worker(
  `const { workerData } = require('node:worker_threads');
   import(workerData.url).then(({ ScoreboardSlot }) => {
     const slot = new ScoreboardSlot(workerData.buffer);
     const pause = new Int32Array(new SharedArrayBuffer(4));
     let seen = -1;
     for (;;) { slot.waitForChange(seen); const r = slot.read(); if (r) seen = r.seq; JSON.stringify(r); Atomics.wait(pause, 0, 0, 10); }
   });`,
  { eval: true, workerData: { url: new URL('./old-scoreboard-slot.js', import.meta.url).href, buffer: slot.buffer } },
);
reporter.unref();
const fd = createSlotFile();
const writer = new ScoreboardWriter(fd);
const results = { old: [] as Timing[], new: [] as Timing[], pwrite: [] as Timing[], getrusage: [] as Timing[] };
timeOld(slot);
timeNew(writer); // warm-up
for (let round = 0; round < rounds; round++) {
  if (round % 2 === 0) {
    results.old.push(timeOld(slot));
    results.new.push(timeNew(writer));
  } else {
    results.new.push(timeNew(writer));
    results.old.push(timeOld(slot));
  }
  results.pwrite.push(timePwrite(fd));
  results.getrusage.push(timeRusage());
}
closeSync(fd);
console.log(`ns per began/ended pair, ${pairs} pairs × ${rounds} rounds: median (min–max)`);
console.log(`  ${''.padEnd(10)} ${'wall'.padEnd(22)} cpu`);
for (const [name, xs] of Object.entries(results)) {
  const wall = xs.map((x) => x.wall);
  const cpu = xs.map((x) => x.cpu);
  console.log(
    `  ${name.padEnd(10)} ${`${Math.round(median(wall))} (${spread(wall)})`.padEnd(22)} ${Math.round(median(cpu))} (${spread(cpu)})`,
  );
}
process.exit(0);
