// One daemon for a whole client suite, with two pools serving the same docroot: `unix` on a socket
// (mode 0666: web server workers run as www-data/nobody) and `tcp` on 127.0.0.1:<free port>.
import { startDaemon, type CleanupScope, type Daemon } from '../../helpers/daemon.js';
import type { FcgiAddress } from '../../helpers/fcgi-client.js';
import { getFreePort } from '../../helpers/free-port.js';

export interface MatrixDaemon {
  readonly fpm: Daemon;
  readonly unix: FcgiAddress & { readonly kind: 'unix' };
  readonly tcp: FcgiAddress & { readonly kind: 'tcp' };
}

const POOL = `pm = static
pm.max_children = 2
security.limit_extensions = .js .mjs
catch_workers_output = yes`;

const CONFIG = `; test/e2e/matrix/matrix-daemon.ts
[global]
error_log = {{LOG}}
pid = {{PID}}
log_level = notice
process_control_timeout = 5s

[unix]
listen = {{ADDR}}
listen.mode = 0666
${POOL}

[tcp]
listen = 127.0.0.1:{{TCP_PORT}}
${POOL}
`;

export async function startMatrixDaemon(scope: CleanupScope): Promise<MatrixDaemon> {
  const port = await getFreePort();
  const fpm = await startDaemon(scope, { config: CONFIG, listen: 'unix', vars: { TCP_PORT: String(port) } });
  return { fpm, unix: { kind: 'unix', path: fpm.socketPath }, tcp: { kind: 'tcp', host: '127.0.0.1', port } };
}
