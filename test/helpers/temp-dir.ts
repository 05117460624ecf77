// Fresh temporary directories for daemons, sockets and nginx prefixes. Paths stay short: a unix
// socket path must fit sockaddr_un.sun_path (108 bytes with the NUL, so at most 107 bytes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Longest unix socket path the kernel accepts (sun_path is 108 bytes including the NUL). */
export const MAX_UNIX_SOCKET_PATH_BYTES = 107;

export interface TempDir {
  readonly path: string;
  /** A path inside the directory for a unix socket; throws when it would be too long to bind. */
  socketPath(name: string): string;
  /** Removes the directory and everything in it; safe to call twice. */
  remove(): void;
}

/** Room left in a directory path for socket names like `fpm.sock.tmp-12345` (rename-into-place). */
const SOCKET_NAME_ROOM = 40;

function baseDir(): string {
  const preferred = tmpdir();
  return Buffer.byteLength(preferred) + 16 + SOCKET_NAME_ROOM <= MAX_UNIX_SOCKET_PATH_BYTES ? preferred : '/tmp';
}

export function makeTempDir(prefix = 'tsfpm-'): TempDir {
  const path = mkdtempSync(join(baseDir(), prefix));
  let removed = false;
  return {
    path,
    socketPath(name: string): string {
      const full = join(path, name);
      if (Buffer.byteLength(full) > MAX_UNIX_SOCKET_PATH_BYTES) {
        throw new Error(`unix socket path '${full}' is longer than ${MAX_UNIX_SOCKET_PATH_BYTES} bytes`);
      }
      return full;
    },
    remove(): void {
      if (removed) return;
      removed = true;
      rmSync(path, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
