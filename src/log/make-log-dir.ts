// `mkdir -p` for a log file's directory that always ends. Node's recursive mkdirSync spins forever
// (100% CPU) where the kernel answers mkdir() with ENOENT although the parent exists, as in /proc:
// it creates the parent (EEXIST), retries the child (ENOENT), and so on. Here each missing directory
// is made once, top-down, and the first failure is thrown with the path.
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

function isDirectory(path: string): boolean | undefined {
  try {
    return statSync(path).isDirectory();
  } catch {
    return undefined;
  }
}

/** Creates `dir` and its missing parents; throws `cannot create directory 'X': reason` on failure. */
export function makeLogDirectory(dir: string): void {
  const missing: string[] = [];
  let at = dir;
  while (isDirectory(at) === undefined && dirname(at) !== at) {
    missing.push(at);
    at = dirname(at);
  }
  if (isDirectory(at) === false) throw new Error(`cannot create directory '${dir}': '${at}' is not a directory`);
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && isDirectory(path) === true) continue;
      throw new Error(`cannot create directory '${path}': ${(err as Error).message}`, { cause: err });
    }
  }
}
