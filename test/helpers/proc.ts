// What Linux's /proc says about a process: whether it is alive, its status fields and memory, its
// children, its command line, its open files, its CPU time and how often it wakes up. A process that
// is gone, or ends while it is read, has nothing: no fields, no children, no files.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone
  }
}

/** The value of a /proc/<pid>/status line (`Uid`, `Groups`, `VmRSS`...), trimmed; undefined when gone. */
export function statusField(pid: number, name: string): string | undefined {
  const status = readOrUndefined(`/proc/${pid}/status`);
  return status === undefined ? undefined : new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim();
}

export type MemoryField = 'VmRSS' | 'VmHWM';

/** A memory field of /proc/<pid>/status in KiB, or undefined when the process is gone. */
export function readStatusKib(pid: number, field: MemoryField): number | undefined {
  const match = /^(\d+) kB$/.exec(statusField(pid, field) ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** VmRSS in bytes; 0 when the process is gone. */
export function rssBytes(pid: number): number {
  return (readStatusKib(pid, 'VmRSS') ?? 0) * 1024;
}

/** The arguments of /proc/<pid>/cmdline joined by spaces, or undefined when the process is gone. */
export function commandLineOf(pid: number): string | undefined {
  return readOrUndefined(`/proc/${pid}/cmdline`)?.replaceAll('\0', ' ').trim();
}

/** The executable's name (/proc/<pid>/comm, at most 15 characters), or undefined when gone. */
export function commandNameOf(pid: number): string | undefined {
  return readOrUndefined(`/proc/${pid}/comm`)?.trim();
}

/** Every direct child of pid as the kernel lists them (/proc/<pid>/task/<tid>/children of every thread), sorted. */
export function kernelChildrenOf(pid: number): number[] {
  const pids = new Set<number>();
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const tid of tasks) {
    for (const part of (readOrUndefined(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ')) {
      if (part.trim() !== '') pids.add(Number(part));
    }
  }
  return [...pids].sort((a, b) => a - b);
}

/** pid's children, grandchildren and so on (not pid itself). */
export function descendantsOf(pid: number): number[] {
  const out: number[] = [];
  const queue = kernelChildrenOf(pid);
  while (queue.length > 0) {
    const next = queue.shift();
    if (next === undefined) break;
    out.push(next);
    queue.push(...kernelChildrenOf(next));
  }
  return out;
}

/**
 * The pool children of a tsfpm master: titled `tsfpm: pool NAME`, or still starting (running
 * worker/main.js). Spares (`tsfpm: spare`, or still starting worker/spare.js) and helpers such as
 * `ss` are left out.
 */
export function poolChildrenOf(masterPid: number): number[] {
  return kernelChildrenOf(masterPid).filter((pid) => {
    const line = commandLineOf(pid);
    return line !== undefined && (line.startsWith('tsfpm: pool ') || line.includes('worker/main.js'));
  });
}

/** The spare children of a tsfpm master (titled `tsfpm: spare`, or still starting worker/spare.js). */
export function spareChildrenOf(masterPid: number): number[] {
  return kernelChildrenOf(masterPid).filter((pid) => {
    const line = commandLineOf(pid);
    return line !== undefined && (line === 'tsfpm: spare' || line.includes('worker/spare.js'));
  });
}

export interface OpenFile {
  /** /proc/<pid>/fd/<n>: opens the file itself, even after it was unlinked. */
  readonly fdPath: string;
  /** Where the descriptor points (" (deleted)" appended once unlinked). */
  readonly target: string;
}

/** The files a process holds open, for checking that a descriptor was closed or reaching an unlinked file. */
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

/** The VmRSS of each pid, skipping the ones that are gone. */
export function rssKibOf(pids: readonly number[]): number[] {
  return pids.map((pid) => readStatusKib(pid, 'VmRSS')).filter((v): v is number => v !== undefined);
}

/**
 * Memory only this process holds (USS: Private_Clean + Private_Dirty of smaps_rollup), KiB. RSS also
 * counts the Node binary and libraries that every child shares, which one more child does not cost.
 */
export function privateKibOf(pids: readonly number[]): number[] {
  const out: number[] = [];
  for (const pid of pids) {
    const text = readOrUndefined(`/proc/${pid}/smaps_rollup`);
    if (text === undefined) continue; // gone, or no smaps_rollup (kernel < 4.14)
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 'NaN');
    const kib = field('Private_Clean') + field('Private_Dirty');
    if (Number.isFinite(kib)) out.push(kib);
  }
  return out;
}

/**
 * Polls VmRSS and keeps each pid's peak. The pids are a fixed list, or a function asked again at every
 * sample (a master's current children).
 */
export class RssSampler {
  readonly #pids: () => readonly number[];
  readonly #peakKib = new Map<number, number>();
  readonly #timer: NodeJS.Timeout;
  #samples = 0;

  constructor(pids: readonly number[] | (() => readonly number[]), intervalMs: number) {
    this.#pids = typeof pids === 'function' ? pids : () => pids;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  #sample(): void {
    this.#samples++;
    for (const pid of this.#pids()) {
      const rss = readStatusKib(pid, 'VmRSS');
      if (rss !== undefined && rss > (this.#peakKib.get(pid) ?? 0)) this.#peakKib.set(pid, rss);
    }
  }

  /** Stops polling; returns the peak VmRSS per pid and the number of samples taken. */
  stop(): { peakKib: ReadonlyMap<number, number>; samples: number } {
    clearInterval(this.#timer);
    this.#sample();
    return { peakKib: this.#peakKib, samples: this.#samples };
  }
}

export interface CpuTimes {
  readonly userUs: number;
  readonly systemUs: number;
}

/** CPU time of these processes so far, in µs, user and system apart, from /proc/<pid>/stat; gone processes count 0. */
export function cpuTimesOf(pids: readonly number[]): CpuTimes {
  const TICK_US = 1_000_000 / 100; // USER_HZ is 100 on Linux
  let userUs = 0;
  let systemUs = 0;
  for (const pid of pids) {
    const stat = readOrUndefined(`/proc/${pid}/stat`);
    if (stat === undefined) continue; // the process ended between listing and reading
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    userUs += Number(fields[11]) * TICK_US;
    systemUs += Number(fields[12]) * TICK_US;
  }
  return { userUs, systemUs };
}

/** CPU time (user + system) spent between two readings of cpuTimesOf, in µs. */
export function cpuSpentUs(before: CpuTimes, after: CpuTimes): number {
  return after.userUs + after.systemUs - before.userUs - before.systemUs;
}

/**
 * Voluntary context switches of every thread of these processes so far: a thread makes one each time
 * it sleeps, so the count over a quiet spell is how often the processes woke themselves up.
 */
export function wakeUpsOf(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone
    }
    for (const tid of tasks) {
      const status = readOrUndefined(`/proc/${pid}/task/${tid}/status`) ?? ''; // '': thread ended meanwhile
      total += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    }
  }
  return total;
}

/** Threads of the process (/proc/<pid>/task), 0 when it is gone. */
export function threadCountOf(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}
