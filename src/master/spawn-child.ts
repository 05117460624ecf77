// Forking one child of a pool with the pool's environment and working directory, or a spare child
// that has neither yet (src/master/spare-pool.ts).
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PoolConfig } from '../config/types.js';

/** dist/src/, where tsc writes the unbundled modules. */
const DIST_SRC = new URL('../', import.meta.url);

/**
 * A child's entry file: the bundled one (dist/bundle/worker/, written by src/build/bundle-children.ts),
 * which starts faster, or tsc's worker/<file> when the build made no bundle or an older one than tsc's
 * last output (`tsc -p .` alone after an edit: the bundle would run the code from before it).
 */
export function childEntry(file: 'main.js' | 'spare.js', distSrc: URL = DIST_SRC): string {
  const unbundled = fileURLToPath(new URL(`worker/${file}`, distSrc));
  const bundled = fileURLToPath(new URL(`../bundle/worker/${file}`, distSrc));
  try {
    return statSync(bundled).mtimeMs >= statSync(unbundled).mtimeMs ? bundled : unbundled;
  } catch {
    return unbundled; // no bundle
  }
}

const WORKER_ENTRY = childEntry('main.js');
const SPARE_ENTRY = childEntry('spare.js');
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

/** The working directory of a pool's children: chdir, else the master's. */
export function childDirectory(pool: PoolConfig): string {
  return pool.chdir ?? process.cwd();
}

/**
 * stdout follows catch_workers_output; stderr is always a pipe, since the master reads V8's heap-limit
 * message there (src/master/worker-output.ts). fd 4: the child's scoreboard slot, a shared file the
 * master reads (src/ipc/scoreboard-layout.ts).
 */
function childStdio(stdout: 'pipe' | 'ignore', scoreboardFd: number): StdioOptions {
  return ['ignore', stdout, 'pipe', 'ipc', scoreboardFd];
}

/**
 * The master's flags (e.g. --inspect) must not leak into every child. TSFPM_CHILD_CPU_PROF=<dir> writes
 * a V8 CPU profile per child on exit, for `node --cpu-prof`-style measurements; TSFPM_CHILD_NODE_FLAGS
 * adds any other flags.
 */
function childExecArgv(nodeFlags: readonly string[]): string[] {
  return [
    ...nodeFlags,
    ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
    ...extraFlags,
  ];
}

/** `scoreboardFd`: the child's scoreboard slot (src/ipc/scoreboard-file.ts). */
export function forkChild(pool: PoolConfig, scoreboardFd: number): ChildProcess {
  return fork(WORKER_ENTRY, [], {
    cwd: childDirectory(pool),
    env: childEnvironment(pool, process.env),
    stdio: childStdio(pool.catchWorkersOutput ? 'pipe' : 'ignore', scoreboardFd),
    execArgv: childExecArgv(pool.nodeFlags),
    serialization: 'json',
  });
}

/**
 * A spare: tsfpm's child code loaded, no pool. It starts in `/` with an environment of its own (none of
 * the master's variables, which a clear_env pool must not see, and no pool's), and its output goes to
 * pipes, since whether the pool it joins catches that output is not known yet. Its scoreboard slot is
 * its own from the start and goes with it to the pool that takes it.
 */
export function forkSpare(
  nodeFlags: readonly string[],
  environment: NodeJS.ProcessEnv,
  scoreboardFd: number,
): ChildProcess {
  return fork(SPARE_ENTRY, [], {
    cwd: '/',
    env: environment,
    stdio: childStdio('pipe', scoreboardFd),
    execArgv: childExecArgv(nodeFlags),
    serialization: 'json',
  });
}
