// The threads executor's tinypool, one per child, created on the first request (after the child
// dropped its privileges, so threads run as the pool's user).
import { availableParallelism } from 'node:os';
import Tinypool from 'tinypool';
import type { PoolConfig } from '../../config/types.js';

const TASK_FILE = new URL('./thread-task.js', import.meta.url).href;
let pool: Tinypool | undefined;
/** How long a thread above the first stays when idle. */
const THREAD_IDLE_MS = 30_000;

/** At least 2 threads: one request stuck until its timeout must not hold up the others. */
export const threadCount = (): number => Math.max(2, availableParallelism());

export function scriptThreads(config: PoolConfig): Tinypool {
  if (pool !== undefined) return pool;
  const memoryMb =
    config.executorMemoryLimitBytes > 0 ? Math.max(1, Math.round(config.executorMemoryLimitBytes / 1024 ** 2)) : 0;
  pool = new Tinypool({
    filename: TASK_FILE,
    runtime: 'worker_threads',
    minThreads: 1,
    maxThreads: threadCount(),
    // tinypool's default (0) ends a second thread the moment it is idle, so under steady load a
    // thread was started and torn down for nearly every request (~3 ms of CPU each, measured).
    idleTimeout: THREAD_IDLE_MS,
    isolateWorkers: config.executorIsolate,
    ...(memoryMb > 0
      ? {
          resourceLimits: {
            maxOldGenerationSizeMb: memoryMb,
            maxYoungGenerationSizeMb: Math.min(32, Math.max(1, memoryMb >> 2)),
          },
        }
      : {}),
  });
  return pool;
}
