// Listening sockets by address, kept across reloads: a pool that keeps its `listen` keeps its socket
// (no refused connection, no unlinked path); sockets no pool wants any more are closed.
import { unlinkSync } from 'node:fs';
import type { ListenConfig } from '../config/types.js';
import { bindTcp, bindUnix, type BoundSocket, type UnixSocketOptions } from './bound-socket.js';
import { addressKey, parseListenAddress, type ListenAddress } from './listen-address.js';
import { lookupGroup, lookupUser } from '../config/passwd.js';
import { displayAddress, sameAddress, type ActivatedSocket } from './socket-activation.js';
import { applyPermissions, type PermissionChange } from './socket-permissions.js';

export class SocketRegistry {
  readonly #sockets = new Map<string, BoundSocket>();
  /** systemd-passed sockets not yet taken by a pool. */
  #activated: ActivatedSocket[] = [];
  /** Keys of sockets systemd owns: their unix paths are never unlinked by us. */
  readonly #systemdOwned = new Set<string>();
  /** Keys of sockets whose descriptor is closed already (stopping), their paths not yet removed. */
  readonly #stoppedListening = new Set<string>();

  /** Sockets from systemd socket activation; pools take them before binding anything themselves. */
  offerActivated(sockets: readonly ActivatedSocket[]): void {
    this.#activated.push(...sockets);
  }

  /** Closes the activated sockets no pool took (php-fpm closes unused inherited sockets); returns them. */
  releaseUnadopted(): ActivatedSocket[] {
    const unused = this.#activated;
    this.#activated = [];
    for (const socket of unused) socket.handle.close();
    return unused;
  }

  get(key: string): BoundSocket | undefined {
    return this.#sockets.get(key);
  }

  keyOf(listen: ListenConfig): string {
    return addressKey(parseListenAddress(listen.address));
  }

  /** The socket for this listen config: the existing one for the same address, or a new bind. */
  async acquire(
    listen: ListenConfig,
    resolvePath: (path: string) => string,
    poolName?: string,
  ): Promise<{ socket: BoundSocket; reused: boolean; permissionChange?: PermissionChange }> {
    let address = parseListenAddress(listen.address);
    if (address.kind === 'unix') address = { kind: 'unix', path: resolvePath(address.path) };
    const key = addressKey(address);
    const existing = this.#sockets.get(key);
    if (existing !== undefined) {
      // A reload keeps the socket: listen.owner, listen.group and listen.mode go onto its file.
      if (existing.address.kind !== 'unix') return { socket: existing, reused: true };
      const permissionChange = applyPermissions(existing, unixOptions(listen), this.#systemdOwned.has(key));
      return permissionChange === undefined
        ? { socket: existing, reused: true }
        : { socket: existing, reused: true, permissionChange };
    }
    const activated = this.#takeActivated(poolName, address);
    if (activated !== undefined) {
      const socket: BoundSocket = {
        key,
        address,
        handle: activated.handle,
        display: displayAddress(activated.address, activated.fd),
      };
      this.#sockets.set(key, socket);
      this.#systemdOwned.add(key);
      return { socket, reused: true };
    }
    const socket =
      address.kind === 'tcp' ? await bindTcp(key, address) : await bindUnix(key, address, unixOptions(listen));
    this.#sockets.set(key, socket);
    return { socket, reused: false };
  }

  /** Closes every socket whose key is not in `keep`, unlinking unix paths. */
  closeExcept(keep: ReadonlySet<string>): void {
    for (const [key, socket] of this.#sockets) {
      if (keep.has(key)) continue;
      this.#sockets.delete(key);
      if (!this.#stoppedListening.delete(key)) closeDescriptor(socket);
      if (socket.address.kind === 'unix' && !this.#systemdOwned.has(key)) unlinkQuietly(socket.address.path);
      this.#systemdOwned.delete(key);
    }
  }

  /**
   * Stopping: the master's copies of the listening sockets close at once (the children close theirs
   * on SIGQUIT/SIGTERM), so the kernel refuses new connections instead of queueing them for nobody
   * and a web server fails over to another backend at once. The unix socket files stay until the
   * master exits (closeAll): a connect meanwhile gets ECONNREFUSED, as from a stopped php-fpm.
   */
  stopListening(): void {
    for (const [key, socket] of this.#sockets) {
      if (this.#stoppedListening.has(key)) continue;
      this.#stoppedListening.add(key);
      closeDescriptor(socket);
    }
  }

  /** The activated socket named after the pool, else the one bound to its address. */
  #takeActivated(poolName: string | undefined, address: ListenAddress): ActivatedSocket | undefined {
    let at = poolName === undefined ? -1 : this.#activated.findIndex((s) => s.name === poolName);
    if (at === -1) at = this.#activated.findIndex((s) => s.address !== undefined && sameAddress(s.address, address));
    if (at === -1) return undefined;
    return this.#activated.splice(at, 1)[0];
  }

  closeAll(): void {
    this.closeExcept(new Set());
  }
}

/** The mode and owner a unix socket's file gets from listen.mode, listen.owner and listen.group. */
function unixOptions(listen: ListenConfig): UnixSocketOptions {
  return {
    mode: listen.mode,
    uid: listen.owner !== undefined ? idOf(lookupUser(listen.owner), 'user', listen.owner) : undefined,
    gid:
      listen.group !== undefined
        ? idOf(lookupGroup(listen.group), 'group', listen.group)
        : listen.owner !== undefined
          ? lookupUser(listen.owner)?.gid
          : undefined,
  };
}

function idOf(entry: { readonly id: number } | undefined, kind: 'user' | 'group', name: string): number {
  if (entry === undefined) throw new Error(`cannot get ${kind === 'user' ? 'uid' : 'gid'} for ${kind} '${name}'`);
  return entry.id;
}

function closeDescriptor(socket: BoundSocket): void {
  if (socket.dispatcher !== undefined) socket.dispatcher.close();
  else socket.handle.close();
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone (removed by an operator or never renamed into place): nothing to clean up.
  }
}
