// fastcgi.max_connections: how many connections one child holds at once. Node's own
// server.maxConnections accepts and closes the newest connection, which lets a few thousand half-open
// sockets lock out the web server. Here the newest connection wins: it evicts the oldest connection
// that has not begun a request (a slowloris, or a kept connection between requests), and is refused
// only when every connection carries a request.
import { childLog } from '../log/child-log.js';
import type { ConnectionHandle } from './connection-options.js';

/** At most one WARNING per interval while the cap is being hit (an attack would flood the log). */
const LOG_EVERY_MS = 10_000;

export class ConnectionLimit {
  readonly #poolName: string;
  readonly #max: number;
  #evicted = 0;
  #refused = 0;
  #loggedAtMs = 0;

  constructor(poolName: string, max: number) {
    this.#poolName = poolName;
    this.#max = max;
  }

  get max(): number {
    return this.#max;
  }

  /** Makes room for one more connection; false when there is none (the caller closes the new one). */
  admit(connections: Set<ConnectionHandle>): boolean {
    if (connections.size < this.#max) return true;
    // A Set iterates in insertion order: the first waiting connection is the oldest one.
    for (const connection of connections) {
      if (connection.isWaiting()) {
        connection.evict();
        // Its 'close' comes later: a second newcomer in the same tick must not pick it again.
        connections.delete(connection);
        this.#evicted++;
        this.#report();
        return true;
      }
    }
    this.#refused++;
    this.#report();
    return false;
  }

  #report(): void {
    const now = Date.now();
    if (now - this.#loggedAtMs < LOG_EVERY_MS) return;
    this.#loggedAtMs = now;
    childLog(
      'warning',
      `[pool ${this.#poolName}] child ${process.pid} reached fastcgi.max_connections (${this.#max}): ` +
        `${this.#evicted} waiting connections closed, ${this.#refused} new connections refused so far`,
    );
  }
}
