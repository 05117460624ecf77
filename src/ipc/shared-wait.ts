// Sleeping on a value in shared memory instead of polling it: the reader raises a flag, then waits
// while the value is still the one it saw; the writer, after changing the value, wakes the reader only
// when the flag is up (one atomic load per change, a futex wake only for a sleeping reader). With
// sequentially consistent atomics no change is missed: either the writer sees the flag and wakes the
// reader, or its change came before the reader's wait began and the wait returns at once.

/** Where the value and the reader's "waiting" flag live (indexes into `ints`). */
export interface WaitCell {
  readonly ints: Int32Array;
  readonly value: number;
  readonly flag: number;
}

/** Writer side: call after changing the value. */
export function wakeReader(cell: WaitCell): void {
  if (Atomics.load(cell.ints, cell.flag) === 1) Atomics.notify(cell.ints, cell.value);
}

/** Reader side, blocking (a thread that has nothing else to do): returns once the value is not `seen`. */
export function waitWhileUnchanged(cell: WaitCell, seen: number): void {
  Atomics.store(cell.ints, cell.flag, 1);
  Atomics.wait(cell.ints, cell.value, seen);
  Atomics.store(cell.ints, cell.flag, 0);
}

/** Reader side, for a thread with an event loop: resolves once the value is not `seen`. */
export async function unchangedUntil(cell: WaitCell, seen: number): Promise<void> {
  Atomics.store(cell.ints, cell.flag, 1);
  try {
    const wait = Atomics.waitAsync(cell.ints, cell.value, seen);
    if (wait.async) await wait.value;
  } finally {
    Atomics.store(cell.ints, cell.flag, 0);
  }
}
