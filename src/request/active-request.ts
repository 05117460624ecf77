// What a request handler sees of one request: its params and body, where its answer goes, its abort
// signal, its timing and status, and the background work that keeps the child busy after it. The
// worker makes these from FastCGI records; handlers use them and know nothing of the connection.
import type { Params } from '../fastcgi/params.js';
import type { LazyAbort } from './lazy-abort.js';
import type { RequestBody } from './request-body.js';
import type { ResponseSink } from './response-sink.js';

/** The FastCGI role the web server asked for in BEGIN_REQUEST (FastCGI specification, section 6). */
export type FcgiRole = 'responder' | 'authorizer' | 'filter';

export interface ActiveRequest {
  readonly requestId: number;
  readonly role: FcgiRole;
  readonly keepConn: boolean;
  readonly params: Params;
  readonly body: RequestBody;
  readonly response: ResponseSink;
  readonly abort: LazyAbort;
  /** Resolves when the last STDIN record has arrived (or the request was aborted). */
  readonly bodyDone: Promise<void>;
  readonly startedAtMs: number;
  /** The HTTP status sent (for the access log and scoreboard); 0 until the head is written. */
  status: number;
  /** Work registered with ctx.waitUntil(): the child stays busy until it settles, after the response. */
  readonly background: Promise<unknown>[];
  /** Breaks the connection without END_REQUEST: the web server must not take a cut response as whole. */
  destroyConnection(reason: string): void;
}
