// Entry of a spare child (src/master/spare-pool.ts): loads what a pool child runs, runs the practice
// request the master asks for, then waits, in no pool, until the master assigns it to one with 'init'
// (src/worker/main.ts). Until then it runs nothing else: no pool's code, environment, directory or
// descriptors.
// The title first, before the imports: `ps` tells spares from pool children from the start.
process.title = 'tsfpm: spare';
import type { PoolConfig } from '../config/types.js';
import type { SendHandle } from 'node:child_process';
import type { MasterMessage } from '../ipc/messages.js';

// Listened for before the imports: the master sends the practice pool right after the fork, and may
// take this spare while it still loads ('init' then comes early). What arrives before main.js listens
// is kept and handed to it, in order, once it does.
const early: [MasterMessage, SendHandle][] = [];
let settlePractice: (pool: PoolConfig | undefined) => void = () => undefined;
const practicePool = new Promise<PoolConfig | undefined>((resolve) => {
  settlePractice = resolve;
});
const watch = (message: MasterMessage): void => {
  // Taken by a pool: no practice, the real requests come.
  if (message.type === 'init') settlePractice(undefined);
  if (message.type === 'practice') settlePractice(message.pool);
};
const keep = (message: MasterMessage, handle: SendHandle): void => {
  early.push([message, handle]);
};
process.on('message', watch);
process.on('message', keep);
await import('./main.js');
process.off('message', keep);
for (const [message, handle] of early) process.emit('message', message, handle);
const { warmUp } = await import('./spare-warmup.js');
await warmUp();
const pool = await practicePool;
process.off('message', watch);
let practice: { ms: number } | { skipped: string } = { skipped: 'taken by a pool before it' };
if (pool !== undefined) {
  const { practise } = await import('./spare-practice.js');
  const started = performance.now();
  practice = (await practise(pool))
    ? { ms: Math.round((performance.now() - started) * 10) / 10 }
    : { skipped: 'the practice script did not answer' };
}
const { sendToMaster } = await import('../log/child-log.js');
sendToMaster({ type: 'spare-ready', practice });
