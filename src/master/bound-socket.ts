// Listening sockets owned by the master. Only the master binds; children get the handle over IPC and
// accept on it, as php-fpm's children all accept on the socket their master bound.
import { lookup } from 'node:dns/promises';
import { chmodSync, chownSync, existsSync, renameSync, unlinkSync } from 'node:fs';
import * as net from 'node:net';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { unixSocketDirectoryProblem } from '../config/socket-path-check.js';
import { TsfpmError } from '../errors.js';
import type { ListenAddress } from './listen-address.js';
import type { Dispatcher } from './dispatcher.js';
import { os } from './os-errors.js';
import type { ServerHandle } from './server-handle.js';

// net._createServerHandle is the internal that node:cluster's SharedHandle uses to bind a socket
// without accepting on it; the public API offers no way to bind without also accepting.
type CreateServerHandle = (
  address: string | null,
  port: number,
  addressType: number,
  fd?: number,
  flags?: number,
) => ServerHandle | number;
const createServerHandle = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle;

export interface BoundSocket {
  readonly key: string;
  readonly address: ListenAddress;
  readonly handle: ServerHandle;
  /** Printable address for logs (`127.0.0.1:9000`, `[::]:9000`, the unix path). */
  readonly display: string;
  /** Set once an ondemand pool makes the master accept on this socket. */
  dispatcher?: Dispatcher | undefined;
  /** A unix socket bound here: the mode and owner set on its file (a reload may change them). */
  permissions?: UnixSocketOptions | undefined;
}

export interface UnixSocketOptions {
  readonly mode: number;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
}

const EADDRINUSE = -constants.errno.EADDRINUSE;

function fail(display: string, errno: number): never {
  throw new TsfpmError(
    'TSFPM_ERR_STARTUP',
    `unable to bind listening socket for address '${display}': ${os.describe(errno)}`,
  );
}

export async function bindTcp(key: string, address: Extract<ListenAddress, { kind: 'tcp' }>): Promise<BoundSocket> {
  let host = address.host;
  let family = address.family;
  if (host !== '' && family === 0) {
    const found = await lookup(host);
    host = found.address;
    family = found.family === 6 ? 6 : 4;
  }
  const display =
    host === '' ? String(address.port) : family === 6 ? `[${host}]:${address.port}` : `${host}:${address.port}`;
  // An empty host makes node try '::' (dual stack) first and fall back to 0.0.0.0, as php-fpm does.
  const handle = createServerHandle(host === '' ? null : host, address.port, host === '' ? 6 : family);
  if (typeof handle === 'number') fail(display, handle);
  // libuv keeps an EADDRINUSE from bind() until listen(), which only the children call: the socket
  // would then be listened on unbound, on a random port. The bound port tells whether bind worked.
  const bound: { port?: number } = {};
  if (handle.getsockname?.(bound) !== 0 || bound.port !== address.port) {
    handle.close();
    fail(display, EADDRINUSE);
  }
  return { key, address, handle, display };
}

/** Is something accepting on this unix path? (then another daemon owns it: refuse to steal it) */
function probeUnixPath(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * Binds a unix socket under a temporary name, sets its mode and owner, then renames it over the public
 * path: atomic, never visible with the wrong mode, and closing the handle later cannot unlink the
 * public path (libuv unlinks the name it bound).
 */
export async function bindUnix(
  key: string,
  address: Extract<ListenAddress, { kind: 'unix' }>,
  options: UnixSocketOptions,
): Promise<BoundSocket> {
  const path = address.path;
  if (existsSync(path) && (await probeUnixPath(path))) {
    throw new TsfpmError('TSFPM_ERR_STARTUP', `Another FPM instance seems to already listen on ${path}`);
  }
  const temporary = join(dirname(path), `.${basename(path).slice(0, 8)}-${randomBytes(4).toString('hex')}`);
  const handle = createServerHandle(temporary, -1, -1);
  if (typeof handle === 'number') {
    const problem = unixSocketDirectoryProblem(path);
    if (problem !== undefined)
      throw new TsfpmError('TSFPM_ERR_STARTUP', `unable to bind listening socket for address '${path}': ${problem}`);
    fail(path, handle);
  }
  try {
    chmodSync(temporary, options.mode);
    if (options.uid !== undefined || options.gid !== undefined) {
      chownSync(temporary, options.uid ?? -1, options.gid ?? -1);
    }
    renameSync(temporary, path);
  } catch (err) {
    handle.close();
    try {
      unlinkSync(temporary);
    } catch {
      // already gone: nothing to clean
    }
    throw new TsfpmError('TSFPM_ERR_STARTUP', `unable to set up unix socket '${path}': ${(err as Error).message}`);
  }
  return { key, address, handle, display: path, permissions: options };
}
