// pm.max_memory_hard in the master. While a pool's children run requests, the master reads their
// scoreboard slots and their resident memory from /proc (src/master/proc-memory.ts) every SAMPLE_MS,
// sooner near the limit. The sampling goes on BUSY_LINGER_MS after the last request; a child that
// begins a request after an idle spell that long says so ('busy'), which starts it again, so no busy
// spell goes unseen and no timer runs in an idle pool. The rules are in src/master/pm/memory-limit.ts. A child past
// the limit is named with its running request and the memory seen, told to stop (it answers its
// requests 503 and exits: src/worker/memory-limit.ts) and replaced; one that does not go is killed.
// It also words the exit line of a child that reached the V8 heap limit.
import type { RequestInfo } from '../ipc/messages.js';
import { BUSY_LINGER_MS } from './accept-set.js';
import type { Child } from './child.js';
import { memoryAction, nextSampleMs, SAMPLE_MS, type OverLimit } from './pm/memory-limit.js';
import { isLive } from './pm/view.js';
import type { PoolCore } from './pool-core.js';
import { canReadResidentMemory, residentBytesOf } from './proc-memory.js';

const MIB = 2 ** 20;
const mib = (bytes: number): number => Math.round(bytes / MIB);

interface Stopped extends OverLimit {
  /** The highest RSS seen. */
  readonly rssBytes: number;
}

export class MemoryGuard {
  readonly #pool: PoolCore;
  readonly #readRss: (pid: number) => number | undefined;
  readonly #stopped = new Map<Child, Stopped>();
  #timer: NodeJS.Timeout | undefined;
  #unsupported = false;

  constructor(pool: PoolCore, readRss: (pid: number) => number | undefined = residentBytesOf) {
    this.#pool = pool;
    this.#readRss = readRss;
  }

  get #limit(): number {
    return this.#unsupported ? 0 : this.#pool.config.pm.maxMemoryHardBytes;
  }

  /**
   * The child's slot was just read (it got busy, or was released). A running request starts the
   * sampling; a child that finished its requests above the limit (between two samples) is replaced
   * after them, like pm.max_memory.
   */
  watch(child: Child): void {
    if (this.#limit <= 0) return;
    if (child.running > 0) this.#start();
    else this.#replaceIfOver(child);
  }

  /** The heartbeat's check, after it read the slots: sampling runs whenever some child runs a request. */
  watchAll(): void {
    if (this.#limit <= 0 || this.#timer !== undefined) return;
    for (const child of this.#pool.children.values()) {
      if (child.running > 0) {
        this.#start();
        return;
      }
    }
  }

  /**
   * What a child's exit line adds: the limit it was stopped for, or the V8 heap limit when it died of
   * SIGABRT after V8 said so (`heapLimitReached`); undefined otherwise. Forgets the child.
   */
  exitCause(child: Child, signal: NodeJS.Signals | null, heapLimitReached: boolean): string | undefined {
    const stopped = this.#stopped.get(child);
    this.#stopped.delete(child);
    const request = this.#requestText(child);
    if (stopped !== undefined) {
      return `over pm.max_memory_hard (${mib(this.#pool.config.pm.maxMemoryHardBytes)} MiB), ${mib(stopped.rssBytes)} MiB seen`;
    }
    if (signal === 'SIGABRT' && heapLimitReached) {
      return `the JavaScript heap limit (--max-old-space-size) was reached, ${request}`;
    }
    return undefined;
  }

  #start(): void {
    if (this.#timer !== undefined) return;
    if (!canReadResidentMemory()) {
      this.#unsupported = true;
      this.#pool.log.warning(
        `[pool ${this.#pool.name}] pm.max_memory_hard is not enforced: /proc/<pid>/statm cannot be read on this system`,
      );
      return;
    }
    this.#timer = setTimeout(this.#sample, SAMPLE_MS).unref();
  }

  readonly #sample = (): void => {
    this.#timer = undefined;
    const limit = this.#limit;
    if (limit <= 0) return;
    this.#pool.readSlots();
    const nowMs = Date.now();
    let watched = false;
    let lingering = false;
    let highest = 0;
    for (const child of this.#pool.children.values()) {
      const stopped = this.#stopped.get(child);
      if (child.running === 0 && stopped === undefined) {
        // Within the linger a child begins requests without saying so: keep looking.
        if (nowMs - child.idleSinceMs < BUSY_LINGER_MS) lingering = true;
        this.#replaceIfOver(child);
        continue;
      }
      if (child.process.exitCode !== null || child.process.signalCode !== null) continue;
      const rss = this.#readRss(child.pid);
      // Gone, or exiting: a process's RSS reads 0 once the kernel has freed its memory.
      if (rss === undefined || rss === 0) continue;
      watched = true;
      highest = Math.max(highest, rss);
      const action = memoryAction(rss, limit, stopped, nowMs, child.retiring);
      if (action === 'stop') this.#stop(child, rss, nowMs);
      else if (action === 'kill' && stopped !== undefined) this.#kill(child, rss, stopped, nowMs);
    }
    if (watched || lingering) {
      this.#timer = setTimeout(this.#sample, nextSampleMs(highest, limit, this.#stopped.size > 0)).unref();
    }
  };

  #replaceIfOver(child: Child): void {
    const limit = this.#limit;
    if (child.memoryBytes <= limit || !isLive(child)) return;
    this.#pool.log.notice(
      `[pool ${this.#pool.name}] child ${child.pid} uses ${mib(child.memoryBytes)} MiB after its requests, ` +
        `more than pm.max_memory_hard (${mib(limit)} MiB), replacing it`,
    );
    this.#pool.endChild(child, 'memory-limit');
  }

  #stop(child: Child, rssBytes: number, nowMs: number): void {
    const pool = this.#pool;
    const others = child.running > 1 ? ` and ${child.running - 1} more request(s)` : '';
    pool.log.warning(
      `[pool ${pool.name}] child ${child.pid}, ${this.#requestText(child)}${others} uses ${mib(rssBytes)} MiB, ` +
        `more than pm.max_memory_hard (${mib(this.#limit)} MiB): stopping it (503) and replacing it`,
    );
    this.#stopped.set(child, { toldAtMs: nowMs, killed: false, rssBytes });
    if (child.process.connected) {
      child.process.send({ type: 'memory-limit' }, undefined, undefined, () => undefined);
    }
    pool.endChild(child, 'memory-limit');
  }

  #kill(child: Child, rssBytes: number, stopped: Stopped, nowMs: number): void {
    this.#pool.log.warning(
      `[pool ${this.#pool.name}] child ${child.pid} still runs ${nowMs - stopped.toldAtMs} ms after it was told ` +
        `to stop and uses ${mib(rssBytes)} MiB (pm.max_memory_hard ${mib(this.#limit)} MiB): sending SIGKILL`,
    );
    this.#stopped.set(child, { ...stopped, killed: true, rssBytes: Math.max(stopped.rssBytes, rssBytes) });
    child.process.kill('SIGKILL');
  }

  /**
   * `script '/srv/a.mjs' (request: "GET /a?b")` as php-fpm's timeout lines name a request: the one
   * the child has been running longest (the memory grew while it ran), as its slot shows it.
   */
  #requestText(child: Child): string {
    const info = child.inFlight[0]?.info;
    return info === undefined ? 'between requests' : `script '${info.script}' (request: "${requestLine(info)}")`;
  }
}

function requestLine(info: RequestInfo): string {
  return `${info.method} ${info.uri}${info.query !== '' ? `?${info.query}` : ''}`;
}
