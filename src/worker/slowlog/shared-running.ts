// How many requests the child runs, published by the main thread in shared memory for its slowlog
// thread: the thread sleeps while there are none (no timer, no wake-ups in an idle child) and reads
// the requests themselves from the child's scoreboard slot (src/ipc/scoreboard-reader.ts).
//
// Layout: Int32 [0] = requests running, Int32 [1] = 1 while the reader sleeps until it is not 0.
import { unchangedUntil, wakeReader, type WaitCell } from '../../ipc/shared-wait.js';

const RUNNING = 0;
const READER_WAITING = 1;
export const SHARED_RUNNING_BYTES = 8;

export class SharedRunning {
  readonly #ints: Int32Array;
  readonly #cell: WaitCell;

  constructor(buffer: SharedArrayBuffer) {
    this.#ints = new Int32Array(buffer, 0, 2);
    this.#cell = { ints: this.#ints, value: RUNNING, flag: READER_WAITING };
  }

  set(running: number): void {
    Atomics.store(this.#ints, RUNNING, running);
    if (running > 0) wakeReader(this.#cell);
  }

  get(): number {
    return Atomics.load(this.#ints, RUNNING);
  }

  /** Resolves once a request runs, without polling (the reader thread's idle state). */
  async untilRunning(): Promise<void> {
    while (this.get() === 0) await unchangedUntil(this.#cell, 0);
  }
}
