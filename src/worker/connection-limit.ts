// fastcgi.max_connections: how many connections one child holds at once (derived from its open-file
// limit, src/config/connection-cap.ts). Node's own server.maxConnections accepts and closes the
// newest connection, which lets a few thousand half-open sockets lock out the web server. Here the
// newest connection wins: it evicts, in this order, the oldest connection that has sent nothing of a
// request, the slowest request still receiving its head, the longest-idle kept connection, the
// slowest body arriving below request_body_min_rate, and last a connection accepted moments ago whose
// bytes may not have been read yet (a web server's request on its way); it is refused only when every
// connection is busy. Web servers send heads in one write and bodies as fast as their clients do:
// what is shed is what a slow or hostile client holds.
import {
  SHED_FRESH,
  SHED_HEAD,
  SHED_IDLE,
  SHED_NEVER,
  SHED_NEW,
  SHED_SLOW_BODY,
  type ConnectionHandle,
} from './connection-options.js';
import type { EvictedKind, ShedReport } from './shed-report.js';

const KIND_OF_CLASS: Readonly<Record<number, EvictedKind>> = {
  [SHED_FRESH]: 'fresh',
  [SHED_HEAD]: 'head',
  [SHED_IDLE]: 'idle',
  [SHED_SLOW_BODY]: 'slow-body',
  [SHED_NEW]: 'new',
};

/**
 * Past the first connection that sent nothing, the whole set is ranked; with a cap in the tens of
 * thousands that would cost a scan per accept under attack, so only the oldest this many are ranked.
 */
const RANKED_AT_MOST = 4096;

export class ConnectionLimit {
  readonly #max: number;
  readonly #report: ShedReport;
  readonly #now: () => number;

  constructor(max: number, report: ShedReport, now: () => number = Date.now) {
    this.#max = max;
    this.#report = report;
    this.#now = now;
  }

  get max(): number {
    return this.#max;
  }

  /** Makes room for one more connection; false when there is none (the caller closes the new one). */
  admit(connections: Set<ConnectionHandle>): boolean {
    if (connections.size < this.#max) return true;
    if (this.shedOne(connections)) return true;
    this.#report.count('refused');
    return false;
  }

  /** Evicts the connection that should go first; false when every connection is busy. */
  shedOne(connections: Set<ConnectionHandle>): boolean {
    const now = this.#now();
    let best: ConnectionHandle | undefined;
    let bestClass = SHED_NEVER;
    let bestOrder = Infinity;
    let ranked = 0;
    // A Set iterates in insertion order: the first connection that sent nothing is the oldest one.
    for (const connection of connections) {
      const shedClass = connection.shedClass(now);
      if (shedClass === SHED_FRESH) {
        best = connection;
        bestClass = SHED_FRESH;
        break;
      }
      if (++ranked > RANKED_AT_MOST && best !== undefined) break;
      if (shedClass > bestClass) continue;
      const order = connection.shedOrder(now);
      if (shedClass < bestClass || order < bestOrder) {
        best = connection;
        bestClass = shedClass;
        bestOrder = order;
      }
    }
    if (best === undefined) return false;
    best.evict();
    // Its 'close' comes later: a second newcomer in the same tick must not pick it again.
    connections.delete(best);
    this.#report.count(KIND_OF_CLASS[bestClass] ?? 'fresh');
    return true;
  }
}
