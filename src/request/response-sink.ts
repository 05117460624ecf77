// Where a handler writes one request's answer: the CGI response (head, then body) on FastCGI STDOUT,
// diagnostics on STDERR. The worker's implementation frames the bytes into records and holds them
// until the request body has been read; a handler sees only this.

/**
 * What a write returns when its bytes went straight to the connection: callers compare with it and
 * skip the await (a promise hop per write is a measurable share of a small request).
 */
export const WRITTEN: Promise<void> = Promise.resolve();

/** A write failed because the web server closed the FastCGI connection: the client is gone. */
export class ConnectionClosedError extends Error {
  constructor() {
    super('the FastCGI connection closed');
    this.name = 'ConnectionClosedError';
  }
}

export interface ResponseSink {
  /** END_REQUEST has been sent (or queued): later writes are dropped. */
  readonly ended: boolean;
  /**
   * CGI response bytes (head first, then body); resolves when the connection took them (WRITTEN at
   * once). They are copied unless `given`: the caller gives them away (nothing changes them later,
   * e.g. a chunk read from a stream), and large ones are then sent in place.
   */
  stdout(data: Uint8Array, given?: boolean): Promise<void>;
  /**
   * A whole answer, stdout(head + body) without joining them first: the CGI head as text of latin1
   * chars (one byte each, as formatResponseHead writes it), the body as a string (sent as UTF-8) or
   * bytes, copied unless `given` (as for stdout).
   */
  respond(head: string, body: string | Uint8Array, given?: boolean): Promise<void>;
  /** Text for the web server's error log (nginx logs it as "FastCGI sent in stderr"). */
  stderr(text: string): Promise<void>;
}
