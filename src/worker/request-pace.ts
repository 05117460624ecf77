// How fast a request arrives, and the limits on it (request_head_timeout, request_body_timeout,
// request_body_min_rate): silence alone (read-timeout.ts) does not stop a client that sends one byte
// every few seconds, which could hold a connection forever. In the spirit of Apache's mod_reqtimeout
// (`header=20-40,MinRate=500 body=20,MinRate=500`): the head has a deadline however it trickles, and
// the body gets a time that grows with every byte received. Web servers send a head in one write and
// a body as fast as their client sends it, so the defaults never cut them.
import type { PoolConfig } from '../config/types.js';

export type PaceLimits = Pick<PoolConfig, 'requestHeadTimeoutMs' | 'requestBodyTimeoutMs' | 'requestBodyMinRate'>;

/** Below this much reading time a body's rate says little (one slow first read): no eviction for rate. */
export const MIN_RATE_SAMPLE_MS = 2000;

/** The head of the request being received: since when, and how many bytes so far. */
export class HeadPace {
  /** When the head began (the accept, or the first byte on a kept connection); undefined: no head in progress. */
  startedAtMs: number | undefined;
  bytes = 0;

  start(nowMs: number): void {
    this.startedAtMs = nowMs;
    this.bytes = 0;
  }

  stop(): void {
    this.startedAtMs = undefined;
  }

  get inProgress(): boolean {
    return this.startedAtMs !== undefined;
  }

  overdue(nowMs: number, timeoutMs: number): boolean {
    return timeoutMs > 0 && this.startedAtMs !== undefined && nowMs - this.startedAtMs >= timeoutMs;
  }

  /** Bytes per second so far (the slowest head is shed first at the connection cap). */
  rate(nowMs: number): number {
    const elapsed = this.startedAtMs === undefined ? 0 : nowMs - this.startedAtMs;
    return (this.bytes * 1000) / Math.max(1, elapsed);
  }
}

/**
 * The body of the request being received. Only time spent reading counts: while the script does not
 * read (backpressure pauses the connection) the silence is ours, not the client's.
 */
export class BodyPace {
  #active = false;
  #bytes = 0;
  #readMs = 0;
  /** Reading since (ms), or undefined while paused. */
  #readingSince: number | undefined;

  get active(): boolean {
    return this.#active;
  }

  get bytes(): number {
    return this.#bytes;
  }

  start(nowMs: number): void {
    this.#active = true;
    this.#bytes = 0;
    this.#readMs = 0;
    this.#readingSince = nowMs;
  }

  stop(): void {
    this.#active = false;
  }

  add(bytes: number): void {
    this.#bytes += bytes;
  }

  pause(nowMs: number): void {
    if (this.#readingSince === undefined) return;
    this.#readMs += nowMs - this.#readingSince;
    this.#readingSince = undefined;
  }

  resume(nowMs: number): void {
    this.#readingSince ??= nowMs;
  }

  readingMs(nowMs: number): number {
    return this.#readMs + (this.#readingSince === undefined ? 0 : nowMs - this.#readingSince);
  }

  /** Past request_body_timeout plus 1 s for every request_body_min_rate bytes received. */
  tooSlow(nowMs: number, limits: PaceLimits): boolean {
    if (!this.#active || limits.requestBodyTimeoutMs <= 0) return false;
    const earnedMs = limits.requestBodyMinRate > 0 ? (this.#bytes * 1000) / limits.requestBodyMinRate : 0;
    return this.readingMs(nowMs) > limits.requestBodyTimeoutMs + earnedMs;
  }

  /** Arriving below request_body_min_rate on average (after a short sample): sheddable at the cap. */
  belowMinRate(nowMs: number, minRate: number): boolean {
    if (!this.#active || minRate <= 0) return false;
    const readMs = this.readingMs(nowMs);
    return readMs >= MIN_RATE_SAMPLE_MS && (this.#bytes * 1000) / readMs < minRate;
  }

  rate(nowMs: number): number {
    return (this.#bytes * 1000) / Math.max(1, this.readingMs(nowMs));
  }
}
