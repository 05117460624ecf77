// The one interface every handler mode implements: run the resolved script for one request and
// write its response. run-request.ts picks the runner; the runners never look at the pool's mode.
import type { ActiveRequest } from '../request/active-request.js';
import type { TsfpmContext } from './types.js';

export interface ScriptJob {
  readonly request: ActiveRequest;
  /** The script's real path (after realpath and the path-info walk). */
  readonly path: string;
  /** The script file's mtime when it was resolved: the module version to run. */
  readonly mtimeMs: number;
  readonly isHead: boolean;
  readonly ctx: TsfpmContext;
  /** `[pool NAME] script 'PATH'`, the prefix of this job's log lines. */
  readonly where: string;
}

export type ScriptRunner = (job: ScriptJob) => Promise<void>;

/** The reason an abort signal carries when request_terminate_timeout ran out. */
export class RequestTimeoutError extends Error {
  constructor(limitMs: number) {
    super(`request_terminate_timeout (${limitMs / 1000}s) reached`);
    this.name = 'TimeoutError';
  }
}

export const timedOut = (request: ActiveRequest): boolean =>
  request.abort.aborted && request.abort.signal.reason instanceof RequestTimeoutError;
