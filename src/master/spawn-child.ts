// Forking one child of a pool with the pool's environment and working directory.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PoolConfig } from '../config/types.js';

const WORKER_ENTRY = fileURLToPath(new URL('../worker/main.js', import.meta.url));
const profileDir = process.env['TSFPM_CHILD_CPU_PROF'];
/** Extra Node flags for every child, for measurements (e.g. `--perf-basic-prof`), split on spaces. */
const extraFlags = (process.env['TSFPM_CHILD_NODE_FLAGS'] ?? '').split(' ').filter((flag) => flag !== '');

/** clear_env = yes: only env[...] (php-fpm clears the environment); no: the master's, then env[...]. */
export function childEnvironment(pool: PoolConfig, masterEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = pool.clearEnv ? {} : { ...masterEnv };
  // Socket activation variables belong to the master alone.
  delete base['LISTEN_FDS'];
  delete base['LISTEN_PID'];
  delete base['LISTEN_FDNAMES'];
  delete base['NOTIFY_SOCKET'];
  // TSFPM_NET_SOCKETS=1 makes children serve connections through net.Socket (for A/B measurements and
  // tests of that path); it must survive clear_env.
  if (masterEnv['TSFPM_NET_SOCKETS'] === '1') base['TSFPM_NET_SOCKETS'] = '1';
  return { ...base, ...pool.env };
}

/** `scoreboardFd`: the child's scoreboard slot (src/ipc/scoreboard-file.ts), its fd 4. */
export function forkChild(pool: PoolConfig, scoreboardFd: number): ChildProcess {
  const output = pool.catchWorkersOutput ? 'pipe' : 'ignore';
  return fork(WORKER_ENTRY, [], {
    cwd: pool.chdir ?? process.cwd(),
    env: childEnvironment(pool, process.env),
    // fd 4: the child's scoreboard slot, a shared file the master reads (src/ipc/scoreboard-layout.ts).
    stdio: ['ignore', output, output, 'ipc', scoreboardFd],
    // The master's flags (e.g. --inspect) must not leak into every child. TSFPM_CHILD_CPU_PROF=<dir>
    // writes a V8 CPU profile per child on exit, for `node --cpu-prof`-style measurements;
    // TSFPM_CHILD_NODE_FLAGS adds any other flags.
    execArgv: [
      ...pool.nodeFlags,
      ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
      ...extraFlags,
    ],
    serialization: 'json',
  });
}
