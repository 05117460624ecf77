// Can a log file be opened at this path? tsfpm creates missing log directories at start (mkdir -p),
// so a missing directory is fine when it can be created; what fails at start is a path under a file,
// or under a directory the daemon may not write to. Checked by the config checks so that `tsfpm -t`
// names the directive instead of the start failing later (php-fpm: "Unable to create or open
// slowlog", laradock#3187). The master runs the error_log check at start too.
import { accessSync, constants, statfsSync, statSync, type Stats } from 'node:fs';
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

/**
 * Kernel filesystems where nobody creates files or directories (statfs(2) f_type magic numbers from
 * linux/magic.h). access(2) says a root daemon may write to /proc, but mkdir() there answers ENOENT.
 */
const PSEUDO_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
  [0x62656570, 'configfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x1cd1, 'devpts'],
]);

function pseudoFilesystem(path: string): string | undefined {
  try {
    return PSEUDO_FILESYSTEMS.get(statfsSync(path).type);
  } catch {
    return undefined;
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
  // An existing file there (e.g. /proc/self/fd/2, the container idiom) is checked above; new ones cannot be made.
  const pseudo = pseudoFilesystem(ancestor);
  if (pseudo !== undefined) {
    const where = `'${ancestor}' is on a ${pseudo} filesystem, where no file or directory can be created`;
    return ancestor === dir
      ? `it does not exist and cannot be created (${where})`
      : `its directory '${dir}' does not exist and cannot be created (${where})`;
  }
  if (!writable(ancestor, constants.W_OK | constants.X_OK)) {
    return ancestor === dir
      ? `its directory '${dir}' is not writable`
      : `its directory '${dir}' does not exist and cannot be created ('${ancestor}' is not writable)`;
  }
  return undefined;
}
