// The `ctx` a script receives: params, env, pool, log, the request's abort signal and waitUntil.
import type { PoolConfig } from '../config/types.js';
import { describeCoded } from '../errors.js';
import { childLog } from '../log/child-log.js';
import type { ActiveRequest } from '../request/active-request.js';
import type { ScriptLogger, TsfpmContext } from './types.js';

export function scriptLogger(pool: string): ScriptLogger {
  const at = (level: 'error' | 'warning' | 'notice' | 'debug') => (message: string) =>
    childLog(level, `[pool ${pool}] child ${process.pid} script: ${message}`);
  return { error: at('error'), warning: at('warning'), notice: at('notice'), debug: at('debug') };
}

/** One per request, so a class: its shape is fixed and no closure is made unless waitUntil is asked for. */
class ScriptContext implements TsfpmContext {
  readonly params: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  readonly pool: string;
  readonly role: 'responder' | 'authorizer';
  readonly log: ScriptLogger;
  readonly #request: ActiveRequest;
  #waitUntil: ((promise: Promise<unknown>) => void) | undefined;

  constructor(pool: PoolConfig, log: ScriptLogger, request: ActiveRequest) {
    this.params = request.params;
    this.env = pool.env;
    this.pool = pool.name;
    this.role = request.role === 'authorizer' ? 'authorizer' : 'responder';
    this.log = log;
    this.#request = request;
  }

  /** The AbortController is made on first use only (most scripts never look). */
  get signal(): AbortSignal {
    return this.#request.abort.signal;
  }

  /**
   * A function, made on first use (most scripts never call it): scripts pass `ctx.waitUntil` around
   * unbound, so it cannot be a method.
   */
  get waitUntil(): (promise: Promise<unknown>) => void {
    this.#waitUntil ??= (promise: Promise<unknown>): void => {
      this.#request.background.push(
        Promise.resolve(promise).catch((err: unknown) =>
          this.log.error(`waitUntil task failed: ${describeCoded(err, 'TSFPM_ERR_SCRIPT_THREW')}`),
        ),
      );
    };
    return this.#waitUntil;
  }
}

export function scriptContext(pool: PoolConfig, log: ScriptLogger, request: ActiveRequest): TsfpmContext {
  return new ScriptContext(pool, log, request);
}
