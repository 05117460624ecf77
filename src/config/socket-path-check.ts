// Can a unix socket be bound at this path? tsfpm does not create the socket's directory (a missing
// /run/NAME usually means a missing RuntimeDirectory= or tmpfiles.d entry, which tsfpm should not
// paper over). Used by `tsfpm -t` and by the master when bind() fails: libuv turns bind()'s ENOENT
// into EACCES for unix sockets, so the errno alone reads "Permission denied".
import { statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Why a unix socket cannot be created at `path` because of its directory, or undefined. */
export function unixSocketDirectoryProblem(path: string): string | undefined {
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) return `'${dir}' is not a directory`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `the directory '${dir}' does not exist`;
    if (code === 'ENOTDIR') return `the directory '${dir}' does not exist (a part of that path is a file)`;
  }
  return undefined;
}
