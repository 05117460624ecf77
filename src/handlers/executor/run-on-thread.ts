// Posts one task to the threads executor's tinypool, once more if tinypool gave it to a thread it was
// already terminating. tinypool (2.2) can do that: when a task's abort ends its thread while that
// thread's answer is still queued, the answer makes the thread look free and the next queued task is
// posted to it; that task then fails with "Terminating worker thread" without having run (terminate()
// came before the post). Seen in the bench when wrk's 32 connections closed at once.
import type { TransferListItem } from 'node:worker_threads';
import type Tinypool from 'tinypool';

const THREAD_ENDED_BEFORE_RUN = 'Terminating worker thread';

export interface ThreadPost {
  readonly task: unknown;
  readonly transferList?: TransferListItem[];
}

/**
 * Runs what `makePost` builds (called again for the second post: a transferred body cannot be sent
 * twice). `onRepost` is told when the first post met the race.
 */
export async function runOnThread(
  pool: Tinypool,
  makePost: () => ThreadPost,
  signal: AbortSignal,
  onRepost: () => void,
): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    const { task, transferList } = makePost();
    try {
      // tinypool's run() is typed `any`; the caller checks the result's shape.
      return (await pool.run(task, { signal, ...(transferList !== undefined ? { transferList } : {}) })) as unknown;
    } catch (err) {
      const endedBeforeRun = err instanceof Error && err.message === THREAD_ENDED_BEFORE_RUN;
      if (attempt > 1 || signal.aborted || !endedBeforeRun) throw err;
      onRepost();
    }
  }
}
