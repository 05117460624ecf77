// The script contract: what a script module exports and what it receives.

/** Logging from a script; lines reach the master's error log with the pool and child pid. */
export interface ScriptLogger {
  error(message: string): void;
  warning(message: string): void;
  notice(message: string): void;
  debug(message: string): void;
}

/** The second argument of a fetch-style handler. */
export interface TsfpmContext {
  /** Every FastCGI parameter the web server sent (SCRIPT_FILENAME, REMOTE_ADDR, HTTP_*, ...). */
  readonly params: Readonly<Record<string, string>>;
  /** The pool's `env[...]` values. */
  readonly env: Readonly<Record<string, string>>;
  /** The pool name. */
  readonly pool: string;
  /**
   * The FastCGI role: 'authorizer' when the web server asks whether to allow the request (Apache's
   * mod_authnz_fcgi): answer 200 to allow (its `Variable-*` headers are passed on, the body is
   * dropped), any other status to deny (that response goes to the client).
   */
  readonly role: 'responder' | 'authorizer';
  /** Aborted when the web server aborts the request, the connection closes, or request_terminate_timeout nears. */
  readonly signal: AbortSignal;
  /** Keep the child busy until the promise settles, after the response has been sent. */
  waitUntil(promise: Promise<unknown>): void;
  readonly log: ScriptLogger;
}

export type FetchFunction = (request: Request, ctx: TsfpmContext) => Response | Promise<Response>;
