// CPU time and RSS for the scoreboard. CPU time is read at each request start and end (one
// getrusage(2), about a microsecond): a cached value made every fast request show 0% CPU. RSS is
// sampled at most every few ms: process.memoryUsage.rss() reads /proc, which costs more than a small
// request itself, and a value a few ms old describes the child as well.
const RSS_EVERY_MS = 50;

let sampledAtMs = 0;
let rssBytes = 0;

/** The child's CPU time so far (user + system, µs, all its threads). */
export function cpuTimeMicros(): number {
  const cpu = process.cpuUsage();
  return cpu.user + cpu.system;
}

export function residentBytes(): number {
  const now = Date.now();
  if (now - sampledAtMs >= RSS_EVERY_MS) {
    sampledAtMs = now;
    rssBytes = process.memoryUsage.rss();
  }
  return rssBytes;
}
