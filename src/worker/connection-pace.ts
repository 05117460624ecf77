// The clocks of one connection: its read timeout (silence), the pace of the request's head and body
// (request_head_timeout, request_body_timeout/request_body_min_rate), and from them what the child's
// once-a-second sweep does with it and how early it is shed at the connection cap. Pure: the
// connection tells it what it is doing, it answers with a verdict.
import { codedMessage } from '../errors.js';
import {
  NEW_CONNECTION_MS,
  SHED_FRESH,
  SHED_HEAD,
  SHED_IDLE,
  SHED_NEVER,
  SHED_NEW,
  SHED_SLOW_BODY,
  type PaceCut,
} from './connection-options.js';
import { BODY_IDLE_TIMEOUT_MS, HEAD_READ_TIMEOUT_MS, ReadTimeout } from './read-timeout.js';
import { BodyPace, HeadPace, type PaceLimits } from './request-pace.js';

/** What the connection is doing, as the pace needs to know it. */
export interface PaceState {
  /** A request has begun (BEGIN_REQUEST accepted) and is not finished. */
  readonly begun: boolean;
  readonly phase: 'idle' | 'params' | 'stdin' | 'running';
  /** Bytes of an unfinished record are held. */
  readonly midRecord: boolean;
  /** It has served a request (a kept connection). */
  readonly servedOne: boolean;
}

export type PaceVerdict =
  | undefined
  /** Silent between requests: close quietly, nothing was lost. */
  | { readonly kind: 'idle' }
  /** Too slow or too silent: close with this TSFPM_ERR_FCGI_TIMEOUT reason. */
  | { readonly kind: 'timeout'; readonly reason: string }
  /** Its head or body too slow for the pace limits: counted in the child's shedding report. */
  | { readonly kind: 'cut'; readonly cut: PaceCut; readonly reason: string };

export class ConnectionPace {
  readonly #limits: PaceLimits;
  readonly timeout: ReadTimeout;
  readonly head = new HeadPace();
  readonly body = new BodyPace();
  /** When this child got the connection. */
  readonly #openedAtMs: number;

  constructor(nowMs: number, limits: PaceLimits) {
    this.#limits = limits;
    this.timeout = new ReadTimeout(nowMs);
    this.#openedAtMs = nowMs;
    this.head.start(nowMs); // request_head_timeout counts from the accept
  }

  /** Bytes arrived: the silence ends; a head's bytes count (the next request's on a kept connection starts its clock). */
  received(nowMs: number, bytes: number, state: PaceState): void {
    this.timeout.lastDataAtMs = nowMs;
    if (!state.begun) {
      if (!this.head.inProgress) this.head.start(nowMs);
      this.head.bytes += bytes;
    } else if (state.phase === 'params') {
      this.head.bytes += bytes;
    }
  }

  /** The PARAMS are complete: the head's clock stops, the body's starts. */
  headDone(nowMs: number): void {
    this.head.stop();
    this.body.start(nowMs);
  }

  /** The request is over: the next head starts with its first byte. */
  requestDone(): void {
    this.head.stop();
    this.body.stop();
  }

  /** The sweep's verdict at `nowMs`. */
  check(nowMs: number, state: PaceState): PaceVerdict {
    const limits = this.#limits;
    if (this.head.overdue(nowMs, limits.requestHeadTimeoutMs)) {
      const took = nowMs - (this.head.startedAtMs ?? nowMs);
      return {
        kind: 'cut',
        cut: 'head-timeout',
        reason: timeout(`the request head took ${took} ms, more than request_head_timeout`),
      };
    }
    if (state.phase === 'stdin' && this.body.tooSlow(nowMs, limits)) {
      const rate = Math.round(this.body.rate(nowMs));
      return {
        kind: 'cut',
        cut: 'body-timeout',
        reason: timeout(
          `the request body arrives at ${rate} bytes/s, below request_body_min_rate (${limits.requestBodyMinRate}) past request_body_timeout (${limits.requestBodyTimeoutMs} ms)`,
        ),
      };
    }
    if (!this.timeout.expired(nowMs)) return undefined;
    if (!state.begun && !state.midRecord) return { kind: 'idle' };
    if (state.phase !== 'stdin' || state.midRecord) {
      const where = `${state.phase}${state.midRecord ? ', inside a record' : ''}`;
      return {
        kind: 'timeout',
        reason: timeout(`no data for ${HEAD_READ_TIMEOUT_MS} ms while reading the request (${where})`),
      };
    }
    // Whole records, then silence in the body: the longer body limit applies.
    const idleMs = nowMs - this.timeout.lastDataAtMs;
    if (idleMs >= BODY_IDLE_TIMEOUT_MS)
      return { kind: 'timeout', reason: timeout(`no request body data for ${idleMs} ms`) };
    this.timeout.set(BODY_IDLE_TIMEOUT_MS - idleMs, nowMs);
    return undefined;
  }

  /** SHED_FRESH … SHED_NEVER (connection-options.ts). */
  shedClass(nowMs: number, state: PaceState): number {
    if (!state.begun) {
      if (state.midRecord) return SHED_HEAD;
      if (state.servedOne) return SHED_IDLE;
      // Accepted moments ago: its bytes may simply not be read yet.
      return nowMs - this.#openedAtMs < NEW_CONNECTION_MS && this.head.bytes === 0 ? SHED_NEW : SHED_FRESH;
    }
    if (state.phase === 'params') return SHED_HEAD;
    if (state.phase === 'stdin' && this.body.belowMinRate(nowMs, this.#limits.requestBodyMinRate))
      return SHED_SLOW_BODY;
    return SHED_NEVER;
  }

  /** Within a class, lower is shed first: the slowest head or body, the oldest new, the longest idle. */
  shedOrder(nowMs: number, state: PaceState): number {
    switch (this.shedClass(nowMs, state)) {
      case SHED_HEAD:
        return this.head.rate(nowMs);
      case SHED_SLOW_BODY:
        return this.body.rate(nowMs);
      case SHED_NEW:
        return this.#openedAtMs;
      default:
        return this.timeout.lastDataAtMs;
    }
  }
}

const timeout = (text: string): string => codedMessage('TSFPM_ERR_FCGI_TIMEOUT', text);
