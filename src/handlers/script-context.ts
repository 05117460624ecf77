// The `ctx` a script receives: params, env, pool, log, the request's abort signal and waitUntil.
import type { PoolConfig } from '../config/types.js';
import { describeError } from '../errors.js';
import { FCGI_AUTHORIZER } from '../fastcgi/constants.js';
import { childLog } from '../worker/child-log.js';
import type { ActiveRequest } from '../worker/connection.js';
import type { ScriptLogger, TsfpmContext } from './types.js';

export function scriptLogger(pool: string): ScriptLogger {
  const at = (level: 'error' | 'warning' | 'notice' | 'debug') => (message: string) =>
    childLog(level, `[pool ${pool}] child ${process.pid} script: ${message}`);
  return { error: at('error'), warning: at('warning'), notice: at('notice'), debug: at('debug') };
}

export function scriptContext(pool: PoolConfig, log: ScriptLogger, request: ActiveRequest): TsfpmContext {
  return {
    params: request.params,
    env: pool.env,
    pool: pool.name,
    role: request.role === FCGI_AUTHORIZER ? 'authorizer' : 'responder',
    // The AbortController is made on first use only (most scripts never look).
    get signal() {
      return request.abort.signal;
    },
    waitUntil: (promise) => {
      request.background.push(
        Promise.resolve(promise).catch((err: unknown) => log.error(`waitUntil task failed: ${describeError(err)}`)),
      );
    },
    log,
  };
}
