// Can a log file be opened at this path? tsfpm creates missing log directories at start (mkdir -p),
// so a missing directory is fine when it can be created; what fails at start is a path under a file,
// or under a directory the daemon may not write to. Checked by the config checks so that `tsfpm -t`
// names the directive instead of the start failing later (php-fpm: "Unable to create or open
// slowlog", laradock#3187).
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function writable(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Why a log file cannot be opened at `path` (absolute), or undefined when it can. */
export function logPathProblem(path: string): string | undefined {
  const existing = stat(path);
  if (existing !== undefined) {
    if (existing.isDirectory()) return `'${path}' is a directory`;
    return writable(path, constants.W_OK) ? undefined : `'${path}' is not writable`;
  }
  const dir = dirname(path);
  let ancestor = dir;
  let found = stat(ancestor);
  while (found === undefined && dirname(ancestor) !== ancestor) {
    ancestor = dirname(ancestor);
    found = stat(ancestor);
  }
  if (found === undefined || !found.isDirectory()) {
    return `its directory '${dir}' does not exist and cannot be created ('${ancestor}' is not a directory)`;
  }
  if (!writable(ancestor, constants.W_OK | constants.X_OK)) {
    return ancestor === dir
      ? `its directory '${dir}' is not writable`
      : `its directory '${dir}' does not exist and cannot be created ('${ancestor}' is not writable)`;
  }
  return undefined;
}
