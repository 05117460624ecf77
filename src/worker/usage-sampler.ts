// CPU time and RSS for the scoreboard. CPU time is read at each request end (one getrusage(2), a
// few microseconds on a VM): a cached value made every fast request show 0% CPU. A request that
// begins within a millisecond of the last reading starts from that reading instead of a second
// system call: on a busy child the gap is the reading of this very request, which is its own cost.
// RSS is sampled at most every few ms: process.memoryUsage.rss() reads /proc, which costs more than a
// small request itself, and a value a few ms old describes the child as well.
const RSS_EVERY_MS = 50;
/** A CPU reading younger than this (µs) stands for a request's start. */
const CPU_REUSE_US = 1000;

let sampledAtMs = 0;
let rssBytes = 0;
let cpuReadAtUs = Number.NEGATIVE_INFINITY;
let cpuReadUs = 0;

/** The child's CPU time so far (user + system, µs, all its threads), read now; `nowMonoUs`: the monotonic clock. */
export function cpuTimeMicros(nowMonoUs: number): number {
  const cpu = process.cpuUsage();
  cpuReadAtUs = nowMonoUs;
  cpuReadUs = cpu.user + cpu.system;
  return cpuReadUs;
}

/** The CPU time at a request's start: the last reading when it is less than a millisecond old. */
export function cpuTimeAtStart(nowMonoUs: number): number {
  return nowMonoUs - cpuReadAtUs < CPU_REUSE_US ? cpuReadUs : cpuTimeMicros(nowMonoUs);
}

export function residentBytes(): number {
  const now = Date.now();
  if (now - sampledAtMs >= RSS_EVERY_MS) {
    sampledAtMs = now;
    rssBytes = process.memoryUsage.rss();
  }
  return rssBytes;
}
