// Reading /proc: a process's children and its memory (VmRSS, VmHWM), plus an RSS sampler.
import { readFileSync, readdirSync } from 'node:fs';

export type StatusField = 'VmRSS' | 'VmHWM';

/** A field of /proc/<pid>/status in KiB, or undefined when the process is gone. */
export function readStatusKib(pid: number, field: StatusField): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Direct children of pid, from /proc/<pid>/task/<tid>/children of every thread. */
export function childPids(pid: number): number[] {
  const pids = new Set<number>();
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const tid of tasks) {
    try {
      for (const part of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) {
        if (part.trim() !== '') pids.add(Number(part));
      }
    } catch {
      // thread ended meanwhile
    }
  }
  return [...pids].sort((a, b) => a - b);
}

/** pid's children, grandchildren and so on (not pid itself). */
export function descendantPids(pid: number): number[] {
  const out: number[] = [];
  const queue = childPids(pid);
  while (queue.length > 0) {
    const next = queue.shift();
    if (next === undefined) break;
    out.push(next);
    queue.push(...childPids(next));
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
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
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    } catch {
      continue; // gone, or no smaps_rollup (kernel < 4.14)
    }
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 'NaN');
    const kib = field('Private_Clean') + field('Private_Dirty');
    if (Number.isFinite(kib)) out.push(kib);
  }
  return out;
}

/** Polls VmRSS of a fixed set of pids and keeps each one's peak. */
export class RssSampler {
  readonly #pids: readonly number[];
  readonly #peakKib = new Map<number, number>();
  readonly #timer: NodeJS.Timeout;
  #samples = 0;

  constructor(pids: readonly number[], intervalMs: number) {
    this.#pids = pids;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  #sample(): void {
    this.#samples++;
    for (const pid of this.#pids) {
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
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      userUs += Number(fields[11]) * TICK_US;
      systemUs += Number(fields[12]) * TICK_US;
    } catch {
      // the process ended between listing and reading
    }
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
      try {
        const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
        total += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      } catch {
        // thread ended meanwhile
      }
    }
  }
  return total;
}
