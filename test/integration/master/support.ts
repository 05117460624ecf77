// Shared pieces of the master tests: which pool children hold the listening socket, and a bounded
// load loop through HTTP that counts every failure.
import { execFileSync } from 'node:child_process';
import { Agent } from 'node:http';
import type { Daemon } from '../../helpers/daemon.js';
import { httpRequest } from '../../helpers/http-client.js';
import { poolChildrenOf } from '../../helpers/proc.js';

/** What the load saw so far, for a failed wait's message. */
export function describeLoad(result: LoadResult): string {
  return `${result.ok} ok, ${result.failed} failed${result.failures.length > 0 ? `: ${result.failures.join(' | ')}` : ''}`;
}

export interface LoadResult {
  ok: number;
  failed: number;
  failures: string[];
}

export interface Load {
  readonly result: LoadResult;
  /** Stops issuing requests and resolves when the in-flight ones are done. */
  stop(): Promise<LoadResult>;
}

/**
 * `concurrency` loops of sequential requests to `url` until stopped or `maxRequests` are done. The
 * loops stop when the test ends, whatever happened (a failed wait must not leave them running).
 */
export function startLoad(
  scope: { after(fn: () => unknown): void },
  url: string,
  options: { concurrency: number; keepAlive: boolean; maxRequests?: number },
): Load {
  const agent = options.keepAlive ? new Agent({ keepAlive: true, maxSockets: options.concurrency }) : false;
  const result: LoadResult = { ok: 0, failed: 0, failures: [] };
  let stopped = false;
  const max = options.maxRequests ?? Number.POSITIVE_INFINITY;
  const loop = async (): Promise<void> => {
    while (!stopped && result.ok + result.failed < max) {
      try {
        const res = await httpRequest(url, { agent, timeoutMs: 15_000 });
        if (res.status === 200) result.ok++;
        else {
          result.failed++;
          if (result.failures.length < 10)
            result.failures.push(`status ${res.status}: ${res.body.toString().slice(0, 200)}`);
        }
      } catch (err) {
        result.failed++;
        if (result.failures.length < 10) result.failures.push(String(err));
      }
    }
  };
  const loops = Array.from({ length: options.concurrency }, () => loop());
  const stop = async (): Promise<LoadResult> => {
    stopped = true;
    await Promise.all(loops);
    if (agent !== false) agent.destroy();
    return result;
  };
  scope.after(stop);
  return { result, stop };
}

/** Children of the master that hold the pool's listening socket. */
export function acceptingChildren(fpm: Daemon): number[] {
  const address = fpm.address;
  // A unix socket is listed under the temporary name it was bound to before the rename: find it as
  // the listening unix socket the master holds (the pool's only one).
  const out =
    address.kind === 'unix'
      ? execFileSync('ss', ['-xlpH'], { encoding: 'utf8' })
          .split('\n')
          .filter((line) => line.includes(`pid=${fpm.pid},`))
          .join('\n')
      : execFileSync('ss', ['-tlpH', 'sport', `= :${address.port}`], { encoding: 'utf8' });
  const holders = new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])));
  return poolChildrenOf(fpm.pid).filter((pid) => holders.has(pid));
}
