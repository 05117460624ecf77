// How long a FastCGI connection may stay silent, by what it is waiting for, and the clock that tells.
// The timeout is checked by the child's once-a-second sweep (Connection.checkIdle), not by
// socket.setTimeout(): that costs a timer per connection and a timer refresh on every read and write.

/** PHP-FPM closes a connection that sends nothing for 5 s; we apply it to reading the request head too. */
export const HEAD_READ_TIMEOUT_MS = 5000;
/**
 * A kept-alive connection between requests may idle longer: nginx's upstream keepalive_timeout is 60 s
 * by default and the web server should be the side that closes, or a request sent at that moment fails.
 */
export const KEEPALIVE_IDLE_TIMEOUT_MS = 75_000;
/**
 * A request body whose client sends nothing for this long is abandoned (nginx's own
 * fastcgi_send_timeout default is 60 s). A stall in the middle of a record is cut after
 * HEAD_READ_TIMEOUT_MS: web servers write whole records, so that is a broken or hostile client.
 */
export const BODY_IDLE_TIMEOUT_MS = 60_000;

/** One connection's read timeout: silence counts from the later of the last data and the moment it was set. */
export class ReadTimeout {
  #timeoutMs = 0;
  #fromMs = 0;
  /** When the last bytes arrived. */
  lastDataAtMs: number;

  constructor(nowMs: number) {
    this.lastDataAtMs = nowMs;
  }

  /** A new limit (0: none); the silence before it does not count against it. */
  set(ms: number, nowMs: number): void {
    if (ms !== this.#timeoutMs) {
      this.#timeoutMs = ms;
      this.#fromMs = nowMs;
    }
  }

  expired(nowMs: number): boolean {
    return this.#timeoutMs > 0 && nowMs - Math.max(this.#fromMs, this.lastDataAtMs) >= this.#timeoutMs;
  }
}

/** How often read timeouts are checked: a silent client is cut at most this much past its limit. */
export const READ_TIMEOUT_SWEEP_MS = 1000;

/**
 * The read timeouts and pace limits of all connections, in one sweep. It runs while the child has
 * connections and stops at the first tick without any, so an idle child has no timer to wake it.
 */
export class ConnectionSweep {
  readonly #connections: ReadonlySet<{ checkIdle(nowMs: number): void }>;
  readonly #onTick: () => void;
  #timer: NodeJS.Timeout | undefined;
  #lastTickMs = 0;

  /** `onTick`: more work of the same rhythm (the descriptor watch), run on every tick. */
  constructor(connections: ReadonlySet<{ checkIdle(nowMs: number): void }>, onTick: () => void = () => undefined) {
    this.#connections = connections;
    this.#onTick = onTick;
  }

  /** Starts the sweep if it is not running (a connection was added). */
  ensure(): void {
    if (this.#timer !== undefined) return;
    this.#lastTickMs = Date.now();
    this.#timer = setInterval(() => this.#tick(), READ_TIMEOUT_SWEEP_MS).unref();
  }

  #tick(): void {
    this.#onTick();
    if (this.#connections.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    const now = Date.now();
    const late = now - this.#lastTickMs > 2 * READ_TIMEOUT_SWEEP_MS;
    this.#lastTickMs = now;
    // The loop was blocked (a script computing): timers run before the poll phase, so bytes that came
    // meanwhile are not read yet. The next tick judges, after they are.
    if (late) return;
    for (const connection of this.#connections) connection.checkIdle(now);
  }
}
