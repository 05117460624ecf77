// A child's resident memory as the master reads it from /proc/<pid>/statm (Linux): one small read,
// without asking the child, which may be stuck in a synchronous loop. The second field is the
// resident set in pages (proc(5)); it counts everything: the V8 heap, Buffers and ArrayBuffers,
// native allocations, thread stacks.
import { readFileSync } from 'node:fs';

let pageBytes: number | undefined;

function residentPages(pid: number | 'self'): number | undefined {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]);
    return Number.isFinite(pages) ? pages : undefined;
  } catch {
    return undefined; // gone, or no /proc
  }
}

/**
 * The page size: this process's RSS in bytes over its resident pages, rounded to a power of two
 * (Node has no sysconf(_SC_PAGESIZE); 4 KiB on x86-64, 4, 16 or 64 KiB on arm64).
 */
function pageSize(): number {
  if (pageBytes === undefined) {
    const pages = residentPages('self');
    const ratio = pages === undefined || pages === 0 ? 4096 : process.memoryUsage.rss() / pages;
    pageBytes = 2 ** Math.round(Math.log2(ratio));
  }
  return pageBytes;
}

/** True where /proc/<pid>/statm can be read (Linux). */
export function canReadResidentMemory(): boolean {
  return residentPages('self') !== undefined;
}

/** The RSS of `pid` in bytes, or undefined when the process is gone. */
export function residentBytesOf(pid: number): number | undefined {
  const pages = residentPages(pid);
  return pages === undefined ? undefined : pages * pageSize();
}
