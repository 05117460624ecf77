// One request on a connection, as the worker keeps it: the ActiveRequest a handler sees, plus the
// connection's view of its body (complete? refused? dropped?) and the child's bookkeeping.
import type { Params } from '../fastcgi/params.js';
import type { ActiveRequest, FcgiRole } from '../request/active-request.js';
import { LazyAbort } from '../request/lazy-abort.js';
import type { RequestBody } from '../request/request-body.js';
import type { FcgiResponse } from './fcgi-response.js';
import type { RequestToken } from './scoreboard-writer.js';

/** A request as the child serves it: what handlers see, its FastCGI response, and the child's bookkeeping. */
export interface ServedRequest extends ActiveRequest {
  readonly response: FcgiResponse;
  /** The child's bookkeeping (worker/main.ts): its scoreboard record. */
  scoreboardToken: RequestToken | undefined;
}

/** Runs one request to its end (the answer written; END_REQUEST is the connection's job). */
export type ServedRunner = (request: ServedRequest) => Promise<void>;

const DONE: Promise<void> = Promise.resolve();
export const EMPTY_PARAMS: Params = Object.freeze(Object.create(null) as Params);

/**
 * The body stream is made only when something asks for it (or body bytes arrive): most requests have
 * none, and a Readable per request is a measurable cost.
 */
export class ConnectionRequest implements ServedRequest {
  readonly requestId: number;
  readonly role: FcgiRole;
  readonly keepConn: boolean;
  /** Set once when the PARAMS stream is complete (the decoded object itself: no copy). */
  params: Params = EMPTY_PARAMS;
  readonly response: FcgiResponse;
  readonly abort = new LazyAbort();
  readonly startedAtMs: number;
  status = 0;
  readonly background: Promise<unknown>[] = [];
  readonly destroyConnection: (reason: string) => void;
  scoreboardToken: RequestToken | undefined = undefined;
  readonly #makeBody: (params: Params) => RequestBody;
  #body: RequestBody | undefined;
  /** The last STDIN record arrived (or the request was aborted): the body is complete. */
  bodyComplete = false;
  /** STDIN bytes so far, counted only when fastcgi.max_body_size is set. */
  bodyBytes = 0;
  /** Answered without running (413 or 503): the rest of the body is drained, up to what it announced. */
  refusedBodyBytes = -1;
  /** What answers in place of the script when it is refused; decided as soon as the PARAMS are in. */
  refusal: ServedRunner | undefined = undefined;
  #bodyWaiter: (() => void) | undefined;
  #bodyDone: Promise<void> | undefined;
  #bodyDropped = false;

  constructor(
    begin: {
      readonly requestId: number;
      readonly role: FcgiRole;
      readonly keepConn: boolean;
      readonly startedAtMs: number;
    },
    response: FcgiResponse,
    makeBody: (params: Params) => RequestBody,
    destroyConnection: (reason: string) => void,
  ) {
    this.requestId = begin.requestId;
    this.role = begin.role;
    this.keepConn = begin.keepConn;
    this.startedAtMs = begin.startedAtMs;
    this.response = response;
    this.#makeBody = makeBody;
    this.destroyConnection = destroyConnection;
  }

  get body(): RequestBody {
    if (this.#body === undefined) {
      this.#body = this.#makeBody(this.params);
      if (this.bodyComplete) this.#body.finish();
    }
    return this.#body;
  }

  get bodyDone(): Promise<void> {
    if (this.bodyComplete) return DONE;
    this.#bodyDone ??= new Promise<void>((resolve) => {
      this.#bodyWaiter = resolve;
    });
    return this.#bodyDone;
  }

  feed(data: Buffer): void {
    // After an abort the body is complete, yet the client may go on sending STDIN: a stream made
    // now would already have ended (push after EOF).
    if (this.#bodyDropped || this.bodyComplete) return;
    this.body.feed(data);
  }

  /** The body is complete (normally, or because the request was aborted or its connection closed). */
  completeBody(normally: boolean): void {
    if (this.bodyComplete) return;
    this.bodyComplete = true;
    if (this.#body !== undefined) {
      if (normally) this.#body.finish();
      else this.#body.discard();
    }
    this.#bodyWaiter?.();
  }

  /** The script is done: whatever body it did not read is dropped as it arrives. */
  dropUnreadBody(): void {
    // A body that had not begun to arrive must not get a stream nobody reads (it would pause the socket).
    this.#bodyDropped = true;
    if (this.#body !== undefined && !this.#body.ended) this.#body.discard();
  }
}
