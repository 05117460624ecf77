// A byte-for-byte TCP/unix proxy that counts the connections it accepts: put between nginx and the
// daemon, it shows whether nginx reuses upstream connections (fastcgi_keep_conn + keepalive).
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { CleanupScope } from './daemon.js';
import type { FcgiAddress } from './fcgi-client.js';
import { getFreePort } from './free-port.js';
import { makeTempDir } from './temp-dir.js';

export interface CountingProxy {
  readonly address: FcgiAddress;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections open right now. */
  readonly open: number;
}

export async function startCountingProxy(scope: CleanupScope, target: FcgiAddress): Promise<CountingProxy> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted++;
    const upstream =
      target.kind === 'tcp' ? connect({ host: target.host, port: target.port }) : connect({ path: target.path });
    sockets.add(client);
    sockets.add(upstream);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client
      .on('close', () => sockets.delete(client))
      .on('error', closeBoth)
      .on('end', () => upstream.end());
    upstream
      .on('close', () => sockets.delete(upstream))
      .on('error', closeBoth)
      .on('end', () => client.end());
    client.pipe(upstream, { end: false });
    upstream.pipe(client, { end: false });
  });
  let address: FcgiAddress;
  const dir = target.kind === 'unix' ? makeTempDir('tsfpm-proxy-') : undefined;
  if (dir !== undefined) {
    address = { kind: 'unix', path: dir.socketPath('proxy.sock') };
    const path = address.path;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, resolve));
  } else {
    const port = await getFreePort();
    address = { kind: 'tcp', host: '127.0.0.1', port };
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  }
  scope.after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    dir?.remove();
  });
  return {
    address,
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size / 2;
    },
  };
}
