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
// take this spare while it still loads ('init' then comes first).
let mainLoaded = false;
let earlyInit: [MasterMessage, SendHandle] | undefined;
const practicePool = new Promise<PoolConfig | undefined>((resolve) => {
  const onMessage = (message: MasterMessage, handle: SendHandle): void => {
    if (message.type !== 'practice' && message.type !== 'init') return;
    if (message.type === 'init' && !mainLoaded) earlyInit = [message, handle];
    process.off('message', onMessage);
    // Taken by a pool: no practice, the real requests come.
    resolve(message.type === 'practice' ? message.pool : undefined);
  };
  process.on('message', onMessage);
});
await import('./main.js');
mainLoaded = true;
// main.js listens from its import on: an 'init' that came before is handed to it now.
if (earlyInit !== undefined) process.emit('message', ...earlyInit);
const { warmUp } = await import('./spare-warmup.js');
await warmUp();
const pool = await practicePool;
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
