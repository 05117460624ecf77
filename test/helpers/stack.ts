// nginx in front of the daemon, both real processes: the e2e setup. A failure inside a stack test gets
// the daemon's log and nginx's error log appended to its message.
import test from 'node:test';
import { startCountingProxy, type CountingProxy } from './counting-proxy.js';
import { startDaemon, type Daemon } from './daemon.js';
import { startNginx, type Nginx } from './nginx.js';
import { FIXTURE_SCRIPTS } from './paths.js';

export type Transport = 'tcp' | 'unix';
export const TRANSPORTS: readonly Transport[] = ['tcp', 'unix'];

export interface StackOptions {
  readonly listen: Transport;
  readonly keepalive?: boolean;
  readonly maxChildren?: number;
  /** Extra pool directives for the daemon. */
  readonly poolExtra?: string;
  readonly timeout?: number;
  /** Put a connection-counting proxy between nginx and the daemon (stack.proxy). */
  readonly countConnections?: boolean;
}

export interface Stack {
  readonly fpm: Daemon;
  readonly nginx: Nginx;
  /** Present with countConnections: how many upstream connections nginx opened. */
  readonly proxy: CountingProxy | undefined;
  /** `http://127.0.0.1:PORT/name` for a fixture script. */
  url: (path: string) => string;
}

export function stackTest(
  name: string,
  options: StackOptions,
  fn: (t: test.TestContext, stack: Stack) => Promise<void>,
): void {
  void test(name, { timeout: options.timeout ?? 90_000 }, async (t) => {
    const vars: Record<string, string> = { MAX_CHILDREN: String(options.maxChildren ?? 2) };
    if (options.poolExtra !== undefined) vars['POOL_EXTRA'] = options.poolExtra;
    // nginx workers may run as an unprivileged user locally: let them reach the socket.
    vars['POOL_EXTRA'] = `${vars['POOL_EXTRA'] ?? ''}\nlisten.mode = 0666`;
    const fpm = await startDaemon(t, { listen: options.listen, vars });
    let nginx: Nginx | undefined;
    try {
      const proxy = options.countConnections === true ? await startCountingProxy(t, fpm.address) : undefined;
      const upstream = proxy?.address ?? fpm.address;
      nginx = await startNginx(t, { upstream, root: FIXTURE_SCRIPTS, keepalive: options.keepalive ?? false });
      if (nginx === undefined) return; // skipped: nginx is not installed (only outside CI)
      const base = nginx.baseUrl;
      await fn(t, { fpm, nginx, proxy, url: (path) => `${base}/${path.replace(/^\//, '')}` });
    } catch (err) {
      const error = fpm.withLog(err);
      if (nginx !== undefined) error.message += nginx.dump();
      throw error;
    }
  });
}
