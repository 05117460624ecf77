// CPU time and RSS for the scoreboard, sampled at most every few ms: the system calls behind
// process.cpuUsage() and memoryUsage.rss() cost more than a small request itself.
const SAMPLE_EVERY_MS = 50;

let sampledAtMs = 0;
let cpuMicros = 0;
let rssBytes = 0;

function sample(): void {
  const now = Date.now();
  if (now - sampledAtMs < SAMPLE_EVERY_MS) return;
  sampledAtMs = now;
  const cpu = process.cpuUsage();
  cpuMicros = cpu.user + cpu.system;
  rssBytes = process.memoryUsage.rss();
}

/** Total CPU time of the child so far (µs), at most SAMPLE_EVERY_MS old. */
export function cpuTimeMicros(): number {
  sample();
  return cpuMicros;
}

export function residentBytes(): number {
  sample();
  return rssBytes;
}
