// The child's side of its scoreboard slot: request starts and ends become plain stores into shared
// memory; the reporter thread (scoreboard-reporter.ts) tells the master.
import { Worker } from 'node:worker_threads';
import { writeSync } from 'node:fs';
import { SCOREBOARD_FD, ScoreboardSlot, type SlotReport } from '../ipc/scoreboard-layout.js';
import type { RequestInfo } from '../ipc/messages.js';
import { childLog } from '../log/child-log.js';

export interface RequestEnd {
  readonly status: number;
  readonly durationUs: number;
  readonly cpuPercent: number;
  readonly memoryBytes: number;
}

export class ScoreboardWriter {
  readonly #slot = new ScoreboardSlot();
  /** Start times of the requests in progress (a child serves several at once). */
  readonly #running = new Set<{ startedAtMs: number }>();
  #started = 0;

  /** Starts the thread that reports the slot to the master every few ms, blocked main thread or not. */
  startReporter(): void {
    const reporter = new Worker(new URL('./scoreboard-reporter.js', import.meta.url), {
      workerData: { buffer: this.#slot.buffer },
    });
    reporter.on('error', (err) =>
      childLog('error', `child ${process.pid}: scoreboard reporter failed: ${err.message}`),
    );
    // The thread must not keep a child that is done alive.
    reporter.unref();
  }

  /** A request began; the returned token ends it. */
  began(info: RequestInfo, nowMs: number): { startedAtMs: number } {
    const token = { startedAtMs: nowMs };
    this.#running.add(token);
    this.#started++;
    const started = this.#started;
    const oldest = this.#oldest();
    this.#slot.update((w) => {
      w.setNumber('requestsStarted', started);
      w.setRunning(this.#running.size);
      w.setNumber('lastBeginMs', nowMs);
      w.setNumber('oldestRunningStartMs', oldest);
      w.setNumber('contentLength', info.contentLength);
      w.setText('method', info.method);
      w.setText('uri', info.uri);
      w.setText('query', info.query);
      w.setText('script', info.script);
      w.setText('user', info.user);
    });
    return token;
  }

  ended(token: { startedAtMs: number }, end: RequestEnd): void {
    this.#running.delete(token);
    const oldest = this.#oldest();
    this.#slot.update((w) => {
      w.setRunning(this.#running.size);
      w.setNumber('oldestRunningStartMs', oldest);
      w.setNumber('lastDurationUs', end.durationUs);
      w.setNumber('lastCpuPercent', end.cpuPercent);
      w.setNumber('lastMemoryBytes', end.memoryBytes);
      w.setNumber('lastStatus', end.status);
      w.setNumber('memoryBytes', end.memoryBytes);
    });
  }

  /** Writes the slot to the master at once, from this thread (before the child exits). */
  reportNow(): void {
    const report = this.#slot.read();
    if (report === undefined) return;
    try {
      writeSync(SCOREBOARD_FD, `${JSON.stringify(report)}\n`);
    } catch {
      // The master is gone or closed the pipe: nobody is left to tell.
    }
  }

  /** The slot now, for messages that must carry an exact view (the status query). */
  read(): SlotReport | undefined {
    return this.#slot.read();
  }

  #oldest(): number {
    let oldest = 0;
    for (const { startedAtMs } of this.#running) if (oldest === 0 || startedAtMs < oldest) oldest = startedAtMs;
    return oldest;
  }
}
