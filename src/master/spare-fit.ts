// Which pools a spare child can become (pure). A spare is a Node process already started: what Node
// reads only when it starts cannot change any more. That is its flags (node.flags) and the
// environment variables Node reads at start-up (Node's docs, "Command-line API", section
// "Environment variables"); a pool that needs other values than the spare's starts its children
// as before. Everything else of a pool's identity (the rest of the environment, the working
// directory, user and group, the socket) the spare takes when it is assigned.
import type { FpmConfig, PoolConfig } from '../config/types.js';
import { childDirectory, childEnvironment } from './spawn-child.js';

/** Read by Node (or OpenSSL, libuv) while the process starts, not later. */
export const STARTUP_VARIABLES: readonly string[] = [
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_EXTRA_CA_CERTS',
  'NODE_USE_SYSTEM_CA',
  'NODE_ICU_DATA',
  'NODE_DEBUG',
  'NODE_DEBUG_NATIVE',
  'NODE_DISABLE_COLORS',
  'NODE_NO_WARNINGS',
  'NODE_PENDING_DEPRECATION',
  'NODE_PENDING_PIPE_INSTANCES',
  'NODE_PRESERVE_SYMLINKS',
  'NODE_REDIRECT_WARNINGS',
  'NODE_V8_COVERAGE',
  'NODE_COMPILE_CACHE',
  'NODE_DISABLE_COMPILE_CACHE',
  'NODE_SKIP_PLATFORM_CHECK',
  'NODE_USE_ENV_PROXY',
  'UV_THREADPOOL_SIZE',
  'UV_USE_IO_URING',
  'OPENSSL_CONF',
  'SSL_CERT_DIR',
  'SSL_CERT_FILE',
];

/** Set by fork() itself and removed by the child's Node at start: never part of an assignment. */
const FORK_VARIABLES: readonly string[] = ['NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE', 'NODE_UNIQUE_ID'];

/** The environment a spare starts with: none of the master's variables, only tsfpm's own switch. */
export function spareEnvironment(masterEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return masterEnv['TSFPM_NET_SOCKETS'] === '1' ? { TSFPM_NET_SOCKETS: '1' } : {};
}

/** What a spare takes on when it becomes a child of `pool`: its whole environment and its directory. */
export interface SpareAssignment {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

export function spareAssignment(pool: PoolConfig, masterEnv: NodeJS.ProcessEnv): SpareAssignment {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(childEnvironment(pool, masterEnv))) {
    if (value !== undefined && !FORK_VARIABLES.includes(name)) env[name] = value;
  }
  return { env, cwd: childDirectory(pool) };
}

const sameFlags = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((flag, i) => flag === b[i]);

/** The pool's children read no start-up variable other than a spare would have. */
function startsLikeSpare(pool: PoolConfig, masterEnv: NodeJS.ProcessEnv): boolean {
  const env = childEnvironment(pool, masterEnv);
  const spare = spareEnvironment(masterEnv);
  return STARTUP_VARIABLES.every((name) => env[name] === spare[name]);
}

/** Can a spare started with `spareFlags` become a child of `pool`? */
export function spareFits(pool: PoolConfig, spareFlags: readonly string[], masterEnv: NodeJS.ProcessEnv): boolean {
  return sameFlags(pool.nodeFlags, spareFlags) && startsLikeSpare(pool, masterEnv);
}

/** The pools spares are kept for: ondemand and dynamic ones, whose children come and go with the load. */
function wantsSpares(pool: PoolConfig): boolean {
  return pool.statusOf === undefined && (pool.pm.style === 'ondemand' || pool.pm.style === 'dynamic');
}

export interface SparePlan {
  /** How many spares to keep. */
  readonly count: number;
  /** Their node flags. */
  readonly nodeFlags: readonly string[];
  /** The first pool with those flags: each new spare practises its request path once. */
  readonly model?: PoolConfig;
}

/**
 * process.spare_children spares, with the node flags most of the ondemand and dynamic pools share
 * (the first such pool's on a tie); none when no such pool could use one.
 */
export function planSpares(config: FpmConfig, masterEnv: NodeJS.ProcessEnv): SparePlan {
  const votes: { flags: readonly string[]; pools: number; first: PoolConfig }[] = [];
  for (const pool of config.pools) {
    if (!wantsSpares(pool) || !startsLikeSpare(pool, masterEnv)) continue;
    const entry = votes.find((v) => sameFlags(v.flags, pool.nodeFlags));
    if (entry === undefined) votes.push({ flags: pool.nodeFlags, pools: 1, first: pool });
    else entry.pools++;
  }
  let best: (typeof votes)[number] | undefined;
  for (const vote of votes) if (best === undefined || vote.pools > best.pools) best = vote;
  if (best === undefined || config.global.spareChildren <= 0) return { count: 0, nodeFlags: [] };
  return { count: config.global.spareChildren, nodeFlags: best.flags, model: best.first };
}
