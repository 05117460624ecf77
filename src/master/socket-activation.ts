// systemd socket activation (sd_listen_fds(3)): listening sockets passed as fd 3… with LISTEN_FDS,
// LISTEN_PID and LISTEN_FDNAMES. A pool adopts the fd whose name (FileDescriptorName=) is the pool's
// name, or else the fd bound to the pool's `listen` address. The master never binds those addresses
// itself, and never unlinks a unix path systemd owns.
import { readFileSync, readlinkSync } from 'node:fs';
import * as net from 'node:net';
import { TsfpmError } from '../errors.js';
import type { ListenAddress } from './listen-address.js';
import type { ServerHandle } from './server-handle.js';

const SD_LISTEN_FDS_START = 3;

export interface ActivatedSocket {
  readonly fd: number;
  /** FileDescriptorName= of the .socket unit ('' when systemd gave none, or 'unknown'). */
  readonly name: string;
  readonly handle: ServerHandle;
  /** What the fd is bound to, when it could be found (TCP: getsockname; unix: /proc/net/unix). */
  readonly address: ListenAddress | undefined;
}

// Same internal as bound-socket.ts: with an fd it wraps the existing socket in a TCP or Pipe handle
// (guessing the type from the fd), which is what node:cluster does for `listen({fd})`.
type CreateServerHandle = (address: null, port: number, addressType: number, fd: number) => ServerHandle | number;
const createServerHandle = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle;

interface SockName {
  address?: string;
  port?: number;
  family?: string;
}
type WithSockName = ServerHandle & { getsockname?: (out: SockName) => number };

/**
 * Reads and clears the LISTEN_* variables (children must not see them). Returns no sockets when they
 * are absent or meant for another process (LISTEN_PID is not ours).
 */
export function takeActivatedSockets(env: NodeJS.ProcessEnv = process.env): ActivatedSocket[] {
  const count = Number(env['LISTEN_FDS'] ?? '');
  const pid = Number(env['LISTEN_PID'] ?? '');
  const names = (env['LISTEN_FDNAMES'] ?? '').split(':');
  delete env['LISTEN_FDS'];
  delete env['LISTEN_PID'];
  delete env['LISTEN_FDNAMES'];
  if (!Number.isInteger(count) || count <= 0 || pid !== process.pid) return [];
  const sockets: ActivatedSocket[] = [];
  for (let i = 0; i < count; i++) {
    const fd = SD_LISTEN_FDS_START + i;
    // Port 0, not -1: with an fd, node asserts that no address and no port were given.
    const handle = createServerHandle(null, 0, -1, fd);
    if (typeof handle === 'number') {
      throw new TsfpmError('TSFPM_ERR_STARTUP', `cannot use the socket systemd passed as fd ${fd} (errno ${handle})`);
    }
    const name = names[i] ?? '';
    sockets.push({ fd, name: name === 'unknown' ? '' : name, handle, address: addressOf(fd, handle) });
  }
  return sockets;
}

function addressOf(fd: number, handle: WithSockName): ListenAddress | undefined {
  if (typeof handle.getsockname === 'function') {
    const out: SockName = {};
    if (handle.getsockname(out) === 0 && out.address !== undefined && out.port !== undefined) {
      return { kind: 'tcp', host: out.address, port: out.port, family: out.family === 'IPv6' ? 6 : 4 };
    }
    return undefined;
  }
  const path = unixPathOf(fd);
  return path === undefined ? undefined : { kind: 'unix', path };
}

/** Node's Pipe handle has no getsockname: find the bound path by the socket's inode (Linux /proc). */
function unixPathOf(fd: number): string | undefined {
  try {
    const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
    if (inode === undefined) return undefined;
    for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[6] === inode && fields[7] !== undefined && fields[7].startsWith('/')) return fields[7];
    }
  } catch {
    // No /proc (not Linux): such fds can still be matched by FileDescriptorName=.
  }
  return undefined;
}

/** Does an activated socket serve this `listen` address? ('' / '::' / '0.0.0.0' hosts all mean "any"). */
export function sameAddress(activated: ListenAddress, wanted: ListenAddress): boolean {
  if (activated.kind === 'unix' || wanted.kind === 'unix') {
    return activated.kind === 'unix' && wanted.kind === 'unix' && activated.path === wanted.path;
  }
  if (activated.port !== wanted.port) return false;
  const any = (host: string): boolean => host === '' || host === '::' || host === '0.0.0.0';
  if (any(wanted.host)) return any(activated.host);
  return activated.host === wanted.host || activated.host === `::ffff:${wanted.host}`;
}

/** Printable address for logs, as bound-socket.ts prints its own. */
export function displayAddress(address: ListenAddress | undefined, fd: number): string {
  if (address === undefined) return `fd ${fd}`;
  if (address.kind === 'unix') return address.path;
  return address.family === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
