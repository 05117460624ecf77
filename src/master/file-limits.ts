// rlimit_files: the open-file limit (RLIMIT_NOFILE) of the master (global) and of each pool's
// children. Node.js has no setrlimit(2), so prlimit(1) from util-linux sets it on a running process
// (prlimit(2) on its pid): the master's own at start, each child's right after the fork and before
// the child is told to start. Like php-fpm (sapi/fpm/fpm/fpm_unix.c fpm_unix_init_main() and
// fpm_unix_init_child()) soft and hard limit are both set; a master whose limit cannot be set does
// not start, a child whose limit cannot be set keeps the inherited one and the failure is logged.
// The limit decides each child's connection cap (src/config/connection-cap.ts), logged per pool.
import { execFileSync } from 'node:child_process';
import { childFileLimit, connectionCap, describeCap, readFileLimit } from '../config/connection-cap.js';
import type { PoolConfig } from '../config/types.js';
import { TsfpmError } from '../errors.js';
import type { ErrorLog } from '../log/error-log.js';

const PRLIMIT = 'prlimit';

/** Sets soft and hard RLIMIT_NOFILE of `pid` to `limit`; returns why it failed, or undefined. */
export function setFileLimit(pid: number, limit: number): string | undefined {
  try {
    execFileSync(PRLIMIT, ['--pid', String(pid), `--nofile=${limit}:${limit}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 5000,
    });
    return undefined;
  } catch (err) {
    const failure = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (failure.code === 'ENOENT') {
      return `${PRLIMIT} (util-linux) is not installed or not in PATH (spawn ${PRLIMIT} ENOENT)`;
    }
    // prlimit says why: "failed to set the NOFILE resource limit: Operation not permitted".
    const said = failure.stderr
      ?.toString('utf8')
      .trim()
      .replace(/^prlimit: /, '');
    return said !== undefined && said !== '' ? said : failure.message;
  }
}

/** Global rlimit_files, at start: throws (start-up fails) when the limit cannot be set. */
export function applyMasterFileLimit(limit: number | undefined): void {
  if (limit === undefined || limit <= 0) return;
  const failure = setFileLimit(process.pid, limit);
  if (failure === undefined) return;
  throw new TsfpmError(
    'TSFPM_ERR_STARTUP',
    `failed to set rlimit_files = ${limit} (RLIMIT_NOFILE) of the master: ${failure}; check the hard limit (ulimit -Hn, LimitNOFILE=) or decrease rlimit_files`,
  );
}

/** Pool rlimit_files, on a child just forked (before its init message): an ERROR line when it fails. */
export function applyChildFileLimit(pool: PoolConfig, pid: number, log: ErrorLog): void {
  const limit = pool.rlimitFiles;
  if (limit === undefined || limit <= 0) return;
  const failure = setFileLimit(pid, limit);
  if (failure === undefined) return;
  log.error(
    `[pool ${pool.name}] failed to set rlimit_files = ${limit} (RLIMIT_NOFILE) of child ${pid}: ${failure}; it keeps the master's limit`,
  );
}

/**
 * The connection cap each pool's children will apply, said once per pool at start and reload (a
 * NOTICE), with a WARNING when a configured fastcgi.max_connections is more than the limit allows.
 */
export function reportConnectionCaps(pools: readonly PoolConfig[], log: ErrorLog): void {
  const masterLimit = readFileLimit()?.soft;
  for (const pool of pools) {
    const cap = connectionCap(childFileLimit(pool, masterLimit), pool);
    if (cap.lowered) {
      log.warning(
        `[pool ${pool.name}] fastcgi.max_connections = ${cap.configured} is more than the open-file limit ${cap.limit ?? '?'} allows: lowered to ${cap.cap} (raise the limit with rlimit_files or the service's LimitNOFILE=)`,
      );
    }
    log.notice(`[pool ${pool.name}] fastcgi.max_connections: ${describeCap(cap)}`);
  }
}

/** Global rlimit_files changed by a reload: applied again; a failure is logged and the old limit stays. */
export function reapplyMasterFileLimit(before: number | undefined, limit: number | undefined, log: ErrorLog): void {
  if (before === limit) return;
  try {
    applyMasterFileLimit(limit);
  } catch (err) {
    log.error(`${err instanceof Error ? err.message : String(err)}; the previous limit stays`);
  }
}
