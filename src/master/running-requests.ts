// Which request a child has been running longest, for the memory guard's lines. The scoreboard names
// a child's latest request, but a child serves several at once: a short request that began while a
// hog was loading its module would be named instead of the hog, even after it ended. The slot reports
// carry each latest request with its start and the start of the oldest one still running; this keeps
// the requests seen, by start, until they are older than that.
import type { RequestInfo } from '../ipc/messages.js';

/** Requests kept per child; past it the ones between the oldest and the newest are forgotten. */
const KEPT = 32;

export class RunningRequests<K> {
  readonly #byChild = new Map<K, Map<number, RequestInfo>>();

  /**
   * A slot report: `latest` began at `latestBeginMs`; `oldestStartMs` is when the oldest request
   * still running began (0 and `running` 0 when the child is idle).
   */
  seen(child: K, running: number, latestBeginMs: number, latest: RequestInfo, oldestStartMs: number): void {
    if (running === 0) {
      this.#byChild.delete(child);
      return;
    }
    let requests = this.#byChild.get(child);
    if (requests === undefined) {
      requests = new Map<number, RequestInfo>();
      this.#byChild.set(child, requests);
    }
    if (!requests.has(latestBeginMs)) requests.set(latestBeginMs, latest);
    for (const beginMs of requests.keys()) {
      if (beginMs >= oldestStartMs) break; // kept in order of start
      requests.delete(beginMs);
    }
    if (requests.size > KEPT) {
      const [, second] = requests.keys();
      if (second !== undefined) requests.delete(second);
    }
  }

  /** The request that began at `oldestStartMs`, when it was seen. */
  oldest(child: K, oldestStartMs: number): RequestInfo | undefined {
    return this.#byChild.get(child)?.get(oldestStartMs);
  }

  forget(child: K): void {
    this.#byChild.delete(child);
  }
}
