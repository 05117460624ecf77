// Shared pieces of the hardening tests (issue 10 item 3): the memory of the daemon's processes read
// from /proc while an attack runs, and a well-behaved client that keeps sending requests next to the
// attack and must see every one of them succeed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type test from 'node:test';
import type { Daemon } from '../helpers/daemon.js';
import { childPidsOf } from './master/support.js';

/** Generous bounds (the brief's figures): a leak or an unbounded buffer is far above them. */
export const MASTER_RSS_LIMIT = 150 * 2 ** 20;
export const CHILD_RSS_LIMIT = 300 * 2 ** 20;

export function rssBytes(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0; // the process is gone
  }
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Peak RSS of the master and of any of its children, sampled from /proc every few ms until stopped. */
export class RssWatch {
  readonly #masterPid: number;
  readonly #timer: NodeJS.Timeout;
  masterPeak = 0;
  childPeak = 0;

  constructor(masterPid: number, intervalMs = 50) {
    this.#masterPid = masterPid;
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): void {
    this.masterPeak = Math.max(this.masterPeak, rssBytes(this.#masterPid));
    for (const child of childPidsOf(this.#masterPid)) this.childPeak = Math.max(this.childPeak, rssBytes(child));
  }

  /** Stops sampling, reports the figures as a test diagnostic and asserts the bounds. */
  check(t: test.TestContext, what: string): void {
    clearInterval(this.#timer);
    this.sample();
    t.diagnostic(`RSS under ${what}: master peak ${mib(this.masterPeak)}, child peak ${mib(this.childPeak)}`);
    assert.ok(this.masterPeak > 0 && this.childPeak > 0, 'RSS was sampled');
    assert.ok(this.masterPeak < MASTER_RSS_LIMIT, `master RSS ${mib(this.masterPeak)} under ${what}`);
    assert.ok(this.childPeak < CHILD_RSS_LIMIT, `child RSS ${mib(this.childPeak)} under ${what}`);
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
          const res = await fpm.request({ script: options.script ?? 'hello.mjs', query: options.query ?? '', timeoutMs: 10_000 });
          if (res.status === 200) this.ok++;
          else this.failures.push(`status ${res.status}`);
        } catch (err) {
          this.failures.push(err instanceof Error ? err.message.split('\n')[0] ?? err.message : String(err));
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
