// The floor of the memory figures: a bare Node process (`node -e`, nothing loaded), its VmRSS and its
// private memory (USS). A tsfpm master or child is a Node process too, so it cannot go below these.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { privateKibOf, readStatusKib } from '../helpers/proc.js';
import { median } from './stats.js';
import type { NodeFloor } from './targets.js';

/** One bare process: it says it is up once its bootstrap is done, then waits to be killed. */
async function oneBareNode(): Promise<{ rssKib: number; privateKib: number }> {
  const child = spawn(process.execPath, ['-e', "process.stdout.write('up\\n'); setInterval(() => {}, 60_000)"], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const [chunk] = (await once(child.stdout, 'data', { signal: AbortSignal.timeout(10_000) })) as [Buffer];
    if (!chunk.toString().startsWith('up')) throw new Error(`a bare node said ${JSON.stringify(chunk.toString())}`);
    // A moment for what the bootstrap left to finish (its first GC, lazy compile).
    await sleep(200);
    const pid = child.pid ?? -1;
    const rssKib = readStatusKib(pid, 'VmRSS');
    const privateKib = privateKibOf([pid])[0];
    if (rssKib === undefined || privateKib === undefined) throw new Error('cannot read /proc of a bare node');
    return { rssKib, privateKib };
  } finally {
    child.kill('SIGKILL');
  }
}

export async function measureNodeFloor(trials = 3): Promise<NodeFloor> {
  const runs: Array<{ rssKib: number; privateKib: number }> = [];
  for (let i = 0; i < trials; i++) runs.push(await oneBareNode());
  return {
    rssKib: median(runs.map((r) => r.rssKib)) ?? 0,
    privateKib: median(runs.map((r) => r.privateKib)) ?? 0,
    samples: runs.length,
  };
}
