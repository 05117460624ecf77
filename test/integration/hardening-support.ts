// Shared pieces of the hardening tests (hostile clients against a live daemon): the memory of the daemon's
// processes read from /proc while an attack runs, and a well-behaved client that keeps sending requests
// next to the attack and must see every one of them succeed.
import assert from 'node:assert/strict';
import type test from 'node:test';
import type { Daemon } from '../helpers/daemon.js';
import { poolChildrenOf, rssBytes, RssSampler } from '../helpers/proc.js';

/** Generous bounds: a leak or an unbounded buffer goes far above them, a busy master or child stays well below. */
export const MASTER_RSS_LIMIT = 150 * 2 ** 20;
export const CHILD_RSS_LIMIT = 300 * 2 ** 20;

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Peak RSS of the master and of any of its children, sampled from /proc every few ms until stopped. */
export class RssWatch {
  readonly #masterPid: number;
  readonly #sampler: RssSampler;

  constructor(masterPid: number, intervalMs = 50) {
    this.#masterPid = masterPid;
    this.#sampler = new RssSampler(() => [masterPid, ...poolChildrenOf(masterPid)], intervalMs);
  }

  /** Stops sampling, reports the figures as a test diagnostic and asserts the bounds. */
  check(t: test.TestContext, what: string): void {
    const { peakKib } = this.#sampler.stop();
    const masterPeak = (peakKib.get(this.#masterPid) ?? 0) * 1024;
    const childPeak = Math.max(
      0,
      ...[...peakKib].filter(([pid]) => pid !== this.#masterPid).map(([, kib]) => kib * 1024),
    );
    t.diagnostic(`RSS under ${what}: master peak ${mib(masterPeak)}, child peak ${mib(childPeak)}`);
    assert.ok(masterPeak > 0 && childPeak > 0, 'RSS was sampled');
    assert.ok(masterPeak < MASTER_RSS_LIMIT, `master RSS ${mib(masterPeak)} under ${what}`);
    assert.ok(childPeak < CHILD_RSS_LIMIT, `child RSS ${mib(childPeak)} under ${what}`);
  }
}

/** A client sending hello.mjs requests one after another, each on a fresh connection, until stopped. */
export class GoodClient {
  ok = 0;
  readonly failures: string[] = [];
  #stopped = false;
  readonly #loop: Promise<void>;

  constructor(fpm: Daemon, options: { script?: string; query?: string } = {}) {
    this.#loop = (async () => {
      // Bounded: a failure can be immediate (a refused connect), and the error messages carry the log.
      while (!this.#stopped && this.failures.length < 20) {
        try {
          const res = await fpm.request({
            script: options.script ?? 'hello.mjs',
            query: options.query ?? '',
            timeoutMs: 10_000,
          });
          if (res.status === 200) this.ok++;
          else this.failures.push(`status ${res.status}`);
        } catch (err) {
          this.failures.push(err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err));
        }
      }
    })();
  }

  /** Stops after the request in flight, then asserts that at least `atLeast` succeeded and none failed. */
  async check(atLeast = 1): Promise<void> {
    this.#stopped = true;
    await this.#loop;
    assert.deepEqual(this.failures.slice(0, 5), [], `${this.failures.length} good requests failed`);
    assert.ok(this.ok >= atLeast, `only ${this.ok} good requests were served`);
  }
}

/** The daemon's master is still the same running process. */
export function assertMasterAlive(fpm: Daemon): void {
  assert.equal(fpm.exitStatus, undefined, 'the master is still running');
  assert.ok(rssBytes(fpm.pid) > 0, 'the master process exists');
}
