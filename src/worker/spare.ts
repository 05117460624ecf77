// Entry of a spare child (src/master/spare-pool.ts): loads what a pool child runs, then waits, in no
// pool, until the master assigns it to one with 'init' (src/worker/main.ts). Until then it runs
// nothing else: no pool's code, environment, directory or descriptors.
// The title first, before the imports: `ps` tells spares from pool children from the start.
process.title = 'tsfpm: spare';
await import('./main.js');
const { warmUp } = await import('./spare-warmup.js');
await warmUp();
const { sendToMaster } = await import('../log/child-log.js');
sendToMaster({ type: 'spare-ready' });
