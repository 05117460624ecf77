// The files a process holds open, read from /proc/<pid>/fd: for tests that check a descriptor was
// closed, or that reach a file (even an unlinked one) through it.
import { readdirSync, readlinkSync } from 'node:fs';

export interface OpenFile {
  /** /proc/<pid>/fd/<n>: opens the file itself, even after it was unlinked. */
  readonly fdPath: string;
  /** Where the descriptor points (" (deleted)" appended once unlinked). */
  readonly target: string;
}

export function openFilesOf(pid: number | 'self'): OpenFile[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return []; // gone
  }
  const files: OpenFile[] = [];
  for (const fd of fds) {
    const fdPath = `/proc/${pid}/fd/${fd}`;
    try {
      files.push({ fdPath, target: readlinkSync(fdPath) });
    } catch {
      // closed meanwhile (readdir's own descriptor, for one)
    }
  }
  return files;
}
